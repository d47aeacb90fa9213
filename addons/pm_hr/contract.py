# This file is part of the pm suite (物业管理系统). See README.md.
"""Labour contracts (劳动合同) and certificates (资格证书) of the staff,
with the daily reminders of their expiry."""
import datetime as dt
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .exceptions import ContractError
from .mixin import EmployeeCompanyMixin, employee_company_field, notify_hr

CONTRACT_KINDS = [
    ('fixed', "Fixed Term"),
    ('open_ended', "Open-ended"),
    ('task', "Task-based"),
    ('part_time', "Part-time"),
    ('dispatch', "Labour Dispatch"),
    ('service', "Service Agreement"),
    ]


class Contract(EmployeeCompanyMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'pm.hr.contract'
    __string__ = "Labour Contract"
    _rec_name = 'number'
    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = employee_company_field()
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE',
        states=_states,
        domain=[
            If(Eval('company', -1) != -1,
                ('company', '=', Eval('company', -1)),
                ()),
            ])
    number = fields.Char("Number", states=_states)
    kind = fields.Selection(
        CONTRACT_KINDS, "Kind", required=True, sort=False, states=_states)
    position = fields.Char("Position", states=_states)
    sign_date = fields.Date("Signing Date", states=_states)
    start_date = fields.Date("Start Date", required=True, states=_states)
    end_date = fields.Date(
        "End Date",
        domain=[If(Bool(Eval('end_date')) & Bool(Eval('start_date')),
                ('end_date', '>=', Eval('start_date')), ())],
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('kind') != 'open_ended',
            'invisible': Eval('kind') == 'open_ended',
            })
    probation_end_date = fields.Date(
        "Probation End",
        domain=[If(Bool(Eval('probation_end_date')),
                ('probation_end_date', '>=', Eval('start_date')), ())],
        states=_states)
    state = fields.Selection([
            ('draft', "Draft"),
            ('active', "Active"),
            ('expired', "Expired"),
            ('terminated', "Terminated"),
            ], "State", required=True, readonly=True, sort=False)
    expiring = fields.Boolean(
        "Expiring", readonly=True,
        help="Set by the daily reminder when the contract ends soon.")
    days_left = fields.Function(
        fields.Integer("Days Left"), 'get_days_left')
    termination_date = fields.Date(
        "Termination Date",
        states={
            'readonly': Eval('state') != 'active',
            'invisible': Eval('state').in_(['draft', 'expired']),
            })
    termination_reason = fields.Char(
        "Termination Reason",
        states={
            'readonly': Eval('state') != 'active',
            'invisible': Eval('state').in_(['draft', 'expired']),
            })
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.end_date, Index.Range())),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'active'),
            ('active', 'terminated'),
            ('active', 'expired'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'terminate': {
                    'invisible': Eval('state') != 'active',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })
        cls.__rpc__.update({
                'check_expiring': RPC(readonly=False),
                })

    @classmethod
    def default_kind(cls):
        return 'fixed'

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_expiring(cls):
        return False

    def get_rec_name(self, name):
        return self.number or self.employee.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if (operator.startswith('!')
            or operator.startswith('not ')) else 'OR'
        return [bool_op,
            ('number', operator, operand, *extra),
            ('employee.rec_name', operator, operand, *extra),
            ]

    @classmethod
    def get_days_left(cls, contracts, name):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        return {c.id: (c.end_date - today).days
            if c.end_date and c.state == 'active' else None
            for c in contracts}

    @classmethod
    def validate_fields(cls, contracts, field_names):
        super().validate_fields(contracts, field_names)
        cls.check_overlap(contracts, field_names)

    @classmethod
    def check_overlap(cls, contracts, field_names=None):
        "Two contracts in force of an employee may not overlap"
        if field_names and not (field_names & {
                    'employee', 'start_date', 'end_date', 'state',
                    'termination_date'}):
            return
        employees = {c.employee.id for c in contracts if c.state != 'draft'}
        if not employees:
            return
        others = cls.search([
                ('employee', 'in', list(employees)),
                ('state', 'in', ['active', 'expired', 'terminated']),
                ])
        by_employee = defaultdict(list)
        for other in others:
            by_employee[other.employee].append(other)
        for contract in contracts:
            if contract.state == 'draft':
                continue
            start, end = contract.period()
            for other in by_employee[contract.employee]:
                if other == contract:
                    continue
                o_start, o_end = other.period()
                if start <= o_end and o_start <= end:
                    raise ContractError(gettext(
                            'pm_hr.msg_contract_overlap',
                            contract=contract.rec_name,
                            other=other.rec_name,
                            employee=contract.employee.rec_name))

    def period(self):
        "Return the first and last day the contract is in force"
        end = self.termination_date or self.end_date or dt.date.max
        return self.start_date, end

    @classmethod
    def check_modification(cls, mode, contracts, values=None, external=False):
        super().check_modification(
            mode, contracts, values=values, external=external)
        if mode == 'delete':
            for contract in contracts:
                if contract.state != 'draft':
                    raise ContractError(gettext(
                            'pm_hr.msg_contract_delete_draft',
                            contract=contract.rec_name))

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('state', 'draft')
        default.setdefault('expiring', False)
        default.setdefault('termination_date', None)
        default.setdefault('termination_reason', None)
        return super().copy(contracts, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, contracts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('terminated')
    def terminate(cls, contracts):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        to_write = [c for c in contracts if not c.termination_date]
        if to_write:
            cls.write(to_write, {'termination_date': today})
        cls.write(list(contracts), {'expiring': False})

    @classmethod
    @Workflow.transition('expired')
    def expire(cls, contracts):
        cls.write(list(contracts), {'expiring': False})

    @classmethod
    def check_expiring(cls, date=None):
        """Expire the active contracts past their end date, flag those
        ending within the reminder days of the configuration and notify the
        Human Resources users of the newly flagged ones.

        Run daily by the scheduler, once per company."""
        pool = Pool()
        Date = pool.get('ir.date')
        Config = pool.get('pm.hr.configuration')
        if date is None:
            date = Date.today()
        config = Config(1)
        limit = date + dt.timedelta(days=config.contract_reminder_days)
        company = Transaction().context.get('company')
        domain = [('state', '=', 'active'), ('end_date', '!=', None)]
        if company:
            domain.append(('company', '=', company))

        to_expire = cls.search(domain + [('end_date', '<', date)])
        if to_expire:
            cls.expire(to_expire)
        to_flag = cls.search(domain + [
                ('end_date', '>=', date),
                ('end_date', '<=', limit),
                ('expiring', '=', False),
                ])
        to_unflag = cls.search(domain + [
                ('end_date', '>', limit),
                ('expiring', '=', True),
                ])
        args = []
        if to_flag:
            args.extend([to_flag, {'expiring': True}])
        if to_unflag:
            args.extend([to_unflag, {'expiring': False}])
        if args:
            cls.write(*args)
        by_company = defaultdict(list)
        for contract in to_flag:
            by_company[contract.company.id].append(contract)
        for company_id, contracts in by_company.items():
            notify_hr(company_id, cls.__name__, contracts,
                gettext('pm_hr.msg_contract_expiring_label'),
                gettext('pm_hr.msg_contract_expiring',
                    count=len(contracts),
                    days=config.contract_reminder_days,
                    employees=', '.join(
                        c.employee.rec_name for c in contracts)))


class CertificateType(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.hr.certificate.type'
    __string__ = "Certificate Type"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code")
    validity_years = fields.Integer(
        "Validity (Years)",
        domain=['OR', ('validity_years', '=', None),
            ('validity_years', '>', 0)],
        help="Proposes the expiry date from the issue date.")
    reminder_days = fields.Integer(
        "Reminder Days",
        domain=['OR', ('reminder_days', '=', None),
            ('reminder_days', '>=', 0)],
        help="Remind the certificates of this type expiring within these "
        "days. Empty: the days of the configuration.")
    description = fields.Text("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('code', 'ASC NULLS LAST'), ('name', 'ASC'),
            ('id', 'ASC')]


class Certificate(EmployeeCompanyMixin, ModelSQL, ModelView):
    __name__ = 'pm.hr.certificate'
    __string__ = "Certificate"

    company = employee_company_field()
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE',
        domain=[
            If(Eval('company', -1) != -1,
                ('company', '=', Eval('company', -1)),
                ()),
            ])
    type = fields.Many2One(
        'pm.hr.certificate.type', "Type", required=True,
        ondelete='RESTRICT')
    number = fields.Char("Number")
    issuer = fields.Char("Issuing Authority")
    issue_date = fields.Date("Issue Date")
    expiry_date = fields.Date(
        "Expiry Date",
        domain=[If(Bool(Eval('expiry_date')) & Bool(Eval('issue_date')),
                ('expiry_date', '>=', Eval('issue_date')), ())],
        help="Empty for a certificate without expiry.")
    expiring = fields.Boolean(
        "Expiring", readonly=True,
        help="Set by the daily reminder when the certificate expires soon.")
    expired = fields.Boolean(
        "Expired", readonly=True,
        help="Set by the daily reminder when the certificate has expired.")
    status = fields.Function(fields.Selection([
                ('valid', "Valid"),
                ('expiring', "Expiring"),
                ('expired', "Expired"),
                ], "Status"), 'get_status')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Equality())),
                Index(t, (t.expiry_date, Index.Range())),
                })
        cls._order = [('expiry_date', 'ASC NULLS LAST'), ('id', 'ASC')]
        cls.__rpc__.update({
                'check_expiring': RPC(readonly=False),
                })

    @classmethod
    def default_expiring(cls):
        return False

    @classmethod
    def default_expired(cls):
        return False

    @fields.depends('type', 'issue_date', 'expiry_date')
    def on_change_issue_date(self):
        if (self.type and self.type.validity_years and self.issue_date
                and not self.expiry_date):
            try:
                self.expiry_date = self.issue_date.replace(
                    year=self.issue_date.year + self.type.validity_years)
            except ValueError:  # 29 February
                self.expiry_date = self.issue_date.replace(
                    year=self.issue_date.year + self.type.validity_years,
                    day=28)

    def get_rec_name(self, name):
        return '%s - %s' % (self.type.rec_name, self.employee.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if (operator.startswith('!')
            or operator.startswith('not ')) else 'OR'
        return [bool_op,
            ('number', operator, operand, *extra),
            ('type.name', operator, operand, *extra),
            ('employee.rec_name', operator, operand, *extra),
            ]

    def reminder_days(self, config):
        if self.type.reminder_days is not None:
            return self.type.reminder_days
        return config.certificate_reminder_days

    @classmethod
    def get_status(cls, certificates, name):
        pool = Pool()
        Date = pool.get('ir.date')
        Config = pool.get('pm.hr.configuration')
        config = Config(1)
        today = Date.today()
        result = {}
        for certificate in certificates:
            expiry = certificate.expiry_date
            if not expiry:
                status = 'valid'
            elif expiry < today:
                status = 'expired'
            elif expiry <= today + dt.timedelta(
                    days=certificate.reminder_days(config)):
                status = 'expiring'
            else:
                status = 'valid'
            result[certificate.id] = status
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'write' and 'expiry_date' in values:
            # a renewed certificate is evaluated again by the reminder
            values.setdefault('expiring', False)
            values.setdefault('expired', False)
        return values

    @classmethod
    def copy(cls, certificates, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('expiring', False)
        default.setdefault('expired', False)
        return super().copy(certificates, default=default)

    @classmethod
    def check_expiring(cls, date=None):
        """Flag the certificates expiring within their reminder days or
        expired at date and notify the Human Resources users of the newly
        flagged ones.

        Run daily by the scheduler, once per company."""
        pool = Pool()
        Date = pool.get('ir.date')
        Config = pool.get('pm.hr.configuration')
        CertificateType = pool.get('pm.hr.certificate.type')
        if date is None:
            date = Date.today()
        config = Config(1)
        days = [config.certificate_reminder_days] + [
            t.reminder_days for t in CertificateType.search([
                    ('reminder_days', '!=', None)])]
        horizon = date + dt.timedelta(days=max(days))
        domain = [('employee.active', '=', True)]
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        candidates = cls.search(domain + [
                ('expiry_date', '!=', None),
                ['OR',
                    [('expiry_date', '<=', horizon),
                        ('expired', '=', False)],
                    ('expiring', '=', True),
                    [('expired', '=', True), ('expiry_date', '>=', date)],
                    ],
                ])
        expired, expiring, valid = [], [], []
        newly_expired, newly_expiring = [], []
        for certificate in candidates:
            expiry = certificate.expiry_date
            limit = date + dt.timedelta(
                days=certificate.reminder_days(config))
            if expiry < date:
                expired.append(certificate)
                if not certificate.expired:
                    newly_expired.append(certificate)
            elif expiry <= limit:
                expiring.append(certificate)
                if not certificate.expiring:
                    newly_expiring.append(certificate)
            elif certificate.expiring or certificate.expired:
                valid.append(certificate)
        args = []
        for records, value in [
                (newly_expired, {'expired': True, 'expiring': False}),
                (newly_expiring, {'expired': False, 'expiring': True}),
                (valid, {'expired': False, 'expiring': False})]:
            if records:
                args.extend([records, value])
        if args:
            cls.write(*args)
        for records, message in [
                (newly_expiring, 'pm_hr.msg_certificate_expiring'),
                (newly_expired, 'pm_hr.msg_certificate_expired')]:
            by_company = defaultdict(list)
            for certificate in records:
                by_company[certificate.company.id].append(certificate)
            for company_id, certificates in by_company.items():
                notify_hr(company_id, cls.__name__, certificates,
                    gettext('pm_hr.msg_certificate_expiring_label'),
                    gettext(message, count=len(certificates),
                        certificates=', '.join(
                            c.rec_name for c in certificates)))
