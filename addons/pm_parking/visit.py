# This file is part of the pm suite (物业管理系统). See README.md.
"""Temporary parking (临停): entry and exit records by plate, fee, payment."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import search_fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import timezone as tz

from .exceptions import VisitError, VisitModifyError
from .plate import normalize_plate
from .space import LotCompanyMixin
from .vehicle import check_plate

STATES = [
    ('inside', "Inside"),
    ('unpaid', "To Pay"),
    ('paid', "Paid"),
    ('free', "Free"),
    ('cancelled', "Cancelled"),
    ]

_KEY_FIELDS = {
    'lot', 'plate', 'entry_time', 'exit_time', 'amount', 'hours',
    'fee_rule', 'resident', 'vehicle', 'currency', 'company', 'exit_date'}


def local_datetime(value, company):
    "Return the naive UTC datetime in the company's time zone (naive)"
    if value is None:
        return None
    zone = company.timezone if company and company.timezone else None
    if not zone:
        return value
    return value.replace(tzinfo=tz.UTC).astimezone(
        tz.get_tzinfo(zone)).replace(tzinfo=None)


class Visit(LotCompanyMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'pm.parking.visit'
    __string__ = "Temporary Parking"
    _rec_name = 'plate'

    _states = {
        'readonly': Eval('state') != 'inside',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    lot = fields.Many2One(
        'pm.parking.lot', "Parking Lot", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    plate = fields.Char("Plate Number", required=True, states=_states)
    vehicle = fields.Many2One(
        'pm.vehicle', "Registered Vehicle", readonly=True,
        ondelete='SET NULL')
    resident = fields.Boolean(
        "Resident Vehicle", readonly=True,
        help="A registered vehicle of a resident: it passes free.")
    entry_time = fields.DateTime(
        "Entry Time", required=True, states=_states)
    entry_gate = fields.Many2One(
        'pm.parking.lot.entrance', "Entry Gate", ondelete='SET NULL',
        domain=[
            ('lot', '=', Eval('lot', -1)),
            ('direction', 'in', ['in', 'both']),
            ],
        states=_states)
    exit_time = fields.DateTime(
        "Exit Time", states=_states,
        domain=['OR',
            ('exit_time', '=', None),
            ('exit_time', '>', Eval('entry_time', None)),
            ])
    exit_gate = fields.Many2One(
        'pm.parking.lot.entrance', "Exit Gate", ondelete='SET NULL',
        domain=[
            ('lot', '=', Eval('lot', -1)),
            ('direction', 'in', ['out', 'both']),
            ],
        states=_states)
    exit_date = fields.Date(
        "Exit Date", readonly=True,
        help="The local date of the exit: the day of the income.")
    duration = fields.Function(
        fields.TimeDelta("Duration"), 'on_change_with_duration')
    fee_rule = fields.Many2One(
        'pm.parking.fee.rule', "Fee Rule", readonly=True,
        ondelete='RESTRICT')
    hours = fields.Integer("Hours Charged", readonly=True)
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    payment_method = fields.Many2One(
        'pm.payment.method', "Payment Method", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'unpaid',
            'required': Eval('state') == 'paid',
            })
    paid_at = fields.DateTime("Paid at", readonly=True)
    note = fields.Char("Note")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.lot, Index.Equality()),
                    (t.plate, Index.Equality()),
                    where=t.state == 'inside'),
                Index(t, (t.plate, Index.Similarity())),
                Index(t, (t.exit_date, Index.Range()),
                    (t.lot, Index.Equality())),
                })
        cls._order = [('entry_time', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('inside', 'unpaid'),
            ('inside', 'free'),
            ('inside', 'cancelled'),
            ('unpaid', 'paid'),
            }
        cls._buttons.update({
                'check_out': {
                    'invisible': Eval('state') != 'inside',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'pay': {
                    'invisible': Eval('state') != 'unpaid',
                    'readonly': ~Eval('payment_method'),
                    'icon': 'tryton-ok',
                    'depends': ['state', 'payment_method'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'inside',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = cls.default_company()
        if company is not None and company >= 0:
            return Company(company).currency.id

    @staticmethod
    def default_state():
        return 'inside'

    @staticmethod
    def default_resident():
        return False

    @staticmethod
    def default_entry_time():
        return dt.datetime.now().replace(microsecond=0)

    @fields.depends('entry_time', 'exit_time')
    def on_change_with_duration(self, name=None):
        if self.entry_time and self.exit_time:
            return self.exit_time - self.entry_time

    @fields.depends('plate', 'lot', 'company')
    def on_change_plate(self):
        pool = Pool()
        Vehicle = pool.get('pm.vehicle')
        if self.plate:
            self.plate = normalize_plate(self.plate)
        self.resident = bool(self.plate and self.lot and self.plate
            in Vehicle.resident_plates(self.lot, [self.plate]))

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if isinstance(operand, str):
            operand = normalize_plate(operand)
        return search_fields((name, operator, operand, *extra), ['plate'])

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('plate'):
            values['plate'] = normalize_plate(values['plate'])
        return values

    @classmethod
    def validate_fields(cls, visits, field_names):
        super().validate_fields(visits, field_names)
        if not field_names or 'plate' in field_names:
            for visit in visits:
                check_plate(visit.plate)
        if not field_names or field_names & {'plate', 'lot', 'state'}:
            cls.check_inside(visits)

    @classmethod
    def check_inside(cls, visits):
        "A plate is inside a lot once at a time"
        inside = [v for v in visits if v.state == 'inside']
        if not inside:
            return
        others = cls.search([
                ('lot', 'in', list({v.lot.id for v in inside})),
                ('plate', 'in', list({v.plate for v in inside})),
                ('state', '=', 'inside'),
                ])
        count = defaultdict(int)
        for other in others:
            count[(other.lot, other.plate)] += 1
        for visit in inside:
            if count[(visit.lot, visit.plate)] > 1:
                raise VisitError(gettext(
                        'pm_parking.msg_visit_already_inside',
                        plate=visit.plate, lot=visit.lot.rec_name))

    @classmethod
    def check_modification(cls, mode, visits, values=None, external=False):
        super().check_modification(
            mode, visits, values=values, external=external)
        if mode == 'delete':
            for visit in visits:
                if visit.state not in {'inside', 'cancelled'}:
                    raise VisitModifyError(gettext(
                            'pm_parking.msg_visit_delete',
                            visit=visit.rec_name))
        elif mode == 'write':
            fields = set(values or {})
            for visit in visits:
                if visit.state == 'inside':
                    continue
                allowed = {'note'}
                if visit.state == 'unpaid':
                    allowed |= {'payment_method', 'paid_at', 'state'}
                if fields - allowed:
                    raise VisitModifyError(gettext(
                            'pm_parking.msg_visit_modify_done',
                            visit=visit.rec_name))

    @classmethod
    def copy(cls, visits, default=None):
        default = default.copy() if default is not None else {}
        for name in ['exit_time', 'exit_date', 'amount', 'hours',
                'fee_rule', 'payment_method', 'paid_at', 'vehicle']:
            default.setdefault(name, None)
        default.setdefault('state', 'inside')
        return super().copy(visits, default=default)

    @classmethod
    @ModelView.button
    def check_out(cls, visits, exit_time=None):
        """Record the exit (now unless the exit time is set) and compute the
        fee: registered resident vehicles pass free"""
        pool = Pool()
        Vehicle = pool.get('pm.vehicle')
        now = dt.datetime.now().replace(microsecond=0)
        visits = [v for v in visits if v.state == 'inside']
        by_lot = defaultdict(list)
        for visit in visits:
            by_lot[visit.lot].append(visit)
        free, unpaid = [], []
        for lot, lot_visits in by_lot.items():
            residents = Vehicle.resident_plates(
                lot, [v.plate for v in lot_visits])
            vehicles = {v.plate: v for v in Vehicle.search([
                        ('company', '=', lot.company.id),
                        ('plate', 'in', [v.plate for v in lot_visits]),
                        ])}
            for visit in lot_visits:
                exit_ = visit.exit_time or exit_time or now
                if exit_ <= visit.entry_time:
                    raise VisitError(gettext(
                            'pm_parking.msg_visit_exit_before_entry',
                            visit=visit.rec_name))
                visit.exit_time = exit_
                local_exit = local_datetime(exit_, visit.company)
                visit.exit_date = local_exit.date()
                visit.vehicle = vehicles.get(visit.plate)
                visit.resident = visit.plate in residents
                if visit.resident:
                    visit.amount = visit.currency.round(Decimal(0))
                    visit.hours = 0
                    visit.fee_rule = None
                else:
                    rule = lot.fee_rule
                    if not rule:
                        raise VisitError(gettext(
                                'pm_parking.msg_visit_no_fee_rule',
                                lot=lot.rec_name))
                    visit.fee_rule = rule
                    visit.currency = rule.currency
                    visit.amount, visit.hours = rule.compute(
                        local_datetime(visit.entry_time, visit.company),
                        local_exit)
                (unpaid if visit.amount else free).append(visit)
        cls.save(visits)
        if free:
            cls.exit_free(free)
        if unpaid:
            cls.exit_unpaid(unpaid)

    @classmethod
    @Workflow.transition('free')
    def exit_free(cls, visits):
        pass

    @classmethod
    @Workflow.transition('unpaid')
    def exit_unpaid(cls, visits):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('paid')
    def pay(cls, visits):
        for visit in visits:
            if not visit.payment_method:
                raise VisitError(gettext(
                        'pm_parking.msg_visit_payment_method',
                        visit=visit.rec_name))
        cls.write(list(visits), {
                'paid_at': dt.datetime.now().replace(microsecond=0)})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, visits):
        pass


class Income(ModelSQL, ModelView):
    "Temporary parking income by day, a view of the exits"
    __name__ = 'pm.parking.income'
    __string__ = "Temporary Parking Income"

    company = fields.Many2One('company.company', "Company")
    lot = fields.Many2One('pm.parking.lot', "Parking Lot")
    date = fields.Date("Date")
    visits = fields.Integer("Exits")
    paid_visits = fields.Integer("Paid")
    free_visits = fields.Integer("Free")
    unpaid_visits = fields.Integer("To Pay")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'get_currency')
    amount = Monetary(
        "Income", currency='currency', digits='currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('lot', 'ASC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Visit = pool.get('pm.parking.visit')
        visit = Visit.__table__()
        paid = visit.state == 'paid'
        where = visit.state.in_(['paid', 'free', 'unpaid']) & (
            visit.exit_date != Null)
        return visit.select(
            Min(visit.id).as_('id'),
            visit.company.as_('company'),
            visit.lot.as_('lot'),
            visit.exit_date.as_('date'),
            Count().as_('visits'),
            Sum(Case((paid, 1), else_=0)).as_('paid_visits'),
            Sum(Case((visit.state == 'free', 1), else_=0)).as_('free_visits'),
            Sum(Case((visit.state == 'unpaid', 1), else_=0)).as_(
                'unpaid_visits'),
            cls.amount.sql_cast(
                Sum(Case((paid, visit.amount), else_=0))).as_('amount'),
            where=where,
            group_by=[visit.company, visit.lot, visit.exit_date])

    def get_currency(self, name):
        return self.company.currency.id if self.company else None
