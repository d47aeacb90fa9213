# This file is part of the pm suite (物业管理系统). See README.md.
"""One-off charges 其他收费 put on a unit's next bill.

Paid repairs, shop orders charged to the property account, fines … are
recorded as extra charges; the next billing run whose period ends on or
after their date bills them (key ``extra:<id>``, so never twice), or
`bill_now` bills and posts them at once for the cashier desk.
"""
from decimal import Decimal

from sql import Literal, Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.exceptions import UserError
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import id_batches
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction


class ExtraChargeError(UserError):
    pass


class ExtraChargeModifyError(AccessError):
    pass


class ExtraCharge(ModelSQL, ModelView):
    __name__ = 'pm.charge.extra'
    __string__ = "Extra Charge"

    _states = {'readonly': Eval('state') != 'pending'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    party = fields.Many2One(
        'party.party', "Billing Party", states=_states,
        context={'company': Eval('company', -1)}, depends={'company'},
        help="Leave empty to bill the unit's billing party.")
    charge_item = fields.Many2One(
        'pm.charge.item', "Charge Item", required=True, states=_states,
        domain=[('company', '=', Eval('company', -1))])
    date = fields.Date(
        "Date", required=True, states=_states,
        help="Billed by the first billing run whose period ends "
        "on or after this date.")
    description = fields.Char("Description", required=True, states=_states)
    quantity = fields.Numeric(
        "Quantity", digits=(16, 4), required=True, states=_states)
    unit_price = fields.Numeric(
        "Unit Price", digits=(16, 4), required=True, states=_states)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    amount = fields.Function(Monetary(
            "Amount", currency='currency', digits='currency'),
        'on_change_with_amount')
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True)
    cancelled = fields.Boolean("Cancelled", readonly=True)
    bill_line = fields.Many2One(
        'pm.bill.line', "Bill Line", readonly=True, ondelete='SET NULL')
    bill = fields.Function(
        fields.Many2One('pm.bill', "Bill"), 'get_bill')
    state = fields.Function(fields.Selection([
                ('pending', "Pending"),
                ('billed', "Billed"),
                ('cancelled', "Cancelled"),
                ], "State"), 'get_state', searcher='search_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Equality()),
                    (t.date, Index.Range())),
                Index(t, (t.bill_line, Index.Equality())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'pending',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'bill_now': {
                    'invisible': Eval('state') != 'pending',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @staticmethod
    def default_quantity():
        return Decimal(1)

    @staticmethod
    def default_cancelled():
        return False

    @classmethod
    def default_state(cls):
        return 'pending'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('quantity', 'unit_price', 'company')
    def on_change_with_amount(self, name=None):
        if self.quantity is None or self.unit_price is None:
            return None
        amount = self.quantity * self.unit_price
        if self.company:
            return self.company.currency.round(amount)
        return amount.quantize(Decimal('0.01'))

    @fields.depends('charge_item', 'unit_price', 'description')
    def on_change_charge_item(self):
        if self.charge_item and not self.description:
            self.description = self.charge_item.rec_name

    @classmethod
    def _get_origin(cls):
        "Models that can be the origin of an extra charge"
        return []

    @classmethod
    def get_origin(cls):
        IrModel = Pool().get('ir.model')
        models = cls._get_origin()
        records = IrModel.search([('name', 'in', models)])
        return [(None, '')] + [(m.name, m.string) for m in records]

    def get_bill(self, name):
        return self.bill_line.bill.id if self.bill_line else None

    @classmethod
    def get_state(cls, extras, name):
        result = {}
        for extra in extras:
            if extra.cancelled:
                result[extra.id] = 'cancelled'
            elif extra.bill_line and not extra.bill_line.reversed:
                result[extra.id] = 'billed'
            else:
                result[extra.id] = 'pending'
        return result

    @classmethod
    def search_state(cls, name, clause):
        _, operator, value = clause
        values = value if operator in {'in', 'not in'} else [value]
        domains = []
        for value in values:
            if value == 'cancelled':
                domains.append([('cancelled', '=', True)])
            elif value == 'billed':
                domains.append([('cancelled', '=', False),
                        ('bill_line', '!=', None),
                        ('bill_line.reversed', '=', False)])
            elif value == 'pending':
                domains.append([('cancelled', '=', False),
                        ['OR', ('bill_line', '=', None),
                            ('bill_line.reversed', '=', True)]])
        domain = ['OR'] + domains if domains else [('id', '=', -1)]
        if operator in {'!=', 'not in'}:
            return ['NOT', domain]
        return domain

    @classmethod
    def validate_fields(cls, extras, field_names):
        super().validate_fields(extras, field_names)
        for extra in extras:
            if extra.quantity is not None and extra.unit_price is not None \
                    and extra.quantity * extra.unit_price <= 0:
                raise ExtraChargeError(gettext(
                        'pm_billing.msg_extra_amount_positive',
                        extra=extra.rec_name))

    def get_rec_name(self, name):
        return '%s %s' % (self.unit.rec_name, self.description)

    @classmethod
    def check_modification(cls, mode, extras, values=None, external=False):
        super().check_modification(
            mode, extras, values=values, external=external)
        if mode in {'write', 'delete'}:
            if mode == 'write' and set(values or {}) <= {
                    'bill_line', 'cancelled'} and not external:
                return
            for extra in extras:
                if extra.state != 'pending':
                    raise ExtraChargeModifyError(gettext(
                            'pm_billing.msg_extra_modify_billed',
                            extra=extra.rec_name))

    @classmethod
    def copy(cls, extras, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('bill_line', None)
        default.setdefault('cancelled', False)
        return super().copy(extras, default=default)

    @classmethod
    @ModelView.button
    def cancel(cls, extras):
        for extra in extras:
            if extra.state != 'pending':
                raise ExtraChargeModifyError(gettext(
                        'pm_billing.msg_extra_modify_billed',
                        extra=extra.rec_name))
        cls.write(extras, {'cancelled': True})

    @classmethod
    def pending_charges(cls, company, unit_ids, until, item_ids=None):
        """Return the charge dicts of the engine for the pending extras of
        the units dated until the date"""
        pool = Pool()
        Line = pool.get('pm.bill.line')
        extra = cls.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        charges = []
        for sub_ids in id_batches(list(unit_ids)):
            where = ((extra.company == company)
                & extra.unit.in_(sub_ids)
                & (extra.date <= until)
                & (extra.cancelled == Literal(False))
                & ((extra.bill_line == Null)
                    | (line.reversed == Literal(True))))
            if item_ids:
                where &= extra.charge_item.in_(list(item_ids))
            cursor.execute(*extra.join(line, 'LEFT',
                    condition=extra.bill_line == line.id).select(
                    extra.id, extra.unit, extra.party, extra.charge_item,
                    extra.date, extra.quantity, extra.unit_price,
                    extra.description, where=where))
            for (id_, unit, party, item, date, quantity, price,
                    description) in cursor:
                from .engine import _date, _dec
                quantity, price = _dec(quantity), _dec(price)
                charges.append({
                        'key': f'extra:{id_}', 'unit': unit, 'party': party,
                        'charge_item': item,
                        'date_start': _date(date), 'date_end': _date(date),
                        'quantity': quantity, 'unit_price': price,
                        'amount': (quantity * price).quantize(
                            Decimal('0.01')),
                        'description': description,
                        })
        return charges

    @classmethod
    def mark_billed(cls, line_ids_by_key):
        "Link the extras to the bill lines written for their keys"
        from .sqlbulk import bulk_update
        pairs = []
        for key, line_id in line_ids_by_key.items():
            if key.startswith('extra:'):
                pairs.append((int(key.split(':')[1]), line_id))
        if pairs:
            bulk_update(cls._table, 'bill_line', pairs)

    @classmethod
    @ModelView.button
    def bill_now(cls, extras):
        """Bill and post the pending extras at once (one bill per unit and
        party), in an instant billing run of the current month; return the
        bills"""
        pool = Pool()
        Run = pool.get('pm.billing.run')
        Bill = pool.get('pm.bill')
        Date = pool.get('ir.date')
        from .engine import Engine, month_end, post_bills
        bills = []
        by_company = {}
        for extra in extras:
            if extra.state != 'pending':
                raise ExtraChargeModifyError(gettext(
                        'pm_billing.msg_extra_modify_billed',
                        extra=extra.rec_name))
            by_company.setdefault(extra.company, []).append(extra)
        for company, c_extras in by_company.items():
            with Transaction().set_context(company=company.id):
                today = Date.today()
            start = today.replace(day=1)
            end = month_end(today)
            run, = Run.create([{
                        'company': company.id,
                        'name': gettext('pm_billing.msg_instant_run_name',
                            date=today.isoformat()),
                        'date_start': start, 'date_end': end,
                        'accounting_date': today,
                        'instant': True,
                        }])
            engine = Engine(run)
            engine.extra_only = [e.id for e in c_extras]
            engine.compute(sorted({e.unit.id for e in c_extras}))
            Run.write([run], {'state': 'posting'})
            post_bills(run)
            Run.write([run], {'state': 'posted'})
            bills.extend(Bill.search([('run', '=', run.id)]))
        return bills


class BillingRun(metaclass=PoolMeta):
    __name__ = 'pm.billing.run'

    instant = fields.Boolean(
        "Instant", readonly=True,
        help="Bills extra charges at once (paid at the cashier desk).")

    @staticmethod
    def default_instant():
        return False

    def get_extra_charges(self, unit_ids):
        """Return the charges of other records to bill in this run for the
        units: a list of dicts with key, unit, party, charge_item,
        date_start, date_end, quantity, unit_price, amount, description.

        Modules extend it (parking contracts …); the key must be stable and
        unique so that a charge is never billed twice."""
        pool = Pool()
        Extra = pool.get('pm.charge.extra')
        return Extra.pending_charges(
            self.company.id, unit_ids, self.date_end,
            [i.id for i in self.charge_items])
