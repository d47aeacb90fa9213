# This file is part of the pm suite (物业管理系统). See README.md.
"""Cleaning and greening (卫生保洁/绿化).

Areas are cleaned or tended by crews on schedules (daily or on a weekday);
the scheduled task creates the day's tasks exactly once per schedule and
day and marks the past ones not done as missed. Inspections score an area
(0–100, with photos as attachments); the weekly quality report groups the
scores and the tasks by week, area and crew.
"""
import datetime as dt
from decimal import Decimal

from sql import Literal, Union
from sql.aggregate import Min, Sum
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .exceptions import EnvironmentValidationError

KINDS = [
    ('cleaning', "Cleaning"),
    ('greening', "Greening"),
    ]
FREQUENCIES = [
    ('daily', "Daily"),
    ('weekly', "Weekly"),
    ]
WEEKDAYS = [
    ('0', "Monday"),
    ('1', "Tuesday"),
    ('2', "Wednesday"),
    ('3', "Thursday"),
    ('4', "Friday"),
    ('5', "Saturday"),
    ('6', "Sunday"),
    ]


def week_start(date):
    "Return the Monday of the week of the date"
    if date is None:
        return None
    if isinstance(date, dt.datetime):
        date = date.date()
    return date - dt.timedelta(days=date.weekday())


def schedule_due(frequency, weekday, date):
    "Tell whether a schedule of the frequency has a task on the date"
    if frequency == 'daily':
        return True
    return weekday is not None and int(weekday) == date.weekday()


def _ids(records):
    "RPC result of the scheduled tasks: the ids of the records"
    return [r.id for r in records]


class Crew(DeactivableMixin, ModelSQL, ModelView):
    "Environment Crew"
    __name__ = 'pm.environment.crew'
    __string__ = "Environment Crew"

    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False)
    leader = fields.Many2One(
        'company.employee', "Leader", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))])
    members = fields.Many2Many(
        'pm.environment.crew-company.employee', 'crew', 'employee',
        "Members",
        domain=[('company', '=', Eval('company', -1))])
    contractor = fields.Many2One(
        'party.party', "Contractor", ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The outsourced cleaning or greening company, if any.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'cleaning'


class CrewMember(ModelSQL):
    "Environment Crew Member"
    __name__ = 'pm.environment.crew-company.employee'
    __string__ = "Environment Crew Member"

    crew = fields.Many2One(
        'pm.environment.crew', "Crew", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')


class Area(EstateCompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    "Environment Area"
    __name__ = 'pm.environment.area'
    __string__ = "Environment Area"

    name = fields.Char("Name", required=True)
    code = fields.Char("Code", strip=True)
    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain())
    building = fields.Many2One(
        'pm.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))])
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False)
    crew = fields.Many2One(
        'pm.environment.crew', "Crew", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))])
    surface = fields.Numeric(
        "Surface (㎡)", digits=(16, 2),
        domain=['OR', ('surface', '>=', 0), ('surface', '=', None)])
    standard = fields.Text(
        "Standard", help="The cleaning or greening standard of the area.")
    schedules = fields.One2Many(
        'pm.environment.schedule', 'area', "Schedules")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('estate', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_kind(cls):
        return 'cleaning'

    def get_rec_name(self, name):
        return f'{self.estate.rec_name} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['name', 'code', 'estate.rec_name'])


class Schedule(DeactivableMixin, ModelSQL, ModelView):
    "Environment Schedule"
    __name__ = 'pm.environment.schedule'
    __string__ = "Environment Schedule"

    area = fields.Many2One(
        'pm.environment.area', "Area", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    name = fields.Char("Task", required=True, help="e.g. 楼道清扫, 草坪修剪.")
    frequency = fields.Selection(
        FREQUENCIES, "Frequency", required=True, sort=False)
    weekday = fields.Selection(
        [(None, "")] + WEEKDAYS, "Weekday", sort=False,
        states={
            'required': Eval('frequency') == 'weekly',
            'invisible': Eval('frequency') != 'weekly',
            })
    crew = fields.Many2One(
        'pm.environment.crew', "Crew", ondelete='SET NULL',
        help="Empty for the crew of the area.")
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date("End Date")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('area')
        cls._order = [('area', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]
        cls.__rpc__.update({
                'generate_tasks': RPC(readonly=False, result=_ids),
                })

    @classmethod
    def default_frequency(cls):
        return 'daily'

    @classmethod
    def default_start_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('area', '_parent_area.company')
    def on_change_with_company(self, name=None):
        return self.area.company if self.area else None

    @classmethod
    def search_company(cls, name, clause):
        nested = clause[0][len(name):]
        return [('area.company' + nested, *clause[1:])]

    def get_rec_name(self, name):
        return f'{self.area.rec_name} {self.name}'

    @classmethod
    def validate_fields(cls, schedules, field_names):
        super().validate_fields(schedules, field_names)
        for schedule in schedules:
            if schedule.frequency == 'weekly' and schedule.weekday is None:
                raise EnvironmentValidationError(gettext(
                        'pm_maintenance.msg_schedule_weekday',
                        schedule=schedule.rec_name))

    @classmethod
    def generate_tasks(cls, date=None, days=1):
        """Create the tasks of the schedules for the days from date (once
        per schedule and day) and mark the planned tasks before date as
        missed.

        Run daily by the scheduler, once per company."""
        pool = Pool()
        Date = pool.get('ir.date')
        Task = pool.get('pm.environment.task')
        if date is None:
            date = Date.today()
        company = Transaction().context.get('company')
        domain = []
        task_domain = [('state', '=', 'planned'), ('date', '<', date)]
        if company:
            domain.append(('area.company', '=', company))
            task_domain.append(('company', '=', company))
        missed = Task.search(task_domain)
        if missed:
            Task.write(missed, {'state': 'missed'})
        schedules = cls.search(domain + [
                ('area.active', '=', True),
                ('start_date', '<=', date + dt.timedelta(days=days - 1)),
                ['OR',
                    ('end_date', '=', None),
                    ('end_date', '>=', date),
                    ],
                ])
        if not schedules:
            return []
        dates = [date + dt.timedelta(days=i) for i in range(days)]
        existing = {(t.schedule.id, t.date) for t in Task.search([
                    ('schedule', 'in', [s.id for s in schedules]),
                    ('date', 'in', dates),
                    ])}
        to_create = []
        for schedule in schedules:
            for day in dates:
                if (day < schedule.start_date
                        or (schedule.end_date and day > schedule.end_date)
                        or not schedule_due(
                            schedule.frequency, schedule.weekday, day)
                        or (schedule.id, day) in existing):
                    continue
                crew = schedule.crew or schedule.area.crew
                to_create.append({
                        'schedule': schedule.id,
                        'area': schedule.area.id,
                        'name': schedule.name,
                        'date': day,
                        'crew': crew.id if crew else None,
                        })
        return Task.create(to_create) if to_create else []


class Task(Workflow, ModelSQL, ModelView):
    "Environment Task"
    __name__ = 'pm.environment.task'
    __string__ = "Environment Task"

    _states = {
        'readonly': Eval('state') != 'planned',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    schedule = fields.Many2One(
        'pm.environment.schedule', "Schedule", readonly=True,
        ondelete='SET NULL')
    area = fields.Many2One(
        'pm.environment.area', "Area", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    kind = fields.Function(
        fields.Selection(KINDS, "Kind"), 'on_change_with_kind')
    name = fields.Char("Task", required=True, states=_states)
    date = fields.Date("Date", required=True, states=_states)
    week = fields.Date("Week", readonly=True,
        help="The Monday of the week of the date.")
    crew = fields.Many2One(
        'pm.environment.crew', "Crew", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    done_by = fields.Many2One(
        'company.employee', "Done by", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    done_at = fields.DateTime("Done at", readonly=True)
    note = fields.Text("Note")
    state = fields.Selection([
            ('planned', "Planned"),
            ('done', "Done"),
            ('missed', "Missed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('schedule_date_unique', Unique(t, t.schedule, t.date),
                'pm_maintenance.msg_task_schedule_date_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'planned'),
                })
        cls._order = [('date', 'DESC'), ('area', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {
            ('planned', 'done'),
            ('missed', 'done'),
            ('planned', 'cancelled'),
            ('cancelled', 'planned'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': ~Eval('state').in_(['planned', 'missed']),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'planned',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'plan': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('area', '_parent_area.estate')
    def on_change_with_estate(self, name=None):
        return self.area.estate if self.area else None

    @fields.depends('area', '_parent_area.kind')
    def on_change_with_kind(self, name=None):
        return self.area.kind if self.area else None

    @classmethod
    def search_estate(cls, name, clause):
        nested = clause[0][len(name):]
        return [('area.estate' + nested, *clause[1:])]

    @fields.depends('area', 'crew', '_parent_area.crew')
    def on_change_area(self):
        if self.area and not self.crew:
            self.crew = self.area.crew

    def get_rec_name(self, name):
        return f'{self.area.rec_name} {self.name} {self.date}'

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Area = pool.get('pm.environment.area')
        values = super().preprocess_values(mode, values)
        if values.get('area'):
            values['company'] = Area(values['area']).company.id
        if 'date' in values:
            values['week'] = week_start(values['date'])
        return values

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, tasks):
        cls.write(tasks, {
                'done_at': dt.datetime.now().replace(microsecond=0)})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, tasks):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, tasks):
        pass


class Inspection(ModelSQL, ModelView):
    "Environment Inspection"
    __name__ = 'pm.environment.inspection'
    __string__ = "Environment Inspection"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    area = fields.Many2One(
        'pm.environment.area', "Area", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    task = fields.Many2One(
        'pm.environment.task', "Task", ondelete='SET NULL',
        domain=[('area', '=', Eval('area', -1))])
    crew = fields.Many2One(
        'pm.environment.crew', "Crew", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))])
    date = fields.Date("Date", required=True)
    week = fields.Date("Week", readonly=True)
    inspector = fields.Many2One(
        'company.employee', "Inspector", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))])
    score = fields.Integer(
        "Score", required=True,
        domain=[('score', '>=', 0), ('score', '<=', 100)],
        help="From 0 to 100; attach the photos to the inspection.")
    remark = fields.Text("Remark")
    work_orders = fields.One2Many(
        'pm.work_order', 'origin', "Work Orders", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.area, Index.Equality())),
                Index(t, (t.week, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('area', '_parent_area.estate')
    def on_change_with_estate(self, name=None):
        return self.area.estate if self.area else None

    @classmethod
    def search_estate(cls, name, clause):
        nested = clause[0][len(name):]
        return [('area.estate' + nested, *clause[1:])]

    @fields.depends('area', 'crew', '_parent_area.crew')
    def on_change_area(self):
        if self.area and not self.crew:
            self.crew = self.area.crew

    @fields.depends('task', 'crew', 'area', 'date', '_parent_task.crew',
        '_parent_task.area', '_parent_task.date')
    def on_change_task(self):
        if self.task:
            self.area = self.task.area
            self.crew = self.task.crew
            self.date = self.task.date

    def get_rec_name(self, name):
        return f'{self.area.rec_name} {self.date} ({self.score})'

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Area = pool.get('pm.environment.area')
        values = super().preprocess_values(mode, values)
        if values.get('area'):
            area = Area(values['area'])
            values['company'] = area.company.id
            if mode == 'create' and not values.get('crew') and area.crew:
                values['crew'] = area.crew.id
        if 'date' in values:
            values['week'] = week_start(values['date'])
        return values


class Quality(ModelSQL, ModelView):
    "Weekly Environment Quality"
    __name__ = 'pm.environment.quality'
    __string__ = "Weekly Environment Quality"

    company = fields.Many2One('company.company', "Company")
    week = fields.Date("Week")
    area = fields.Many2One('pm.environment.area', "Area")
    crew = fields.Many2One('pm.environment.crew', "Crew")
    kind = fields.Selection(KINDS, "Kind")
    tasks = fields.Integer("Tasks")
    tasks_done = fields.Integer("Tasks Done")
    tasks_missed = fields.Integer("Tasks Missed")
    done_rate = fields.Function(
        fields.Numeric("Done %", digits=(16, 1)), 'get_rates')
    inspections = fields.Integer("Inspections")
    score_total = fields.Integer("Score Total")
    score = fields.Function(
        fields.Numeric("Average Score", digits=(16, 1)), 'get_rates')
    score_min = fields.Integer("Lowest Score")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('week', 'DESC'), ('area', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Task = pool.get('pm.environment.task')
        Inspection = pool.get('pm.environment.inspection')
        Area = pool.get('pm.environment.area')
        task = Task.__table__()
        inspection = Inspection.__table__()
        area = Area.__table__()
        context = Transaction().context

        def where_of(table):
            where = Literal(True)
            if table is task:
                where &= task.state != 'cancelled'
            if context.get('from_date'):
                where &= table.date >= context['from_date']
            if context.get('to_date'):
                where &= table.date <= context['to_date']
            return where

        one, zero = Literal(1), Literal(0)
        tasks = task.select(
            task.company.as_('company'), task.week.as_('week'),
            task.area.as_('area'), task.crew.as_('crew'),
            (task.id * 2).as_('rid'),
            one.as_('task'),
            Case((task.state == 'done', one), else_=zero).as_('done'),
            Case((task.state == 'missed', one), else_=zero).as_('missed'),
            zero.as_('inspection'),
            Literal(None).as_('score'),
            where=where_of(task))
        inspections = inspection.select(
            inspection.company.as_('company'), inspection.week.as_('week'),
            inspection.area.as_('area'), inspection.crew.as_('crew'),
            (inspection.id * 2 + 1).as_('rid'),
            zero.as_('task'), zero.as_('done'), zero.as_('missed'),
            one.as_('inspection'),
            inspection.score.as_('score'),
            where=where_of(inspection))
        union = Union(tasks, inspections, all_=True)
        where = Literal(True)
        if context.get('estate'):
            where &= area.estate == context['estate']
        return union.join(area, condition=union.area == area.id).select(
            Min(union.rid).as_('id'),
            Literal(0).as_('create_uid'),
            Literal(None).as_('create_date'),
            Literal(None).as_('write_uid'),
            Literal(None).as_('write_date'),
            union.company.as_('company'),
            union.week.as_('week'),
            union.area.as_('area'),
            union.crew.as_('crew'),
            area.kind.as_('kind'),
            Sum(union.task).as_('tasks'),
            Sum(union.done).as_('tasks_done'),
            Sum(union.missed).as_('tasks_missed'),
            Sum(union.inspection).as_('inspections'),
            Sum(union.score).as_('score_total'),
            Min(union.score).as_('score_min'),
            where=where,
            group_by=[union.company, union.week, union.area, union.crew,
                area.kind])

    @classmethod
    def get_rates(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            if 'done_rate' in names:
                result['done_rate'][record.id] = (
                    (Decimal(record.tasks_done) * 100 / record.tasks
                        ).quantize(Decimal('0.1'))
                    if record.tasks else None)
            if 'score' in names:
                result['score'][record.id] = (
                    (Decimal(record.score_total) / record.inspections
                        ).quantize(Decimal('0.1'))
                    if record.inspections else None)
        return result
