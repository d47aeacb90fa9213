# This file is part of the pm suite (物业管理系统). See README.md.
"""Decoration permits (二次装修): pm_customer's decoration extended.

Application (申请, draft) → submitted for review (待审核) → approved (已批准;
the decoration deposit is created, to be received at the desk) or rejected
(已驳回) → in progress (施工中, only with the deposit held) with inspection
visits, their findings and violations → accepted (竣工验收, no open
violation) → done (已结案): the deposit is settled, the fines of the
violations forfeited and the rest refunded.

The direct draft → in progress and in progress → done transitions of
pm_customer remain for server code (registration of decorations already
under way) but the buttons only follow the permit workflow.
"""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.company import CompanyReport
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import DecorationError

NEW_STATES = [
    ('submitted', "Submitted"),
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ('accepted', "Accepted"),
    ]
OPEN_VIOLATION_STATES = ['draft', 'notified']


def _now():
    return dt.datetime.now().replace(microsecond=0)


class Decoration(metaclass=PoolMeta):
    __name__ = 'pm.decoration'

    number = fields.Char("Permit Number", readonly=True)
    contractor = fields.Char(
        "Contractor",
        states={
            'readonly': ~Eval('state').in_(['draft', 'submitted']),
            },
        help="The decoration company (施工单位).")
    contractor_phone = fields.Char(
        "Contractor Phone",
        states={
            'readonly': ~Eval('state').in_(['draft', 'submitted']),
            })
    workers = fields.Integer(
        "Workers",
        states={
            'readonly': ~Eval('state').in_(['draft', 'submitted']),
            },
        domain=['OR', ('workers', '>=', 0), ('workers', '=', None)])
    submitted_at = fields.DateTime("Submitted at", readonly=True)
    review_note = fields.Text(
        "Review Note",
        states={
            'readonly': Eval('state') != 'submitted',
            })
    reviewed_at = fields.DateTime("Reviewed at", readonly=True)
    reviewed_by = fields.Many2One('res.user', "Reviewed by", readonly=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    deposit_amount = Monetary(
        "Deposit Amount", currency='currency', digits='currency',
        states={
            'readonly': ~Eval('state').in_(['draft', 'submitted']),
            },
        domain=['OR',
            ('deposit_amount', '>=', 0),
            ('deposit_amount', '=', None),
            ],
        help="The decoration deposit asked at the approval.")
    deposit = fields.Many2One(
        'pm.deposit', "Deposit", readonly=True, ondelete='RESTRICT',
        states={
            'invisible': ~Eval('deposit'),
            })
    deposit_state = fields.Function(fields.Selection([
                (None, ""),
                ('draft', "To Receive"),
                ('held', "Held"),
                ('settled', "Settled"),
                ('cancelled', "Cancelled"),
                ], "Deposit State"), 'get_deposit_state')
    inspections = fields.One2Many(
        'pm.decoration.inspection', 'decoration', "Inspections",
        states={
            'readonly': ~Eval('state').in_(['approved', 'in_progress']),
            })
    violations = fields.One2Many(
        'pm.violation', 'decoration', "Violations", readonly=True)
    fine_total = fields.Function(Monetary(
            "Fines from the Deposit", currency='currency',
            digits='currency'),
        'get_fine_total')
    refund_amount = fields.Function(Monetary(
            "Deposit to Refund", currency='currency', digits='currency'),
        'get_refund_amount')
    acceptance_note = fields.Text(
        "Acceptance Note",
        states={
            'readonly': Eval('state') != 'in_progress',
            })
    accepted_at = fields.DateTime("Accepted at", readonly=True)
    accepted_by = fields.Many2One('res.user', "Accepted by", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        selection = list(cls.state.selection)
        for value in NEW_STATES:
            if value not in selection:
                selection.append(value)
        order = ['draft', 'submitted', 'approved', 'rejected',
            'in_progress', 'accepted', 'done', 'cancelled']
        selection.sort(key=lambda s: order.index(s[0])
            if s[0] in order else len(order))
        cls.state.selection = selection
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'approved'),
            ('submitted', 'rejected'),
            ('rejected', 'draft'),
            ('submitted', 'cancelled'),
            ('approved', 'cancelled'),
            ('approved', 'in_progress'),
            ('in_progress', 'accepted'),
            ('accepted', 'done'),
            }
        cls._buttons['start'].update({
                'invisible': Eval('state') != 'approved',
                })
        cls._buttons['do'].update({
                'invisible': Eval('state') != 'accepted',
                })
        cls._buttons['cancel'].update({
                'invisible': ~Eval('state').in_(
                    ['draft', 'submitted', 'approved', 'in_progress']),
                })
        cls._buttons['draft'].update({
                'invisible': ~Eval('state').in_(['cancelled', 'rejected']),
                })
        cls._buttons.update({
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'accept': {
                    'invisible': Eval('state') != 'in_progress',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_deposit_amount(cls):
        pool = Pool()
        Config = pool.get('pm.configuration')
        return Config(1).decoration_deposit or Decimal(0)

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_deposit_state(self, name):
        return self.deposit.state if self.deposit else None

    @classmethod
    def get_fine_total(cls, decorations, name):
        return {d.id: sum((v.fine_amount or 0 for v in d.violations
                    if v.fine_method == 'deposit'
                    and v.state != 'cancelled'), Decimal(0))
            for d in decorations}

    @classmethod
    def get_refund_amount(cls, decorations, name):
        fines = cls.get_fine_total(decorations, 'fine_total')
        result = {}
        for decoration in decorations:
            deposit = decoration.deposit
            if not deposit or deposit.state in {'draft', 'cancelled'}:
                result[decoration.id] = None
            elif deposit.state == 'settled':
                result[decoration.id] = deposit.refunded_amount
            else:
                result[decoration.id] = max(
                    deposit.amount - fines[decoration.id], Decimal(0))
        return result

    def get_rec_name(self, name):
        name = super().get_rec_name(name)
        if self.number:
            name = f'{self.number} {name}'
        return name

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            return ['AND', domain, ('number', operator, operand, *extra)]
        return ['OR', domain, ('number', operator, operand, *extra)]

    @classmethod
    def copy(cls, decorations, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'submitted_at', 'review_note', 'reviewed_at',
                'reviewed_by', 'deposit', 'acceptance_note', 'accepted_at',
                'accepted_by']:
            default.setdefault(name, None)
        default.setdefault('inspections', None)
        default.setdefault('violations', None)
        return super().copy(decorations, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, decorations):
        pool = Pool()
        Config = pool.get('pm.configuration')
        to_number = [d for d in decorations if not d.number]
        if to_number:
            sequence = Config(1).get_maintenance_sequence(
                'decoration_sequence')
            for decoration, number in zip(
                    to_number, sequence.get_many(len(to_number))):
                decoration.number = number
        now = _now()
        for decoration in decorations:
            decoration.submitted_at = now
        cls.save(decorations)

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, decorations):
        "Approve the permits and create their deposit, to be received"
        pool = Pool()
        Deposit = pool.get('pm.deposit')
        now = _now()
        to_create, with_deposit = [], []
        for decoration in decorations:
            decoration.reviewed_at = now
            decoration.reviewed_by = Transaction().user or None
            if decoration.deposit_amount and not decoration.deposit:
                to_create.append({
                        'company': decoration.company.id,
                        'kind': 'decoration',
                        'party': decoration.applicant.id,
                        'unit': decoration.unit.id,
                        'currency': decoration.company.currency.id,
                        'amount': decoration.deposit_amount,
                        'description': gettext(
                            'pm_maintenance.msg_decoration_deposit',
                            decoration=decoration.number or '',
                            unit=decoration.unit.rec_name),
                        'origin': str(decoration),
                        })
                with_deposit.append(decoration)
        if to_create:
            for decoration, deposit in zip(
                    with_deposit, Deposit.create(to_create)):
                decoration.deposit = deposit
        cls.save(decorations)

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, decorations):
        for decoration in decorations:
            if not decoration.review_note:
                raise DecorationError(gettext(
                        'pm_maintenance.msg_decoration_reject_note',
                        decoration=decoration.rec_name))
            decoration.reviewed_at = _now()
            decoration.reviewed_by = Transaction().user or None
        cls.save(decorations)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, decorations):
        for decoration in decorations:
            if decoration.deposit_amount and (
                    not decoration.deposit
                    or decoration.deposit.state != 'held'):
                raise DecorationError(gettext(
                        'pm_maintenance.msg_decoration_deposit_not_held',
                        decoration=decoration.rec_name))
        super().start(decorations)

    @classmethod
    @ModelView.button
    @Workflow.transition('accepted')
    def accept(cls, decorations):
        "Completion acceptance: no violation may be left open"
        pool = Pool()
        Date = pool.get('ir.date')
        for decoration in decorations:
            open_ = [v for v in decoration.violations
                if v.state in OPEN_VIOLATION_STATES]
            if open_:
                raise DecorationError(gettext(
                        'pm_maintenance.msg_decoration_open_violations',
                        decoration=decoration.rec_name,
                        violations=', '.join(v.rec_name for v in open_)))
        now = _now()
        args = []
        for decoration in decorations:
            with Transaction().set_context(company=decoration.company.id):
                today = Date.today()
            args.extend([[decoration], {
                        'accepted_at': now,
                        'accepted_by': Transaction().user or None,
                        'end_date': decoration.end_date or max(
                            today, decoration.start_date),
                        }])
        if args:
            cls.write(*args)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, decorations):
        "Settle the deposits: forfeit the fines and refund the rest"
        pool = Pool()
        Deposit = pool.get('pm.deposit')
        fines = cls.get_fine_total(decorations, 'fine_total')
        for decoration in decorations:
            deposit = decoration.deposit
            if not deposit or deposit.state != 'held':
                continue
            forfeit = min(fines[decoration.id], deposit.amount)
            reason = None
            if forfeit:
                reason = gettext(
                    'pm_maintenance.msg_decoration_forfeit_reason',
                    decoration=decoration.rec_name,
                    violations=', '.join(
                        v.rec_name for v in decoration.violations
                        if v.fine_method == 'deposit'
                        and v.state != 'cancelled'))
            Deposit.settle([deposit], forfeit=forfeit, reason=reason)
        super().do(decorations)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, decorations):
        pool = Pool()
        Deposit = pool.get('pm.deposit')
        to_cancel = []
        for decoration in decorations:
            if decoration.deposit:
                if decoration.deposit.state == 'held':
                    raise DecorationError(gettext(
                            'pm_maintenance.msg_decoration_cancel_deposit',
                            decoration=decoration.rec_name))
                if decoration.deposit.state == 'draft':
                    to_cancel.append(decoration.deposit)
        if to_cancel:
            Deposit.cancel(to_cancel)
        super().cancel(decorations)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, decorations):
        cls.write(list(decorations), {
                'deposit': None,
                'reviewed_at': None,
                'reviewed_by': None,
                })
        super().draft(decorations)


class Inspection(ModelSQL, ModelView):
    "Decoration Inspection"
    __name__ = 'pm.decoration.inspection'
    __string__ = "Decoration Inspection"

    decoration = fields.Many2One(
        'pm.decoration', "Decoration", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    inspector = fields.Many2One(
        'company.employee', "Inspector", ondelete='SET NULL')
    result = fields.Selection([
            ('pass', "Compliant"),
            ('rectify', "To Rectify"),
            ('violation', "Violation"),
            ], "Result", required=True, sort=False)
    findings = fields.Text(
        "Findings",
        states={
            'required': Eval('result') != 'pass',
            },
        help="What was seen; attach the photos to the inspection.")
    violations = fields.One2Many(
        'pm.violation', 'inspection', "Violations", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('decoration')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'record_violation': {
                    'invisible': ((Eval('result') != 'violation')
                        | Bool(Eval('violations'))),
                    'icon': 'tryton-warning',
                    'depends': ['result', 'violations'],
                    },
                })

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_result(cls):
        return 'pass'

    def get_rec_name(self, name):
        return f'{self.decoration.rec_name} {self.date}'

    @classmethod
    @ModelView.button
    def record_violation(cls, inspections):
        "Record a violation of each inspection from its findings"
        pool = Pool()
        Violation = pool.get('pm.violation')
        to_create = []
        for inspection in inspections:
            if inspection.result != 'violation' or inspection.violations:
                continue
            decoration = inspection.decoration
            to_create.append({
                    'estate': decoration.unit.estate.id,
                    'building': (decoration.unit.building.id
                        if decoration.unit.building else None),
                    'unit': decoration.unit.id,
                    'party': decoration.applicant.id,
                    'kind': 'decoration',
                    'decoration': decoration.id,
                    'inspection': inspection.id,
                    'description': inspection.findings,
                    'found_by': (inspection.inspector.id
                        if inspection.inspector else None),
                    'found_at': dt.datetime.combine(
                        inspection.date, dt.time(9)),
                    })
        return Violation.create(to_create) if to_create else []


class DecorationPermit(CompanyReport):
    "Decoration Permit"
    __name__ = 'pm.decoration.permit'
