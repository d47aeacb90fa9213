# This file is part of the pm suite (物业管理系统). See README.md.
"""Complaints (投诉).

Registered (登记), handled (处理中) by a handler before a deadline with a
thread of replies, answered (已答复, the resolution is given) and closed
(已结案) only once the complainant confirmed it or, without answer of the
complainant, after the confirmation days of the configuration (a
documented timeout).
"""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .exceptions import ComplaintError, ComplaintModifyError
from .work_order import SATISFACTIONS, mean, percent

STATES = [
    ('draft', "Registered"),
    ('processing', "Processing"),
    ('resolved', "Answered"),
    ('closed', "Closed"),
    ('cancelled', "Cancelled"),
    ]
SOURCES = [
    ('portal', "Portal"),
    ('phone', "Phone"),
    ('walk_in', "Walk-in"),
    ('letter', "Letter"),
    ('hotline', "Government Hotline"),
    ('other', "Other"),
    ]
DAY = Decimal('0.01')


def _now():
    return dt.datetime.now().replace(microsecond=0)


def days_between(start, end):
    if not start or not end:
        return None
    return (Decimal((end - start).total_seconds()) / 86400).quantize(
        DAY, rounding=ROUND_HALF_UP)


def _ids(records):
    "RPC result of the scheduled tasks: the ids of the records"
    return [r.id for r in records]


class Category(DeactivableMixin, ModelSQL, ModelView):
    "Complaint Category"
    __name__ = 'pm.complaint.category'
    __string__ = "Complaint Category"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True, strip=True)
    handler = fields.Many2One(
        'company.employee', "Default Handler", ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'pm_maintenance.msg_complaint_category_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))


class Complaint(EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    "Complaint"
    __name__ = 'pm.complaint'
    __string__ = "Complaint"
    _rec_name = 'number'

    _states = {
        'readonly': ~Eval('state').in_(['draft', 'processing']),
        }

    number = fields.Char("Number", readonly=True)
    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(), states=_states)
    unit = fields.Many2One(
        'pm.unit', "Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))], states=_states)
    complainant = fields.Many2One(
        'party.party', "Complainant", ondelete='RESTRICT', states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    complainant_name = fields.Char("Complainant Name", states=_states)
    complainant_phone = fields.Char("Complainant Phone", states=_states)
    source = fields.Selection(SOURCES, "Source", required=True, sort=False,
        states=_states)
    category = fields.Many2One(
        'pm.complaint.category', "Category", required=True,
        ondelete='RESTRICT', states=_states)
    subject = fields.Char("Subject", required=True, states=_states)
    description = fields.Text("Description", required=True, states=_states)
    handler = fields.Many2One(
        'company.employee', "Handler", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': ~Eval('state').in_(['draft', 'processing']),
            'required': Eval('state').in_(['processing', 'resolved']),
            })
    received_at = fields.DateTime(
        "Received at", required=True,
        states={
            'readonly': Eval('state') != 'draft',
            })
    deadline = fields.DateTime(
        "Deadline", states=_states,
        help="The answer is due before; the configuration gives the "
        "default number of days.")
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    replies = fields.One2Many(
        'pm.complaint.reply', 'complaint', "Replies",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })
    work_orders = fields.One2Many(
        'pm.work_order', 'origin', "Work Orders", readonly=True)
    resolution = fields.Text(
        "Resolution",
        states={
            'readonly': ~Eval('state').in_(['draft', 'processing']),
            'required': Eval('state').in_(['resolved', 'closed']),
            })
    resolved_at = fields.DateTime("Answered at", readonly=True)
    confirmed_at = fields.DateTime("Confirmed at", readonly=True)
    confirmed_by = fields.Many2One(
        'res.user', "Confirmation Recorded by", readonly=True)
    confirmation_note = fields.Text(
        "Confirmation Note",
        states={
            'readonly': Eval('state') != 'resolved',
            },
        help="What the complainant said when confirming.")
    satisfaction = fields.Selection(
        SATISFACTIONS, "Satisfaction", sort=False,
        states={
            'readonly': Eval('state') != 'resolved',
            })
    closing_reason = fields.Selection([
            (None, ""),
            ('confirmed', "Confirmed by the Complainant"),
            ('timeout', "No Answer of the Complainant"),
            ], "Closing Reason", readonly=True, sort=False)
    closing_note = fields.Text("Closing Note", readonly=True)
    closed_at = fields.DateTime("Closed at", readonly=True)
    closed_by = fields.Many2One('res.user', "Closed by", readonly=True)
    closing_days = fields.Numeric(
        "Closing Days", digits=(16, 2), readonly=True,
        help="Days from the reception to the closure.")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.received_at, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'processing', 'resolved'])),
                })
        cls._order = [('received_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'processing'),
            ('processing', 'resolved'),
            ('resolved', 'processing'),
            ('resolved', 'closed'),
            ('draft', 'cancelled'),
            ('processing', 'cancelled'),
            }
        cls._buttons.update({
                'process': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'resolve': {
                    'invisible': Eval('state') != 'processing',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'resolved',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'resolved',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'resolved',
                    'icon': 'tryton-close',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'processing']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })
        cls.__rpc__.update({
                'close_timeout': RPC(readonly=False, result=_ids),
                'iso_kpis': RPC(),
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_source(cls):
        return 'phone'

    @classmethod
    def default_received_at(cls):
        return _now()

    @classmethod
    def default_deadline(cls):
        pool = Pool()
        Config = pool.get('pm.configuration')
        return _now() + dt.timedelta(days=Config(1).get_complaint_days())

    @fields.depends('unit', 'estate', 'complainant',
        '_parent_unit.estate', '_parent_unit.billing_party',
        methods=['on_change_complainant'])
    def on_change_unit(self):
        if not self.unit:
            return
        self.estate = self.unit.estate
        if not self.complainant and self.unit.billing_party:
            self.complainant = self.unit.billing_party
            self.on_change_complainant()

    @fields.depends('complainant', 'complainant_name', 'complainant_phone')
    def on_change_complainant(self):
        if not self.complainant:
            return
        if not self.complainant_name:
            self.complainant_name = self.complainant.name
        if not self.complainant_phone:
            phone = self.complainant.mobile or self.complainant.phone
            if phone:
                self.complainant_phone = phone

    @fields.depends('category', 'handler', '_parent_category.handler')
    def on_change_category(self):
        if self.category and self.category.handler and not self.handler:
            self.handler = self.category.handler

    @fields.depends('received_at', 'deadline')
    def on_change_received_at(self):
        pool = Pool()
        Config = pool.get('pm.configuration')
        if self.received_at:
            self.deadline = self.received_at + dt.timedelta(
                days=Config(1).get_complaint_days())

    def get_rec_name(self, name):
        return self.number or f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, [
                'number', 'subject', 'complainant_name', 'unit.rec_name'])

    def get_overdue(self, name):
        if not self.deadline:
            return False
        end = self.resolved_at or (
            None if self.state in {'closed', 'cancelled'} else _now())
        return bool(end and end > self.deadline)

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        if operator not in {'=', '!='}:
            return []
        now = _now()
        # answered late compares two columns: searched by SQL
        domain = ['OR',
            [('state', 'in', ['draft', 'processing']),
                ('deadline', '<', now)],
            ('id', 'in', cls._answered_late_query()),
            ]
        if bool(value) != (operator == '='):
            return ['NOT', domain]
        return domain

    @classmethod
    def _answered_late_query(cls):
        table = cls.__table__()
        return table.select(table.id,
            where=(table.resolved_at > table.deadline))

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Config = pool.get('pm.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            sequence = Config(1).get_maintenance_sequence(
                'complaint_sequence')
            values['number'] = sequence.get()
        return values

    @classmethod
    def check_modification(
            cls, mode, complaints, values=None, external=False):
        super().check_modification(
            mode, complaints, values=values, external=external)
        if mode == 'delete':
            for complaint in complaints:
                if complaint.state not in {'draft', 'cancelled'}:
                    raise ComplaintModifyError(gettext(
                            'pm_maintenance.msg_complaint_delete',
                            complaint=complaint.rec_name))
        elif mode == 'write' and external:
            for complaint in complaints:
                if complaint.state in {'closed', 'cancelled'}:
                    raise ComplaintModifyError(gettext(
                            'pm_maintenance.msg_complaint_closed',
                            complaint=complaint.rec_name))

    @classmethod
    def copy(cls, complaints, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'resolution', 'resolved_at', 'confirmed_at',
                'confirmed_by', 'confirmation_note', 'satisfaction',
                'closing_reason', 'closing_note', 'closed_at', 'closed_by',
                'closing_days']:
            default.setdefault(name, None)
        default.setdefault('replies', None)
        default.setdefault('work_orders', None)
        return super().copy(complaints, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('processing')
    def process(cls, complaints):
        for complaint in complaints:
            if not complaint.handler:
                raise ComplaintError(gettext(
                        'pm_maintenance.msg_complaint_handler',
                        complaint=complaint.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, complaints):
        for complaint in complaints:
            if not complaint.resolution:
                raise ComplaintError(gettext(
                        'pm_maintenance.msg_complaint_resolution',
                        complaint=complaint.rec_name))
        cls.write(complaints, {'resolved_at': _now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('processing')
    def reopen(cls, complaints):
        cls.write(complaints, {'resolved_at': None})

    @classmethod
    @ModelView.button
    def confirm(cls, complaints):
        "The complainant confirmed the resolution: close the complaints"
        complaints = [c for c in complaints if c.state == 'resolved']
        if not complaints:
            return
        now = _now()
        cls.write(complaints, {
                'confirmed_at': now,
                'confirmed_by': Transaction().user or None,
                })
        cls._close(complaints, 'confirmed', now)

    @classmethod
    @ModelView.button
    def close(cls, complaints):
        """Close the answered complaints: confirmed ones, or those without
        answer of the complainant for the confirmation days"""
        pool = Pool()
        Config = pool.get('pm.configuration')
        days = Config(1).get_complaint_confirm_days()
        now = _now()
        confirmed, timed_out = [], []
        for complaint in complaints:
            if complaint.state != 'resolved':
                continue
            if complaint.confirmed_at:
                confirmed.append(complaint)
            elif (complaint.resolved_at
                    and complaint.resolved_at + dt.timedelta(days=days)
                    <= now):
                timed_out.append(complaint)
            else:
                raise ComplaintError(gettext(
                        'pm_maintenance.msg_complaint_close_unconfirmed',
                        complaint=complaint.rec_name, days=days))
        if confirmed:
            cls._close(confirmed, 'confirmed', now)
        if timed_out:
            cls._close(timed_out, 'timeout', now, days=days)

    @classmethod
    def _close(cls, complaints, reason, now, days=None):
        args = []
        for complaint in complaints:
            values = {
                'closing_reason': reason,
                'closed_at': now,
                'closed_by': Transaction().user or None,
                'closing_days': days_between(complaint.received_at, now),
                }
            if reason == 'timeout':
                values['closing_note'] = gettext(
                    'pm_maintenance.msg_complaint_timeout_note',
                    date=complaint.resolved_at.date().isoformat(),
                    days=days)
            args.extend([[complaint], values])
        if args:
            cls.write(*args)
        cls._closed(complaints)

    @classmethod
    @Workflow.transition('closed')
    def _closed(cls, complaints):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, complaints):
        pass

    @classmethod
    def close_timeout(cls, now=None):
        """Close the answered complaints without answer of the complainant
        for the confirmation days of the configuration.

        Run daily by the scheduler, once per company."""
        pool = Pool()
        Config = pool.get('pm.configuration')
        if now is None:
            now = _now()
        days = Config(1).get_complaint_confirm_days()
        domain = [
            ('state', '=', 'resolved'),
            ('confirmed_at', '=', None),
            ('resolved_at', '<=', now - dt.timedelta(days=days)),
            ]
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        complaints = cls.search(domain)
        if complaints:
            cls._close(complaints, 'timeout', now, days=days)
        return complaints

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Quality indicators of the complaints received between the dates"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        start = dt.datetime.combine(date_from, dt.time())
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())
        where = ((table.received_at >= start) & (table.received_at < end)
            & (table.state != 'cancelled'))
        company = Transaction().context.get('company')
        if company:
            where &= table.company == company
        cursor.execute(*table.select(
                table.state, table.closing_days, where=where))
        rows = list(cursor)
        closed = [d for s, d in rows if s == 'closed']
        return [{
                'code': 'complaint_closure_percent',
                'name': gettext('pm_maintenance.msg_kpi_complaint_closure'),
                'value': percent(len(closed), len(rows)),
                'unit': '%',
                'count': len(rows),
                }, {
                'code': 'complaint_closing_days',
                'name': gettext('pm_maintenance.msg_kpi_complaint_days'),
                'value': mean(closed),
                'unit': 'd',
                'count': len(closed),
                }]


class Reply(ModelSQL, ModelView):
    "Complaint Reply"
    __name__ = 'pm.complaint.reply'
    __string__ = "Complaint Reply"

    complaint = fields.Many2One(
        'pm.complaint', "Complaint", required=True, ondelete='CASCADE')
    date = fields.DateTime("Date", required=True)
    direction = fields.Selection([
            ('in', "From the Complainant"),
            ('out', "To the Complainant"),
            ('internal', "Internal Note"),
            ], "Direction", required=True, sort=False)
    author = fields.Many2One('res.user', "Author", readonly=True)
    text = fields.Text("Text", required=True)
    readonly = fields.Function(fields.Boolean("Read-only"), 'get_readonly')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('complaint')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.complaint, Index.Equality())))
        cls._order = [('date', 'ASC'), ('id', 'ASC')]
        for name in ['date', 'direction', 'text']:
            field = getattr(cls, name)
            field.states = {'readonly': Bool(Eval('readonly'))}

    @classmethod
    def default_date(cls):
        return _now()

    @classmethod
    def default_direction(cls):
        return 'out'

    @classmethod
    def default_author(cls):
        return Transaction().user or None

    @classmethod
    def default_readonly(cls):
        return False

    def get_readonly(self, name):
        return bool(self.id and self.id >= 0 and self.create_date
            and self.create_uid and self.create_uid.id != Transaction().user)

    @classmethod
    def check_modification(cls, mode, replies, values=None, external=False):
        super().check_modification(
            mode, replies, values=values, external=external)
        if mode in {'write', 'delete'} and external:
            for reply in replies:
                if reply.complaint.state in {'closed', 'cancelled'}:
                    raise ComplaintModifyError(gettext(
                            'pm_maintenance.msg_complaint_closed',
                            complaint=reply.complaint.rec_name))
