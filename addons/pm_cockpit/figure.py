# This file is part of the pm suite (物业管理系统). See README.md.
"""Management figures (经营指标) of the cockpit 数据分析.

A figure is the value of one indicator for one estate (or the whole company
when the estate is empty) and one month. The figures are computed in SQL
aggregates grouped by estate from the records of the other addons and
stored, so that dashboards, graphs, the period comparison and the monthly
report read them at once; a scheduled job refreshes the current and the
previous month every day, and a wizard any range of months.

Every figure keeps its numerator and denominator: the company figure is the
ratio of the sums, never the mean of the estates' rates.
"""
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONEncoder
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import CockpitError

CENT = Decimal('0.01')

# code, label, unit, area
# unit: '%' ratio × 100, 'amount' money, 'count', 'score' mean 1–5
INDICATORS = [
    ('billed', "Billed", 'amount', 'finance'),
    ('collected', "Collected", 'amount', 'finance'),
    ('collection_rate', "Collection Rate", '%', 'finance'),
    ('arrears', "Arrears", 'amount', 'finance'),
    ('arrears_over_90', "Arrears over 90 Days", 'amount', 'finance'),
    ('occupancy_rate', "Occupancy Rate", '%', 'occupancy'),
    ('vacancy_rate', "Vacancy Rate", '%', 'occupancy'),
    ('vacant_units', "Vacant Units", 'count', 'occupancy'),
    ('wo_opened', "Work Orders Opened", 'count', 'service'),
    ('wo_closed', "Work Orders Closed", 'count', 'service'),
    ('sla_rate', "SLA Compliance", '%', 'service'),
    ('complaints', "Complaints", 'count', 'service'),
    ('complaint_rate', "Complaint Rate", '%', 'service'),
    ('satisfaction', "Satisfaction", 'score', 'service'),
    ('patrol_rate', "Patrol Completion", '%', 'operations'),
    ('parking_rate', "Parking Occupancy", '%', 'operations'),
    ('shop_sales', "Shop Sales", 'amount', 'operations'),
    ]
CODES = [(c, s) for c, s, _, _ in INDICATORS]
UNITS = {c: u for c, _, u, _ in INDICATORS}
AREAS = {c: a for c, _, _, a in INDICATORS}
AREA_SELECTION = [
    ('finance', "Finance"),
    ('occupancy', "Occupancy"),
    ('service', "Customer Service"),
    ('operations', "Operations"),
    ]
SCORES = {str(i): i for i in range(1, 6)}


def month_start(date):
    return date.replace(day=1)


def add_months(date, months):
    "First day of the month `months` after the month of date"
    year, month = divmod(date.month - 1 + months, 12)
    return dt.date(date.year + year, month + 1, 1)


def month_end(date):
    return add_months(date, 1) - dt.timedelta(days=1)


def months_between(date_from, date_to):
    "The first days of the months from date_from to date_to"
    period, last = month_start(date_from), month_start(date_to)
    result = []
    while period <= last:
        result.append(period)
        period = add_months(period, 1)
    return result


def to_decimal(value):
    if value is None:
        return None
    return Decimal(str(value))


def figure_value(code, numerator, denominator):
    """The value of the indicator from its numerator and denominator:
    a percentage, a mean score or the numerator itself"""
    unit = UNITS[code]
    if unit in {'%', 'score'}:
        if not denominator:
            return None
        value = to_decimal(numerator) / to_decimal(denominator)
        if unit == '%':
            value *= 100
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    if numerator is None:
        return None
    return to_decimal(numerator).quantize(CENT, rounding=ROUND_HALF_UP)


def change_percent(value, base):
    "The change of value against base in %, None when not comparable"
    if value is None or base is None or not base:
        return None
    return ((value - base) * 100 / abs(base)).quantize(
        Decimal('0.1'), rounding=ROUND_HALF_UP)


class Figure(ModelSQL, ModelView):
    __name__ = 'pm.cockpit.figure'
    __string__ = "Management Figure"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    estate = fields.Many2One(
        'pm.estate', "Estate", readonly=True, ondelete='CASCADE',
        help="Empty for the figure of the whole company.")
    period = fields.Date("Month", required=True, readonly=True,
        help="The first day of the month.")
    code = fields.Selection(
        CODES, "Indicator", required=True, readonly=True, sort=False)
    area = fields.Selection(
        AREA_SELECTION, "Area", required=True, readonly=True, sort=False)
    unit = fields.Function(fields.Selection([
                ('%', "%"),
                ('amount', "Yuan"),
                ('count', "Count"),
                ('score', "Score (1–5)"),
                ], "Unit"), 'get_unit')
    value = fields.Numeric("Value", digits=(16, 2), readonly=True)
    numerator = fields.Numeric("Numerator", digits=(16, 2), readonly=True)
    denominator = fields.Numeric(
        "Denominator", digits=(16, 2), readonly=True)
    computed_at = fields.DateTime("Computed at", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'DESC'), ('estate', 'ASC NULLS FIRST'),
            ('code', 'ASC'), ('id', 'ASC')]
        cls.__rpc__.update({
                'compute': RPC(readonly=False,
                    result=lambda figures: [f.id for f in figures]),
                'records_domain': RPC(instantiate=0),
                })
        cls._buttons.update({
                'open_records': {
                    'icon': 'tryton-link',
                    },
                })

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.estate.rec_name if self.estate else '',
            self.period.strftime('%Y-%m') if self.period else '',
            dict(self.fields_get(['code'])['code']['selection']).get(
                self.code, self.code))

    def get_unit(self, name):
        return UNITS.get(self.code)

    # --- computation -----------------------------------------------------

    @classmethod
    def refresh(cls):
        """Scheduled job: compute the figures of the current and the previous
        month of the company in the context"""
        today = Pool().get('ir.date').today()
        cls.compute(add_months(today, -1), today)

    @classmethod
    def compute(cls, date_from, date_to):
        """Compute and store the figures of the months from date_from to
        date_to of the company in the context; return the figures"""
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        company = context.get('company')
        if not company:
            raise CockpitError(gettext('pm_cockpit.msg_no_company'))
        if isinstance(date_from, str):
            date_from = dt.date.fromisoformat(date_from)
        if isinstance(date_to, str):
            date_to = dt.date.fromisoformat(date_to)
        today = Date.today()
        periods = months_between(date_from, date_to)
        old = cls.search([
                ('company', '=', company),
                ('period', 'in', periods),
                ])
        cls.delete(old)
        now = dt.datetime.now().replace(microsecond=0)
        to_create = []
        for period in periods:
            as_of = min(month_end(period), today)
            values = cls._compute_period(company, period, as_of)
            totals = defaultdict(lambda: [None, None])
            for (estate, code), (num, den) in values.items():
                total = totals[code]
                if num is not None:
                    total[0] = (total[0] or 0) + to_decimal(num)
                if den is not None:
                    total[1] = (total[1] or 0) + to_decimal(den)
            # records without estate count in the company figure only
            rows = [(k, v) for k, v in values.items() if k[0] is not None]
            rows += [((None, code), tuple(nd)) for code, nd in totals.items()]
            for (estate, code), (num, den) in rows:
                to_create.append({
                        'company': company,
                        'estate': estate,
                        'period': period,
                        'code': code,
                        'area': AREAS[code],
                        'value': figure_value(code, num, den),
                        'numerator': (to_decimal(num).quantize(CENT)
                            if num is not None else None),
                        'denominator': (to_decimal(den).quantize(CENT)
                            if den is not None else None),
                        'computed_at': now,
                        })
        return cls.create(to_create)

    @classmethod
    def _compute_period(cls, company, period, as_of):
        """Return {(estate id, code): (numerator, denominator)} of the month
        starting at period, the states taken at as_of"""
        result = {}
        date_from, date_to = period, month_end(period)
        for method in [cls._compute_collection, cls._compute_arrears,
                cls._compute_occupancy, cls._compute_work_orders,
                cls._compute_complaints, cls._compute_patrol,
                cls._compute_parking, cls._compute_shop]:
            result.update(method(company, date_from, date_to, as_of))
        # the satisfaction counts the repairs' and the complaints' ratings
        for key in [k for k in result if k[1] == 'complaint_satisfaction']:
            score, rated = result.pop(key)
            old_score, old_rated = result.get(
                (key[0], 'satisfaction'), (0, 0))
            result[key[0], 'satisfaction'] = (
                (old_score or 0) + score, (old_rated or 0) + rated)
        return result

    @classmethod
    def _estate_ids(cls, company):
        pool = Pool()
        Estate = pool.get('pm.estate')
        estate = Estate.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*estate.select(
                estate.id, where=estate.company == company))
        return [i for i, in cursor]

    @classmethod
    def _compute_collection(cls, company, date_from, date_to, as_of):
        "billed, collected and collection rate of the month's bills"
        pool = Pool()
        Overview = pool.get('pm.collection.overview')
        cursor = Transaction().connection.cursor()
        with Transaction().set_context(
                company=company, from_date=date_from, to_date=date_to):
            overview = Overview.table_query()
        cursor.execute(*overview.select(
                overview.estate, Sum(overview.billed),
                Sum(overview.collected),
                group_by=[overview.estate]))
        result = {}
        for estate, billed, collected in cursor:
            billed = to_decimal(billed or 0).quantize(CENT)
            collected = to_decimal(collected or 0).quantize(CENT)
            result[estate, 'billed'] = (billed, None)
            result[estate, 'collected'] = (collected, None)
            result[estate, 'collection_rate'] = (collected, billed)
        return result

    @classmethod
    def _compute_arrears(cls, company, date_from, date_to, as_of):
        "arrears and arrears over 90 days at as_of (欠费账龄)"
        pool = Pool()
        Aging = pool.get('pm.arrears.aging')
        cursor = Transaction().connection.cursor()
        with Transaction().set_context(company=company, date=as_of):
            aging = Aging.table_query()
        cursor.execute(*aging.select(
                aging.estate, Sum(aging.total),
                Sum(Coalesce(aging.age_91_180, 0)
                    + Coalesce(aging.age_181_365, 0)
                    + Coalesce(aging.age_over_365, 0)),
                group_by=[aging.estate]))
        result = {}
        for estate, total, over_90 in cursor:
            result[estate, 'arrears'] = (
                to_decimal(total or 0).quantize(CENT), None)
            result[estate, 'arrears_over_90'] = (
                to_decimal(over_90 or 0).quantize(CENT), None)
        return result

    @classmethod
    def _compute_occupancy(cls, company, date_from, date_to, as_of):
        """occupancy (owner-occupied or rented), vacancy and vacant units of
        the delivered units at as_of"""
        pool = Pool()
        Unit = pool.get('pm.unit')
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*unit.select(unit.id, unit.estate,
                where=(unit.company == company)
                & (unit.active == Literal(True))))
        estates = dict(cursor)
        counts = defaultdict(lambda: defaultdict(int))
        states = Unit.compute_occupancy_states(list(estates), date=as_of)
        for unit_id, state in states.items():
            counts[estates[unit_id]][state] += 1
        result = {}
        for estate, count in counts.items():
            delivered = sum(count.values()) - count['undelivered']
            occupied = count['owner_occupied'] + count['rented']
            result[estate, 'occupancy_rate'] = (occupied, delivered)
            result[estate, 'vacancy_rate'] = (count['vacant'], delivered)
            result[estate, 'vacant_units'] = (count['vacant'], None)
        return result

    @classmethod
    def _datetime_range(cls, date_from, date_to):
        return (dt.datetime.combine(date_from, dt.time()),
            dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))

    @classmethod
    def _score(cls, column):
        "SQL: the 1–5 score of a satisfaction selection column, else 0"
        return Case(*((column == k, v) for k, v in SCORES.items()),
            else_=0)

    @classmethod
    def _rated(cls, column):
        return Case((column.in_(list(SCORES)), 1), else_=0)

    @classmethod
    def _compute_work_orders(cls, company, date_from, date_to, as_of):
        """work orders reported (opened) and finished (closed) in the month;
        SLA compliance of the repairs reported in the month (finished on
        time, answered on time); their return-visit satisfaction"""
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        order = WorkOrder.__table__()
        cursor = Transaction().connection.cursor()
        start, end = cls._datetime_range(date_from, date_to)
        company_where = order.company == company
        cursor.execute(*order.select(order.estate, Count(),
                where=company_where & (order.state != 'cancelled')
                & (order.reported_at >= start) & (order.reported_at < end),
                group_by=[order.estate]))
        result = {}
        for estate, count in cursor:
            result[estate, 'wo_opened'] = (count, None)
        cursor.execute(*order.select(order.estate, Count(),
                where=company_where & order.state.in_(['visit', 'done'])
                & (order.finished_at >= start) & (order.finished_at < end),
                group_by=[order.estate]))
        for estate, count in cursor:
            result[estate, 'wo_closed'] = (count, None)
        repair = (company_where & (order.state != 'cancelled')
            & (order.kind == 'repair')
            & (order.reported_at >= start) & (order.reported_at < end))
        on_time = ((order.completion_on_time == Literal(True))
            & (Coalesce(order.response_on_time, Literal(True))
                == Literal(True)))
        cursor.execute(*order.select(order.estate,
                Sum(Case((on_time, 1), else_=0)),
                Count(),
                Sum(cls._score(order.satisfaction)),
                Sum(cls._rated(order.satisfaction)),
                where=repair & (order.completion_hours != Null),
                group_by=[order.estate]))
        for estate, ok, finished, score, rated in cursor:
            result[estate, 'sla_rate'] = (ok or 0, finished)
            result[estate, 'satisfaction'] = (score or 0, rated or 0)
        return result

    @classmethod
    def _compute_complaints(cls, company, date_from, date_to, as_of):
        """complaints received in the month, per 100 delivered units
        (complaint rate) and their satisfaction, added to the repairs'"""
        pool = Pool()
        Complaint = pool.get('pm.complaint')
        Unit = pool.get('pm.unit')
        complaint = Complaint.__table__()
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        start, end = cls._datetime_range(date_from, date_to)
        cursor.execute(*complaint.select(complaint.estate,
                Count(),
                Sum(cls._score(complaint.satisfaction)),
                Sum(cls._rated(complaint.satisfaction)),
                where=(complaint.company == company)
                & (complaint.state != 'cancelled')
                & (complaint.received_at >= start)
                & (complaint.received_at < end),
                group_by=[complaint.estate]))
        rows = list(cursor)
        cursor.execute(*unit.select(unit.estate, Count(),
                where=(unit.company == company)
                & (unit.active == Literal(True))
                & (unit.delivery_date != Null)
                & (unit.delivery_date <= as_of),
                group_by=[unit.estate]))
        delivered = dict(cursor)
        result = {}
        for estate, count, score, rated in rows:
            result[estate, 'complaints'] = (count, None)
            result[estate, 'complaint_rate'] = (
                count, delivered.get(estate) or None)
            result[estate, 'complaint_satisfaction'] = (
                score or 0, rated or 0)
        return result

    @classmethod
    def _compute_patrol(cls, company, date_from, date_to, as_of):
        "checkpoints scanned of the patrol rounds done in the month (巡更)"
        pool = Pool()
        Round = pool.get('pm.patrol.round')
        Point = pool.get('pm.patrol.round.point')
        Company = pool.get('company.company')
        from trytond.modules.pm_security.common import to_utc
        round_ = Round.__table__()
        point = Point.__table__()
        cursor = Transaction().connection.cursor()
        company_record = Company(company)
        start = to_utc(company_record, date_from, dt.time())
        end = to_utc(
            company_record, date_to + dt.timedelta(days=1), dt.time())
        when = Coalesce(round_.planned_start, round_.start)
        cursor.execute(*round_.join(point,
                condition=point.round == round_.id).select(
                round_.estate,
                Sum(Case((point.status.in_(
                                ['on_time', 'late', 'out_of_order']), 1),
                        else_=0)),
                Count(),
                where=(round_.company == company) & (round_.state == 'done')
                & (when >= start) & (when < end),
                group_by=[round_.estate]))
        return {(estate, 'patrol_rate'): (scanned or 0, total)
            for estate, scanned, total in cursor}

    @classmethod
    def _compute_parking(cls, company, date_from, date_to, as_of):
        "spaces sold or rented at as_of among the active spaces (车位)"
        pool = Pool()
        Space = pool.get('pm.parking.space')
        Lot = pool.get('pm.parking.lot')
        space = Space.__table__()
        lot = Lot.__table__()
        cursor = Transaction().connection.cursor()
        sold = (space.ownership == 'property') & (space.customer != Null)
        used = sold | space.id.in_(Space._rented_query(as_of))
        cursor.execute(*space.join(lot, condition=space.lot == lot.id).select(
                lot.estate,
                Sum(Case((used, 1), else_=0)),
                Count(),
                where=(space.company == company)
                & (space.active == Literal(True)),
                group_by=[lot.estate]))
        return {(estate, 'parking_rate'): (used or 0, total)
            for estate, used, total in cursor}

    @classmethod
    def _compute_shop(cls, company, date_from, date_to, as_of):
        "Shop sales: filled when a shop addon is activated"
        return {}

    # --- drill-down ----------------------------------------------------------

    def _records(self):
        """Return (model name, domain) of the records behind the figure"""
        date_from, date_to = self.period, month_end(self.period)
        today = Pool().get('ir.date').today()
        as_of = min(date_to, today)
        start, end = self._datetime_range(date_from, date_to)
        estate = [('estate', '=', self.estate.id)] if self.estate else []
        company = [('company', '=', self.company.id)]
        code = self.code
        if code in {'billed', 'collected', 'collection_rate'}:
            return 'pm.bill', company + estate + [
                ('state', '=', 'posted'),
                ('amount', '!=', 0),
                ('date_start', '>=', date_from),
                ('date_start', '<=', date_to),
                ]
        if code in {'arrears', 'arrears_over_90'}:
            due = as_of
            if code == 'arrears_over_90':
                due = as_of - dt.timedelta(days=91)
            return 'pm.bill', company + estate + [
                ('state', '=', 'posted'),
                ('due_date', '<=', due),
                ('unpaid_amount', '>', 0),
                ]
        if code in {'occupancy_rate', 'vacancy_rate', 'vacant_units'}:
            states = (['owner_occupied', 'rented']
                if code == 'occupancy_rate' else ['vacant'])
            return 'pm.unit', company + estate + [
                ('occupancy_state', 'in', states),
                ]
        if code == 'wo_opened':
            return 'pm.work_order', company + estate + [
                ('state', '!=', 'cancelled'),
                ('reported_at', '>=', start),
                ('reported_at', '<', end),
                ]
        if code == 'wo_closed':
            return 'pm.work_order', company + estate + [
                ('state', 'in', ['visit', 'done']),
                ('finished_at', '>=', start),
                ('finished_at', '<', end),
                ]
        if code in {'sla_rate', 'satisfaction'}:
            domain = company + estate + [
                ('state', '!=', 'cancelled'),
                ('kind', '=', 'repair'),
                ('reported_at', '>=', start),
                ('reported_at', '<', end),
                ('completion_hours', '!=', None),
                ]
            if code == 'satisfaction':
                domain.append(('satisfaction', '!=', None))
            return 'pm.work_order', domain
        if code in {'complaints', 'complaint_rate'}:
            return 'pm.complaint', company + estate + [
                ('state', '!=', 'cancelled'),
                ('received_at', '>=', start),
                ('received_at', '<', end),
                ]
        if code == 'patrol_rate':
            from trytond.modules.pm_security.common import to_utc
            return 'pm.patrol.round', company + estate + [
                ('state', '=', 'done'),
                ('planned_start', '>=',
                    to_utc(self.company, date_from, dt.time())),
                ('planned_start', '<', to_utc(self.company,
                        date_to + dt.timedelta(days=1), dt.time())),
                ]
        if code == 'parking_rate':
            return 'pm.parking.space', company + (
                [('lot.estate', '=', self.estate.id)] if self.estate else [])
        return self._records_other()

    def _records_other(self):
        return None, None

    @classmethod
    def records_domain(cls, figures):
        "RPC: [(model name, domain)] of the records behind each figure"
        return [list(f._records()) for f in cls.browse(figures)]

    @classmethod
    @ModelView.button_action('pm_cockpit.act_figure_records')
    def open_records(cls, figures):
        "Open the records behind the figure (drill-down)"
        pool = Pool()
        Model = pool.get('ir.model')
        if not figures:
            return
        figure = figures[0]
        model, domain = figure._records()
        if not model:
            raise CockpitError(gettext(
                    'pm_cockpit.msg_no_drill_down', figure=figure.rec_name))
        encoder = PYSONEncoder()
        models = Model.search([('name', '=', model)])
        return {
            'res_model': model,
            'name': '%s: %s' % (figure.rec_name,
                models[0].string if models else model),
            'pyson_domain': encoder.encode(domain),
            'pyson_context': encoder.encode({}),
            'views': [],
            'view_ids': [],
            }


class FigureShop(metaclass=PoolMeta):
    "Shop sales (社区商城) from pm_eshop's sales by estate"
    __name__ = 'pm.cockpit.figure'

    @classmethod
    def _compute_shop(cls, company, date_from, date_to, as_of):
        pool = Pool()
        SalesByEstate = pool.get('pm.eshop.report.estate')
        cursor = Transaction().connection.cursor()
        result = super()._compute_shop(company, date_from, date_to, as_of)
        with Transaction().set_context(company=company, shop=None,
                from_date=date_from, to_date=date_to):
            sales = SalesByEstate.table_query()
        cursor.execute(*sales.select(sales.estate, Sum(sales.amount),
                group_by=[sales.estate]))
        for estate, amount in cursor:
            result[estate, 'shop_sales'] = (
                to_decimal(amount or 0).quantize(CENT), None)
        return result

    def _records_other(self):
        if self.code != 'shop_sales':
            return super()._records_other()
        start, end = self._datetime_range(
            self.period, month_end(self.period))
        domain = [
            ('company', '=', self.company.id),
            ('eshop_delivered_date', '>=', start),
            ('eshop_delivered_date', '<', end),
            ('eshop_refunded', '!=', True),
            ]
        if self.estate:
            domain.append(('pm_estate', '=', self.estate.id))
        return 'sale.sale', domain


class Comparison(ModelSQL, ModelView):
    "This month, last month and the same month last year, per indicator"
    __name__ = 'pm.cockpit.comparison'
    __string__ = "Period Comparison"

    company = fields.Many2One('company.company', "Company")
    estate = fields.Many2One('pm.estate', "Estate")
    period = fields.Date("Month")
    code = fields.Selection(CODES, "Indicator", sort=False)
    area = fields.Selection(AREA_SELECTION, "Area", sort=False)
    unit = fields.Function(fields.Char("Unit"), 'get_unit')
    value = fields.Numeric("This Month", digits=(16, 2))
    previous = fields.Numeric("Last Month", digits=(16, 2))
    last_year = fields.Numeric("Same Month Last Year", digits=(16, 2))
    change_previous = fields.Function(fields.Numeric(
            "Change vs Last Month (%)", digits=(16, 1)), 'get_change')
    change_last_year = fields.Function(fields.Numeric(
            "Change vs Last Year (%)", digits=(16, 1)), 'get_change')
    figure = fields.Many2One('pm.cockpit.figure', "Figure")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('area', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'open_records': {
                    'icon': 'tryton-link',
                    },
                })

    @classmethod
    def get_period(cls):
        "The month of the context (first day), by default this month"
        context = Transaction().context
        period = context.get('period')
        if isinstance(period, str):
            period = dt.date.fromisoformat(period)
        if not period:
            period = Pool().get('ir.date').today()
        return month_start(period)

    @classmethod
    def table_query(cls):
        pool = Pool()
        Figure = pool.get('pm.cockpit.figure')
        current = Figure.__table__()
        previous = Figure.__table__()
        last_year = Figure.__table__()
        context = Transaction().context
        period = cls.get_period()

        def same(other, date):
            return ((other.company == current.company)
                & (other.code == current.code)
                & (Coalesce(other.estate, 0) == Coalesce(current.estate, 0))
                & (other.period == date))
        where = current.period == period
        if context.get('company'):
            where &= current.company == context['company']
        if context.get('estate'):
            where &= current.estate == context['estate']
        else:
            where &= current.estate == Null
        return (current
            .join(previous, 'LEFT',
                condition=same(previous, add_months(period, -1)))
            .join(last_year, 'LEFT',
                condition=same(last_year, add_months(period, -12)))
            .select(
                current.id.as_('id'),
                current.create_uid, current.create_date,
                current.write_uid, current.write_date,
                current.company, current.estate, current.period,
                current.code, current.area,
                current.value.as_('value'),
                previous.value.as_('previous'),
                last_year.value.as_('last_year'),
                current.id.as_('figure'),
                where=where))

    def get_unit(self, name):
        return UNITS.get(self.code)

    @classmethod
    def get_change(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            value = to_decimal(record.value)
            if 'change_previous' in result:
                result['change_previous'][record.id] = change_percent(
                    value, to_decimal(record.previous))
            if 'change_last_year' in result:
                result['change_last_year'][record.id] = change_percent(
                    value, to_decimal(record.last_year))
        return result

    @classmethod
    @ModelView.button_action('pm_cockpit.act_figure_records')
    def open_records(cls, records):
        pool = Pool()
        Figure = pool.get('pm.cockpit.figure')
        if records:
            return Figure.open_records([r.figure for r in records])

    @classmethod
    def compare(cls, period, estate=None):
        """Return the rows of the period comparison of the month of period
        for the estate (None: whole company), company in context"""
        with Transaction().set_context(
                period=period, estate=estate.id if estate else None):
            return cls.search([])


class CockpitContext(ModelView):
    __name__ = 'pm.cockpit.context'
    __string__ = "Cockpit Context"

    company = fields.Many2One('company.company', "Company", required=True)
    period = fields.Date("Month", required=True,
        help="Any day of the month to show.")
    estate = fields.Many2One('pm.estate', "Estate",
        domain=[('company', '=', Eval('company', -1))],
        help="Empty for the whole company.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_period(cls):
        return Pool().get('ir.date').today()

    @staticmethod
    def default_estate():
        return Transaction().context.get('estate')


class RefreshStart(ModelView):
    __name__ = 'pm.cockpit.refresh.start'
    __string__ = "Refresh Management Figures"

    date_from = fields.Date("From Month", required=True)
    date_to = fields.Date("To Month", required=True,
        domain=[('date_to', '>=', Eval('date_from'))])

    @classmethod
    def default_date_from(cls):
        return add_months(Pool().get('ir.date').today(), -12)

    @classmethod
    def default_date_to(cls):
        return Pool().get('ir.date').today()


class Refresh(Wizard):
    "Compute the figures of a range of months"
    __name__ = 'pm.cockpit.refresh'
    start = StateView('pm.cockpit.refresh.start',
        'pm_cockpit.refresh_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Refresh", 'refresh', 'tryton-refresh', default=True),
            ])
    refresh = StateTransition()

    def transition_refresh(self):
        pool = Pool()
        Figure = pool.get('pm.cockpit.figure')
        Figure.compute(self.start.date_from, self.start.date_to)
        return 'end'


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('pm.cockpit.figure|refresh', "Refresh Management Figures"),
                ('pm.cockpit.report|send_monthly',
                    "Send Monthly Management Reports"),
                ])
