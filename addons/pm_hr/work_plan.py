# This file is part of the pm suite (物业管理系统). See README.md.
"""Work plans (工作计划), weekly or monthly, with their tasks and
completion; the overdue tasks are listed."""
import datetime as dt
from decimal import Decimal

from sql.aggregate import Count, Sum

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import WorkPlanError
from .meeting import OverdueMixin
from .mixin import add_months, month_end, month_start


class WorkPlan(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.hr.work_plan'
    __string__ = "Work Plan"
    _states = {
        'readonly': Eval('state') == 'closed',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    name = fields.Char("Title", required=True, states=_states)
    kind = fields.Selection([
            ('weekly', "Weekly"),
            ('monthly', "Monthly"),
            ], "Kind", required=True, sort=False, states=_states)
    date_start = fields.Date("Start Date", required=True, states=_states)
    date_end = fields.Date(
        "End Date", required=True, states=_states,
        domain=[('date_end', '>=', Eval('date_start', dt.date.min))])
    department = fields.Many2One(
        'pm.department', "Department", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    employee = fields.Many2One(
        'company.employee', "Owner", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    tasks = fields.One2Many(
        'pm.hr.work_plan.task', 'plan', "Tasks", states=_states)
    completion = fields.Function(
        fields.Numeric("Completion (%)", digits=(16, 2)), 'get_completion')
    summary = fields.Text(
        "Summary", help="The review of the period (工作总结).")
    state = fields.Selection([
            ('draft', "Draft"),
            ('running', "Running"),
            ('closed', "Closed"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.company, Index.Equality()),
                (t.date_start, Index.Range())))
        cls._order = [('date_start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'running'),
            ('running', 'closed'),
            ('running', 'draft'),
            ('closed', 'running'),
            }
        cls._buttons.update({
                'run': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'running',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'running',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'closed',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'weekly'

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date_start(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        return today - dt.timedelta(days=today.weekday())

    @classmethod
    def default_date_end(cls):
        return cls.default_date_start() + dt.timedelta(days=6)

    @fields.depends('kind', 'date_start')
    def on_change_kind(self):
        self._set_period()

    @fields.depends('kind', 'date_start')
    def on_change_date_start(self):
        self._set_period()

    @fields.depends('kind', 'date_start')
    def _set_period(self):
        if not self.date_start:
            return
        if self.kind == 'weekly':
            self.date_start -= dt.timedelta(days=self.date_start.weekday())
            self.date_end = self.date_start + dt.timedelta(days=6)
        elif self.kind == 'monthly':
            self.date_start = month_start(self.date_start)
            self.date_end = month_end(self.date_start)

    @classmethod
    def get_completion(cls, plans, name):
        pool = Pool()
        Task = pool.get('pm.hr.work_plan.task')
        task = Task.__table__()
        cursor = Transaction().connection.cursor()
        ids = [p.id for p in plans]
        result = dict.fromkeys(ids)
        if not ids:
            return result
        cursor.execute(*task.select(
                task.plan, Count(task.id), Sum(task.progress),
                where=task.plan.in_(ids) & (task.state != 'cancelled'),
                group_by=[task.plan]))
        for plan_id, count, progress in cursor:
            if count:
                result[plan_id] = (Decimal(progress or 0) / count).quantize(
                    Decimal('0.01'))
        return result

    @classmethod
    def copy(cls, plans, default=None):
        "The copy is the plan of the following period, with open tasks"
        default = default.copy() if default is not None else {}
        default.setdefault('state', 'draft')
        default.setdefault('summary', None)

        def next_start(data):
            if data['kind'] == 'monthly':
                return add_months(data['date_start'], 1)
            return data['date_start'] + dt.timedelta(days=7)

        def next_end(data):
            if data['kind'] == 'monthly':
                return month_end(add_months(data['date_start'], 1))
            return data['date_end'] + dt.timedelta(days=7)
        default.setdefault('date_start', next_start)
        default.setdefault('date_end', next_end)
        return super().copy(plans, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, plans):
        for plan in plans:
            if not plan.tasks:
                raise WorkPlanError(gettext(
                        'pm_hr.msg_work_plan_no_task', plan=plan.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, plans):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, plans):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def reopen(cls, plans):
        pass


class WorkPlanTask(OverdueMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.hr.work_plan.task'
    __string__ = "Work Plan Task"

    plan = fields.Many2One(
        'pm.hr.work_plan', "Plan", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')
    description = fields.Char("Description", required=True)
    owner = fields.Many2One(
        'company.employee', "Owner",
        domain=[('company', '=', Eval('company', -1))])
    due_date = fields.Date("Due Date")
    progress = fields.Integer(
        "Progress (%)", required=True,
        domain=[('progress', '>=', 0), ('progress', '<=', 100)])
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, sort=False)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.plan, Index.Equality())))

    @classmethod
    def default_progress(cls):
        return 0

    @classmethod
    def default_state(cls):
        return 'open'

    @fields.depends('plan', '_parent_plan.company')
    def on_change_with_company(self, name=None):
        return self.plan.company if self.plan else None

    @fields.depends('state', 'progress')
    def on_change_state(self):
        if self.state == 'done':
            self.progress = 100

    @fields.depends('state', 'progress')
    def on_change_progress(self):
        if self.progress == 100 and self.state == 'open':
            self.state = 'done'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('state') == 'done':
            values['progress'] = 100
        elif values.get('progress') == 100 and 'state' not in values:
            values['state'] = 'done'
        return values

