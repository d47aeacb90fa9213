# This file is part of the pm suite (物业管理系统). See README.md.
"""Monthly attendance summary (考勤汇总) read from the Tryton attendance
lines against the confirmed rosters."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Count, Sum

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import SummaryModifyError
from .mixin import (
    EmployeeCompanyMixin, company_zone, employee_company_field, id_batches,
    month_end, month_start, sql_in, to_local, to_utc)
from .shift import PUNCH_MARGIN

HOUR = Decimal('0.01')


def pair_punches(punches):
    """Return the (in, out) intervals of the punches, a list of
    (datetime, 'in' or 'out'); an 'in' without 'out' gives (in, None) and
    an 'out' without 'in' is ignored"""
    intervals = []
    current = None
    for at, type_ in sorted(punches):
        if type_ == 'in':
            if current is not None:
                intervals.append((current, None))
            current = at
        elif current is not None:
            intervals.append((current, at))
            current = None
    if current is not None:
        intervals.append((current, None))
    return intervals


def _hours(minutes):
    return (Decimal(minutes) / 60).quantize(HOUR)


def summarize(planned, punches, date_start, date_end, overtime_unit=30):
    """Return the attendance figures of an employee between the dates.

    planned: {date: shift or None}, the shift of each rostered day (None:
    rest day); a shift has `window(date)` → (start, end) local datetimes,
    `grace_minutes` and `break_minutes`. Dates missing from planned are not
    on any roster: days worked there are counted, never late, absent or
    overtime.
    punches: [(local datetime, 'in' or 'out')].
    Overtime is the time worked beyond a shift (or on a rest day), in whole
    blocks of overtime_unit minutes."""
    result = {
        'rostered_days': 0, 'worked_days': 0, 'absent_days': 0,
        'rest_days_worked': 0, 'late_count': 0, 'late_minutes': 0,
        'early_leave_count': 0, 'worked_hours': Decimal(0),
        'overtime_hours': Decimal(0),
        }
    intervals = pair_punches(punches)
    used = set()
    worked_minutes = 0
    overtime_minutes = 0

    def duration(interval):
        start, end = interval
        return int((end - start).total_seconds() // 60) if end else 0

    def blocks(minutes):
        if overtime_unit and minutes > 0:
            return minutes // overtime_unit * overtime_unit
        return 0

    for day in sorted(planned):
        shift = planned[day]
        if not shift or not (date_start <= day <= date_end):
            continue
        result['rostered_days'] += 1
        start, end = shift.window(day)
        indexes = [n for n, i in enumerate(intervals)
            if n not in used and start - PUNCH_MARGIN <= i[0] < end]
        used.update(indexes)
        mine = [intervals[n] for n in indexes]
        if not mine:
            result['absent_days'] += 1
            continue
        result['worked_days'] += 1
        grace = dt.timedelta(minutes=shift.grace_minutes or 0)
        first_in = min(i[0] for i in mine)
        if first_in > start + grace:
            result['late_count'] += 1
            result['late_minutes'] += int(
                (first_in - start).total_seconds() // 60)
        outs = [i[1] for i in mine if i[1]]
        if outs and max(outs) < end - grace:
            result['early_leave_count'] += 1
        minutes = sum(duration(i) for i in mine)
        worked_minutes += max(minutes - (shift.break_minutes or 0), 0)
        span = int((end - start).total_seconds() // 60)
        overtime_minutes += blocks(minutes - span)

    rest_days, free_days = set(), set()
    for n, interval in enumerate(intervals):
        if n in used:
            continue
        day = interval[0].date()
        if not (date_start <= day <= date_end):
            continue
        minutes = duration(interval)
        worked_minutes += minutes
        if day in planned:  # a rest day of the roster
            rest_days.add(day)
            overtime_minutes += blocks(minutes)
        else:
            free_days.add(day)
    result['rest_days_worked'] = len(rest_days)
    result['worked_days'] += len(rest_days) + len(free_days)
    result['worked_hours'] = _hours(worked_minutes)
    result['overtime_hours'] = _hours(overtime_minutes)
    return result


class AttendanceSummary(EmployeeCompanyMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'pm.hr.attendance.summary'
    __string__ = "Attendance Summary"
    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = employee_company_field()
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE',
        states=_states,
        domain=[('company', '=', Eval('company', -1))])
    department = fields.Many2One(
        'pm.department', "Department", readonly=True)
    month = fields.Date(
        "Month", required=True, states=_states,
        help="The first day of the month.")
    rostered_days = fields.Integer("Rostered Days", readonly=True)
    worked_days = fields.Integer(
        "Days Worked", required=True, states=_states)
    absent_days = fields.Integer(
        "Days Absent", required=True, states=_states,
        domain=[('absent_days', '>=', 0)])
    rest_days_worked = fields.Integer(
        "Rest Days Worked", required=True, states=_states)
    late_count = fields.Integer(
        "Late Arrivals", required=True, states=_states,
        domain=[('late_count', '>=', 0)])
    late_minutes = fields.Integer("Minutes Late", readonly=True)
    early_leave_count = fields.Integer(
        "Early Leaves", required=True, states=_states)
    worked_hours = fields.Numeric(
        "Hours Worked", digits=(16, 2), required=True, states=_states)
    overtime_hours = fields.Numeric(
        "Overtime Hours", digits=(16, 2), required=True, states=_states,
        domain=[('overtime_hours', '>=', 0)])
    attendance_rate = fields.Function(
        fields.Numeric("Attendance Rate (%)", digits=(16, 2)),
        'get_attendance_rate')
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
            ('employee_month_unique', Unique(t, t.employee, t.month),
                'pm_hr.msg_summary_employee_month_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Equality()),
                    (t.month, Index.Range())),
                })
        cls._order = [('month', 'DESC'), ('employee', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('draft', 'confirmed'),
            ('confirmed', 'draft'),
            }
        cls._buttons.update({
                'recompute': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh',
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
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_month(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return month_start(Date.today())

    @classmethod
    def _default_zero(cls):
        return 0

    default_worked_days = default_absent_days = _default_zero
    default_rest_days_worked = default_late_count = _default_zero
    default_early_leave_count = _default_zero

    @classmethod
    def default_worked_hours(cls):
        return Decimal(0)

    @classmethod
    def default_overtime_hours(cls):
        return Decimal(0)

    def get_rec_name(self, name):
        return '%s %s' % (
            self.employee.rec_name, self.month.strftime('%Y-%m'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('employee.rec_name',) + tuple(clause[1:])]

    @classmethod
    def get_attendance_rate(cls, summaries, name):
        result = {}
        for summary in summaries:
            if summary.rostered_days:
                attended = summary.rostered_days - summary.absent_days
                result[summary.id] = (
                    Decimal(100) * attended / summary.rostered_days
                    ).quantize(HOUR)
            else:
                result[summary.id] = None
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Employee = pool.get('company.employee')
        values = super().preprocess_values(mode, values)
        if values.get('month'):
            values['month'] = month_start(values['month'])
        if mode == 'create' and values.get('employee'):
            employee = Employee(values['employee'])
            values.setdefault(
                'department',
                employee.department.id if employee.department else None)
        return values

    @classmethod
    def check_modification(cls, mode, summaries, values=None, external=False):
        super().check_modification(
            mode, summaries, values=values, external=external)
        if mode == 'delete':
            for summary in summaries:
                if summary.state != 'draft':
                    raise SummaryModifyError(gettext(
                            'pm_hr.msg_summary_modify_confirmed',
                            summary=summary.rec_name))

    @classmethod
    @ModelView.button
    def recompute(cls, summaries):
        by_month = defaultdict(list)
        for summary in summaries:
            if summary.state == 'draft':
                by_month[(summary.company, summary.month)].append(
                    summary.employee)
        for (company, month), employees in by_month.items():
            cls.compute(company, month, employees)

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, summaries):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, summaries):
        pass

    @classmethod
    def punches(cls, company, employee_ids, date_start, date_end):
        """Return {employee id: [(local datetime, type)]} of the attendance
        lines of the company around the dates"""
        pool = Pool()
        Attendance = pool.get('attendance.line')
        attendance = Attendance.__table__()
        cursor = Transaction().connection.cursor()
        zone = company_zone(company)
        start = to_utc(
            dt.datetime.combine(date_start, dt.time()), zone) - PUNCH_MARGIN
        end = to_utc(dt.datetime.combine(
                date_end + dt.timedelta(days=2), dt.time()), zone)
        result = defaultdict(list)
        for sub_ids in id_batches(employee_ids):
            cursor.execute(*attendance.select(
                    attendance.employee, attendance.at, attendance.type,
                    where=sql_in(attendance.employee, sub_ids)
                    & (attendance.company == company.id)
                    & (attendance.at >= start) & (attendance.at < end)))
            for employee_id, at, type_ in cursor:
                if isinstance(at, str):
                    at = dt.datetime.fromisoformat(at)
                result[employee_id].append((to_local(at, zone), type_))
        return result

    @classmethod
    def compute(cls, company, month, employees):
        """Compute the summaries of the employees for the month from the
        attendance lines and the confirmed rosters; the draft summaries are
        updated, the confirmed ones kept; return all the summaries"""
        pool = Pool()
        Line = pool.get('pm.hr.roster.line')
        Config = pool.get('pm.hr.configuration')
        config = Config(1)
        date_start, date_end = month_start(month), month_end(month)
        employee_ids = [e.id for e in employees]
        existing = {}
        for sub_ids in id_batches(employee_ids):
            for summary in cls.search([
                        ('employee', 'in', sub_ids),
                        ('month', '=', date_start),
                        ]):
                existing[summary.employee.id] = summary
        to_compute = [i for i in employee_ids
            if i not in existing or existing[i].state == 'draft']
        planned = Line.planned(company, to_compute, date_start, date_end)
        punches = cls.punches(company, to_compute, date_start, date_end)
        to_create, to_write = [], []
        for employee_id in to_compute:
            values = summarize(
                planned.get(employee_id, {}), punches.get(employee_id, []),
                date_start, date_end, overtime_unit=config.overtime_unit)
            if employee_id in existing:
                to_write.extend([[existing[employee_id]], values])
            else:
                values.update({
                        'employee': employee_id,
                        'month': date_start,
                        })
                to_create.append(values)
        if to_write:
            cls.write(*to_write)
        created = cls.create(to_create) if to_create else []
        for summary in created:
            existing[summary.employee.id] = summary
        return [existing[i] for i in employee_ids]

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Quality indicators of the summaries between the dates"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        where = (table.month >= month_start(date_from)) & (
            table.month <= date_to)
        company = Transaction().context.get('company')
        if company:
            where &= table.company == company
        cursor.execute(*table.select(
                Count(table.id), Sum(table.rostered_days),
                Sum(table.absent_days), Sum(table.late_count),
                Sum(table.overtime_hours),
                where=where))
        count, rostered, absent, late, overtime = cursor.fetchone()
        rostered = rostered or 0
        rate = late_rate = None
        if rostered:
            rate = (Decimal(100) * (rostered - (absent or 0))
                / rostered).quantize(HOUR)
            late_rate = (Decimal(100) * (late or 0) / rostered).quantize(HOUR)
        return [{
                'code': 'attendance_rate',
                'name': gettext('pm_hr.msg_kpi_attendance_rate'),
                'value': rate, 'unit': '%', 'count': count or 0,
                }, {
                'code': 'late_rate',
                'name': gettext('pm_hr.msg_kpi_late_rate'),
                'value': late_rate, 'unit': '%', 'count': count or 0,
                }, {
                'code': 'overtime_hours',
                'name': gettext('pm_hr.msg_kpi_overtime_hours'),
                'value': Decimal(str(overtime or 0)).quantize(HOUR),
                'unit': 'h', 'count': count or 0,
                }]


class ComputeSummaryStart(ModelView):
    __name__ = 'pm.hr.attendance.summary.compute.start'
    __string__ = "Compute Attendance Summary"

    company = fields.Many2One('company.company', "Company", required=True)
    month = fields.Date("Month", required=True,
        help="Any day of the month.")
    department = fields.Many2One(
        'pm.department', "Department",
        domain=[('company', '=', Eval('company', -1))],
        help="Only the staff of the department and its sub-departments.")
    team = fields.Many2One(
        'pm.hr.team', "Team",
        domain=[('company', '=', Eval('company', -1))],
        help="Only the members of the team.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_month(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        # the month just ended
        return month_start(Date.today()) - dt.timedelta(days=1)


class ComputeSummary(Wizard):
    __name__ = 'pm.hr.attendance.summary.compute'
    __string__ = "Compute Attendance Summary"

    start = StateView(
        'pm.hr.attendance.summary.compute.start',
        'pm_hr.attendance_summary_compute_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Compute", 'compute', 'tryton-ok', default=True),
            ])
    compute = StateAction('pm_hr.act_attendance_summary')

    def do_compute(self, action):
        pool = Pool()
        Employee = pool.get('company.employee')
        Summary = pool.get('pm.hr.attendance.summary')
        date_start = month_start(self.start.month)
        date_end = month_end(date_start)
        domain = [
            ('company', '=', self.start.company.id),
            ['OR', ('start_date', '=', None),
                ('start_date', '<=', date_end)],
            ['OR', ('end_date', '=', None),
                ('end_date', '>=', date_start)],
            ]
        if self.start.department:
            domain.append(
                ('department', 'child_of', [self.start.department.id]))
        if self.start.team:
            domain.append(('teams', '=', self.start.team.id))
        employees = Employee.search(domain)
        summaries = Summary.compute(
            self.start.company, date_start, employees)
        action['pyson_domain'] = PYSONEncoder().encode([
                ('id', 'in', [s.id for s in summaries]),
                ])
        return action, {}
