# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields,
    sequence_ordered)
from trytond.modules.pm_estate.mixin import (
    id_batches, search_fields, search_through)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import (
    AssignmentOverlapError, RateModifyError, RateValidationError)

CATEGORIES = [
    ('property', "Property Service"),
    ('utility', "Utility"),
    ('shared', "Shared Utility"),
    ('parking', "Parking"),
    ('fund', "Maintenance Fund"),
    ('other', "Other"),
    ]

METHODS = [
    ('chargeable_area', "By Chargeable Area"),
    ('built_area', "By Built Area"),
    ('fixed', "Fixed Amount"),
    ('metered', "Metered Usage"),
    ('quantity', "By Quantity"),
    ('parking', "By Parking Space"),
    ('shared_meter', "Shared Meter Allocation"),
    ]

METER_TYPES = [
    ('water', "Water"),
    ('electricity', "Electricity"),
    ('gas', "Gas"),
    ('hot_water', "Hot Water"),
    ('other', "Other"),
    ]

ROUNDINGS = [
    ('0.01', "To Fen (0.01)"),
    ('0.1', "To Jiao (0.1)"),
    ('1', "To Yuan (1)"),
    ]

ROUNDING_METHODS = [
    ('round', "Round Half Up"),
    ('truncate', "Truncate"),
    ]

CYCLES = [
    ('monthly', "Monthly"),
    ('quarterly', "Quarterly"),
    ('half_year', "Half-Yearly"),
    ('yearly', "Yearly"),
    ]
CYCLE_MONTHS = {'monthly': 1, 'quarterly': 3, 'half_year': 6, 'yearly': 12}

DUE_RULES = [
    ('after_start', "Days after the Period Start"),
    ('after_end', "Days after the Period End"),
    ]

PRICE_DIGITS = (16, 4)


def _coalesce(column, value):
    return Coalesce(column, value)

# Fields of a rate that define how much is charged: they are frozen once a
# bill used the rate; a new price is a new rate from a date.
_PRICE_FIELDS = {
    'method', 'unit_price', 'tiers', 'tier_period', 'rounding',
    'rounding_method', 'billing_cycle', 'charge_item', 'meter_type',
    'currency', 'company'}


def round_amount(amount, rounding='0.01', method='round'):
    "Round a Decimal amount by a rate's rounding rule"
    exp = Decimal(rounding)
    return Decimal(amount).quantize(
        exp, rounding=ROUND_DOWN if method == 'truncate' else ROUND_HALF_UP)


def tiered_amount(usage, tiers, already=Decimal(0)):
    """Return (amount, detail) of usage priced by tiers.

    tiers: list of (lower, upper or None, price) sorted by lower.
    already: usage already counted in the tier period (yearly tiers), so
    that the usage starts at that point of the ladder.
    """
    amount = Decimal(0)
    detail = []
    start, end = already, already + usage
    for lower, upper, price in tiers:
        upper_ = upper if upper is not None else end
        low, high = max(start, lower), min(end, upper_)
        if high > low:
            qty = high - low
            amount += qty * price
            detail.append((qty, price))
    return amount, detail


class ChargeItem(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.charge.item'
    __string__ = "Charge Item"

    company = fields.Many2One(
        'company.company', "Company", required=True)
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True, strip=True)
    category = fields.Selection(
        CATEGORIES, "Category", required=True, sort=False)
    product = fields.Many2One(
        'product.product', "Product", required=True,
        domain=[('type', '=', 'service')],
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The service product whose revenue account and taxes "
        "are used when posting.")
    rates = fields.One2Many('pm.charge.rate', 'charge_item', "Rates")
    description = fields.Text("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_code_unique', Unique(t, t.company, t.code),
                'pm_billing.msg_charge_item_code_unique'),
            ]
        cls._order.insert(1, ('code', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_category():
        return 'property'

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['name', 'code'])


class Rate(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.charge.rate'
    __string__ = "Rate"

    company = fields.Many2One('company.company', "Company", required=True)
    charge_item = fields.Many2One(
        'pm.charge.item', "Charge Item", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    name = fields.Char("Name", required=True)
    method = fields.Selection(
        METHODS, "Computation", required=True, sort=False)
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True)
    unit_price = fields.Numeric(
        "Unit Price", digits=PRICE_DIGITS, required=True,
        domain=[('unit_price', '>=', 0)],
        help="Monthly price: per square metre for area rates, per unit of "
        "usage for metered rates (the first tier when tiers are set), "
        "per month for fixed amounts.")
    meter_type = fields.Selection(
        [(None, "")] + METER_TYPES, "Meter Type",
        states={
            'required': Eval('method') == 'metered',
            'invisible': ~Eval('method').in_(['metered', 'shared_meter']),
            })
    tiers = fields.One2Many(
        'pm.charge.rate.tier', 'rate', "Tiers",
        states={
            'invisible': Eval('method') != 'metered',
            })
    tier_period = fields.Selection([
            ('month', "Per Month"),
            ('year', "Per Year"),
            ], "Tier Period",
        states={
            'invisible': Eval('method') != 'metered',
            'required': Eval('method') == 'metered',
            },
        help="Whether the tier bounds apply to each month's usage "
        "or to the usage accumulated over the calendar year.")
    rounding = fields.Selection(ROUNDINGS, "Rounding", required=True)
    rounding_method = fields.Selection(
        ROUNDING_METHODS, "Rounding Method", required=True)
    billing_cycle = fields.Selection(
        CYCLES, "Billing Cycle", required=True, sort=False)
    due_rule = fields.Selection(DUE_RULES, "Due Date Rule", required=True)
    due_days = fields.Integer(
        "Due Days", required=True, domain=[('due_days', '>=', 0)])
    note = fields.Text("Note")
    used = fields.Function(fields.Boolean("Used"), 'get_used')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('charge_item', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'change_price': {
                    'icon': 'tryton-launch',
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            return Company(company).currency.id

    @staticmethod
    def default_method():
        return 'chargeable_area'

    @staticmethod
    def default_tier_period():
        return 'month'

    @staticmethod
    def default_rounding():
        return '0.01'

    @staticmethod
    def default_rounding_method():
        return 'round'

    @staticmethod
    def default_billing_cycle():
        return 'monthly'

    @staticmethod
    def default_due_rule():
        return 'after_end'

    @staticmethod
    def default_due_days():
        return 15

    @classmethod
    def get_used(cls, rates, name):
        pool = Pool()
        Line = pool.get('pm.bill.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        used = set()
        for sub_ids in id_batches([r.id for r in rates]):
            cursor.execute(*line.select(
                    line.rate, where=line.rate.in_(sub_ids),
                    group_by=[line.rate]))
            used.update(r for r, in cursor)
        return {r.id: r.id in used for r in rates}

    def price_tiers(self):
        "Return the tiers as a list of (lower, upper, price)"
        return [
            (t.lower or Decimal(0), t.upper, t.price)
            for t in sorted(self.tiers, key=lambda t: t.lower or 0)]

    @classmethod
    def validate_fields(cls, rates, field_names):
        super().validate_fields(rates, field_names)
        for rate in rates:
            tiers = rate.price_tiers() if rate.method == 'metered' else []
            previous = None
            for lower, upper, price in tiers:
                if upper is not None and upper <= lower:
                    raise RateValidationError(gettext(
                            'pm_billing.msg_rate_tier_bounds',
                            rate=rate.rec_name, lower=lower, upper=upper))
                if previous is not None and lower != previous:
                    raise RateValidationError(gettext(
                            'pm_billing.msg_rate_tier_gap',
                            rate=rate.rec_name, previous=previous,
                            lower=lower))
                previous = upper
            if tiers and tiers[0][0] != 0:
                raise RateValidationError(gettext(
                        'pm_billing.msg_rate_tier_start',
                        rate=rate.rec_name))
            if (rate.charge_item and rate.company
                    and rate.charge_item.company != rate.company):
                raise RateValidationError(gettext(
                        'pm_billing.msg_rate_company',
                        rate=rate.rec_name))

    @classmethod
    def check_modification(cls, mode, rates, values=None, external=False):
        super().check_modification(
            mode, rates, values=values, external=external)
        if mode == 'delete' or (
                mode == 'write' and _PRICE_FIELDS & set(values or {})):
            for rate in rates:
                if rate.used:
                    raise RateModifyError(gettext(
                            'pm_billing.msg_rate_modify_used',
                            rate=rate.rec_name))

    @classmethod
    @ModelView.button_action('pm_billing.wizard_rate_change_price')
    def change_price(cls, rates):
        pass

    def compute_amount(self, quantity):
        "Amount for a quantity at the flat unit price, rounded"
        return round_amount(
            quantity * self.unit_price, self.rounding, self.rounding_method)


class RateTier(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.charge.rate.tier'
    __string__ = "Tiered Price"

    rate = fields.Many2One(
        'pm.charge.rate', "Rate", required=True, ondelete='CASCADE')
    lower = fields.Numeric(
        "From", digits=(16, 2), required=True,
        domain=[('lower', '>=', 0)])
    upper = fields.Numeric(
        "To", digits=(16, 2),
        help="Leave empty for the last tier.")
    price = fields.Numeric(
        "Price", digits=PRICE_DIGITS, required=True,
        domain=[('price', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('rate')
        cls._order = [('lower', 'ASC'), ('id', 'ASC')]

    @classmethod
    def check_modification(cls, mode, tiers, values=None, external=False):
        super().check_modification(
            mode, tiers, values=values, external=external)
        if mode in {'write', 'delete'}:
            for tier in tiers:
                if tier.rate.used:
                    raise RateModifyError(gettext(
                            'pm_billing.msg_rate_modify_used',
                            rate=tier.rate.rec_name))


class Assignment(ModelSQL, ModelView):
    __name__ = 'pm.charge.assignment'
    __string__ = "Rate Assignment"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    rate = fields.Many2One(
        'pm.charge.rate', "Rate", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    charge_item = fields.Many2One(
        'pm.charge.item', "Charge Item", readonly=True, required=True)
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"), 'on_change_with_estate',
        searcher='search_unit_field')
    building = fields.Function(
        fields.Many2One('pm.building', "Building"),
        'on_change_with_building', searcher='search_unit_field')
    start_date = fields.Date("Start Date", required=True,
        domain=[
            If(Eval('end_date'),
                ('start_date', '<=', Eval('end_date', None)), ()),
            ])
    end_date = fields.Date("End Date")
    quantity = fields.Numeric(
        "Quantity", digits=(16, 4),
        domain=['OR', ('quantity', '=', None), ('quantity', '>=', 0)],
        help="For rates by quantity: the number of units charged.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Equality()),
                    (t.charge_item, Index.Equality())),
                Index(t, (t.rate, Index.Equality())),
                })
        cls._order = [('unit', 'ASC'), ('start_date', 'DESC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('unit', '_parent_unit.estate')
    def on_change_with_estate(self, name=None):
        return self.unit.estate if self.unit else None

    @fields.depends('unit', '_parent_unit.building')
    def on_change_with_building(self, name=None):
        return self.unit.building if self.unit else None

    @classmethod
    def search_unit_field(cls, name, clause):
        return search_through('unit', name, clause)

    def get_rec_name(self, name):
        return f'{self.unit.rec_name} / {self.rate.rec_name}'

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Rate = pool.get('pm.charge.rate')
        values = super().preprocess_values(mode, values)
        if values.get('rate'):
            rate = Rate(values['rate'])
            values['charge_item'] = rate.charge_item.id
            values['company'] = rate.company.id
        return values

    @classmethod
    def validate_fields(cls, assignments, field_names):
        super().validate_fields(assignments, field_names)
        cls.check_overlap(assignments)

    @classmethod
    def check_overlap(cls, assignments):
        "No unit has two rates of the same charge item on the same day"
        table = cls.__table__()
        other = cls.__table__()
        cursor = Transaction().connection.cursor()
        far = dt.date.max
        for sub_ids in id_batches([a.id for a in assignments]):
            cursor.execute(*table.join(other, condition=(
                        (table.unit == other.unit)
                        & (table.charge_item == other.charge_item)
                        & (table.id != other.id))).select(
                    table.id, other.id,
                    where=table.id.in_(sub_ids)
                    & (table.start_date <= _coalesce(other.end_date, far))
                    & (other.start_date <= _coalesce(table.end_date, far)),
                    limit=1))
            row = cursor.fetchone()
            if row:
                first, second = cls.browse(row)
                raise AssignmentOverlapError(gettext(
                        'pm_billing.msg_assignment_overlap',
                        unit=first.unit.rec_name,
                        item=first.charge_item.rec_name,
                        first=first.rate.rec_name,
                        second=second.rate.rec_name))

    @classmethod
    def check_modification(
            cls, mode, assignments, values=None, external=False):
        super().check_modification(
            mode, assignments, values=values, external=external)
        # history is kept: only the end date of a used assignment changes
        if mode == 'delete' or (
                mode == 'write' and set(values or {}) - {'end_date'}):
            pool = Pool()
            Line = pool.get('pm.bill.line')
            line = Line.__table__()
            cursor = Transaction().connection.cursor()
            used = set()
            for sub in id_batches([a.unit.id for a in assignments]):
                cursor.execute(*line.select(
                        line.unit, line.rate,
                        where=line.unit.in_(sub)
                        & line.rate.in_(list({
                                    a.rate.id for a in assignments})),
                        group_by=[line.unit, line.rate]))
                used.update(cursor)
            for assignment in assignments:
                if (assignment.unit.id, assignment.rate.id) in used:
                    raise RateModifyError(gettext(
                            'pm_billing.msg_assignment_modify_used',
                            assignment=assignment.rec_name))

    @classmethod
    def assign(cls, rate, units, start_date, end_date=None, quantity=None,
            replace=False):
        "Assign the rate to the units in batch; return the new assignments"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        unit_ids = [u.id for u in units]
        current = []
        for sub_ids in id_batches(unit_ids):
            cursor.execute(*table.select(
                    table.id,
                    where=table.unit.in_(sub_ids)
                    & (table.charge_item == rate.charge_item.id)
                    & (_coalesce(table.end_date, dt.date.max) >= start_date)))
            current.extend(i for i, in cursor)
        if current:
            current = cls.browse(current)
            if not replace:
                units = sorted({a.unit.rec_name for a in current})
                raise AssignmentOverlapError(gettext(
                        'pm_billing.msg_assign_existing',
                        item=rate.charge_item.rec_name, count=len(units),
                        units=', '.join(units[:20])))
            starting = [a for a in current if a.start_date >= start_date]
            if starting:
                raise AssignmentOverlapError(gettext(
                        'pm_billing.msg_assign_replace_future',
                        item=rate.charge_item.rec_name,
                        units=', '.join(sorted(
                                {a.unit.rec_name for a in starting})[:20])))
            cls.write(current, {'end_date': start_date - dt.timedelta(days=1)})
        return cls.create([{
                    'rate': rate.id,
                    'unit': u,
                    'start_date': start_date,
                    'end_date': end_date,
                    'quantity': quantity,
                    } for u in unit_ids])

class AssignRatesStart(ModelView):
    __name__ = 'pm.charge.assign.start'
    __string__ = "Assign Rates"

    company = fields.Many2One('company.company', "Company", readonly=True)
    rate = fields.Many2One(
        'pm.charge.rate', "Rate", required=True,
        domain=[('company', '=', Eval('company', -1))])
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date("End Date")
    estates = fields.Many2Many(
        'pm.estate', None, None, "Estates",
        domain=[('company', '=', Eval('company', -1))])
    buildings = fields.Many2Many(
        'pm.building', None, None, "Buildings",
        domain=[('company', '=', Eval('company', -1))])
    units = fields.Many2Many(
        'pm.unit', None, None, "Units",
        domain=[('company', '=', Eval('company', -1))])
    usages = fields.MultiSelection('get_usages', "Unit Usages",
        help="Only units of these usages; leave empty for all.")
    quantity = fields.Numeric("Quantity", digits=(16, 4))
    replace = fields.Boolean("Replace Current Rates",
        help="End the units' current rates of the same charge item the day "
        "before the start date instead of refusing the assignment.")

    @classmethod
    def get_usages(cls):
        pool = Pool()
        Unit = pool.get('pm.unit')
        return Unit.fields_get(['usage'])['usage']['selection']

    @staticmethod
    def default_company():
        return Transaction().context.get('company')


class AssignRates(Wizard):
    "Assign Rates"
    __name__ = 'pm.charge.assign'

    start = StateView('pm.charge.assign.start',
        'pm_billing.assign_rates_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Assign", 'assign', 'tryton-ok', default=True),
            ])
    assign = StateTransition()

    def default_start(self, fields):
        context = Transaction().context
        values = {'company': context.get('company')}
        model, ids = context.get('active_model'), context.get('active_ids')
        if ids:
            if model == 'pm.unit':
                values['units'] = ids
            elif model == 'pm.building':
                values['buildings'] = ids
            elif model == 'pm.estate':
                values['estates'] = ids
            elif model == 'pm.charge.rate':
                values['rate'] = ids[0]
        return values

    def transition_assign(self):
        pool = Pool()
        Assignment = pool.get('pm.charge.assignment')
        Unit = pool.get('pm.unit')
        start = self.start
        domain = [('company', '=', start.rate.company.id)]
        scope = ['OR']
        if start.estates:
            scope.append(('estate', 'in', [e.id for e in start.estates]))
        if start.buildings:
            scope.append(('building', 'in', [b.id for b in start.buildings]))
        if start.units:
            scope.append(('id', 'in', [u.id for u in start.units]))
        if len(scope) == 1:
            raise RateValidationError(gettext(
                    'pm_billing.msg_assign_no_scope'))
        domain.append(scope)
        if start.usages:
            domain.append(('usage', 'in', list(start.usages)))
        units = Unit.search(domain)
        Assignment.assign(
            start.rate, units, start.start_date, end_date=start.end_date,
            quantity=start.quantity, replace=start.replace)
        return 'end'




class ChangePriceStart(ModelView):
    __name__ = 'pm.charge.rate.change_price.start'
    __string__ = "Change Price"

    rate = fields.Many2One('pm.charge.rate', "Rate", readonly=True)
    date = fields.Date("Effective Date", required=True,
        help="The new price applies from this date; "
        "the old rate stays for the periods before.")
    name = fields.Char("New Rate Name", required=True)
    unit_price = fields.Numeric(
        "New Unit Price", digits=PRICE_DIGITS, required=True,
        domain=[('unit_price', '>=', 0)])


class ChangePrice(Wizard):
    "Change Price"
    __name__ = 'pm.charge.rate.change_price'

    start = StateView('pm.charge.rate.change_price.start',
        'pm_billing.rate_change_price_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Change", 'change', 'tryton-ok', default=True),
            ])
    change = StateTransition()

    def default_start(self, fields):
        rate = self.record
        return {
            'rate': rate.id,
            'name': rate.name,
            'unit_price': rate.unit_price,
            }

    def transition_change(self):
        pool = Pool()
        Rate = pool.get('pm.charge.rate')
        Assignment = pool.get('pm.charge.assignment')
        rate = self.record
        date = self.start.date
        new_rate, = Rate.copy([rate], default={
                'name': self.start.name,
                'unit_price': self.start.unit_price,
                })
        assignments = Assignment.search([
                ('rate', '=', rate.id),
                ['OR',
                    ('end_date', '=', None),
                    ('end_date', '>=', date)],
                ])
        future = [a for a in assignments if a.start_date >= date]
        current = [a for a in assignments if a.start_date < date]
        end_dates = {a.id: a.end_date for a in current}
        if future:
            Assignment.write(future, {'rate': new_rate.id})
        if current:
            Assignment.write(current, {
                    'end_date': date - dt.timedelta(days=1)})
            Assignment.create([{
                        'rate': new_rate.id,
                        'unit': a.unit.id,
                        'start_date': date,
                        'end_date': end_dates[a.id],
                        'quantity': a.quantity,
                        } for a in current])
        return 'end'
