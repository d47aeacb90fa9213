# This file is part of the pm suite (物业管理系统). See README.md.
"""Patrols (巡更): checkpoints with QR labels, routes, schedules per shift,
rounds with their scans, and the detection of missed, late and
out-of-order checkpoints."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Literal
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields,
    sequence_ordered)
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, id_batches,
    search_fields, search_through, sql_in)
from trytond.pool import Pool
from trytond.pyson import Eval, If, PYSONEncoder
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .common import (
    TOKEN_LENGTH, distance_m, evaluate_round, new_code, normalize_code, now,
    qr_code_png, to_utc, user_employee)
from .exceptions import PatrolError, PatrolValidationError, SecurityModifyError

CHECKPOINT_PREFIX = 'PMCP:'

ROUND_STATES = [
    ('planned', "Planned"),
    ('in_progress', "In Progress"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]

POINT_STATUSES = [
    ('pending', "Pending"),
    ('on_time', "On Time"),
    ('late', "Late"),
    ('out_of_order', "Out of Order"),
    ('missed', "Missed"),
    ]

SCAN_STATUSES = POINT_STATUSES + [
    ('duplicate', "Repeated Scan"),
    ('off_route', "Not on the Route"),
    ]

# A round left open is closed this long after its planned end
CLOSE_GRACE = dt.timedelta(minutes=30)
RATE = Decimal('0.01')


def rate(part, total):
    "Return part / total in % rounded to 0.01, None without total"
    if not total:
        return None
    return (Decimal(part) * 100 / Decimal(total)).quantize(RATE)


class Checkpoint(DeactivableMixin, EstateCompanyMixin, ModelSQL, ModelView):
    __name__ = 'pm.patrol.checkpoint'
    __string__ = "Patrol Checkpoint"

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain())
    building = fields.Many2One(
        'pm.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))])
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    location = fields.Char("Location",
        help="Where the label is fixed, e.g. 2栋地下车库B区入口.")
    latitude = fields.Numeric("Latitude", digits=(9, 6),
        domain=['OR',
            ('latitude', '=', None),
            [('latitude', '>=', -90), ('latitude', '<=', 90)],
            ])
    longitude = fields.Numeric("Longitude", digits=(9, 6),
        domain=['OR',
            ('longitude', '=', None),
            [('longitude', '>=', -180), ('longitude', '<=', 180)],
            ])
    radius = fields.Integer("Radius (m)",
        domain=['OR', ('radius', '=', None), ('radius', '>', 0)],
        help="A scan farther from the position is flagged.")
    token = fields.Char("Token", readonly=True,
        help="The random part of the QR code: a label cannot be forged "
        "from the code of the checkpoint.")
    qr_data = fields.Function(fields.Char("QR Data"), 'get_qr_data')
    qr_image = fields.Function(fields.Binary("QR Code"), 'get_qr_image')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.company, t.code),
                'pm_security.msg_checkpoint_code_unique'),
            ('token_unique', Unique(t, t.token),
                'pm_security.msg_checkpoint_token_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.token, Index.Equality())))
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_radius():
        return 50

    def get_rec_name(self, name):
        return '[%s] %s' % (self.code, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['code', 'name', 'location'])

    def get_qr_data(self, name):
        if self.token:
            return CHECKPOINT_PREFIX + self.token

    def get_qr_image(self, name):
        if self.token:
            return qr_code_png(self.get_qr_data(None))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('token'):
            values['token'] = new_code(TOKEN_LENGTH)
        return values

    @classmethod
    def copy(cls, checkpoints, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('token', None)
        default.setdefault('code', lambda data: data['code'] + '-1')
        return super().copy(checkpoints, default=default)

    @classmethod
    def from_qr(cls, data):
        "Return the checkpoint of the QR data or None"
        token = normalize_code(data, CHECKPOINT_PREFIX)
        if not token:
            return None
        checkpoints = cls.search([('token', '=', token)], limit=1)
        return checkpoints[0] if checkpoints else None


class CheckpointLabel(Report):
    "Checkpoint QR Labels"
    __name__ = 'pm.patrol.checkpoint.label'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['qr'] = lambda checkpoint: (
            qr_code_png(checkpoint.qr_data, box_size=8), 'image/png')
        return context


class Route(DeactivableMixin, EstateCompanyMixin, ModelSQL, ModelView):
    __name__ = 'pm.patrol.route'
    __string__ = "Patrol Route"

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(),
        states={
            'readonly': Eval('lines', [0]) & Eval('estate'),
            })
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    lines = fields.One2Many(
        'pm.patrol.route.line', 'route', "Checkpoints",
        help="The checkpoints in the order of the patrol.")
    tolerance = fields.Integer("Tolerance (min)", required=True,
        domain=[('tolerance', '>=', 0)],
        help="The minutes a checkpoint may be scanned after its "
        "expected time before it is late.")
    duration = fields.Function(
        fields.Integer("Duration (min)"), 'on_change_with_duration')
    checkpoint_count = fields.Function(
        fields.Integer("Checkpoints"), 'on_change_with_checkpoint_count')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.company, t.code),
                'pm_security.msg_route_code_unique'),
            ]
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_tolerance():
        return 5

    @fields.depends('lines')
    def on_change_with_duration(self, name=None):
        return sum((l.minutes or 0) for l in self.lines or [])

    @fields.depends('lines')
    def on_change_with_checkpoint_count(self, name=None):
        return len(self.lines or [])

    def get_rec_name(self, name):
        return '[%s] %s' % (self.code, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['code', 'name'])

    @classmethod
    def copy(cls, routes, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code', lambda data: data['code'] + '-1')
        return super().copy(routes, default=default)

    def plan(self):
        "Return [(sequence, checkpoint, cumulative minutes)] of the route"
        result, minutes = [], 0
        for i, line in enumerate(self.lines, 1):
            minutes += line.minutes or 0
            result.append((i, line.checkpoint, minutes))
        return result


class RouteLine(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.patrol.route.line'
    __string__ = "Patrol Route Checkpoint"

    route = fields.Many2One(
        'pm.patrol.route', "Route", required=True, ondelete='CASCADE')
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"), 'on_change_with_estate')
    checkpoint = fields.Many2One(
        'pm.patrol.checkpoint', "Checkpoint", required=True,
        ondelete='RESTRICT',
        domain=[
            If(Eval('estate'), ('estate', '=', Eval('estate', -1)), ()),
            ])
    minutes = fields.Integer("Minutes from Previous", required=True,
        domain=[('minutes', '>=', 0)],
        help="The expected walk from the previous checkpoint "
        "(from the start for the first one).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('route')

    @staticmethod
    def default_minutes():
        return 5

    @fields.depends('route', '_parent_route.estate')
    def on_change_with_estate(self, name=None):
        return self.route.estate if self.route else None

    def get_rec_name(self, name):
        return self.checkpoint.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('checkpoint.rec_name',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if field_names and not (field_names & {'route', 'checkpoint'}):
            return
        routes = {l.route for l in lines}
        for route in routes:
            seen = set()
            for line in route.lines:
                if line.checkpoint in seen:
                    raise PatrolValidationError(gettext(
                            'pm_security.msg_route_checkpoint_twice',
                            route=route.rec_name,
                            checkpoint=line.checkpoint.rec_name))
                if line.checkpoint.estate != route.estate:
                    raise PatrolValidationError(gettext(
                            'pm_security.msg_route_checkpoint_estate',
                            route=route.rec_name,
                            checkpoint=line.checkpoint.rec_name))
                seen.add(line.checkpoint)


class Schedule(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.patrol.schedule'
    __string__ = "Patrol Schedule"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    route = fields.Many2One(
        'pm.patrol.route', "Route", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    shift = fields.Many2One(
        'pm.security.shift', "Shift", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    guard = fields.Many2One(
        'company.employee', "Guard",
        domain=[('company', '=', Eval('company', -1))],
        help="The guard of the rounds, if always the same.")
    offset = fields.Integer("First Round after (min)", required=True,
        domain=[('offset', '>=', 0)],
        help="The minutes after the start of the shift.")
    interval = fields.Integer("Interval (min)", required=True,
        domain=[('interval', '>=', 0)],
        help="The minutes between the starts of two rounds; "
        "0 for one round per shift.")
    rounds_per_shift = fields.Function(
        fields.Integer("Rounds per Shift"), 'get_rounds_per_shift')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('route', 'ASC'), ('shift', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_offset():
        return 0

    @staticmethod
    def default_interval():
        return 0

    @fields.depends('route', '_parent_route.estate')
    def on_change_with_estate(self, name=None):
        return self.route.estate if self.route else None

    @fields.depends('route', '_parent_route.company')
    def on_change_route(self):
        if self.route:
            self.company = self.route.company

    @classmethod
    def search_estate(cls, name, clause):
        return search_through('route', name, clause)

    def get_rec_name(self, name):
        return '%s / %s' % (self.route.rec_name, self.shift.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['route.rec_name', 'shift.rec_name'])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Route = pool.get('pm.patrol.route')
        values = super().preprocess_values(mode, values)
        if values.get('route'):
            values['company'] = Route(values['route']).company.id
        return values

    def get_rounds_per_shift(self, name):
        return len(self.start_times(dt.date(2000, 1, 3)))

    def start_times(self, date):
        "Return the planned UTC starts of the rounds of the shift of date"
        start, end = self.shift.period(date)
        duration = dt.timedelta(minutes=self.route.duration or 0)
        time = start + dt.timedelta(minutes=self.offset or 0)
        times = []
        while time < end and time + duration <= end:
            times.append(time)
            if not self.interval:
                break
            time += dt.timedelta(minutes=self.interval)
        if not times and start + dt.timedelta(minutes=self.offset or 0) < end:
            # a route longer than the shift still gets its round
            times.append(start + dt.timedelta(minutes=self.offset or 0))
        return times

    @classmethod
    def generate_rounds(cls, date=None, schedules=None, dates=None):
        """Create the planned rounds of the schedules for the date
        (by default today and tomorrow); rounds already planned are kept.

        Run daily by the scheduler, once per company."""
        pool = Pool()
        Date = pool.get('ir.date')
        Round = pool.get('pm.patrol.round')
        if dates is None:
            if date is None:
                today = Date.today()
                dates = [today, today + dt.timedelta(days=1)]
            else:
                dates = [date]
        if schedules is None:
            domain = [('route.active', '=', True)]
            company = Transaction().context.get('company')
            if company:
                domain.append(('company', '=', company))
            schedules = cls.search(domain)
        if not schedules:
            return []
        wanted = {}
        for schedule in schedules:
            for date in dates:
                for start in schedule.start_times(date):
                    wanted[(schedule.id, start)] = schedule
        existing = set()
        for sub_ids in id_batches([s.id for s in schedules]):
            for round_ in Round.search([
                        ('schedule', 'in', sub_ids),
                        ('planned_start', 'in', list(
                                {s for _, s in wanted})),
                        ]):
                existing.add((round_.schedule.id, round_.planned_start))
        values = [{
                'route': schedule.route.id,
                'schedule': schedule.id,
                'shift': schedule.shift.id,
                'guard': schedule.guard.id if schedule.guard else None,
                'planned_start': start,
                } for (_, start), schedule in sorted(
                    wanted.items(), key=lambda i: (i[0][1], i[0][0]))
            if (schedule.id, start) not in existing]
        return Round.create(values) if values else []


class PlanRoundsStart(ModelView):
    __name__ = 'pm.patrol.schedule.plan.start'
    __string__ = "Plan Patrol Rounds"

    date_from = fields.Date("From Date", required=True)
    date_to = fields.Date("To Date", required=True,
        domain=[('date_to', '>=', Eval('date_from'))])

    @classmethod
    def default_date_from(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_date_to(cls):
        return cls.default_date_from() + dt.timedelta(days=6)


class PlanRounds(Wizard):
    "Plan Patrol Rounds"
    __name__ = 'pm.patrol.schedule.plan'

    start = StateView(
        'pm.patrol.schedule.plan.start',
        'pm_security.patrol_schedule_plan_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Plan", 'plan', 'tryton-ok', default=True),
            ])
    plan = StateAction('pm_security.act_patrol_round_form')

    def do_plan(self, action):
        pool = Pool()
        Schedule = pool.get('pm.patrol.schedule')
        start, end = self.start.date_from, self.start.date_to
        if (end - start).days > 62:
            raise PatrolError(gettext(
                    'pm_security.msg_plan_too_long', days=62))
        dates = [start + dt.timedelta(days=i)
            for i in range((end - start).days + 1)]
        rounds = Schedule.generate_rounds(
            schedules=list(self.records), dates=dates)
        action['domain'] = PYSONEncoder().encode(
            [('id', 'in', [r.id for r in rounds])])
        return action, {}


class Round(EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'pm.patrol.round'
    __string__ = "Patrol Round"

    _states = {
        'readonly': Eval('state') != 'planned',
        }

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, readonly=True,
        ondelete='RESTRICT')
    route = fields.Many2One(
        'pm.patrol.route', "Route", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': (Eval('state') != 'planned') | Eval('points', [0]),
            })
    schedule = fields.Many2One(
        'pm.patrol.schedule', "Schedule", readonly=True,
        ondelete='SET NULL')
    shift = fields.Many2One(
        'pm.security.shift', "Shift", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    guard = fields.Many2One(
        'company.employee', "Guard",
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            })
    planned_start = fields.DateTime("Planned Start", states=_states)
    planned_end = fields.Function(
        fields.DateTime("Planned End"), 'get_planned_end')
    tolerance = fields.Integer("Tolerance (min)", readonly=True)
    start = fields.DateTime("Start", readonly=True)
    end = fields.DateTime("End", readonly=True)
    points = fields.One2Many(
        'pm.patrol.round.point', 'round', "Checkpoints", readonly=True)
    scans = fields.One2Many(
        'pm.patrol.scan', 'round', "Scans",
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            })
    point_count = fields.Function(
        fields.Integer("Checkpoints"), 'get_counts')
    scanned_count = fields.Function(fields.Integer("Scanned"), 'get_counts')
    on_time_count = fields.Function(fields.Integer("On Time"), 'get_counts')
    late_count = fields.Function(fields.Integer("Late"), 'get_counts')
    out_of_order_count = fields.Function(
        fields.Integer("Out of Order"), 'get_counts')
    missed_count = fields.Function(fields.Integer("Missed"), 'get_counts')
    completion_rate = fields.Function(
        fields.Numeric("Completion Rate (%)", digits=(5, 2)), 'get_counts')
    on_time_rate = fields.Function(
        fields.Numeric("On-Time Rate (%)", digits=(5, 2)), 'get_counts')
    note = fields.Text("Note")
    state = fields.Selection(
        ROUND_STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.schedule, Index.Equality()),
                    (t.planned_start, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['planned', 'in_progress'])),
                Index(t, (t.planned_start, Index.Range())),
                })
        cls._order = [
            ('planned_start', 'DESC NULLS FIRST'), ('start', 'DESC'),
            ('id', 'DESC')]
        cls._transitions |= {
            ('planned', 'in_progress'),
            ('planned', 'done'),
            ('in_progress', 'done'),
            ('planned', 'cancelled'),
            ('in_progress', 'cancelled'),
            }
        cls._buttons.update({
                'start_round': {
                    'invisible': Eval('state') != 'planned',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'finish': {
                    'invisible': ~Eval('state').in_(
                        ['planned', 'in_progress']),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['planned', 'in_progress']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'planned'

    @fields.depends('route', '_parent_route.estate', '_parent_route.company')
    def on_change_route(self):
        if self.route:
            self.estate = self.route.estate
            self.company = self.route.company

    def get_rec_name(self, name):
        from .common import format_datetime
        when = self.planned_start or self.start
        if when:
            return '%s %s' % (
                self.route.rec_name, format_datetime(self.company, when))
        return self.route.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['route.rec_name', 'guard.rec_name'])

    def base_time(self):
        "The time the checkpoint times count from"
        return self.planned_start or self.start

    def get_planned_end(self, name):
        base = self.base_time()
        if base:
            return base + dt.timedelta(
                minutes=(self.route.duration or 0) + (self.tolerance or 0))

    @classmethod
    def get_counts(cls, rounds, names):
        pool = Pool()
        Point = pool.get('pm.patrol.round.point')
        point = Point.__table__()
        cursor = Transaction().connection.cursor()
        ids = [r.id for r in rounds]
        counts = {i: defaultdict(int) for i in ids}
        for sub_ids in id_batches(ids):
            cursor.execute(*point.select(
                    point.round, point.status, Count(),
                    where=sql_in(point.round, sub_ids),
                    group_by=[point.round, point.status]))
            for round_id, status, count in cursor:
                counts[round_id][status] += count
        result = {n: {} for n in names}
        for round_id, c in counts.items():
            total = sum(c.values())
            scanned = c['on_time'] + c['late'] + c['out_of_order']
            values = {
                'point_count': total,
                'scanned_count': scanned,
                'on_time_count': c['on_time'],
                'late_count': c['late'],
                'out_of_order_count': c['out_of_order'],
                'missed_count': c['missed'],
                'completion_rate': rate(scanned, total),
                'on_time_rate': rate(c['on_time'], total),
                }
            for name in names:
                result[name][round_id] = values[name]
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Route = pool.get('pm.patrol.route')
        if values.get('route'):
            route = Route(values['route'])
            values = values.copy()
            values['estate'] = route.estate.id
            if mode == 'create' and values.get('tolerance') is None:
                values['tolerance'] = route.tolerance
        return super().preprocess_values(mode, values)

    @classmethod
    def check_modification(cls, mode, rounds, values=None, external=False):
        super().check_modification(
            mode, rounds, values=values, external=external)
        if mode == 'delete':
            for round_ in rounds:
                if round_.state not in {'planned', 'cancelled'}:
                    raise SecurityModifyError(gettext(
                            'pm_security.msg_round_delete',
                            round=round_.rec_name))

    @classmethod
    def on_modification(cls, mode, rounds, field_names=None):
        super().on_modification(mode, rounds, field_names=field_names)
        if mode == 'create':
            cls.create_points(rounds)

    @classmethod
    def copy(cls, rounds, default=None):
        default = default.copy() if default is not None else {}
        for name in ['start', 'end', 'schedule']:
            default.setdefault(name, None)
        default.setdefault('points', None)
        default.setdefault('scans', None)
        default.setdefault('state', 'planned')
        return super().copy(rounds, default=default)

    @classmethod
    def create_points(cls, rounds):
        "Create the checkpoints of the rounds from their route"
        pool = Pool()
        Point = pool.get('pm.patrol.round.point')
        values = []
        for round_ in rounds:
            if round_.points:
                continue
            for sequence, checkpoint, minutes in round_.route.plan():
                values.append({
                        'round': round_.id,
                        'sequence': sequence,
                        'checkpoint': checkpoint.id,
                        'minutes': minutes,
                        'status': 'pending',
                        })
        if values:
            with without_check_access():
                Point.create(values)

    @classmethod
    def evaluate(cls, rounds, final=False):
        """Compare the scans of the rounds with their route and store the
        status of each checkpoint"""
        pool = Pool()
        Point = pool.get('pm.patrol.round.point')
        to_write = defaultdict(list)
        for round_ in rounds:
            round_final = final or round_.state == 'done'
            lines = [(p.id, p.checkpoint.id, p.minutes)
                for p in round_.points]
            scans = [(s.id, s.checkpoint.id, s.time) for s in round_.scans]
            base = round_.base_time()
            if not base and scans:
                base = min(s[2] for s in scans)
            result = evaluate_round(
                lines, scans, base, round_.tolerance or 0, round_final)
            for point in round_.points:
                status, scan_id, time = result[point.id]
                if (point.status, point.scan and point.scan.id,
                        point.scan_time) != (status, scan_id, time):
                    to_write[(status, scan_id, time)].append(point)
        args = []
        for (status, scan_id, time), points in to_write.items():
            args.extend([points, {
                        'status': status,
                        'scan': scan_id,
                        'scan_time': time,
                        }])
        if args:
            with without_check_access():
                Point.write(*args)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start_round(cls, rounds):
        employee = user_employee()
        time = now()
        to_write = []
        for round_ in rounds:
            values = {}
            if not round_.start:
                values['start'] = time
            if not round_.guard and employee:
                values['guard'] = employee.id
            if values:
                to_write.extend([[round_], values])
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def finish(cls, rounds):
        time = now()
        to_write = []
        for round_ in rounds:
            values = {}
            scan_times = [s.time for s in round_.scans]
            if not round_.start:
                values['start'] = min(scan_times) if scan_times else (
                    round_.planned_start or time)
            if not round_.end:
                if scan_times:
                    values['end'] = max(scan_times)
                else:
                    values['end'] = values.get('start') or round_.start
            if values:
                to_write.extend([[round_], values])
        if to_write:
            cls.write(*to_write)
        cls.evaluate(rounds, final=True)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, rounds):
        pass

    @classmethod
    def record_scan(cls, round_, data=None, checkpoint=None, time=None,
            guard=None, latitude=None, longitude=None):
        """Record the scan of a checkpoint by its QR data (or checkpoint)
        during the round and return it"""
        pool = Pool()
        Scan = pool.get('pm.patrol.scan')
        values = {
            'round': round_.id,
            'time': time or now(),
            'latitude': latitude,
            'longitude': longitude,
            }
        if data:
            values['qr_data'] = data
        if checkpoint:
            values['checkpoint'] = checkpoint.id
        if guard:
            values['guard'] = guard.id
        scan, = Scan.create([values])
        return scan

    @classmethod
    def close_overdue(cls, at=None):
        """Finish the rounds past their planned end: the checkpoints not
        scanned are missed.

        Run by the scheduler, once per company."""
        if at is None:
            at = now()
        domain = [('state', 'in', ['planned', 'in_progress'])]
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        rounds = [r for r in cls.search(domain)
            if r.planned_end and r.planned_end + CLOSE_GRACE < at]
        if rounds:
            cls.finish(rounds)
        return rounds

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Quality indicators of the records between the dates, company in context"
        pool = Pool()
        Point = pool.get('pm.patrol.round.point')
        Company = pool.get('company.company')
        round_ = cls.__table__()
        point = Point.__table__()
        cursor = Transaction().connection.cursor()
        company_id = Transaction().context.get('company')
        company = Company(company_id) if company_id else None
        start = to_utc(company, date_from, dt.time())
        end = to_utc(company, date_to + dt.timedelta(days=1), dt.time())
        when = Coalesce(round_.planned_start, round_.start)
        where = ((round_.state == 'done')
            & (when >= start) & (when < end))
        if company_id:
            where &= round_.company == company_id
        cursor.execute(*round_.join(point,
                condition=point.round == round_.id).select(
                Count(),
                Sum(Case((point.status.in_(
                                ['on_time', 'late', 'out_of_order']), 1),
                        else_=0)),
                Sum(Case((point.status == 'on_time', 1), else_=0)),
                Count(round_.id, distinct=True),
                where=where))
        total, scanned, on_time, count = cursor.fetchone()
        total, scanned, on_time, count = (
            total or 0, scanned or 0, on_time or 0, count or 0)
        return [{
                'code': 'patrol_completion_rate',
                'name': gettext('pm_security.msg_kpi_patrol_completion'),
                'value': rate(scanned, total),
                'unit': '%',
                'count': count,
                }, {
                'code': 'patrol_on_time_rate',
                'name': gettext('pm_security.msg_kpi_patrol_on_time'),
                'value': rate(on_time, total),
                'unit': '%',
                'count': count,
                }]


class RoundPoint(ModelSQL, ModelView):
    __name__ = 'pm.patrol.round.point'
    __string__ = "Patrol Round Checkpoint"

    round = fields.Many2One(
        'pm.patrol.round', "Round", required=True, ondelete='CASCADE',
        readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    checkpoint = fields.Many2One(
        'pm.patrol.checkpoint', "Checkpoint", required=True, readonly=True,
        ondelete='RESTRICT')
    minutes = fields.Integer("Minutes from Start", readonly=True)
    expected_time = fields.Function(
        fields.DateTime("Expected Time"), 'get_expected_time')
    scan = fields.Many2One(
        'pm.patrol.scan', "Scan", readonly=True, ondelete='SET NULL')
    scan_time = fields.DateTime("Scan Time", readonly=True)
    delay = fields.Function(
        fields.Integer("Delay (min)",
            help="The minutes after the expected time."),
        'get_delay')
    status = fields.Selection(
        POINT_STATUSES, "Status", readonly=True, required=True, sort=False)
    route = fields.Function(
        fields.Many2One('pm.patrol.route', "Route"),
        'on_change_with_route', searcher='search_round_field')
    guard = fields.Function(
        fields.Many2One('company.employee', "Guard"),
        'on_change_with_guard', searcher='search_round_field')
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_round_field')
    planned_start = fields.Function(
        fields.DateTime("Planned Start"),
        'on_change_with_planned_start', searcher='search_round_field')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('round')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.round, Index.Equality())),
                Index(t, (t.status, Index.Equality(cardinality='low'))),
                })
        cls._order = [('round', 'DESC'), ('sequence', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_status():
        return 'pending'

    @fields.depends('round', '_parent_round.route')
    def on_change_with_route(self, name=None):
        return self.round.route if self.round else None

    @fields.depends('round', '_parent_round.guard')
    def on_change_with_guard(self, name=None):
        return self.round.guard if self.round else None

    @fields.depends('round', '_parent_round.estate')
    def on_change_with_estate(self, name=None):
        return self.round.estate if self.round else None

    @fields.depends('round', '_parent_round.planned_start')
    def on_change_with_planned_start(self, name=None):
        return self.round.planned_start if self.round else None

    @classmethod
    def search_round_field(cls, name, clause):
        return search_through('round', name, clause)

    def get_rec_name(self, name):
        return self.checkpoint.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('checkpoint.rec_name',) + tuple(clause[1:])]

    def get_expected_time(self, name):
        base = self.round.base_time()
        if base:
            return base + dt.timedelta(minutes=self.minutes or 0)

    def get_delay(self, name):
        expected = self.expected_time
        if expected and self.scan_time:
            return int((self.scan_time - expected).total_seconds() // 60)


class Scan(ModelSQL, ModelView):
    __name__ = 'pm.patrol.scan'
    __string__ = "Patrol Scan"

    round = fields.Many2One(
        'pm.patrol.round', "Round", required=True, ondelete='CASCADE')
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"), 'on_change_with_estate')
    checkpoint = fields.Many2One(
        'pm.patrol.checkpoint', "Checkpoint", required=True,
        ondelete='RESTRICT',
        domain=[
            If(Eval('estate'), ('estate', '=', Eval('estate', -1)), ()),
            ])
    qr_data = fields.Char("QR Data",
        help="The text read from the label; it finds the checkpoint.")
    time = fields.DateTime("Time", required=True)
    guard = fields.Many2One('company.employee', "Guard")
    latitude = fields.Numeric("Latitude", digits=(9, 6))
    longitude = fields.Numeric("Longitude", digits=(9, 6))
    distance = fields.Function(
        fields.Integer("Distance (m)",
            help="From the position of the checkpoint, "
            "when the device gave its position."),
        'get_distance')
    off_position = fields.Function(
        fields.Boolean("Off Position"), 'get_distance')
    status = fields.Function(
        fields.Selection(SCAN_STATUSES, "Status"), 'get_status')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('round')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.round, Index.Equality())))
        cls._order = [('time', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_time():
        return now()

    @staticmethod
    def default_guard():
        employee = user_employee()
        return employee.id if employee else None

    @fields.depends('round', '_parent_round.estate')
    def on_change_with_estate(self, name=None):
        return self.round.estate if self.round else None

    @fields.depends('qr_data', 'checkpoint')
    def on_change_qr_data(self):
        pool = Pool()
        Checkpoint = pool.get('pm.patrol.checkpoint')
        if self.qr_data:
            checkpoint = Checkpoint.from_qr(self.qr_data)
            if checkpoint:
                self.checkpoint = checkpoint

    def get_rec_name(self, name):
        return self.checkpoint.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('checkpoint.rec_name',) + tuple(clause[1:])]

    @classmethod
    def get_distance(cls, scans, names):
        result = {n: {} for n in names}
        for scan in scans:
            checkpoint = scan.checkpoint
            distance = distance_m(
                scan.latitude, scan.longitude,
                checkpoint.latitude, checkpoint.longitude)
            if 'distance' in result:
                result['distance'][scan.id] = (
                    int(round(distance)) if distance is not None else None)
            if 'off_position' in result:
                result['off_position'][scan.id] = bool(
                    distance is not None and checkpoint.radius
                    and distance > checkpoint.radius)
        return result

    @classmethod
    def get_status(cls, scans, name):
        pool = Pool()
        Point = pool.get('pm.patrol.round.point')
        rounds = {s.round.id for s in scans}
        points = Point.search([('round', 'in', list(rounds))])
        by_scan = {p.scan.id: p.status for p in points if p.scan}
        on_route = {(p.round.id, p.checkpoint.id) for p in points}
        result = {}
        for scan in scans:
            if scan.id in by_scan:
                result[scan.id] = by_scan[scan.id]
            elif (scan.round.id, scan.checkpoint.id) in on_route:
                result[scan.id] = 'duplicate'
            else:
                result[scan.id] = 'off_route'
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Checkpoint = pool.get('pm.patrol.checkpoint')
        Round = pool.get('pm.patrol.round')
        values = super().preprocess_values(mode, values)
        if values.get('qr_data'):
            checkpoint = Checkpoint.from_qr(values['qr_data'])
            if not checkpoint:
                raise PatrolError(gettext(
                        'pm_security.msg_scan_unknown_qr',
                        data=values['qr_data']))
            values['checkpoint'] = checkpoint.id
        if mode == 'create':
            if not values.get('time'):
                values['time'] = now()
            if not values.get('guard') and values.get('round'):
                round_ = Round(values['round'])
                if round_.guard:
                    values['guard'] = round_.guard.id
                else:
                    employee = user_employee()
                    if employee:
                        values['guard'] = employee.id
        return values

    @classmethod
    def check_modification(cls, mode, scans, values=None, external=False):
        super().check_modification(
            mode, scans, values=values, external=external)
        closed = {'done'} if mode == 'delete' else {'done', 'cancelled'}
        for scan in scans:
            if scan.round.state in closed:
                raise SecurityModifyError(gettext(
                        'pm_security.msg_scan_round_closed',
                        round=scan.round.rec_name))
            if (mode != 'delete'
                    and scan.checkpoint.estate != scan.round.estate):
                raise PatrolError(gettext(
                        'pm_security.msg_scan_checkpoint_estate',
                        checkpoint=scan.checkpoint.rec_name,
                        round=scan.round.rec_name))

    @classmethod
    def on_modification(cls, mode, scans, field_names=None):
        pool = Pool()
        Round = pool.get('pm.patrol.round')
        super().on_modification(mode, scans, field_names=field_names)
        if mode == 'delete':
            return
        rounds = Round.browse(list({s.round.id for s in scans}))
        planned = [r for r in rounds if r.state == 'planned']
        if planned:
            # The first scan starts a planned round
            first = {}
            for scan in scans:
                if scan.round.state == 'planned':
                    first[scan.round.id] = min(
                        first.get(scan.round.id, scan.time), scan.time)
            args = []
            for round_ in planned:
                values = {'state': 'in_progress'}
                if not round_.start:
                    values['start'] = first[round_.id]
                args.extend([[round_], values])
            with without_check_access():
                Round.write(*args)
        Round.evaluate(Round.browse([r.id for r in rounds]))

    @classmethod
    def on_delete(cls, scans):
        pool = Pool()
        Round = pool.get('pm.patrol.round')
        callback = super().on_delete(scans)
        round_ids = list({s.round.id for s in scans})

        def evaluate():
            rounds = Round.browse(Round.search([('id', 'in', round_ids)]))
            Round.evaluate(rounds)
        return callback + [evaluate]


class StatisticsContext(ModelView):
    __name__ = 'pm.patrol.statistics.context'
    __string__ = "Patrol Statistics Context"

    date_from = fields.Date("From Date", required=True)
    date_to = fields.Date("To Date", required=True,
        domain=[('date_to', '>=', Eval('date_from'))])
    group_by = fields.Selection([
            ('route_guard', "Route and Guard"),
            ('route', "Route"),
            ('guard', "Guard"),
            ], "Group by", required=True, sort=False)
    estate = fields.Many2One('pm.estate', "Estate")

    @classmethod
    def default_date_from(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today().replace(day=1)

    @classmethod
    def default_date_to(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today()

    @classmethod
    def default_group_by(cls):
        return 'route_guard'


class Statistics(ModelSQL, ModelView):
    __name__ = 'pm.patrol.statistics'
    __string__ = "Patrol Completion"

    company = fields.Many2One('company.company', "Company")
    route = fields.Many2One('pm.patrol.route', "Route")
    guard = fields.Many2One('company.employee', "Guard")
    round_count = fields.Integer("Rounds")
    point_count = fields.Integer("Checkpoints")
    scanned_count = fields.Integer("Scanned")
    on_time_count = fields.Integer("On Time")
    late_count = fields.Integer("Late")
    out_of_order_count = fields.Integer("Out of Order")
    missed_count = fields.Integer("Missed")
    completion_rate = fields.Function(
        fields.Numeric("Completion Rate (%)", digits=(5, 2)), 'get_rates')
    on_time_rate = fields.Function(
        fields.Numeric("On-Time Rate (%)", digits=(5, 2)), 'get_rates')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('route', 'ASC'), ('guard', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Round = pool.get('pm.patrol.round')
        Point = pool.get('pm.patrol.round.point')
        Company = pool.get('company.company')
        round_ = Round.__table__()
        point = Point.__table__()
        context = Transaction().context
        company_id = context.get('company')
        company = Company(company_id) if company_id else None
        where = round_.state == 'done'
        if company_id:
            where &= round_.company == company_id
        when = Coalesce(round_.planned_start, round_.start)
        if context.get('date_from'):
            where &= when >= to_utc(company, context['date_from'], dt.time())
        if context.get('date_to'):
            where &= when < to_utc(
                company, context['date_to'] + dt.timedelta(days=1),
                dt.time())
        if context.get('estate'):
            where &= round_.estate == context['estate']
        group_by = context.get('group_by') or 'route_guard'
        route = round_.route if group_by != 'guard' else Literal(None)
        guard = round_.guard if group_by != 'route' else Literal(None)
        columns = [round_.company]
        if group_by != 'guard':
            columns.append(round_.route)
        if group_by != 'route':
            columns.append(round_.guard)

        def status(*values):
            return Sum(Case((point.status.in_(list(values)), 1), else_=0))
        return round_.join(point, condition=point.round == round_.id).select(
            Min(point.id).as_('id'),
            round_.company.as_('company'),
            route.as_('route'),
            guard.as_('guard'),
            Count(round_.id, distinct=True).as_('round_count'),
            Count(point.id).as_('point_count'),
            status('on_time', 'late', 'out_of_order').as_('scanned_count'),
            status('on_time').as_('on_time_count'),
            status('late').as_('late_count'),
            status('out_of_order').as_('out_of_order_count'),
            status('missed').as_('missed_count'),
            where=where,
            group_by=columns)

    @classmethod
    def get_rates(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            if 'completion_rate' in result:
                result['completion_rate'][record.id] = rate(
                    record.scanned_count or 0, record.point_count)
            if 'on_time_rate' in result:
                result['on_time_rate'][record.id] = rate(
                    record.on_time_count or 0, record.point_count)
        return result
