# This file is part of the pm suite (物业管理系统). See README.md.
"""Distribution (文件发放) and read acknowledgement (阅读确认).

A published document is sent to departments (with their sub-departments)
and employees: one acknowledgement per employee and document, confirmed by
the employee's own user. The pending acknowledgements are the list of who
has not read the document.
"""
import datetime as dt
from decimal import Decimal

from sql.aggregate import Count
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import AcknowledgementError, DistributionError

READ_DAYS = 3


class Distribution(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.iso.distribution'
    __string__ = "Document Distribution"

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    document = fields.Many2One(
        'pm.iso.document', "Document", required=True, ondelete='CASCADE',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('state', '=', 'published'),
            ],
        states=_states)
    date = fields.Date("Date", required=True, states=_states)
    due_date = fields.Date(
        "Read by", required=True, states=_states,
        domain=[('due_date', '>=', Eval('date'))],
        help="The recipients confirm they have read the document "
        "by this date.")
    departments = fields.Many2Many(
        'pm.iso.distribution-pm.department', 'distribution', 'department',
        "Departments",
        domain=[('company', '=', Eval('company', -1))], states=_states)
    include_subdepartments = fields.Boolean(
        "Include Sub-departments", states=_states)
    employees = fields.Many2Many(
        'pm.iso.distribution-company.employee', 'distribution', 'employee',
        "Employees",
        domain=[('company', '=', Eval('company', -1))], states=_states)
    note = fields.Text("Note", states=_states)
    acknowledgements = fields.One2Many(
        'pm.iso.acknowledgement', 'distribution', "Acknowledgements",
        readonly=True)
    recipient_count = fields.Function(
        fields.Integer("Recipients"), 'get_counts')
    read_count = fields.Function(fields.Integer("Read"), 'get_counts')
    unread_count = fields.Function(fields.Integer("Not Read"), 'get_counts')
    state = fields.Selection([
            ('draft', "Draft"),
            ('sent', "Sent"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.document, Index.Equality())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'sent')}
        cls._buttons.update({
                'send': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
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
    def default_include_subdepartments():
        return True

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_due_date(cls):
        return cls.default_date() + dt.timedelta(days=READ_DAYS)

    @fields.depends('date', 'due_date')
    def on_change_date(self):
        if self.date and (not self.due_date or self.due_date < self.date):
            self.due_date = self.date + dt.timedelta(days=READ_DAYS)

    def get_rec_name(self, name):
        return f'{self.document.rec_name} @ {self.date}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('document.rec_name',) + tuple(clause[1:])]

    @classmethod
    def get_counts(cls, distributions, name):
        pool = Pool()
        Ack = pool.get('pm.iso.acknowledgement')
        ack = Ack.__table__()
        cursor = Transaction().connection.cursor()
        result = {
            n: {d.id: 0 for d in distributions}
            for n in ['recipient_count', 'read_count', 'unread_count']}
        ids = [d.id for d in distributions]
        for i in range(0, len(ids), 500):
            cursor.execute(*ack.select(
                    ack.distribution, Count(ack.id),
                    Count(Case((ack.state == 'read', ack.id))),
                    Count(Case((ack.state == 'pending', ack.id))),
                    where=ack.distribution.in_(ids[i:i + 500])
                    & (ack.state != 'cancelled'),
                    group_by=[ack.distribution]))
            for distribution, total, read, pending in cursor:
                result['recipient_count'][distribution] = total
                result['read_count'][distribution] = read
                result['unread_count'][distribution] = pending
        return result[name]

    @classmethod
    def check_modification(
            cls, mode, distributions, values=None, external=False):
        super().check_modification(
            mode, distributions, values=values, external=external)
        if mode == 'delete':
            for distribution in distributions:
                if distribution.state != 'draft':
                    raise DistributionError(gettext(
                            'pm_iso9000.msg_distribution_delete_sent',
                            distribution=distribution.rec_name))

    @classmethod
    def copy(cls, distributions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('acknowledgements', None)
        default.setdefault('state', 'draft')
        return super().copy(distributions, default=default)

    def get_recipients(self):
        """Return the employees of the company who receive the document:
        the employees named and those of the departments, employed at the
        date"""
        pool = Pool()
        Employee = pool.get('company.employee')
        employees = set(e for e in self.employees)
        if self.departments:
            department_ids = [d.id for d in self.departments]
            if self.include_subdepartments:
                clause = ('department', 'child_of', department_ids, 'parent')
            else:
                clause = ('department', 'in', department_ids)
            employees.update(Employee.search([
                        ('company', '=', self.company.id),
                        clause,
                        ['OR',
                            ('start_date', '=', None),
                            ('start_date', '<=', self.date),
                            ],
                        ['OR',
                            ('end_date', '=', None),
                            ('end_date', '>=', self.date),
                            ],
                        ]))
        return sorted(employees, key=lambda e: e.id)

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, distributions):
        """Create the acknowledgements to confirm; an employee who already
        has one for the document gets no second one"""
        pool = Pool()
        Ack = pool.get('pm.iso.acknowledgement')
        for distribution in distributions:
            if distribution.document.state != 'published':
                raise DistributionError(gettext(
                        'pm_iso9000.msg_distribution_not_published',
                        document=distribution.document.rec_name))
            if not distribution.departments and not distribution.employees:
                raise DistributionError(gettext(
                        'pm_iso9000.msg_distribution_no_recipient',
                        distribution=distribution.rec_name))
        existing = {(a.document.id, a.employee.id) for a in Ack.search([
                    ('document', 'in', list(
                            {d.document.id for d in distributions})),
                    ])}
        vlist = []
        for distribution in distributions:
            for employee in distribution.get_recipients():
                key = (distribution.document.id, employee.id)
                if key in existing:
                    continue
                existing.add(key)
                vlist.append({
                        'company': distribution.company.id,
                        'document': distribution.document.id,
                        'distribution': distribution.id,
                        'employee': employee.id,
                        'department': (employee.department.id
                            if employee.department else None),
                        'sent_date': distribution.date,
                        'due_date': distribution.due_date,
                        'state': 'pending',
                        })
        if vlist:
            Ack.create(vlist)


class DistributionDepartment(ModelSQL):
    __name__ = 'pm.iso.distribution-pm.department'
    __string__ = "Distribution Department"

    distribution = fields.Many2One(
        'pm.iso.distribution', "Distribution", required=True,
        ondelete='CASCADE')
    department = fields.Many2One(
        'pm.department', "Department", required=True, ondelete='CASCADE')


class DistributionEmployee(ModelSQL):
    __name__ = 'pm.iso.distribution-company.employee'
    __string__ = "Distribution Employee"

    distribution = fields.Many2One(
        'pm.iso.distribution', "Distribution", required=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')


class Acknowledgement(ModelSQL, ModelView):
    __name__ = 'pm.iso.acknowledgement'
    __string__ = "Read Acknowledgement"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    document = fields.Many2One(
        'pm.iso.document', "Document", required=True, readonly=True,
        ondelete='CASCADE')
    distribution = fields.Many2One(
        'pm.iso.distribution', "Distribution", readonly=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, readonly=True,
        ondelete='CASCADE')
    department = fields.Many2One(
        'pm.department', "Department", readonly=True, ondelete='SET NULL',
        help="The department of the employee when the document was sent.")
    sent_date = fields.Date("Sent", readonly=True)
    due_date = fields.Date("Read by", readonly=True)
    read_date = fields.DateTime("Read on", readonly=True)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    state = fields.Selection([
            ('pending', "Not Read"),
            ('read', "Read"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False,
        help="Cancelled: the document became obsolete before it was read.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('document_employee_unique',
                Unique(t, t.document, t.employee),
                'pm_iso9000.msg_acknowledgement_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.distribution, Index.Equality())),
                })
        cls._order = [('sent_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'pending',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'pending'

    def get_rec_name(self, name):
        return f'{self.document.rec_name} - {self.employee.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('document.rec_name', operator, operand, *extra),
            ('employee.rec_name', operator, operand, *extra),
            ]

    @classmethod
    def get_overdue(cls, acks, name):
        today = Pool().get('ir.date').today()
        return {
            a.id: bool(a.state == 'pending' and a.due_date
                and a.due_date < today)
            for a in acks}

    @classmethod
    def search_overdue(cls, name, clause):
        today = Pool().get('ir.date').today()
        _, operator, value = clause[:3]
        positive = (operator == '=') == bool(value)
        if positive:
            return [('state', '=', 'pending'), ('due_date', '<', today)]
        return ['OR',
            ('state', '!=', 'pending'),
            ('due_date', '=', None),
            ('due_date', '>=', today),
            ]

    @classmethod
    @ModelView.button
    def confirm(cls, acks):
        "The employee's own user confirms having read the document"
        pool = Pool()
        Document = pool.get('pm.iso.document')
        employees = Document._user_employees()
        now = dt.datetime.now()
        for ack in acks:
            if ack.state != 'pending':
                raise AcknowledgementError(gettext(
                        'pm_iso9000.msg_acknowledgement_not_pending',
                        acknowledgement=ack.rec_name))
            if ack.document.state != 'published':
                raise AcknowledgementError(gettext(
                        'pm_iso9000.msg_acknowledgement_not_published',
                        document=ack.document.rec_name))
            if (Transaction().user != 0
                    and ack.employee not in employees):
                raise AcknowledgementError(gettext(
                        'pm_iso9000.msg_acknowledgement_other_employee',
                        employee=ack.employee.rec_name,
                        document=ack.document.rec_name))
        if acks:
            cls.write(list(acks), {
                    'state': 'read',
                    'read_date': now,
                    })

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Read rate of the documents sent between the dates"
        pool = Pool()
        Date = pool.get('ir.date')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        today = Date.today()
        where = ((table.sent_date >= date_from)
            & (table.sent_date <= date_to)
            & (table.state != 'cancelled'))
        company = Transaction().context.get('company')
        if company:
            where &= table.company == company
        cursor.execute(*table.select(
                Count(table.id),
                Count(Case((table.state == 'read', table.id))),
                Count(Case(((table.state == 'pending')
                            & (table.due_date < today), table.id))),
                where=where))
        total, read, overdue = cursor.fetchone()
        rate = (Decimal(read) * 100 / total).quantize(Decimal('0.01')) \
            if total else None
        return [{
                'code': 'acknowledgement_rate',
                'name': gettext('pm_iso9000.msg_kpi_acknowledgement_rate'),
                'value': rate, 'unit': '%', 'count': total,
                }, {
                'code': 'acknowledgement_overdue',
                'name': gettext('pm_iso9000.msg_kpi_acknowledgement_overdue'),
                'value': Decimal(overdue), 'unit': '', 'count': overdue,
                }]
