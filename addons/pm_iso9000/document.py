# This file is part of the pm suite (物业管理系统). See README.md.
"""Controlled documents (受控文件) and their quality records (质量记录).

A document goes draft → in review → approved → published → obsolete.
Publishing version N+1 makes the published version N obsolete and
read-only: the versions of a code form its revision history.

The quality records of a procedure (``pm.iso.record``) name the models of
the system whose records are its evidence (work orders, complaints, patrol
rounds …). Their indicators are computed live by the models' ``iso_kpis``
classmethod when they define one (see ``model_kpis``).
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Null
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If, PYSONEncoder
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .exceptions import (
    DocumentError, DocumentModifyError, DocumentValidationError,
    RecordDomainError)
from .library import parse_domain, starter_documents

DOCUMENT_TYPES = [
    ('manual', "Quality Manual"),
    ('procedure', "Procedure"),
    ('instruction', "Work Instruction"),
    ('form', "Quality Record Form"),
    ('external', "External Regulation"),
    ('company', "Company Document"),
    ('regulation', "Regulation"),
    ]

STATES = [
    ('draft', "Draft"),
    ('review', "In Review"),
    ('approved', "Approved"),
    ('published', "Published"),
    ('obsolete', "Obsolete"),
    ]

# The content of a document: frozen once it leaves the draft state
CONTENT_FIELDS = {
    'company', 'type', 'code', 'title', 'version', 'department', 'author',
    'reviewers', 'approver', 'body', 'previous_version', 'library_code',
    }

KPI_UNITS = {'%', 'h', 'd', ''}


def default_kpi_period(today=None):
    """Return (date_from, date_to) of the indicators shown live: the
    context keys iso_date_from/iso_date_to, else the last 12 months"""
    context = Transaction().context
    if today is None:
        today = Pool().get('ir.date').today()
    date_to = context.get('iso_date_to') or today
    date_from = context.get('iso_date_from') or (
        date_to - relativedelta(years=1) + dt.timedelta(days=1))
    return date_from, date_to


def model_kpis(model_name, date_from, date_to):
    """Return the indicators of the model between the dates, or None when
    the model is not in the pool (not activated) or has no iso_kpis"""
    pool = Pool()
    try:
        Model = pool.get(model_name)
    except KeyError:
        return None
    method = getattr(Model, 'iso_kpis', None)
    if not callable(method):
        return None
    kpis = []
    for kpi in method(date_from, date_to) or []:
        kpi = dict(kpi)
        kpi.setdefault('code', '')
        kpi.setdefault('name', kpi['code'])
        kpi.setdefault('value', None)
        kpi.setdefault('unit', '')
        kpi.setdefault('count', None)
        if kpi['value'] is not None and not isinstance(kpi['value'], Decimal):
            kpi['value'] = Decimal(str(kpi['value']))
        kpis.append(kpi)
    return kpis


def format_number(value):
    "Return value with at most 2 decimals and no trailing zeros"
    if value is None:
        return '-'
    value = Decimal(value).quantize(Decimal('0.01'))
    text = f'{value:f}'
    if '.' in text:
        text = text.rstrip('0').rstrip('.')
    return text


def format_kpi(kpi):
    "Return the indicator as a line of text: name: value unit (n)"
    unit = kpi.get('unit') or ''
    units = {
        'h': gettext('pm_iso9000.msg_unit_hours'),
        'd': gettext('pm_iso9000.msg_unit_days'),
        }
    value = format_number(kpi.get('value'))
    if kpi.get('value') is not None and unit:
        value += units.get(unit, unit) if unit == '%' else (
            ' ' + units.get(unit, unit))
    text = f"{kpi.get('name')}: {value}"
    count = kpi.get('count')
    if count is not None and not (
            not unit and kpi.get('value') is not None
            and Decimal(kpi['value']) == count):
        text += gettext('pm_iso9000.msg_kpi_count', count=count)
    return text


def add_months(date, months):
    if not date:
        return None
    return date + relativedelta(months=months or 0)


def domain_fields_error(Model, domain):
    "Return the first field of domain unknown to Model, or None"
    for clause in domain:
        if isinstance(clause, str):
            continue
        if isinstance(clause, list):
            error = domain_fields_error(Model, clause)
            if error:
                return error
            continue
        name = clause[0].split('.', 1)[0]
        if name in {'id', 'rec_name'}:
            continue
        field = Model._fields.get(name)
        if field is None or (
                isinstance(field, fields.Function) and not field.searcher):
            return clause[0]


class Document(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.iso.document'
    __string__ = "Controlled Document"

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    type = fields.Selection(
        DOCUMENT_TYPES, "Type", required=True, sort=False, states=_states)
    code = fields.Char(
        "Code", required=True, strip=True, states=_states,
        help="The document number, e.g. QM-01, QP-8.5-01, WI-KF-01.")
    title = fields.Char("Title", required=True, states=_states)
    version = fields.Integer(
        "Version", required=True, readonly=True,
        help="Increased by one by each new version of the document.")
    department = fields.Many2One(
        'pm.department', "Owner Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="The department that writes and maintains the document "
        "(归口部门).")
    author = fields.Many2One(
        'company.employee', "Author", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    reviewers = fields.Many2Many(
        'pm.iso.document-company.employee', 'document', 'employee',
        "Reviewers",
        domain=[('company', '=', Eval('company', -1))], states=_states)
    approver = fields.Many2One(
        'company.employee', "Approver", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="The employee who approves the document.")
    review_comment = fields.Text(
        "Review Comments",
        states={
            'readonly': ~Eval('state').in_(['draft', 'review']),
            })
    approved_by = fields.Many2One(
        'company.employee', "Approved by", readonly=True,
        ondelete='RESTRICT')
    approved_date = fields.Date("Approval Date", readonly=True)
    published_by = fields.Many2One(
        'company.employee', "Published by", readonly=True,
        ondelete='RESTRICT')
    published_date = fields.Date("Publication Date", readonly=True)
    effective_date = fields.Date(
        "Effective Date",
        states={
            'readonly': ~Eval('state').in_(['draft', 'review', 'approved']),
            },
        help="The date from which the document applies; "
        "the publication date when empty.")
    review_months = fields.Integer(
        "Review Period (Months)", required=True,
        domain=[('review_months', '>', 0)],
        states={
            'readonly': Eval('state') == 'obsolete',
            },
        help="The document is reviewed at least once every this number "
        "of months (定期评审).")
    last_review_date = fields.Date("Last Review", readonly=True)
    next_review_date = fields.Date(
        "Next Review",
        states={
            'readonly': Eval('state') != 'published',
            'invisible': ~Eval('state').in_(['published']),
            },
        help="Computed at publication and at each review; "
        "a reminder is raised before it.")
    review_due = fields.Boolean(
        "Review Due", readonly=True,
        help="Set by the daily scheduled task when the next review is "
        "within the reminder days of the configuration.")
    body = fields.Text("Body", states=_states)
    attachment_count = fields.Function(
        fields.Integer("Attachments"), 'get_attachment_count')
    previous_version = fields.Many2One(
        'pm.iso.document', "Previous Version", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('previous_version'),
            })
    superseded_by = fields.Many2One(
        'pm.iso.document', "Superseded by", readonly=True,
        ondelete='SET NULL',
        states={
            'invisible': ~Eval('superseded_by'),
            })
    obsolete_date = fields.Date(
        "Obsolete Date", readonly=True,
        states={
            'invisible': Eval('state') != 'obsolete',
            })
    revisions = fields.Function(
        fields.Many2Many('pm.iso.document', None, None, "Revision History"),
        'get_revisions')
    records = fields.One2Many(
        'pm.iso.record', 'document', "Quality Records",
        states={
            'readonly': Eval('state') == 'obsolete',
            },
        help="The records of the system that are the evidence "
        "of the procedure.")
    kpi_text = fields.Function(
        fields.Text("Indicators"), 'get_kpi_text')
    distributions = fields.One2Many(
        'pm.iso.distribution', 'document', "Distributions", readonly=True)
    acknowledgements = fields.One2Many(
        'pm.iso.acknowledgement', 'document', "Acknowledgements",
        readonly=True)
    recipient_count = fields.Function(
        fields.Integer("Recipients"), 'get_ack_counts')
    read_count = fields.Function(
        fields.Integer("Read"), 'get_ack_counts')
    unread_count = fields.Function(
        fields.Integer("Not Read"), 'get_ack_counts')
    unread_employees = fields.Function(
        fields.Many2Many('company.employee', None, None, "Not Read by"),
        'get_unread_employees')
    library_code = fields.Char(
        "Library Code", readonly=True,
        help="The code of the starter library document it was loaded from.")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_version_unique',
                Unique(t, t.company, t.code, t.version),
                'pm_iso9000.msg_document_code_version_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.code, Index.Similarity())),
                Index(t, (t.company, Index.Equality()),
                    (t.code, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.next_review_date, Index.Range()),
                    where=t.state == 'published'),
                })
        cls._order = [('code', 'ASC'), ('version', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'review'),
            ('review', 'draft'),
            ('review', 'approved'),
            ('approved', 'draft'),
            ('approved', 'published'),
            ('published', 'obsolete'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': ~Eval('state').in_(['review', 'approved']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'review',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'publish': {
                    'invisible': Eval('state') != 'approved',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'obsolete': {
                    'invisible': Eval('state') != 'published',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'new_version': {
                    'invisible': Eval('state') != 'published',
                    'icon': 'tryton-copy',
                    'depends': ['state'],
                    },
                'confirm_review': {
                    'invisible': Eval('state') != 'published',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'distribute': {
                    'invisible': Eval('state') != 'published',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@id="history"]', 'states', {
                    'invisible': ~Eval('previous_version')
                    & (Eval('state') != 'obsolete')
                    & ~Eval('superseded_by'),
                    }, ['previous_version', 'state', 'superseded_by']),
            ]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_version():
        return 1

    @staticmethod
    def default_type():
        return 'procedure'

    @staticmethod
    def default_review_months():
        return 12

    @staticmethod
    def default_review_due():
        return False

    def get_rec_name(self, name):
        return f'{self.code} {self.title} (V{self.version})'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('code', operator, operand, *extra),
            ('title', operator, operand, *extra),
            ]

    @classmethod
    def get_attachment_count(cls, documents, name):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        attachment = Attachment.__table__()
        cursor = Transaction().connection.cursor()
        result = {d.id: 0 for d in documents}
        resources = {f'{cls.__name__},{d.id}': d.id for d in documents}
        keys = list(resources)
        for i in range(0, len(keys), 500):
            cursor.execute(*attachment.select(
                    attachment.resource, Count(attachment.id),
                    where=attachment.resource.in_(keys[i:i + 500]),
                    group_by=[attachment.resource]))
            for resource, count in cursor:
                result[resources[resource]] = count
        return result

    @classmethod
    def get_revisions(cls, documents, name):
        "All the versions of the document's code in its company"
        if not documents:
            return {}
        keys = {(d.company.id, d.code) for d in documents}
        domain = ['OR'] + [
            [('company', '=', c), ('code', '=', code)] for c, code in keys]
        versions = defaultdict(list)
        with without_check_access():
            for other in cls.search(domain, order=[('version', 'DESC')]):
                versions[(other.company.id, other.code)].append(other.id)
        return {
            d.id: versions.get((d.company.id, d.code), []) for d in documents}

    @classmethod
    def get_kpi_text(cls, documents, name):
        date_from, date_to = default_kpi_period()
        cache = {}
        result = {}
        for document in documents:
            lines = []
            for record in document.records:
                model_name = record.model.name if record.model else None
                if not model_name:
                    continue
                if model_name not in cache:
                    cache[model_name] = model_kpis(
                        model_name, date_from, date_to)
                for kpi in cache[model_name] or []:
                    line = f'{record.label} / {format_kpi(kpi)}'
                    if line not in lines:
                        lines.append(line)
            result[document.id] = '\n'.join(lines) or None
        return result

    @classmethod
    def get_ack_counts(cls, documents, name):
        pool = Pool()
        Ack = pool.get('pm.iso.acknowledgement')
        ack = Ack.__table__()
        cursor = Transaction().connection.cursor()
        counts = {
            n: {d.id: 0 for d in documents}
            for n in ['recipient_count', 'read_count', 'unread_count']}
        ids = [d.id for d in documents]
        for i in range(0, len(ids), 500):
            cursor.execute(*ack.select(
                    ack.document, ack.state, Count(ack.id),
                    where=ack.document.in_(ids[i:i + 500])
                    & (ack.state != 'cancelled'),
                    group_by=[ack.document, ack.state]))
            for document, state, count in cursor:
                counts['recipient_count'][document] += count
                key = 'read_count' if state == 'read' else 'unread_count'
                counts[key][document] += count
        return counts[name]

    @classmethod
    def get_unread_employees(cls, documents, name):
        pool = Pool()
        Ack = pool.get('pm.iso.acknowledgement')
        result = {d.id: [] for d in documents}
        with without_check_access():
            acks = Ack.search([
                    ('document', 'in', [d.id for d in documents]),
                    ('state', '=', 'pending'),
                    ], order=[('employee', 'ASC')])
            for ack in acks:
                result[ack.document.id].append(ack.employee.id)
        return result

    @classmethod
    def validate_fields(cls, documents, field_names):
        super().validate_fields(documents, field_names)
        if field_names and not (
                field_names & {'approver', 'reviewers', 'author'}):
            return
        for document in documents:
            if document.approver and document.approver in document.reviewers:
                raise DocumentValidationError(gettext(
                        'pm_iso9000.msg_document_approver_reviewer',
                        document=document.rec_name,
                        employee=document.approver.rec_name))

    @classmethod
    def check_modification(cls, mode, documents, values=None, external=False):
        super().check_modification(
            mode, documents, values=values, external=external)
        if mode == 'write':
            content = values.keys() & CONTENT_FIELDS
            for document in documents:
                if document.state == 'obsolete' and external:
                    raise DocumentModifyError(gettext(
                            'pm_iso9000.msg_document_obsolete_readonly',
                            document=document.rec_name))
                if content and document.state != 'draft':
                    raise DocumentModifyError(gettext(
                            'pm_iso9000.msg_document_modify_content',
                            document=document.rec_name,
                            state=document.state_string))
        elif mode == 'delete':
            for document in documents:
                if document.state != 'draft':
                    raise DocumentModifyError(gettext(
                            'pm_iso9000.msg_document_delete',
                            document=document.rec_name,
                            state=document.state_string))

    @classmethod
    def copy(cls, documents, default=None):
        default = default.copy() if default is not None else {}
        for name in ['approved_by', 'approved_date', 'published_by',
                'published_date', 'last_review_date', 'next_review_date',
                'superseded_by', 'obsolete_date', 'review_comment',
                'library_code', 'previous_version']:
            default.setdefault(name, None)
        default.setdefault('review_due', False)
        default.setdefault('distributions', None)
        default.setdefault('acknowledgements', None)
        default.setdefault('state', 'draft')
        if 'version' not in default:
            # A plain duplicate is a new document: a code of its own
            default.setdefault(
                'code', lambda data: data['code'] + '-COPY')
            default['version'] = 1
        return super().copy(documents, default=default)

    @staticmethod
    def _user_employees():
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        employees = set(user.employees or [])
        if user.employee:
            employees.add(user.employee)
        return employees

    @staticmethod
    def _user_employee():
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        return user.employee

    @staticmethod
    def _is_quality_admin():
        "Root and the quality administrators act on behalf of others"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        transaction = Transaction()
        if transaction.user == 0:
            return True
        group = ModelData.get_id('pm_iso9000', 'group_iso_admin')
        return group in User.get_groups()

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, documents):
        cls.write(list(documents), {
                'approved_by': None,
                'approved_date': None,
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('review')
    def submit(cls, documents):
        for document in documents:
            if not document.reviewers or not document.approver:
                raise DocumentError(gettext(
                        'pm_iso9000.msg_document_submit_reviewers',
                        document=document.rec_name))
            if not (document.body or document.attachment_count):
                raise DocumentError(gettext(
                        'pm_iso9000.msg_document_submit_empty',
                        document=document.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, documents):
        pool = Pool()
        Date = pool.get('ir.date')
        employees = cls._user_employees()
        admin = cls._is_quality_admin()
        for document in documents:
            if not admin and document.approver not in employees:
                raise DocumentError(gettext(
                        'pm_iso9000.msg_document_approve_not_approver',
                        document=document.rec_name,
                        approver=document.approver.rec_name
                        if document.approver else ''))
        # The approver approves, possibly recorded on their behalf by a
        # quality administrator (the log keeps who clicked)
        today = Date.today()
        args = []
        for document in documents:
            args.extend([[document], {
                        'approved_by': document.approver.id,
                        'approved_date': today,
                        }])
        if args:
            cls.write(*args)

    @classmethod
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, documents):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        employee = cls._user_employee()
        codes = defaultdict(list)
        for document in documents:
            key = (document.company.id, document.code)
            if codes[key]:
                raise DocumentError(gettext(
                        'pm_iso9000.msg_document_publish_twice',
                        document=document.rec_name))
            codes[key].append(document)
        to_write = []
        for document in documents:
            effective = document.effective_date or today
            to_write.extend([[document], {
                        'published_date': today,
                        'published_by': employee.id if employee else None,
                        'effective_date': effective,
                        'last_review_date': effective,
                        'next_review_date': add_months(
                            effective, document.review_months),
                        'review_due': False,
                        }])
        if to_write:
            cls.write(*to_write)
            cls.supersede(documents, today)

    @classmethod
    def supersede(cls, documents, date):
        "Make obsolete the other published versions of the documents"
        if not documents:
            return
        domain = ['OR'] + [[
                ('company', '=', d.company.id),
                ('code', '=', d.code),
                ('id', '!=', d.id),
                ('state', '=', 'published'),
                ] for d in documents]
        olds = cls.search(domain)
        if not olds:
            return
        by_key = {(d.company.id, d.code): d for d in documents}
        to_write = []
        for old in olds:
            new = by_key[(old.company.id, old.code)]
            to_write.extend([[old], {'superseded_by': new.id}])
        cls.write(*to_write)
        cls._obsolete(olds, date)

    @classmethod
    @ModelView.button
    def obsolete(cls, documents):
        pool = Pool()
        Date = pool.get('ir.date')
        cls._obsolete(documents, Date.today())

    @classmethod
    @Workflow.transition('obsolete')
    def _obsolete(cls, documents, date):
        pool = Pool()
        Ack = pool.get('pm.iso.acknowledgement')
        cls.write(list(documents), {
                'obsolete_date': date,
                'review_due': False,
                })
        pending = Ack.search([
                ('document', 'in', [d.id for d in documents]),
                ('state', '=', 'pending'),
                ])
        if pending:
            Ack.write(pending, {'state': 'cancelled'})

    @classmethod
    @ModelView.button_action('pm_iso9000.act_document_form')
    def new_version(cls, documents):
        new_documents = cls.create_new_versions(documents)
        return {
            'pyson_domain': PYSONEncoder().encode(
                [('id', 'in', [d.id for d in new_documents])]),
            }

    @classmethod
    def create_new_versions(cls, documents):
        """Return draft copies of the published documents with the next
        version number and a link to the previous version"""
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        new_documents = []
        for document in documents:
            if document.state != 'published':
                raise DocumentError(gettext(
                        'pm_iso9000.msg_document_new_version_published',
                        document=document.rec_name))
            pending = cls.search([
                    ('company', '=', document.company.id),
                    ('code', '=', document.code),
                    ('version', '>', document.version),
                    ('state', 'in', ['draft', 'review', 'approved']),
                    ], limit=1)
            if pending:
                raise DocumentError(gettext(
                        'pm_iso9000.msg_document_new_version_pending',
                        document=document.rec_name,
                        pending=pending[0].rec_name))
            last, = cls.search([
                    ('company', '=', document.company.id),
                    ('code', '=', document.code),
                    ], order=[('version', 'DESC')], limit=1)
            new, = cls.copy([document], default={
                    'version': last.version + 1,
                    'previous_version': document.id,
                    'effective_date': None,
                    'library_code': document.library_code,
                    })
            new_documents.append(new)
            attachments = Attachment.search([
                    ('resource', '=', str(document)),
                    ])
            if attachments:
                Attachment.copy(attachments, default={'resource': str(new)})
        return new_documents

    @classmethod
    @ModelView.button
    def confirm_review(cls, documents):
        "Record the periodic review: the document is still adequate"
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        to_write = []
        for document in documents:
            if document.state != 'published':
                raise DocumentError(gettext(
                        'pm_iso9000.msg_document_review_published',
                        document=document.rec_name))
            to_write.extend([[document], {
                        'last_review_date': today,
                        'next_review_date': add_months(
                            today, document.review_months),
                        'review_due': False,
                        }])
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button_action('pm_iso9000.act_distribution_new')
    def distribute(cls, documents):
        pass

    @classmethod
    def check_review(cls, date=None):
        """Flag the published documents whose periodic review is due within
        the reminder days of the configuration (and unflag the others).

        Run daily by the scheduler, once per company."""
        pool = Pool()
        Date = pool.get('ir.date')
        Config = pool.get('pm.configuration')
        if date is None:
            date = Date.today()
        limit = date + dt.timedelta(
            days=Config(1).get_iso_review_reminder_days())
        domain = [('state', '=', 'published')]
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        due = cls.search(domain + [
                ('next_review_date', '!=', None),
                ('next_review_date', '<=', limit),
                ('review_due', '=', False),
                ])
        not_due = cls.search(domain + [
                ('review_due', '=', True),
                ['OR',
                    ('next_review_date', '=', None),
                    ('next_review_date', '>', limit),
                    ],
                ])
        args = []
        if due:
            args.extend([due, {'review_due': True}])
        if not_due:
            args.extend([not_due, {'review_due': False}])
        if args:
            cls.write(*args)
        return due

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Quality indicators of the document control"
        pool = Pool()
        Date = pool.get('ir.date')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        today = Date.today()
        where = table.state == 'published'
        company = Transaction().context.get('company')
        if company:
            where &= table.company == company
        cursor.execute(*table.select(
                Count(table.id),
                where=where))
        published, = cursor.fetchone()
        cursor.execute(*table.select(
                Count(table.id),
                where=where & (table.next_review_date != Null)
                & (table.next_review_date < today)))
        overdue, = cursor.fetchone()
        where_period = (table.published_date >= date_from) & (
            table.published_date <= date_to)
        if company:
            where_period &= table.company == company
        cursor.execute(*table.select(
                Count(table.id), where=where_period))
        issued, = cursor.fetchone()
        return [{
                'code': 'documents_published',
                'name': gettext('pm_iso9000.msg_kpi_documents_published'),
                'value': Decimal(published), 'unit': '', 'count': published,
                }, {
                'code': 'documents_issued',
                'name': gettext('pm_iso9000.msg_kpi_documents_issued'),
                'value': Decimal(issued), 'unit': '', 'count': issued,
                }, {
                'code': 'documents_review_overdue',
                'name': gettext('pm_iso9000.msg_kpi_documents_review_overdue'),
                'value': Decimal(overdue), 'unit': '', 'count': overdue,
                }]

    @classmethod
    def load_starter_library(cls, state='published', company=None, date=None):
        """Create the documents of the starter library (标准文件库) that the
        company does not have yet, with their quality records for the models
        present in the database. Running it again creates nothing.

        Return the created documents."""
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        Department = pool.get('pm.department')
        IrModel = pool.get('ir.model')
        if company is None:
            company = Transaction().context.get('company')
        if company is None:
            raise DocumentError(gettext('pm_iso9000.msg_library_no_company'))
        company = Company(int(company))
        if date is None:
            date = Date.today()
        documents = starter_documents()

        existing = set()
        with without_check_access():
            for document in cls.search([('company', '=', company.id)]):
                existing.add(document.code)
                if document.library_code:
                    existing.add(document.library_code)
            departments = {}
            for department in Department.search([
                        ('company', '=', company.id),
                        ]):
                departments.setdefault(department.name, department.id)
                if department.code:
                    departments.setdefault(department.code, department.id)
        model_names = {e[0] for d in documents for e in d['evidences']}
        models = {m.name: m.id for m in IrModel.search([
                    ('name', 'in', list(model_names)),
                    ])}

        vlist = []
        for document in documents:
            if document['code'] in existing:
                continue
            records = []
            for sequence, (model_name, label, domain) in enumerate(
                    document['evidences'], 1):
                if model_name not in models:
                    continue
                try:
                    Model = pool.get(model_name)
                except KeyError:
                    continue
                if domain and domain_fields_error(
                        Model, parse_domain(domain)):
                    domain = None
                records.append({
                        'sequence': sequence,
                        'model': models[model_name],
                        'label': label,
                        'domain': domain or None,
                        })
            values = {
                'company': company.id,
                'type': document['type'],
                'code': document['code'],
                'title': document['title'],
                'version': 1,
                'department': departments.get(document['department']),
                'review_months': document['review_months'],
                'body': document['body'],
                'library_code': document['code'],
                'records': [('create', records)] if records else [],
                'state': 'draft',
                }
            if state == 'published':
                values.update({
                        'state': 'published',
                        'approved_date': date,
                        'published_date': date,
                        'effective_date': date,
                        'last_review_date': date,
                        'next_review_date': add_months(
                            date, document['review_months']),
                        })
            vlist.append(values)
        if not vlist:
            return []
        return cls.create(vlist)


class DocumentReviewer(ModelSQL):
    __name__ = 'pm.iso.document-company.employee'
    __string__ = "Document Reviewer"

    document = fields.Many2One(
        'pm.iso.document', "Document", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')


class QualityRecord(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.iso.record'
    __string__ = "Quality Record"

    document = fields.Many2One(
        'pm.iso.document', "Document", required=True, ondelete='CASCADE')
    label = fields.Char("Label", required=True,
        help="What the records are, e.g. 报修工单.")
    model = fields.Many2One(
        'ir.model', "Model", required=True, ondelete='CASCADE',
        help="The kind of records of the system that are the evidence.")
    model_name = fields.Function(
        fields.Char("Model Name"), 'on_change_with_model_name')
    domain = fields.Char(
        "Filter",
        help="An optional domain limiting the records, "
        "e.g. [('state', '=', 'done')].")
    record_count = fields.Function(
        fields.Integer("Records"), 'get_record_count')
    has_kpis = fields.Function(
        fields.Boolean("Has Indicators"), 'get_has_kpis')
    kpi_text = fields.Function(
        fields.Text("Indicators"), 'get_kpi_text')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('document')
        cls._buttons.update({
                'open_records': {
                    'icon': 'tryton-open',
                    'depends': ['model'],
                    'readonly': ~Eval('model'),
                    },
                })

    @fields.depends('model')
    def on_change_with_model_name(self, name=None):
        return self.model.name if self.model else None

    @fields.depends('model', 'label')
    def on_change_model(self):
        if self.model and not self.label:
            self.label = self.model.string

    def get_rec_name(self, name):
        return self.label

    def get_domain(self):
        "Return the domain of the records as a list"
        return parse_domain(self.domain)

    def get_model(self):
        "Return the Model class of the records or None when not activated"
        if not self.model:
            return None
        try:
            return Pool().get(self.model.name)
        except KeyError:
            return None

    @classmethod
    def get_record_count(cls, records, name):
        "The number of records the user may read (None without access)"
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        result = {}
        counts = {}
        for record in records:
            Model = record.get_model()
            if (Model is None or not hasattr(Model, 'search_count')
                    or not ModelAccess.check(
                        Model.__name__, 'read', raise_exception=False)):
                result[record.id] = None
                continue
            key = (record.model.name, record.domain or '')
            if key not in counts:
                try:
                    domain = record.get_domain()
                except ValueError:
                    counts[key] = None
                else:
                    counts[key] = Model.search_count(domain)
            result[record.id] = counts[key]
        return result

    @classmethod
    def get_has_kpis(cls, records, name):
        return {
            r.id: callable(getattr(r.get_model(), 'iso_kpis', None))
            for r in records}

    @classmethod
    def get_kpi_text(cls, records, name):
        date_from, date_to = default_kpi_period()
        cache = {}
        result = {}
        for record in records:
            model_name = record.model.name if record.model else None
            if model_name and model_name not in cache:
                cache[model_name] = model_kpis(model_name, date_from, date_to)
            kpis = cache.get(model_name) or []
            result[record.id] = '\n'.join(format_kpi(k) for k in kpis) or None
        return result

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names and not (field_names & {'domain', 'model'}):
            return
        for record in records:
            try:
                domain = record.get_domain()
            except ValueError as exception:
                raise RecordDomainError(gettext(
                        'pm_iso9000.msg_record_domain_invalid',
                        record=record.rec_name,
                        error=str(exception))) from exception
            Model = record.get_model()
            if Model is not None:
                error = domain_fields_error(Model, domain)
                if error:
                    raise RecordDomainError(gettext(
                            'pm_iso9000.msg_record_domain_field',
                            record=record.rec_name,
                            field=error,
                            model=record.model.string))

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external:
            for record in records:
                if record.document.state == 'obsolete':
                    raise DocumentModifyError(gettext(
                            'pm_iso9000.msg_document_obsolete_readonly',
                            document=record.document.rec_name))

    @classmethod
    @ModelView.button_action('pm_iso9000.wizard_record_open')
    def open_records(cls, records):
        pass

    def get_action(self, action):
        "Update the act_window action to open the records"
        if self.get_model() is None:
            raise DocumentError(gettext(
                    'pm_iso9000.msg_record_model_missing',
                    record=self.rec_name,
                    model=self.model.name if self.model else ''))
        action['res_model'] = self.model.name
        action['name'] = f'{self.label} ({self.document.code})'
        action['pyson_domain'] = PYSONEncoder().encode(self.get_domain())
        action['pyson_context'] = PYSONEncoder().encode({})
        action['pyson_order'] = PYSONEncoder().encode([])
        action['pyson_search_value'] = PYSONEncoder().encode([])
        action['views'] = [(None, 'tree'), (None, 'form')]
        action['domains'] = []
        action.pop('res_id', None)
        return action


class RecordOpen(Wizard):
    "Open the quality records"
    __name__ = 'pm.iso.record.open'

    start = StateAction('pm_iso9000.act_record_open')

    def do_start(self, action):
        return self.record.get_action(action), {}


class KpiStart(ModelView):
    "Quality Indicators"
    __name__ = 'pm.iso.kpi.start'
    __string__ = "Quality Indicators"

    document = fields.Many2One('pm.iso.document', "Document", readonly=True)
    date_from = fields.Date(
        "From", required=True,
        domain=[
            If(Bool(Eval('date_to')),
                ('date_from', '<=', Eval('date_to')), ()),
            ])
    date_to = fields.Date("To", required=True)
    lines = fields.One2Many(
        'pm.iso.kpi.line', None, "Indicators", readonly=True)


class KpiLine(ModelView):
    "Quality Indicator"
    __name__ = 'pm.iso.kpi.line'
    __string__ = "Quality Indicator"

    record = fields.Char("Quality Record", readonly=True)
    model = fields.Char("Model", readonly=True)
    code = fields.Char("Code", readonly=True)
    name = fields.Char("Indicator", readonly=True)
    value = fields.Numeric("Value", digits=(16, 2), readonly=True)
    unit = fields.Char("Unit", readonly=True)
    count = fields.Integer("Records", readonly=True)


class Kpi(Wizard):
    "Quality Indicators"
    __name__ = 'pm.iso.kpi'

    start = StateView('pm.iso.kpi.start',
        'pm_iso9000.kpi_start_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            Button("Refresh", 'refresh', 'tryton-refresh'),
            ])
    refresh = StateTransition()

    @classmethod
    def compute_lines(cls, documents, date_from, date_to):
        "Return the indicator lines of the documents as dictionaries"
        cache = {}
        lines = []
        for document in documents:
            for record in document.records:
                model_name = record.model.name if record.model else None
                if not model_name:
                    continue
                if model_name not in cache:
                    cache[model_name] = model_kpis(
                        model_name, date_from, date_to)
                for kpi in cache[model_name] or []:
                    lines.append({
                            'record': record.label,
                            'model': record.model.string,
                            'code': kpi['code'],
                            'name': kpi['name'],
                            'value': kpi['value'],
                            'unit': kpi['unit'],
                            'count': kpi['count'],
                            })
        return lines

    def default_start(self, fields):
        date_from, date_to = default_kpi_period()
        documents = list(self.records)
        return {
            'document': documents[0].id if len(documents) == 1 else None,
            'date_from': date_from,
            'date_to': date_to,
            'lines': self.compute_lines(documents, date_from, date_to),
            }

    def value_start(self, fields):
        "The indicators of the period chosen, when refreshed"
        date_from = getattr(self.start, 'date_from', None)
        date_to = getattr(self.start, 'date_to', None)
        if not date_from or not date_to:
            return {}
        return {
            'lines': self.compute_lines(
                list(self.records), date_from, date_to),
            }

    def transition_refresh(self):
        return 'start'


class LoadLibraryStart(ModelView):
    "Load the Starter Library"
    __name__ = 'pm.iso.library.load.start'
    __string__ = "Load the Starter Library"

    state = fields.Selection([
            ('published', "Published"),
            ('draft', "Draft"),
            ], "Load as", required=True,
        help="Published: ready to use as version 1. "
        "Draft: to adapt, review and approve first.")
    count = fields.Integer("Documents in the Library", readonly=True)
    missing = fields.Integer("Not Yet Loaded", readonly=True)


class LoadLibrary(Wizard):
    "Load the Starter Library"
    __name__ = 'pm.iso.library.load'

    start = StateView('pm.iso.library.load.start',
        'pm_iso9000.library_load_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Load", 'load', 'tryton-ok', default=True),
            ])
    load = StateAction('pm_iso9000.act_document_form')

    def default_start(self, fields):
        pool = Pool()
        Document = pool.get('pm.iso.document')
        documents = starter_documents()
        company = Transaction().context.get('company')
        codes = set()
        if company:
            for document in Document.search([('company', '=', company)]):
                codes.add(document.code)
                codes.add(document.library_code)
        return {
            'state': 'published',
            'count': len(documents),
            'missing': len([d for d in documents if d['code'] not in codes]),
            }

    def do_load(self, action):
        pool = Pool()
        Document = pool.get('pm.iso.document')
        Document.load_starter_library(state=self.start.state)
        action['pyson_domain'] = PYSONEncoder().encode(
            [('library_code', '!=', None)])
        return action, {}
