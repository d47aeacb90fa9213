# This file is part of the pm suite (物业管理系统). See README.md.
"""Shifts (班次), teams (班组) and weekly rosters (排班表).

A roster gives, for a team and a week, the shift of each member on each
day (empty: rest day 休息). Confirmed rosters are read against the Tryton
attendance lines (attendance.line, clock-in / clock-out) to compute the
monthly attendance summary (attendance.py); for the teams without a time
clock, "Record Attendance" writes the attendance lines as rostered and the
team leader corrects the exceptions (late arrivals, absences, overtime).
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal


from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import RosterError, RosterModifyError, ShiftError
from .mixin import company_zone, id_batches, sql_in, to_local, to_utc

WEEKDAYS = [
    'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday',
    'sunday']
#: attendance punches this long before a shift starts or after it ends
#: still belong to the shift
PUNCH_MARGIN = dt.timedelta(hours=4)

TEAM_KINDS = [
    ('security', "Security"),
    ('cleaning', "Cleaning"),
    ('engineering', "Engineering"),
    ('greening', "Greening"),
    ('service', "Customer Service"),
    ('other', "Other"),
    ]


class Shift(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.hr.shift'
    __string__ = "Shift"

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", help="Short code shown in the roster.")
    start_time = fields.Time("Start Time", required=True)
    end_time = fields.Time(
        "End Time", required=True,
        help="A shift ending before it starts ends on the next day "
        "(night shift).")
    break_minutes = fields.Integer(
        "Break (Minutes)", required=True,
        domain=[('break_minutes', '>=', 0)],
        help="Unpaid break within the shift.")
    grace_minutes = fields.Integer(
        "Grace (Minutes)", required=True,
        domain=[('grace_minutes', '>=', 0)],
        help="Arriving or leaving within these minutes is not late "
        "or early.")
    hours = fields.Function(
        fields.Numeric("Hours", digits=(16, 2)), 'on_change_with_hours')
    overnight = fields.Function(
        fields.Boolean("Overnight"), 'on_change_with_overnight')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start_time', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_break_minutes(cls):
        return 0

    @classmethod
    def default_grace_minutes(cls):
        return 5

    @fields.depends('start_time', 'end_time')
    def on_change_with_overnight(self, name=None):
        if self.start_time and self.end_time:
            return self.end_time <= self.start_time

    def span_minutes(self):
        "Minutes from the start to the end of the shift, breaks included"
        start = self.start_time.hour * 60 + self.start_time.minute
        end = self.end_time.hour * 60 + self.end_time.minute
        if end <= start:
            end += 24 * 60
        return end - start

    @fields.depends('start_time', 'end_time', 'break_minutes')
    def on_change_with_hours(self, name=None):
        if self.start_time and self.end_time:
            minutes = self.span_minutes() - (self.break_minutes or 0)
            return (Decimal(max(minutes, 0)) / 60).quantize(Decimal('0.01'))

    def window(self, day):
        "Return the local start and end datetimes of the shift on day"
        start = dt.datetime.combine(day, self.start_time)
        return start, start + dt.timedelta(minutes=self.span_minutes())

    def get_rec_name(self, name):
        if self.code:
            return '%s %s' % (self.code, self.name)
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if (operator.startswith('!')
            or operator.startswith('not ')) else 'OR'
        return [bool_op,
            ('code', operator, operand, *extra),
            ('name', operator, operand, *extra),
            ]

    @classmethod
    def validate_fields(cls, shifts, field_names):
        super().validate_fields(shifts, field_names)
        if field_names and not (field_names & {
                    'start_time', 'end_time', 'break_minutes'}):
            return
        for shift in shifts:
            if shift.start_time == shift.end_time:
                raise ShiftError(gettext(
                        'pm_hr.msg_shift_empty', shift=shift.rec_name))
            if shift.break_minutes >= shift.span_minutes():
                raise ShiftError(gettext(
                        'pm_hr.msg_shift_break_too_long',
                        shift=shift.rec_name))


class Team(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.hr.team'
    __string__ = "Team"

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True)
    code = fields.Char("Code")
    kind = fields.Selection(TEAM_KINDS, "Kind", required=True, sort=False)
    estate = fields.Many2One(
        'pm.estate', "Estate",
        domain=[('company', '=', Eval('company', -1))],
        help="The estate (项目) the team works on.")
    department = fields.Many2One(
        'pm.department', "Department",
        domain=[('company', '=', Eval('company', -1))])
    leader = fields.Many2One(
        'company.employee', "Team Leader",
        domain=[('company', '=', Eval('company', -1))])
    members = fields.Many2Many(
        'pm.hr.team-company.employee', 'team', 'employee', "Members",
        domain=[('company', '=', Eval('company', -1))])
    rosters = fields.One2Many('pm.hr.roster', 'team', "Rosters",
        readonly=True)
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('code', 'ASC NULLS LAST'), ('name', 'ASC'),
            ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'security'


class TeamEmployee(ModelSQL):
    __name__ = 'pm.hr.team-company.employee'
    __string__ = "Team - Employee"

    team = fields.Many2One(
        'pm.hr.team', "Team", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('team_employee_unique', Unique(t, t.team, t.employee),
                'pm_hr.msg_team_employee_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.employee, Index.Equality())))


class Roster(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.hr.roster'
    __string__ = "Roster"
    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    team = fields.Many2One(
        'pm.hr.team', "Team", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[
            If(Eval('company', -1) != -1,
                ('company', '=', Eval('company', -1)),
                ()),
            ])
    week_start = fields.Date(
        "Week", required=True, states=_states,
        help="The Monday of the week.")
    week_end = fields.Function(
        fields.Date("Week End"), 'on_change_with_week_end')
    lines = fields.One2Many(
        'pm.hr.roster.line', 'roster', "Lines", states=_states)
    total_hours = fields.Function(
        fields.Numeric("Total Hours", digits=(16, 2)), 'get_total_hours')
    state = fields.Selection([
            ('draft', "Draft"),
            ('confirmed', "Confirmed"),
            ], "State", required=True, readonly=True, sort=False)
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('team_week_unique', Unique(t, t.team, t.week_start),
                'pm_hr.msg_roster_team_week_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Equality()),
                    (t.week_start, Index.Range())),
                })
        cls._order = [('week_start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'confirmed'),
            ('confirmed', 'draft'),
            }
        cls._buttons.update({
                'fill': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-add',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'confirmed',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'record_attendance': {
                    'invisible': Eval('state') != 'confirmed',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_week_start(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        # the next week by default
        return today + dt.timedelta(days=7 - today.weekday())

    @fields.depends('week_start')
    def on_change_with_week_end(self, name=None):
        if self.week_start:
            return self.week_start + dt.timedelta(days=6)

    @fields.depends('team', '_parent_team.company')
    def on_change_team(self):
        if self.team:
            self.company = self.team.company

    def get_rec_name(self, name):
        return '%s %s' % (self.team.rec_name, self.week_start)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('team.rec_name',) + tuple(clause[1:])]

    def get_total_hours(self, name):
        return sum((l.hours or 0 for l in self.lines), Decimal(0))

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Team = pool.get('pm.hr.team')
        values = super().preprocess_values(mode, values)
        if values.get('team'):
            values['company'] = Team(values['team']).company.id
        return values

    @classmethod
    def validate_fields(cls, rosters, field_names):
        super().validate_fields(rosters, field_names)
        if field_names and 'week_start' not in field_names:
            return
        for roster in rosters:
            if roster.week_start.weekday() != 0:
                raise RosterError(gettext(
                        'pm_hr.msg_roster_week_start_monday',
                        roster=roster.rec_name))

    @classmethod
    def check_modification(cls, mode, rosters, values=None, external=False):
        super().check_modification(
            mode, rosters, values=values, external=external)
        if mode == 'delete':
            for roster in rosters:
                if roster.state != 'draft':
                    raise RosterModifyError(gettext(
                            'pm_hr.msg_roster_modify_confirmed',
                            roster=roster.rec_name))

    @classmethod
    def copy(cls, rosters, default=None):
        "The copy is the roster of the following week"
        default = default.copy() if default is not None else {}
        default.setdefault('state', 'draft')
        default.setdefault(
            'week_start', lambda o: o['week_start'] + dt.timedelta(days=7))
        return super().copy(rosters, default=default)

    @classmethod
    @ModelView.button
    def fill(cls, rosters):
        """Add a line for each team member not on the roster, with the
        shifts of the member on the previous week's roster of the team"""
        pool = Pool()
        Line = pool.get('pm.hr.roster.line')
        previous = {}
        weeks = {r.week_start - dt.timedelta(days=7) for r in rosters}
        teams = {r.team.id for r in rosters}
        for line in Line.search([
                    ('roster.team', 'in', list(teams)),
                    ('roster.week_start', 'in', list(weeks)),
                    ]):
            previous[(line.roster.team, line.roster.week_start,
                    line.employee)] = line
        to_create = []
        for roster in rosters:
            present = {l.employee for l in roster.lines}
            week = roster.week_start - dt.timedelta(days=7)
            for employee in roster.team.members:
                if employee in present:
                    continue
                values = {'roster': roster.id, 'employee': employee.id}
                model = previous.get((roster.team, week, employee))
                if model:
                    for day in WEEKDAYS:
                        shift = getattr(model, day)
                        values[day] = shift.id if shift else None
                to_create.append(values)
        if to_create:
            Line.create(to_create)

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, rosters):
        for roster in rosters:
            if not roster.lines:
                raise RosterError(gettext(
                        'pm_hr.msg_roster_confirm_empty',
                        roster=roster.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, rosters):
        pass

    @classmethod
    @ModelView.button
    def record_attendance(cls, rosters, until=None):
        """Write the clock-in and clock-out attendance lines of the rostered
        shifts up to until (today by default), except for the shifts which
        already have an attendance line"""
        pool = Pool()
        Attendance = pool.get('attendance.line')
        Date = pool.get('ir.date')
        attendance = Attendance.__table__()
        cursor = Transaction().connection.cursor()
        to_create = []
        for roster in rosters:
            if roster.state != 'confirmed':
                raise RosterError(gettext(
                        'pm_hr.msg_roster_not_confirmed',
                        roster=roster.rec_name))
            company = roster.company
            with Transaction().set_context(company=company.id):
                last = until or Date.today()
            zone = company_zone(company)
            start = to_utc(dt.datetime.combine(
                    roster.week_start, dt.time()), zone) - PUNCH_MARGIN
            end = to_utc(dt.datetime.combine(
                    roster.week_end + dt.timedelta(days=2), dt.time()),
                zone)
            punches = defaultdict(list)
            employee_ids = [l.employee.id for l in roster.lines]
            for sub_ids in id_batches(employee_ids):
                cursor.execute(*attendance.select(
                        attendance.employee, attendance.at,
                        where=sql_in(attendance.employee, sub_ids)
                        & (attendance.at >= start) & (attendance.at < end)))
                for employee_id, at in cursor:
                    if isinstance(at, str):
                        at = dt.datetime.fromisoformat(at)
                    punches[employee_id].append(to_local(at, zone))
            for line in roster.lines:
                employee = line.employee
                for day, shift in line.entries():
                    if not shift or day > last:
                        continue
                    if ((employee.start_date and day < employee.start_date)
                            or (employee.end_date
                                and day > employee.end_date)):
                        continue
                    begin, finish = shift.window(day)
                    if any(begin - PUNCH_MARGIN <= p <= finish + PUNCH_MARGIN
                            for p in punches[employee.id]):
                        continue
                    for at, type_ in [(begin, 'in'), (finish, 'out')]:
                        to_create.append({
                                'company': company.id,
                                'employee': employee.id,
                                'at': to_utc(at, zone),
                                'date': at.date(),
                                'type': type_,
                                })
        Attendance.create(to_create)


class RosterLine(ModelSQL, ModelView):
    __name__ = 'pm.hr.roster.line'
    __string__ = "Roster Line"

    roster = fields.Many2One(
        'pm.hr.roster', "Roster", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True,
        domain=[('company', '=', Eval('company', -1))])
    monday = fields.Many2One(
        'pm.hr.shift', "Monday", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    tuesday = fields.Many2One(
        'pm.hr.shift', "Tuesday", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    wednesday = fields.Many2One(
        'pm.hr.shift', "Wednesday", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    thursday = fields.Many2One(
        'pm.hr.shift', "Thursday", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    friday = fields.Many2One(
        'pm.hr.shift', "Friday", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    saturday = fields.Many2One(
        'pm.hr.shift', "Saturday", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    sunday = fields.Many2One(
        'pm.hr.shift', "Sunday", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    hours = fields.Function(
        fields.Numeric("Hours", digits=(16, 2)), 'on_change_with_hours')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('roster')
        t = cls.__table__()
        cls._sql_constraints = [
            ('roster_employee_unique', Unique(t, t.roster, t.employee),
                'pm_hr.msg_roster_employee_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Equality())),
                })

    @fields.depends('roster', '_parent_roster.company')
    def on_change_with_company(self, name=None):
        return self.roster.company if self.roster else None

    @fields.depends(*WEEKDAYS)
    def on_change_with_hours(self, name=None):
        return sum((getattr(self, d).hours or 0
                for d in WEEKDAYS if getattr(self, d, None)), Decimal(0))

    def entries(self):
        "Return the (date, shift or None) of the seven days of the week"
        return [(self.roster.week_start + dt.timedelta(days=i),
                getattr(self, day))
            for i, day in enumerate(WEEKDAYS)]

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        for roster in {l.roster for l in lines}:
            if roster.state != 'draft':
                raise RosterModifyError(gettext(
                        'pm_hr.msg_roster_modify_confirmed',
                        roster=roster.rec_name))

    @classmethod
    def planned(cls, company, employee_ids, date_start, date_end):
        """Return {employee id: {date: shift or None}} of the confirmed
        rosters of the company between the dates; the dates not on any
        roster of an employee are missing"""
        result = defaultdict(dict)
        for sub_ids in id_batches(employee_ids):
            lines = cls.search([
                    ('roster.company', '=', company.id),
                    ('roster.state', '=', 'confirmed'),
                    ('roster.week_start', '>=',
                        date_start - dt.timedelta(days=6)),
                    ('roster.week_start', '<=', date_end),
                    ('employee', 'in', sub_ids),
                    ])
            for line in lines:
                for day, shift in line.entries():
                    if date_start <= day <= date_end:
                        planned = result[line.employee.id]
                        # a shift on another team's roster wins a rest day
                        if shift or day not in planned:
                            planned[day] = shift
        return result
