# This file is part of the pm suite (物业管理系统). See README.md.
"""Internal audits (内部审核): plan, checklist and findings.

Finishing an audit raises a nonconformity for every checklist line found
nonconforming (一般/严重不合格) or worth an observation (观察项).
"""
from decimal import Decimal

from sql.aggregate import Count
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import AuditError

RESULTS = [
    ('unchecked', "Not Checked"),
    ('conform', "Conform"),
    ('observation', "Observation"),
    ('minor', "Minor Nonconformity"),
    ('major', "Major Nonconformity"),
    ]
FINDINGS = {'observation', 'minor', 'major'}


class Audit(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.iso.audit'
    __string__ = "Internal Audit"
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state').in_(['done', 'cancelled']),
        }

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': Eval('state') != 'planned',
            })
    number = fields.Char("Number", readonly=True)
    name = fields.Char("Name", required=True, states=_states,
        help="e.g. 2026 年度第一次内部审核.")
    planned_date = fields.Date(
        "Planned Date", required=True, states=_states)
    start_date = fields.Date("Start Date", readonly=True)
    done_date = fields.Date("Done Date", readonly=True)
    scope = fields.Text("Scope", states=_states,
        help="The departments, processes and sites audited.")
    criteria = fields.Text("Criteria", states=_states)
    lead_auditor = fields.Many2One(
        'company.employee', "Lead Auditor", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'planned',
            'required': Eval('state') != 'planned',
            })
    auditors = fields.Many2Many(
        'pm.iso.audit-company.employee', 'audit', 'employee', "Auditors",
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'planned',
            })
    departments = fields.Many2Many(
        'pm.iso.audit-pm.department', 'audit', 'department',
        "Audited Departments",
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'planned',
            })
    lines = fields.One2Many(
        'pm.iso.audit.line', 'audit', "Checklist", states=_states)
    nonconformities = fields.One2Many(
        'pm.iso.nonconformity', 'audit', "Nonconformities", readonly=True)
    finding_count = fields.Function(
        fields.Integer("Findings"), 'get_finding_count')
    conclusion = fields.Text("Conclusion", states=_states)
    state = fields.Selection([
            ('planned', "Planned"),
            ('in_progress', "In Progress"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.planned_date, Index.Range())),
                })
        cls._order = [('planned_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('planned', 'in_progress'),
            ('planned', 'cancelled'),
            ('in_progress', 'done'),
            ('in_progress', 'cancelled'),
            ('cancelled', 'planned'),
            }
        cls._buttons.update({
                'start': {
                    'invisible': Eval('state') != 'planned',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'done': {
                    'invisible': Eval('state') != 'in_progress',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['planned', 'in_progress']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'plan': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'fill_checklist': {
                    'invisible': ~Eval('state').in_(
                        ['planned', 'in_progress']),
                    'icon': 'tryton-list',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'planned'

    @staticmethod
    def default_criteria():
        return 'GB/T 19001-2016 / ISO 9001:2015'

    def get_rec_name(self, name):
        if self.number:
            return f'{self.number} {self.name}'
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', operator, operand, *extra),
            ('name', operator, operand, *extra),
            ]

    @classmethod
    def get_finding_count(cls, audits, name):
        pool = Pool()
        Line = pool.get('pm.iso.audit.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        result = {a.id: 0 for a in audits}
        ids = [a.id for a in audits]
        for i in range(0, len(ids), 500):
            cursor.execute(*line.select(
                    line.audit, Count(line.id),
                    where=line.audit.in_(ids[i:i + 500])
                    & line.result.in_(list(FINDINGS)),
                    group_by=[line.audit]))
            result.update(cursor)
        return result

    @classmethod
    def check_modification(cls, mode, audits, values=None, external=False):
        super().check_modification(
            mode, audits, values=values, external=external)
        if mode == 'delete':
            for audit in audits:
                if audit.state not in {'planned', 'cancelled'}:
                    raise AuditError(gettext(
                            'pm_iso9000.msg_audit_delete',
                            audit=audit.rec_name))

    @classmethod
    def copy(cls, audits, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'start_date', 'done_date', 'conclusion']:
            default.setdefault(name, None)
        default.setdefault('nonconformities', None)
        default.setdefault('state', 'planned')
        return super().copy(audits, default=default)

    @classmethod
    def set_number(cls, audits):
        pool = Pool()
        Config = pool.get('pm.configuration')
        to_number = [a for a in audits if not a.number]
        if to_number:
            sequence = Config(1).get_iso_sequence('audit')
            for audit, number in zip(
                    to_number, sequence.get_many(len(to_number))):
                audit.number = number
            cls.save(to_number)

    @classmethod
    def check_independence(cls, audits):
        "An auditor does not audit the work of their own department"
        for audit in audits:
            departments = set(audit.departments)
            for auditor in [audit.lead_auditor, *audit.auditors]:
                if (auditor and auditor.department
                        and auditor.department in departments):
                    raise AuditError(gettext(
                            'pm_iso9000.msg_audit_independence',
                            audit=audit.rec_name,
                            auditor=auditor.rec_name,
                            department=auditor.department.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, audits):
        pool = Pool()
        Date = pool.get('ir.date')
        for audit in audits:
            if not audit.lead_auditor:
                raise AuditError(gettext(
                        'pm_iso9000.msg_audit_lead_auditor',
                        audit=audit.rec_name))
        cls.check_independence(audits)
        cls.set_number(audits)
        cls.write(
            [a for a in audits if not a.start_date],
            {'start_date': Date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def done(cls, audits):
        pool = Pool()
        Date = pool.get('ir.date')
        for audit in audits:
            if not audit.lines:
                raise AuditError(gettext(
                        'pm_iso9000.msg_audit_no_checklist',
                        audit=audit.rec_name))
            unchecked = [l for l in audit.lines if l.result == 'unchecked']
            if unchecked:
                raise AuditError(gettext(
                        'pm_iso9000.msg_audit_unchecked',
                        audit=audit.rec_name,
                        count=len(unchecked),
                        line=unchecked[0].rec_name))
        today = Date.today()
        cls.write(list(audits), {'done_date': today})
        cls.raise_nonconformities(audits, today)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, audits):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, audits):
        pass

    @classmethod
    def raise_nonconformities(cls, audits, date=None):
        "Create a nonconformity for each finding without one"
        pool = Pool()
        Date = pool.get('ir.date')
        Nonconformity = pool.get('pm.iso.nonconformity')
        Line = pool.get('pm.iso.audit.line')
        lines, vlist = [], []
        for audit in audits:
            for line in audit.lines:
                if line.result not in FINDINGS or line.nonconformity:
                    continue
                lines.append(line)
                vlist.append({
                        'company': audit.company.id,
                        'date': date or audit.done_date or Date.today(),
                        'source': 'audit',
                        'audit': audit.id,
                        'origin': str(line),
                        'document': (line.document.id
                            if line.document else None),
                        'clause': line.clause,
                        'department': (line.department.id
                            if line.department else None),
                        'reported_by': audit.lead_auditor.id,
                        'severity': line.result,
                        'description': '\n'.join(filter(None, [
                                    line.question, line.evidence])),
                        })
        if not vlist:
            return []
        nonconformities = Nonconformity.create(vlist)
        to_write = []
        for line, nonconformity in zip(lines, nonconformities):
            to_write.extend([[line], {'nonconformity': nonconformity.id}])
        Line.write(*to_write)
        return nonconformities

    @classmethod
    @ModelView.button
    def fill_checklist(cls, audits):
        """Add a checklist line for each published procedure (or work
        instruction) owned by the audited departments, all of them when no
        department is audited; lines already there are kept"""
        pool = Pool()
        Document = pool.get('pm.iso.document')
        Line = pool.get('pm.iso.audit.line')
        vlist = []
        for audit in audits:
            domain = [
                ('company', '=', audit.company.id),
                ('state', '=', 'published'),
                ('type', 'in', ['procedure', 'instruction']),
                ]
            if audit.departments:
                domain.append(('department', 'in',
                        [d.id for d in audit.departments]))
            documents = Document.search(
                domain, order=[('code', 'ASC'), ('id', 'ASC')])
            present = {l.document for l in audit.lines if l.document}
            sequence = max([l.sequence or 0 for l in audit.lines] + [0])
            for document in documents:
                if document in present:
                    continue
                sequence += 10
                vlist.append({
                        'audit': audit.id,
                        'sequence': sequence,
                        'document': document.id,
                        'department': (document.department.id
                            if document.department else None),
                        'clause': document.code,
                        'question': gettext(
                            'pm_iso9000.msg_audit_checklist_question',
                            document=document.title,
                            code=document.code),
                        })
        if vlist:
            Line.create(vlist)

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Audits planned and done between the dates and their findings"
        pool = Pool()
        Line = pool.get('pm.iso.audit.line')
        table = cls.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        where = ((table.planned_date >= date_from)
            & (table.planned_date <= date_to)
            & (table.state != 'cancelled'))
        company = Transaction().context.get('company')
        if company:
            where &= table.company == company
        cursor.execute(*table.select(
                Count(table.id),
                Count(Case((table.state == 'done', table.id))),
                where=where))
        planned, done = cursor.fetchone()
        cursor.execute(*line.join(table, condition=line.audit == table.id
                ).select(
                Count(line.id),
                where=where & line.result.in_(['minor', 'major'])))
        findings, = cursor.fetchone()
        rate = (Decimal(done) * 100 / planned).quantize(Decimal('0.01')) \
            if planned else None
        return [{
                'code': 'audit_completion_rate',
                'name': gettext('pm_iso9000.msg_kpi_audit_completion_rate'),
                'value': rate, 'unit': '%', 'count': planned,
                }, {
                'code': 'audit_nonconformities',
                'name': gettext('pm_iso9000.msg_kpi_audit_nonconformities'),
                'value': Decimal(findings), 'unit': '', 'count': findings,
                }]


class AuditAuditor(ModelSQL):
    __name__ = 'pm.iso.audit-company.employee'
    __string__ = "Audit Auditor"

    audit = fields.Many2One(
        'pm.iso.audit', "Audit", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')


class AuditDepartment(ModelSQL):
    __name__ = 'pm.iso.audit-pm.department'
    __string__ = "Audited Department"

    audit = fields.Many2One(
        'pm.iso.audit', "Audit", required=True, ondelete='CASCADE')
    department = fields.Many2One(
        'pm.department', "Department", required=True, ondelete='CASCADE')


class AuditLine(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.iso.audit.line'
    __string__ = "Audit Checklist Line"

    _states = {
        'readonly': Eval('audit_state').in_(['done', 'cancelled']),
        }

    audit = fields.Many2One(
        'pm.iso.audit', "Audit", required=True, ondelete='CASCADE',
        states=_states)
    audit_state = fields.Function(
        fields.Selection('get_audit_states', "Audit State"),
        'on_change_with_audit_state')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')
    document = fields.Many2One(
        'pm.iso.document', "Document", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="The procedure or instruction checked.")
    clause = fields.Char("Clause", states=_states,
        help="The clause of the standard or the document, e.g. 8.5.1.")
    department = fields.Many2One(
        'pm.department', "Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    question = fields.Text("Question", required=True, states=_states)
    evidence = fields.Text("Evidence", states=_states,
        help="The records and facts seen (客观证据).")
    result = fields.Selection(
        RESULTS, "Result", required=True, sort=False, states=_states)
    nonconformity = fields.Many2One(
        'pm.iso.nonconformity', "Nonconformity", readonly=True,
        ondelete='SET NULL')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('audit')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.audit, Index.Equality())))

    @staticmethod
    def default_result():
        return 'unchecked'

    @classmethod
    def get_audit_states(cls):
        pool = Pool()
        Audit = pool.get('pm.iso.audit')
        return Audit.fields_get(['state'])['state']['selection']

    @fields.depends('audit', '_parent_audit.state')
    def on_change_with_audit_state(self, name=None):
        return self.audit.state if self.audit else None

    @fields.depends('audit', '_parent_audit.company')
    def on_change_with_company(self, name=None):
        return self.audit.company if self.audit else None

    @fields.depends('document', 'department', 'clause')
    def on_change_document(self):
        if self.document:
            if not self.department:
                self.department = self.document.department
            if not self.clause:
                self.clause = self.document.code

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.clause, (self.question or '').splitlines()[0]
                    if self.question else None]))

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('nonconformity', None)
        default.setdefault('result', 'unchecked')
        default.setdefault('evidence', None)
        return super().copy(lines, default=default)

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'} and external:
            for line in lines:
                if line.audit.state in {'done', 'cancelled'}:
                    raise AuditError(gettext(
                            'pm_iso9000.msg_audit_line_modify',
                            audit=line.audit.rec_name))
