# This file is part of the pm suite (物业管理系统). See README.md.
"""Late fees 滞纳金.

A charge item may carry a late fee: a daily rate (e.g. 0.0005 = 万分之五 a
day) or a monthly percentage (counted as rate / 30 a day), a grace period
in days after the bill's due date, and a cap as a fraction of the
principal (1 = at most the principal).

A fee accrues per bill and charge item on the unpaid part of that item:
every computation adds principal × daily rate × the days since the last
one, counted from the end of the grace period, so partial payments lower
the fee from the day they are made. It is computed by a daily scheduled
job and at payment; when the bill is fully paid, the fee is charged as an
extra charge on the unit's next bill (or waived). A waiver needs a reason
and the waiver group, and records who and when.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal, ROUND_HALF_UP

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.exceptions import UserError
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import id_batches
from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

ZERO = Decimal(0)
CENT = Decimal('0.01')


class LateFeeError(UserError):
    pass


def accrue(principal, method, rate, days):
    "The fee of `days` days on the principal (not rounded)"
    if days <= 0 or not rate or principal <= 0:
        return ZERO
    daily = rate if method == 'daily' else rate / 30
    return principal * daily * days


def capped(total, base, cap):
    "The accrued total limited to cap × base"
    if cap is None:
        return total
    return min(total, base * cap)


class ChargeItem(metaclass=PoolMeta):
    __name__ = 'pm.charge.item'

    late_fee_method = fields.Selection([
            ('none', "None"),
            ('daily', "Daily Rate"),
            ('monthly', "Monthly Percentage"),
            ], "Late Fee", required=True)
    late_fee_rate = fields.Numeric(
        "Late Fee Rate", digits=(16, 6),
        states={
            'invisible': Eval('late_fee_method') == 'none',
            'required': Eval('late_fee_method') != 'none',
            },
        domain=['OR', ('late_fee_rate', '=', None),
            ('late_fee_rate', '>', 0)],
        help="Daily: the fraction a day (0.0005 = 万分之五). "
        "Monthly: the fraction a month (0.01 = 1 %).")
    late_fee_grace_days = fields.Integer(
        "Grace Days",
        states={'invisible': Eval('late_fee_method') == 'none'},
        domain=['OR', ('late_fee_grace_days', '=', None),
            ('late_fee_grace_days', '>=', 0)],
        help="Days after the due date without late fee; "
        "the fee counts from the end of the grace period.")
    late_fee_cap = fields.Numeric(
        "Late Fee Cap", digits=(16, 4),
        states={'invisible': Eval('late_fee_method') == 'none'},
        domain=['OR', ('late_fee_cap', '=', None),
            ('late_fee_cap', '>', 0)],
        help="The fee is at most this fraction of the principal "
        "(1 = the principal); empty for no cap.")

    @staticmethod
    def default_late_fee_method():
        return 'none'

    @staticmethod
    def default_late_fee_grace_days():
        return 0


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    late_fee_item = fields.Many2One(
        'pm.charge.item', "Late Fee Item",
        help="The charge item of the late fees put on the next bill.")


class LateFee(ModelSQL, ModelView):
    __name__ = 'pm.late_fee'
    __string__ = "Late Fee"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    bill = fields.Many2One(
        'pm.bill', "Bill", required=True, readonly=True, ondelete='CASCADE')
    unit = fields.Many2One('pm.unit', "Unit", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Party", required=True, readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    charge_item = fields.Many2One(
        'pm.charge.item', "Charge Item", required=True, readonly=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    base = Monetary(
        "Principal", currency='currency', digits='currency', readonly=True,
        help="The amount of the item on the bill (the base of the cap).")
    principal = Monetary(
        "Unpaid Principal", currency='currency', digits='currency',
        readonly=True)
    start_date = fields.Date(
        "Counted From", readonly=True,
        help="The day after the due date and the grace period.")
    date = fields.Date("Computed On", readonly=True)
    days = fields.Integer("Days", readonly=True)
    accrued = fields.Numeric(
        "Accrued", digits=(16, 6), readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    waived_amount = Monetary(
        "Waived", currency='currency', digits='currency', readonly=True)
    waive_reason = fields.Text("Waiver Reason", readonly=True)
    waived_by = fields.Many2One('res.user', "Waived by", readonly=True)
    waive_date = fields.DateTime("Waived on", readonly=True)
    extra = fields.Many2One(
        'pm.charge.extra', "Extra Charge", readonly=True,
        ondelete='RESTRICT')
    state = fields.Selection([
            ('accruing', "Accruing"),
            ('charged', "Charged"),
            ('waived', "Waived"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('bill_item_unique', Unique(t, t.bill, t.charge_item),
                'pm_billing.msg_late_fee_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.party, Index.Equality())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls.__rpc__.update({
                'run_daily': RPC(readonly=False),
                'waive_amount': RPC(readonly=False, instantiate=0),
                })
        cls._buttons.update({
                'waive': {
                    'invisible': Eval('state') != 'accruing',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'accruing'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_rec_name(self, name):
        return '%s %s' % (self.bill.rec_name, self.charge_item.rec_name)

    # --- computing ------------------------------------------------------
    @classmethod
    @without_check_access
    def compute_fees(cls, date=None, bill_ids=None):
        """Accrue the fees of the overdue unpaid posted bills up to the
        date (of the bills given or of all); return the fees written"""
        pool = Pool()
        Bill = pool.get('pm.bill')
        Line = pool.get('pm.bill.line')
        Item = pool.get('pm.charge.item')
        Date = pool.get('ir.date')
        date = date or Date.today()
        item_t = Item.__table__()
        bill_t = Bill.__table__()
        line_t = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*item_t.select(
                item_t.id, item_t.late_fee_method, item_t.late_fee_rate,
                item_t.late_fee_grace_days, item_t.late_fee_cap,
                where=item_t.late_fee_method.in_(['daily', 'monthly'])))
        items = {r[0]: {
                'method': r[1], 'rate': Decimal(str(r[2] or 0)),
                'grace': r[3] or 0,
                'cap': Decimal(str(r[4])) if r[4] is not None else None,
                } for r in cursor}
        if not items:
            return []
        max_grace = max(i['grace'] for i in items.values())
        # candidate bills: posted, overdue past the smallest grace
        where = ((bill_t.state == 'posted')
            & (bill_t.due_date < date))
        if bill_ids is not None:
            where &= bill_t.id.in_(list(bill_ids) or [-1])
        cursor.execute(*bill_t.select(
                bill_t.id, bill_t.company, bill_t.unit, bill_t.party,
                bill_t.amount, bill_t.due_date, where=where))
        bills = {r[0]: r for r in cursor}
        if not bills:
            return []
        unpaid = Bill.unpaid_by_ids(list(bills))
        bills = {i: r for i, r in bills.items() if unpaid[i] > 0}
        amounts = defaultdict(dict)
        for sub_ids in id_batches(list(bills)):
            cursor.execute(*line_t.select(
                    line_t.bill, line_t.charge_item, Sum(line_t.amount),
                    where=line_t.bill.in_(sub_ids)
                    & line_t.charge_item.in_(list(items)),
                    group_by=[line_t.bill, line_t.charge_item]))
            for bill_id, item_id, amount in cursor:
                amounts[bill_id][item_id] = Decimal(str(amount)).quantize(
                    CENT)
        existing = {}
        for sub_ids in id_batches(list(amounts)):
            for fee in cls.search([('bill', 'in', sub_ids)]):
                existing[(fee.bill.id, fee.charge_item.id)] = fee
        to_create, to_write = [], []
        del max_grace
        for bill_id, by_item in amounts.items():
            _, company, unit, party, total, due_date, = bills[bill_id]
            if isinstance(due_date, str):
                due_date = dt.date.fromisoformat(due_date)
            total = Decimal(str(total))
            share = unpaid[bill_id] / total if total else ZERO
            for item_id, base in by_item.items():
                rule = items[item_id]
                start = due_date + dt.timedelta(days=rule['grace'] + 1)
                if date < start:
                    continue
                principal = (base * share).quantize(CENT)
                fee = existing.get((bill_id, item_id))
                if fee and fee.state != 'accruing':
                    continue
                since = fee.date if fee and fee.date else start - \
                    dt.timedelta(days=1)
                days = (date - since).days
                if days <= 0 and fee:
                    if fee.principal != principal:
                        to_write.extend([[fee], {'principal': principal}])
                    continue
                accrued = (fee.accrued or ZERO) if fee else ZERO
                accrued = capped(
                    accrued + accrue(
                        fee.principal if fee else principal,
                        rule['method'], rule['rate'], days),
                    base, rule['cap'])
                values = {
                    'principal': principal, 'date': date,
                    'days': (date - start).days + 1,
                    'accrued': accrued,
                    'amount': accrued.quantize(CENT, ROUND_HALF_UP),
                    }
                if fee:
                    to_write.extend([[fee], values])
                else:
                    values.update({
                            'company': company, 'bill': bill_id,
                            'unit': unit, 'party': party,
                            'charge_item': item_id, 'base': base,
                            'start_date': start, 'waived_amount': ZERO,
                            })
                    to_create.append(values)
        fees = []
        if to_create:
            fees.extend(cls.create(to_create))
        if to_write:
            cls.write(*to_write)
            fees.extend(f for f in to_write[::2] for f in f)
        return fees

    @classmethod
    def run_daily(cls, date=None):
        "Scheduled job: accrue the fees until the date, charge the paid ones"
        cls.compute_fees(date)
        cls.charge_paid(date=date)

    @classmethod
    @without_check_access
    def charge_paid(cls, bill_ids=None, date=None):
        """Put the accruing fees of fully paid bills on the next bill as
        extra charges (or mark them waived when nothing is left)"""
        pool = Pool()
        Bill = pool.get('pm.bill')
        Extra = pool.get('pm.charge.extra')
        Config = pool.get('pm.configuration')
        Date = pool.get('ir.date')
        domain = [('state', '=', 'accruing')]
        if bill_ids is not None:
            domain.append(('bill', 'in', list(bill_ids)))
        fees = cls.search(domain)
        if not fees:
            return []
        unpaid = Bill.get_unpaid_amount(list({f.bill for f in fees}))
        fees = [f for f in fees if unpaid[f.bill.id] <= 0]
        if not fees:
            return []
        item = Config(1).late_fee_item
        if not item:
            raise LateFeeError(gettext('pm_billing.msg_late_fee_no_item'))
        extras, charged, waived = [], [], []
        for fee in fees:
            net = (fee.amount or ZERO) - (fee.waived_amount or ZERO)
            if net <= 0:
                waived.append(fee)
                continue
            with Transaction().set_context(company=fee.company.id):
                today = date or Date.today()
            extras.append(Extra(
                    company=fee.company, unit=fee.unit, party=fee.party,
                    charge_item=item, date=today,
                    description=gettext(
                        'pm_billing.msg_late_fee_description',
                        bill=fee.bill.number, item=fee.charge_item.name,
                        days=fee.days),
                    quantity=Decimal(1), unit_price=net, origin=fee))
            charged.append(fee)
        Extra.save(extras)
        for fee, extra in zip(charged, extras):
            fee.extra = extra
            fee.state = 'charged'
        for fee in waived:
            fee.state = 'waived'
        cls.save(charged + waived)
        return charged

    @classmethod
    @ModelView.button_action('pm_billing.wizard_late_fee_waive')
    def waive(cls, fees):
        pass

    @classmethod
    def waive_amount(cls, fees, amount, reason):
        """Waive `amount` of each accruing fee (None: all of it); needs a
        reason and the waiver group (checked on the button and here)"""
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        if not (reason or '').strip():
            raise LateFeeError(gettext('pm_billing.msg_late_fee_reason'))
        if Transaction().user and ModelData.get_id(
                'pm_billing', 'group_pm_waiver') not in User.get_groups():
            raise LateFeeError(gettext('pm_billing.msg_late_fee_group'))
        now = dt.datetime.now()
        for fee in fees:
            if fee.state != 'accruing':
                raise LateFeeError(gettext(
                        'pm_billing.msg_late_fee_not_accruing',
                        fee=fee.rec_name))
            value = fee.amount if amount is None else amount
            if value < 0 or value > fee.amount:
                raise LateFeeError(gettext(
                        'pm_billing.msg_late_fee_waive_amount',
                        fee=fee.rec_name, amount=fee.amount))
            fee.waived_amount = value
            fee.waive_reason = reason
            fee.waived_by = Transaction().user
            fee.waive_date = now
        cls.save(fees)


class Receipt(metaclass=PoolMeta):
    __name__ = 'pm.receipt'

    @classmethod
    def post(cls, receipts):
        "Accrue the late fees up to the payment, then charge the paid ones"
        pool = Pool()
        LateFee = pool.get('pm.late_fee')
        Bill = pool.get('pm.bill')
        by_date = defaultdict(set)
        for receipt in receipts:
            if receipt.state != 'draft' or receipt.kind != 'payment':
                continue
            bills = [l.bill for l in receipt.lines] or Bill.unpaid_bills(
                receipt.party, receipt.unit)
            by_date[receipt.date].update(b.id for b in bills)
        for date, bill_ids in by_date.items():
            LateFee.compute_fees(date, bill_ids)
        super().post(receipts)
        bill_ids = set().union(*by_date.values()) if by_date else set()
        if bill_ids:
            # the unpaid principal from the payment on
            for date, d_bill_ids in by_date.items():
                LateFee.compute_fees(date, d_bill_ids)
            LateFee.charge_paid(bill_ids)


class WaiveStart(ModelView):
    __name__ = 'pm.late_fee.waive.start'
    __string__ = "Waive Late Fee"

    fee = fields.Many2One('pm.late_fee', "Late Fee", readonly=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    fee_amount = Monetary(
        "Fee", currency='currency', digits='currency', readonly=True)
    amount = Monetary(
        "Waived Amount", currency='currency', digits='currency',
        required=True,
        domain=[('amount', '>=', 0),
            ('amount', '<=', Eval('fee_amount', 0))])
    reason = fields.Text("Reason", required=True)


class Waive(Wizard):
    __name__ = 'pm.late_fee.waive'
    __string__ = "Waive Late Fee"

    start = StateView('pm.late_fee.waive.start',
        'pm_billing.late_fee_waive_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Waive", 'waive', 'tryton-ok', default=True),
            ])
    waive = StateTransition()

    def default_start(self, fields):
        fee = self.record
        return {
            'fee': fee.id, 'currency': fee.currency.id,
            'fee_amount': fee.amount, 'amount': fee.amount,
            }

    def transition_waive(self):
        self.model.waive_amount(
            [self.record], self.start.amount, self.start.reason)
        return 'end'


class ExtraCharge(metaclass=PoolMeta):
    __name__ = 'pm.charge.extra'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.late_fee']
