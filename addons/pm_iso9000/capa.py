# This file is part of the pm suite (物业管理系统). See README.md.
"""Nonconformities (不合格项) and corrective actions (纠正措施, CAPA).

A nonconformity is closed when its corrective actions are verified
effective. A corrective action has an owner and a due date; the daily
scheduled task flags those past their due date as overdue.
"""
from decimal import Decimal

from sql.aggregate import Count, Sum
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import CapaError, CapaValidationError, NonconformityError

SOURCES = [
    ('audit', "Internal Audit"),
    ('external_audit', "External Audit"),
    ('inspection', "Quality Inspection"),
    ('complaint', "Customer Complaint"),
    ('kpi', "Indicator Off Target"),
    ('review', "Management Review"),
    ('other', "Other"),
    ]
SEVERITIES = [
    ('major', "Major"),
    ('minor', "Minor"),
    ('observation', "Observation"),
    ]


def rate(numerator, denominator):
    "Return numerator / denominator in percent, rounded to 2 decimals"
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal('0.01'))


class Nonconformity(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.iso.nonconformity'
    __string__ = "Nonconformity"
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state') != 'open',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    number = fields.Char("Number", readonly=True)
    date = fields.Date("Date", required=True, states=_states)
    source = fields.Selection(
        SOURCES, "Source", required=True, sort=False, states=_states)
    audit = fields.Many2One(
        'pm.iso.audit', "Audit", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'open',
            'invisible': Eval('source') != 'audit',
            })
    origin = fields.Reference(
        "Origin", selection='get_origin', states=_states,
        help="The record that revealed the nonconformity "
        "(a complaint, a work order, an audit checklist line …).")
    document = fields.Many2One(
        'pm.iso.document', "Document", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="The procedure or instruction not complied with.")
    clause = fields.Char("Clause", states=_states)
    department = fields.Many2One(
        'pm.department', "Responsible Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    reported_by = fields.Many2One(
        'company.employee', "Reported by", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    severity = fields.Selection(
        SEVERITIES, "Severity", required=True, sort=False, states=_states)
    description = fields.Text("Description", required=True, states=_states)
    correction = fields.Text("Correction", states=_states,
        help="What was done at once to contain the nonconformity (纠正).")
    cause = fields.Text("Root Cause", states=_states,
        help="The analysis of the root cause (原因分析).")
    capas = fields.One2Many(
        'pm.iso.capa', 'nonconformity', "Corrective Actions",
        states={
            'readonly': Eval('state') != 'open',
            })
    closed_date = fields.Date("Closed on", readonly=True)
    state = fields.Selection([
            ('open', "Open"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'open'),
                Index(t, (t.date, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'closed'),
            ('open', 'cancelled'),
            ('closed', 'open'),
            ('cancelled', 'open'),
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
                    'invisible': Eval('state') == 'open',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'open'

    @staticmethod
    def default_source():
        return 'inspection'

    @staticmethod
    def default_severity():
        return 'minor'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def _get_origin(cls):
        "Return the models that may be the origin of a nonconformity"
        return ['pm.iso.audit.line', 'pm.complaint', 'pm.work_order',
            'pm.patrol.round', 'pm.incident', 'pm.environment.task',
            'pm.decoration', 'pm.handover']

    @classmethod
    def get_origin(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        models = []
        for model in cls._get_origin():
            try:
                pool.get(model)
            except KeyError:
                continue
            models.append(model)
        return [(None, '')] + [(m, IrModel.get_name(m)) for m in models]

    @fields.depends('audit', 'source')
    def on_change_audit(self):
        if self.audit:
            self.source = 'audit'

    def get_rec_name(self, name):
        description = (self.description or '').splitlines()
        text = description[0][:40] if description else ''
        return ' '.join(filter(None, [self.number or f'({self.id})', text]))

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', operator, operand, *extra),
            ('description', operator, operand, *extra),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            pool = Pool()
            Config = pool.get('pm.configuration')
            sequence = Config(1).get_iso_sequence('nonconformity')
            with Transaction().set_context(
                    company=values.get('company')
                    or Transaction().context.get('company')):
                values['number'] = sequence.get()
        return values

    @classmethod
    def copy(cls, nonconformities, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('closed_date', None)
        default.setdefault('capas', None)
        default.setdefault('state', 'open')
        return super().copy(nonconformities, default=default)

    @classmethod
    def check_modification(
            cls, mode, nonconformities, values=None, external=False):
        super().check_modification(
            mode, nonconformities, values=values, external=external)
        if mode == 'delete':
            for nonconformity in nonconformities:
                if nonconformity.capas or nonconformity.state == 'closed':
                    raise NonconformityError(gettext(
                            'pm_iso9000.msg_nonconformity_delete',
                            nonconformity=nonconformity.rec_name))

    def closable(self):
        """Return None when the nonconformity can be closed, else the id of
        the message saying why not"""
        if self.severity == 'observation' and not self.capas:
            return None
        if not self.cause:
            return 'pm_iso9000.msg_nonconformity_close_cause'
        capas = [c for c in self.capas if c.state != 'cancelled']
        if not capas:
            return 'pm_iso9000.msg_nonconformity_close_capa'
        if any(c.state != 'closed' for c in capas):
            return 'pm_iso9000.msg_nonconformity_close_open_capa'
        return None

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, nonconformities):
        pool = Pool()
        Date = pool.get('ir.date')
        for nonconformity in nonconformities:
            message = nonconformity.closable()
            if message:
                raise NonconformityError(gettext(
                        message, nonconformity=nonconformity.rec_name))
        cls.write(list(nonconformities), {'closed_date': Date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, nonconformities):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, nonconformities):
        cls.write(list(nonconformities), {'closed_date': None})

    @classmethod
    def close_verified(cls, nonconformities):
        "Close the open nonconformities whose actions are all verified"
        to_close = [n for n in nonconformities
            if n.state == 'open' and n.capas and n.closable() is None]
        if to_close:
            cls.close(to_close)
        return to_close

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Nonconformities raised between the dates and how many are closed"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        where = ((table.date >= date_from) & (table.date <= date_to)
            & (table.state != 'cancelled'))
        company = Transaction().context.get('company')
        if company:
            where &= table.company == company
        cursor.execute(*table.select(
                Count(table.id),
                Count(Case((table.state == 'closed', table.id))),
                Count(Case((table.severity == 'major', table.id))),
                where=where))
        total, closed, major = cursor.fetchone()
        open_where = table.state == 'open'
        if company:
            open_where &= table.company == company
        cursor.execute(*table.select(Count(table.id), where=open_where))
        open_, = cursor.fetchone()
        return [{
                'code': 'nonconformity_count',
                'name': gettext('pm_iso9000.msg_kpi_nonconformity_count'),
                'value': Decimal(total), 'unit': '', 'count': total,
                }, {
                'code': 'nonconformity_major',
                'name': gettext('pm_iso9000.msg_kpi_nonconformity_major'),
                'value': Decimal(major), 'unit': '', 'count': major,
                }, {
                'code': 'nonconformity_closure_rate',
                'name': gettext(
                    'pm_iso9000.msg_kpi_nonconformity_closure_rate'),
                'value': rate(closed, total), 'unit': '%', 'count': total,
                }, {
                'code': 'nonconformity_open',
                'name': gettext('pm_iso9000.msg_kpi_nonconformity_open'),
                'value': Decimal(open_), 'unit': '', 'count': open_,
                }]


class Capa(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.iso.capa'
    __string__ = "Corrective Action"
    _rec_name = 'number'

    _states = {
        'readonly': ~Eval('state').in_(['draft', 'open']),
        }

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': (Eval('state') != 'draft') | Eval('nonconformity'),
            })
    number = fields.Char("Number", readonly=True)
    nonconformity = fields.Many2One(
        'pm.iso.nonconformity', "Nonconformity", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'draft',
            })
    kind = fields.Selection([
            ('correction', "Correction"),
            ('corrective', "Corrective Action"),
            ('preventive', "Preventive Action"),
            ('improvement', "Improvement"),
            ], "Kind", required=True, sort=False, states=_states)
    description = fields.Text("Action", required=True, states=_states)
    department = fields.Many2One(
        'pm.department', "Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    owner = fields.Many2One(
        'company.employee', "Owner", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="The employee responsible for carrying out the action.")
    due_date = fields.Date("Due Date", required=True, states=_states)
    done_date = fields.Date(
        "Done Date",
        states={
            'readonly': Eval('state') != 'open',
            })
    result = fields.Text(
        "Result",
        states={
            'readonly': Eval('state') != 'open',
            'required': Eval('state').in_(['done', 'closed']),
            },
        help="What was done, with the evidence (photos, records, "
        "revised documents).")
    verified_by = fields.Many2One(
        'company.employee', "Verified by", readonly=True,
        ondelete='RESTRICT')
    verification_date = fields.Date("Verification Date", readonly=True)
    verification_result = fields.Selection([
            (None, ""),
            ('effective', "Effective"),
            ('ineffective', "Not Effective"),
            ], "Verification", readonly=True, sort=False)
    verification_note = fields.Text(
        "Verification Note",
        states={
            'readonly': ~Eval('state').in_(['open', 'done']),
            })
    overdue = fields.Boolean(
        "Overdue", readonly=True,
        help="Set by the daily scheduled task when the action is not done "
        "by its due date.")
    days_overdue = fields.Function(
        fields.Integer("Days Overdue"), 'get_days_overdue')
    state = fields.Selection([
            ('draft', "Draft"),
            ('open', "In Progress"),
            ('done', "To Verify"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.nonconformity, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.due_date, Index.Range()),
                    where=t.state.in_(['draft', 'open'])),
                })
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('draft', 'open'),
            ('draft', 'cancelled'),
            ('open', 'done'),
            ('open', 'cancelled'),
            ('done', 'closed'),
            ('done', 'open'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'complete': {
                    'invisible': Eval('state') != 'open',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'verify': {
                    'invisible': Eval('state') != 'done',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'done',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'open']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-clear',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_kind():
        return 'corrective'

    @staticmethod
    def default_overdue():
        return False

    @fields.depends('nonconformity', '_parent_nonconformity.company',
        '_parent_nonconformity.department', 'company', 'department')
    def on_change_nonconformity(self):
        if self.nonconformity:
            self.company = self.nonconformity.company
            if not self.department:
                self.department = self.nonconformity.department

    @fields.depends('owner', 'department')
    def on_change_owner(self):
        if self.owner and not self.department:
            department = getattr(self.owner, 'department', None)
            if department:
                self.department = department

    def get_rec_name(self, name):
        description = (self.description or '').splitlines()
        text = description[0][:40] if description else ''
        return ' '.join(filter(None, [self.number or f'({self.id})', text]))

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', operator, operand, *extra),
            ('description', operator, operand, *extra),
            ]

    @classmethod
    def get_days_overdue(cls, capas, name):
        today = Pool().get('ir.date').today()
        result = {}
        for capa in capas:
            end = capa.done_date if capa.state in {'done', 'closed'} else (
                None if capa.state == 'cancelled' else today)
            if end and capa.due_date and end > capa.due_date:
                result[capa.id] = (end - capa.due_date).days
            else:
                result[capa.id] = 0
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            pool = Pool()
            Config = pool.get('pm.configuration')
            sequence = Config(1).get_iso_sequence('capa')
            with Transaction().set_context(
                    company=values.get('company')
                    or Transaction().context.get('company')):
                values['number'] = sequence.get()
        return values

    @classmethod
    def validate_fields(cls, capas, field_names):
        super().validate_fields(capas, field_names)
        if field_names and not (field_names & {
                    'due_date', 'nonconformity', 'done_date', 'company'}):
            return
        for capa in capas:
            nonconformity = capa.nonconformity
            if nonconformity:
                if nonconformity.company != capa.company:
                    raise CapaValidationError(gettext(
                            'pm_iso9000.msg_capa_company',
                            capa=capa.rec_name,
                            nonconformity=nonconformity.rec_name))
                if capa.due_date < nonconformity.date:
                    raise CapaValidationError(gettext(
                            'pm_iso9000.msg_capa_due_date',
                            capa=capa.rec_name,
                            due_date=capa.due_date,
                            date=nonconformity.date))
                if capa.done_date and capa.done_date < nonconformity.date:
                    raise CapaValidationError(gettext(
                            'pm_iso9000.msg_capa_done_date',
                            capa=capa.rec_name,
                            done_date=capa.done_date,
                            date=nonconformity.date))

    @classmethod
    def copy(cls, capas, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'done_date', 'result', 'verified_by',
                'verification_date', 'verification_result',
                'verification_note']:
            default.setdefault(name, None)
        default.setdefault('overdue', False)
        default.setdefault('state', 'draft')
        return super().copy(capas, default=default)

    @classmethod
    def check_modification(cls, mode, capas, values=None, external=False):
        super().check_modification(
            mode, capas, values=values, external=external)
        if mode == 'delete':
            for capa in capas:
                if capa.state not in {'draft', 'cancelled'}:
                    raise CapaError(gettext(
                            'pm_iso9000.msg_capa_delete',
                            capa=capa.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def confirm(cls, capas):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def complete(cls, capas):
        "The owner reports the action done (at its done date or today)"
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        args = []
        for capa in capas:
            if not capa.result:
                raise CapaError(gettext(
                        'pm_iso9000.msg_capa_complete_result',
                        capa=capa.rec_name))
            if capa.done_date and capa.done_date > today:
                raise CapaError(gettext(
                        'pm_iso9000.msg_capa_done_future',
                        capa=capa.rec_name, done_date=capa.done_date))
            done_date = capa.done_date or today
            args.extend([[capa], {
                        'done_date': done_date,
                        'overdue': False,
                        }])
        if args:
            cls.write(*args)

    @classmethod
    def _check_verifier(cls, capas):
        pool = Pool()
        Document = pool.get('pm.iso.document')
        if Transaction().user == 0:
            return
        employees = Document._user_employees()
        for capa in capas:
            if capa.owner in employees:
                raise CapaError(gettext(
                        'pm_iso9000.msg_capa_verify_owner',
                        capa=capa.rec_name,
                        owner=capa.owner.rec_name))

    @classmethod
    def _verification_values(cls, result):
        pool = Pool()
        Date = pool.get('ir.date')
        Document = pool.get('pm.iso.document')
        employee = Document._user_employee()
        return {
            'verified_by': employee.id if employee else None,
            'verification_date': Date.today(),
            'verification_result': result,
            }

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def verify(cls, capas):
        """The action is verified effective: closed; its nonconformity is
        closed when all its actions are (on_modification)"""
        cls._check_verifier(capas)
        cls.write(list(capas), cls._verification_values('effective'))

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reject(cls, capas):
        "The action is not effective: it goes back to the owner"
        cls._check_verifier(capas)
        values = cls._verification_values('ineffective')
        values['done_date'] = None
        cls.write(list(capas), values)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, capas):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, capas):
        cls.write(list(capas), {
                'verification_result': None,
                'verified_by': None,
                'verification_date': None,
                })

    @classmethod
    def on_modification(cls, mode, capas, field_names=None):
        super().on_modification(mode, capas, field_names=field_names)
        if mode == 'write' and field_names and 'state' in field_names:
            pool = Pool()
            Nonconformity = pool.get('pm.iso.nonconformity')
            nonconformities = list({c.nonconformity for c in capas
                    if c.nonconformity and c.state == 'closed'})
            if nonconformities:
                Nonconformity.close_verified(
                    Nonconformity.browse(nonconformities))

    @classmethod
    def check_overdue(cls, date=None):
        """Flag the actions not done by their due date as overdue (and
        unflag the others). Run daily by the scheduler, once per company.

        Return the actions flagged overdue."""
        pool = Pool()
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        domain = []
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        overdue = cls.search(domain + [
                ('state', 'in', ['draft', 'open']),
                ('due_date', '<', date),
                ])
        to_flag = [c for c in overdue if not c.overdue]
        to_unflag = [c for c in cls.search(domain + [
                    ('overdue', '=', True),
                    ]) if c not in overdue]
        args = []
        if to_flag:
            args.extend([to_flag, {'overdue': True}])
        if to_unflag:
            args.extend([to_unflag, {'overdue': False}])
        if args:
            cls.write(*args)
        return overdue

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        """Corrective actions due between the dates: on-time completion
        rate (done by the due date among those due by today or done),
        overdue and verified-effective rate"""
        pool = Pool()
        Date = pool.get('ir.date')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        today = Date.today()
        where = ((table.due_date >= date_from) & (table.due_date <= date_to)
            & (table.state != 'cancelled'))
        company = Transaction().context.get('company')
        if company:
            where &= table.company == company
        done = table.state.in_(['done', 'closed'])
        cursor.execute(*table.select(
                Count(table.id),
                Sum(Case(((table.due_date < today) | done, 1), else_=0)),
                Sum(Case((done & (table.done_date <= table.due_date), 1),
                        else_=0)),
                Sum(Case((table.state.in_(['draft', 'open'])
                            & (table.due_date < today), 1), else_=0)),
                Sum(Case((table.verification_result == 'effective', 1),
                        else_=0)),
                Sum(Case((table.verification_result.in_(
                                ['effective', 'ineffective']), 1),
                        else_=0)),
                where=where))
        total, due, on_time, overdue, effective, verified = [
            int(v or 0) for v in cursor.fetchone()]
        return [{
                'code': 'capa_count',
                'name': gettext('pm_iso9000.msg_kpi_capa_count'),
                'value': Decimal(total), 'unit': '', 'count': total,
                }, {
                'code': 'capa_on_time_rate',
                'name': gettext('pm_iso9000.msg_kpi_capa_on_time_rate'),
                'value': rate(on_time, due), 'unit': '%', 'count': due,
                }, {
                'code': 'capa_overdue',
                'name': gettext('pm_iso9000.msg_kpi_capa_overdue'),
                'value': Decimal(overdue), 'unit': '', 'count': overdue,
                }, {
                'code': 'capa_effective_rate',
                'name': gettext('pm_iso9000.msg_kpi_capa_effective_rate'),
                'value': rate(effective, verified), 'unit': '%',
                'count': verified,
                }]
