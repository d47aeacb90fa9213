# This file is part of the pm suite (物业管理系统). See README.md.
"""Incidents (重大事件/紧急事件): type, severity, location, a timeline of
actions, the people notified and the closure report.  A new severe incident
notifies the duty manager of the estate at once."""
import datetime as dt
import json
import logging
from decimal import Decimal
from email.header import Header
from email.mime.text import MIMEText

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.sendmail import sendmail_transactional
from trytond.transaction import Transaction, without_check_access

from .common import format_datetime, now, to_utc, user_employee
from .configuration import SEVERITIES, SEVERITY_RANK
from .exceptions import IncidentError, SecurityModifyError

logger = logging.getLogger(__name__)

INCIDENT_TYPES = [
    ('fire', "Fire"),
    ('flood', "Flooding"),
    ('theft', "Theft"),
    ('elevator', "Elevator Entrapment"),
    ('medical', "Medical Emergency"),
    ('public_order', "Public Order"),
    ('other', "Other"),
    ]

INCIDENT_STATES = [
    ('open', "Open"),
    ('closed', "Closed"),
    ('cancelled', "Cancelled"),
    ]

CHANNELS = [
    ('system', "System Notification"),
    ('email', "E-mail"),
    ('phone', "Phone"),
    ('sms', "SMS"),
    ('other', "Other"),
    ]


class Incident(EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'pm.incident'
    __string__ = "Incident"
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state') != 'open',
        }

    number = fields.Char("Number", readonly=True)
    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(), states=_states)
    incident_type = fields.Selection(
        INCIDENT_TYPES, "Type", required=True, sort=False, states=_states)
    incident_type_string = incident_type.translated('incident_type')
    severity = fields.Selection(
        SEVERITIES, "Severity", required=True, sort=False, states=_states)
    severity_string = severity.translated('severity')
    building = fields.Many2One(
        'pm.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))], states=_states)
    unit = fields.Many2One(
        'pm.unit', "Unit", ondelete='RESTRICT',
        domain=[
            ('estate', '=', Eval('estate', -1)),
            If(Eval('building'),
                ('building', '=', Eval('building', -1)), ()),
            ],
        states=_states)
    location = fields.Char("Location", required=True, states=_states)
    occurred_at = fields.DateTime("Occurred at", required=True,
        states=_states)
    reported_by = fields.Char("Reported by", states=_states)
    description = fields.Text("Description", required=True, states=_states)
    actions = fields.One2Many(
        'pm.incident.action', 'incident', "Actions",
        states={
            'readonly': Eval('state') == 'cancelled',
            })
    notifications = fields.One2Many(
        'pm.incident.notification', 'incident', "People Notified",
        states={
            'readonly': Eval('state') == 'cancelled',
            })
    duty_manager = fields.Many2One(
        'company.employee', "Duty Manager", readonly=True,
        help="The manager notified at once of the severe incident.")
    severe = fields.Function(
        fields.Boolean("Severe"), 'get_severe', searcher='search_severe')
    closed_at = fields.DateTime("Closed at", readonly=True)
    closed_by = fields.Many2One(
        'company.employee', "Closed by", readonly=True)
    cause = fields.Text("Cause",
        states={
            'readonly': Eval('state') == 'cancelled',
            })
    losses = fields.Text("Losses and Injuries",
        states={
            'readonly': Eval('state') == 'cancelled',
            })
    closure_report = fields.Text("Closure Report",
        states={
            'readonly': Eval('state') != 'open',
            },
        help="What happened, what was done and what is done to prevent it; "
        "required to close the incident.")
    state = fields.Selection(
        INCIDENT_STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.occurred_at, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'open'),
                Index(t, (t.number, Index.Similarity())),
                })
        cls._order = [('occurred_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'closed'),
            ('open', 'cancelled'),
            ('closed', 'open'),
            }
        cls._buttons.update({
                'close': {
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
                    'invisible': Eval('state') != 'closed',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                'notify': {
                    'invisible': Eval('state') != 'open',
                    'icon': 'tryton-notification',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'open'

    @staticmethod
    def default_severity():
        return 'minor'

    @staticmethod
    def default_occurred_at():
        return now()

    @fields.depends('unit', 'building', 'estate', 'location',
        '_parent_unit.building', '_parent_unit.estate')
    def on_change_unit(self):
        if self.unit:
            self.estate = self.unit.estate
            self.building = self.unit.building
            if not self.location:
                self.location = self.unit.rec_name

    def get_rec_name(self, name):
        if self.number:
            return self.number
        return f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['number', 'location'])

    @classmethod
    def notify_severities(cls):
        "Return the severities notified at once"
        pool = Pool()
        Config = pool.get('pm.configuration')
        threshold = SEVERITY_RANK[Config(1).get_incident_notify_severity()]
        return [s for s, r in SEVERITY_RANK.items() if r >= threshold]

    @classmethod
    def get_severe(cls, incidents, name):
        severities = cls.notify_severities()
        return {i.id: i.severity in severities for i in incidents}

    @classmethod
    def search_severe(cls, name, clause):
        _, operator, value = clause[:3]
        severities = cls.notify_severities()
        positive = bool(value) == (operator == '=')
        return [('severity', 'in' if positive else 'not in', severities)]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Config = pool.get('pm.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            values['number'] = (
                Config(1).get_incident_sequence().get())
        return values

    @classmethod
    def check_modification(cls, mode, incidents, values=None, external=False):
        super().check_modification(
            mode, incidents, values=values, external=external)
        if mode == 'delete':
            for incident in incidents:
                if incident.state != 'cancelled':
                    raise SecurityModifyError(gettext(
                            'pm_security.msg_incident_delete',
                            incident=incident.rec_name))

    @classmethod
    def on_modification(cls, mode, incidents, field_names=None):
        super().on_modification(mode, incidents, field_names=field_names)
        if mode == 'create' or (mode == 'write'
                and field_names and 'severity' in field_names):
            to_notify = [i for i in incidents
                if i.state == 'open' and i.severe and not i.duty_manager]
            if to_notify:
                cls.notify_duty_manager(to_notify)

    @classmethod
    def copy(cls, incidents, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'duty_manager', 'closed_at', 'closed_by',
                'closure_report', 'cause', 'losses']:
            default.setdefault(name, None)
        default.setdefault('actions', None)
        default.setdefault('notifications', None)
        default.setdefault('state', 'open')
        return super().copy(incidents, default=default)

    @classmethod
    def duty_managers(cls, incidents, at=None):
        """Return {incident: [employee]} on duty for the incidents:
        the duty managers of the roster, else the security manager of
        the estate"""
        pool = Pool()
        Duty = pool.get('pm.security.duty')
        if at is None:
            at = now()
        on_duty = Duty.on_duty({i.estate.id for i in incidents}, at)
        result = {}
        for incident in incidents:
            employees = on_duty.get(incident.estate.id)
            if not employees and incident.estate.security_manager:
                employees = [incident.estate.security_manager]
            result[incident] = employees or []
        return result

    @classmethod
    def notify_duty_manager(cls, incidents):
        """Notify at once the duty manager of each incident: a notification
        in the client of the manager's users and an e-mail when the
        manager has an address.  Return the notifications created."""
        pool = Pool()
        Notification = pool.get('pm.incident.notification')
        UserNotification = pool.get('res.notification')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        time = now()
        managers = cls.duty_managers(incidents, at=time)
        action_id = ModelData.get_id('pm_security', 'act_incident_form')
        values, user_values, mails, to_write = [], [], [], []
        with without_check_access():
            employees = {e for es in managers.values() for e in es}
            users = User.search([
                    ('employees', 'in', [e.id for e in employees]),
                    ]) if employees else []
            for incident in incidents:
                employees = managers[incident]
                if not employees:
                    logger.warning(
                        "no duty manager to notify of incident %s",
                        incident.rec_name)
                    continue
                to_write.extend([[incident], {
                            'duty_manager': employees[0].id}])
                label = gettext('pm_security.msg_incident_notification',
                    number=incident.number,
                    type=incident.incident_type_string,
                    severity=incident.severity_string,
                    estate=incident.estate.rec_name)
                description = gettext(
                    'pm_security.msg_incident_notification_description',
                    location=incident.location,
                    time=format_datetime(
                        incident.company, incident.occurred_at),
                    description=incident.description)
                for employee in employees:
                    employee_users = [
                        u for u in users if employee in u.employees]
                    for user in employee_users:
                        user_values.append({
                                'user': user.id,
                                'label': label,
                                'description': description[:255],
                                'icon': 'tryton-warning',
                                'model': cls.__name__,
                                'records': json.dumps([incident.id]),
                                'action': action_id,
                                })
                    if employee_users:
                        values.append({
                                'incident': incident.id,
                                'time': time,
                                'person': employee.rec_name,
                                'employee': employee.id,
                                'user': employee_users[0].id,
                                'channel': 'system',
                                'automatic': True,
                                })
                    email = employee.party.email
                    if email:
                        mails.append((email, label, description))
                        values.append({
                                'incident': incident.id,
                                'time': time,
                                'person': employee.rec_name,
                                'employee': employee.id,
                                'email': email,
                                'channel': 'email',
                                'automatic': True,
                                })
            if to_write:
                cls.write(*to_write)
            if user_values:
                UserNotification.create(user_values)
            notifications = Notification.create(values) if values else []
        for email, subject, body in mails:
            cls._send_email(email, subject, body)
        return notifications

    @classmethod
    def _send_email(cls, to_addr, subject, body):
        "Send the e-mail when the transaction commits; never fail"
        from_addr = config.get('email', 'from')
        msg = MIMEText(body, _charset='utf-8')
        msg['From'] = from_addr
        msg['To'] = to_addr
        msg['Subject'] = Header(subject, 'utf-8')
        try:
            sendmail_transactional(from_addr, [to_addr], msg, strict=False)
        except Exception:
            logger.warning(
                "could not queue the e-mail to %s", to_addr, exc_info=True)

    @classmethod
    @ModelView.button
    def notify(cls, incidents):
        "Notify again the duty manager"
        cls.write(list(incidents), {'duty_manager': None})
        cls.notify_duty_manager(incidents)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, incidents):
        for incident in incidents:
            if not (incident.closure_report or '').strip():
                raise IncidentError(gettext(
                        'pm_security.msg_incident_closure_report',
                        incident=incident.rec_name))
        employee = user_employee()
        cls.write(list(incidents), {
                'closed_at': now(),
                'closed_by': employee.id if employee else None,
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, incidents):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, incidents):
        cls.write(list(incidents), {'closed_at': None, 'closed_by': None})

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Quality indicators of the records between the dates, company in context"
        pool = Pool()
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        company = Company(company_id) if company_id else None
        domain = [
            ('occurred_at', '>=', to_utc(company, date_from, dt.time())),
            ('occurred_at', '<', to_utc(
                    company, date_to + dt.timedelta(days=1), dt.time())),
            ('state', '!=', 'cancelled'),
            ]
        if company_id:
            domain.append(('company', '=', company_id))
        rows = cls.search_read(
            domain, fields_names=['severity', 'occurred_at', 'closed_at'])
        severities = cls.notify_severities()
        hours = [
            Decimal((r['closed_at'] - r['occurred_at']).total_seconds())
            / 3600 for r in rows if r['closed_at']]
        return [{
                'code': 'incident_count',
                'name': gettext('pm_security.msg_kpi_incident_count'),
                'value': Decimal(len(rows)),
                'unit': '',
                'count': len(rows),
                }, {
                'code': 'severe_incident_count',
                'name': gettext('pm_security.msg_kpi_severe_incident_count'),
                'value': Decimal(len(
                        [r for r in rows if r['severity'] in severities])),
                'unit': '',
                'count': len(rows),
                }, {
                'code': 'incident_closure_hours',
                'name': gettext('pm_security.msg_kpi_incident_closure_hours'),
                'value': (sum(hours) / len(hours)).quantize(Decimal('0.1'))
                if hours else None,
                'unit': 'h',
                'count': len(hours),
                }]


class IncidentAction(ModelSQL, ModelView):
    __name__ = 'pm.incident.action'
    __string__ = "Incident Action"

    incident = fields.Many2One(
        'pm.incident', "Incident", required=True, ondelete='CASCADE')
    time = fields.DateTime("Time", required=True)
    employee = fields.Many2One('company.employee', "Employee")
    description = fields.Text("Action", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('incident')
        cls._order = [('time', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_time():
        return now()

    @staticmethod
    def default_employee():
        employee = user_employee()
        return employee.id if employee else None

    def get_rec_name(self, name):
        return (self.description or '').splitlines()[0][:60] if (
            self.description) else str(self.id)


class IncidentNotification(ModelSQL, ModelView):
    __name__ = 'pm.incident.notification'
    __string__ = "Incident Notification"

    incident = fields.Many2One(
        'pm.incident', "Incident", required=True, ondelete='CASCADE')
    time = fields.DateTime("Time", required=True)
    person = fields.Char("Person", required=True)
    employee = fields.Many2One('company.employee', "Employee")
    user = fields.Many2One('res.user', "User", readonly=True)
    email = fields.Char("E-mail", readonly=True)
    channel = fields.Selection(CHANNELS, "Channel", required=True, sort=False)
    automatic = fields.Boolean("Automatic", readonly=True,
        help="Sent by the system when the incident was recorded.")
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('incident')
        cls._order = [('time', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_time():
        return now()

    @staticmethod
    def default_channel():
        return 'phone'

    @staticmethod
    def default_automatic():
        return False

    @fields.depends('employee', 'person')
    def on_change_employee(self):
        if self.employee and not self.person:
            self.person = self.employee.rec_name

    def get_rec_name(self, name):
        return self.person
