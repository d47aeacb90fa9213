# This file is part of the pm suite (物业管理系统). See README.md.
"""Meeting minutes (会议记录) with their action items (待办事项); the
overdue items are listed."""
from decimal import Decimal

from sql import Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import MeetingError

MEETING_KINDS = [
    ('regular', "Regular Meeting"),
    ('topic', "Topic Meeting"),
    ('safety', "Safety Meeting"),
    ('quality', "Quality Meeting"),
    ('owners', "Owners' Meeting"),
    ('other', "Other"),
    ]


def _overdue_where(table, today):
    return (table.state == 'open') & (table.due_date != Null) & (
        table.due_date < today)


class OverdueMixin:
    "An item with an owner, a due date and an open/done/cancelled state"
    __slots__ = ()

    @classmethod
    def get_overdue(cls, records, name):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        return {r.id: bool(r.state == 'open' and r.due_date
                and r.due_date < today) for r in records}

    @classmethod
    def search_overdue(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        _, operator, value = clause
        overdue = [('state', '=', 'open'), ('due_date', '<', today)]
        if (operator == '=') == bool(value):
            return overdue
        return ['OR', ('state', '!=', 'open'), ('due_date', '=', None),
            ('due_date', '>=', today)]


class Meeting(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.hr.meeting'
    __string__ = "Meeting"
    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    title = fields.Char("Title", required=True, states=_states)
    kind = fields.Selection(
        MEETING_KINDS, "Kind", required=True, sort=False, states=_states)
    start = fields.DateTime("Start", required=True, states=_states)
    location = fields.Char("Location", states=_states)
    estate = fields.Many2One(
        'pm.estate', "Estate", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    department = fields.Many2One(
        'pm.department', "Department", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    chair = fields.Many2One(
        'company.employee', "Chair", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    recorder = fields.Many2One(
        'company.employee', "Recorder", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    attendees = fields.Many2Many(
        'pm.hr.meeting-company.employee', 'meeting', 'employee',
        "Attendees", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    other_attendees = fields.Char(
        "Other Attendees", states=_states,
        help="Attendees who are not employees (owners, suppliers …).")
    attendee_count = fields.Function(
        fields.Integer("Attendees"), 'get_attendee_count')
    agenda = fields.Text("Agenda", states=_states)
    minutes = fields.Text("Minutes", states=_states)
    decisions = fields.Text("Decisions", states=_states,
        help="The decisions taken (会议决议).")
    actions = fields.One2Many(
        'pm.hr.meeting.action', 'meeting', "Action Items",
        domain=[('company', '=', Eval('company', -1))])
    open_action_count = fields.Function(
        fields.Integer("Open Actions"), 'get_action_counts')
    overdue_action_count = fields.Function(
        fields.Integer("Overdue Actions"), 'get_action_counts')
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.company, Index.Equality()),
                (t.start, Index.Range())))
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'done'),
            ('draft', 'cancelled'),
            ('done', 'draft'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'done': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') == 'draft',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'regular'

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return '%s (%s)' % (self.title, self.start.date())

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('title',) + tuple(clause[1:])]

    def get_attendee_count(self, name):
        return len(self.attendees)

    @classmethod
    def get_action_counts(cls, meetings, names):
        pool = Pool()
        Action = pool.get('pm.hr.meeting.action')
        Date = pool.get('ir.date')
        action = Action.__table__()
        cursor = Transaction().connection.cursor()
        today = Date.today()
        ids = [m.id for m in meetings]
        result = {n: dict.fromkeys(ids, 0) for n in names}
        cursor.execute(*action.select(
                action.meeting,
                Sum(Case((action.state == 'open', 1), else_=0)),
                Sum(Case((_overdue_where(action, today), 1), else_=0)),
                where=action.meeting.in_(ids) if ids else action.id < 0,
                group_by=[action.meeting]))
        for meeting_id, open_, overdue in cursor:
            if 'open_action_count' in result:
                result['open_action_count'][meeting_id] = open_ or 0
            if 'overdue_action_count' in result:
                result['overdue_action_count'][meeting_id] = overdue or 0
        return result

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def done(cls, meetings):
        for meeting in meetings:
            if not meeting.minutes and not meeting.decisions:
                raise MeetingError(gettext(
                        'pm_hr.msg_meeting_no_minutes',
                        meeting=meeting.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, meetings):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, meetings):
        pass


class MeetingEmployee(ModelSQL):
    __name__ = 'pm.hr.meeting-company.employee'
    __string__ = "Meeting - Employee"

    meeting = fields.Many2One(
        'pm.hr.meeting', "Meeting", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')


class MeetingAction(OverdueMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.hr.meeting.action'
    __string__ = "Action Item"
    _states = {
        'readonly': Eval('state') != 'open',
        }

    meeting = fields.Many2One(
        'pm.hr.meeting', "Meeting", required=True, ondelete='CASCADE')
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    description = fields.Char("Description", required=True, states=_states)
    owner = fields.Many2One(
        'company.employee', "Owner", required=True, states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="The employee responsible for the action (责任人).")
    due_date = fields.Date("Due Date", required=True, states=_states)
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    done_date = fields.Date(
        "Done Date", readonly=True,
        states={'invisible': Eval('state') != 'done'})
    result = fields.Text("Result")
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    days_overdue = fields.Function(
        fields.Integer("Days Overdue"), 'get_days_overdue')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.meeting, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.due_date, Index.Range()),
                    where=t.state == 'open'),
                })
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'open',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'open',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') == 'open',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('meeting', '_parent_meeting.company')
    def on_change_meeting(self):
        if self.meeting:
            self.company = self.meeting.company

    def get_rec_name(self, name):
        return self.description

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('description',) + tuple(clause[1:])]

    @classmethod
    def get_days_overdue(cls, actions, name):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        return {a.id: (today - a.due_date).days
            if a.state == 'open' and a.due_date < today else None
            for a in actions}

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Meeting = pool.get('pm.hr.meeting')
        values = super().preprocess_values(mode, values)
        if values.get('meeting'):
            values['company'] = Meeting(values['meeting']).company.id
        return values

    @classmethod
    @ModelView.button
    def do(cls, actions):
        pool = Pool()
        Date = pool.get('ir.date')
        cls.write(actions, {'state': 'done', 'done_date': Date.today()})

    @classmethod
    @ModelView.button
    def cancel(cls, actions):
        cls.write(actions, {'state': 'cancelled', 'done_date': None})

    @classmethod
    @ModelView.button
    def reopen(cls, actions):
        cls.write(actions, {'state': 'open', 'done_date': None})

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Quality indicators of the action items due between the dates"
        pool = Pool()
        Date = pool.get('ir.date')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        today = Date.today()
        where = (table.due_date >= date_from) & (table.due_date <= date_to) & (
            table.state != 'cancelled')
        company = Transaction().context.get('company')
        if company:
            where &= table.company == company
        cursor.execute(*table.select(
                Count(table.id),
                Sum(Case(((table.state == 'done')
                            & (table.done_date <= table.due_date), 1),
                        else_=0)),
                Sum(Case((_overdue_where(table, today), 1), else_=0)),
                where=where))
        count, on_time, overdue = cursor.fetchone()
        rate = None
        if count:
            rate = (Decimal(100) * (on_time or 0) / count).quantize(
                Decimal('0.01'))
        return [{
                'code': 'action_on_time_rate',
                'name': gettext('pm_hr.msg_kpi_action_on_time'),
                'value': rate, 'unit': '%', 'count': count or 0,
                }, {
                'code': 'action_overdue',
                'name': gettext('pm_hr.msg_kpi_action_overdue'),
                'value': Decimal(overdue or 0), 'unit': '',
                'count': count or 0,
                }]
