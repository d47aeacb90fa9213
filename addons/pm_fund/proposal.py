# This file is part of the pm suite (物业管理系统). See README.md.
"""Use of the fund 使用: a proposal apportioned to the affected units by
built area, decided by the owners' vote (pm_vote, kind fund_use), then
disbursed in stages against the contractor's invoices.  A rejected
proposal changes nothing.  Emergency use 应急使用 (elevator, roof leak,
fire equipment …) is approved without a vote but needs its documents and
a later notice to the owners."""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import company_field, search_fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .document import FundDocumentMixin
from .exceptions import FundError, FundModifyError
from .fund import apportion

ZERO = Decimal(0)
CENT = Decimal('0.01')

EMERGENCIES = [
    (None, ""),
    ('elevator', "Elevator Failure"),
    ('roof', "Roof or Wall Leak"),
    ('fire', "Fire Equipment Failure"),
    ('pipe', "Water or Drain Pipe Burst"),
    ('facade', "Falling Facade"),
    ('other', "Other Danger"),
    ]


class Proposal(Workflow, ModelSQL, ModelView):
    "Maintenance Fund Use Proposal"
    __name__ = 'pm.fund.proposal'
    __string__ = "Maintenance Fund Use Proposal"
    _rec_name = 'title'

    _draft = {'readonly': Eval('state') != 'draft'}
    company = company_field()
    fund = fields.Many2One(
        'pm.fund', "Fund", required=True, ondelete='RESTRICT', states=_draft)
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"), 'on_change_with_estate')
    title = fields.Char("Title", required=True, states=_draft)
    description = fields.Text(
        "Scope", states=_draft, help="The works and the common parts.")
    buildings = fields.Many2Many(
        'pm.fund.proposal-pm.building', 'proposal', 'building',
        "Affected Buildings", states=_draft,
        domain=[('estate', '=', Eval('estate', -1))])
    units = fields.Many2Many(
        'pm.fund.proposal-pm.unit', 'proposal', 'unit', "Affected Units",
        states=_draft, domain=[('estate', '=', Eval('estate', -1))],
        help="Empty: the units of the buildings, or of the estate.")
    work_orders = fields.Many2Many(
        'pm.fund.proposal-pm.work_order', 'proposal', 'work_order',
        "Work Orders", domain=[('estate', '=', Eval('estate', -1))],
        help="The repairs the proposal pays for.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    budget = Monetary(
        "Budget", currency='currency', digits='currency', required=True,
        states=_draft, domain=[('budget', '>', 0)])
    contractor = fields.Many2One(
        'party.party', "Contractor", states=_draft,
        context={'company': Eval('company', -1)}, depends={'company'})
    quote = fields.Text("Contractor Quote", states=_draft)
    shares = fields.One2Many(
        'pm.fund.proposal.share', 'proposal', "Apportionment",
        readonly=True)
    emergency = fields.Boolean(
        "Emergency Use", states=_draft,
        help="Approved without a prior vote when safety is at risk; the "
        "documents are mandatory and the owners are notified afterwards.")
    emergency_type = fields.Selection(
        EMERGENCIES, "Emergency", sort=False,
        states={
            'invisible': ~Eval('emergency'),
            'required': Bool(Eval('emergency')),
            'readonly': Eval('state') != 'draft',
            })
    emergency_report = fields.Text(
        "Emergency Report",
        states={
            'invisible': ~Eval('emergency'),
            'readonly': Eval('state') != 'draft',
            },
        help="The inspection report: danger found, by whom, when.")
    notice_date = fields.Date("Owners Notified", readonly=True)
    notice_topic = fields.Many2One(
        'pm.vote.topic', "Notice", readonly=True)
    motion = fields.Many2One('pm.vote.motion', "Motion", readonly=True)
    disbursements = fields.One2Many(
        'pm.fund.disbursement', 'proposal', "Disbursements", readonly=True)
    disbursed = fields.Function(Monetary(
            "Disbursed", currency='currency', digits='currency'),
        'get_disbursed')
    state = fields.Selection([
            ('draft', "Draft"),
            ('voting', "Voting"),
            ('approved', "Approved"),
            ('rejected', "Rejected"),
            ('done', "Done"),
            ], "State", required=True, readonly=True, sort=False)
    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.fund, Index.Equality())))
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'voting'),
            ('voting', 'approved'),
            ('voting', 'rejected'),
            ('draft', 'approved'),
            ('approved', 'done'),
            }
        cls._buttons.update({
                'apportion': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'submit_vote': {
                    'invisible': ((Eval('state') != 'draft')
                        | Eval('emergency', False)),
                    'depends': ['state', 'emergency'],
                    },
                'approve_emergency': {
                    'invisible': ((Eval('state') != 'draft')
                        | ~Eval('emergency', False)),
                    'depends': ['state', 'emergency'],
                    },
                'notify_owners': {
                    'invisible': (~Eval('emergency', False)
                        | Bool(Eval('notice_date'))
                        | ~Eval('state').in_(['approved', 'done'])),
                    'depends': ['state', 'emergency', 'notice_date'],
                    },
                'finish': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_emergency():
        return False

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('fund', '_parent_fund.estate')
    def on_change_with_estate(self, name=None):
        return self.fund.estate if self.fund else None

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_disbursed(self, name):
        return sum((d.amount for d in self.disbursements
                if d.state == 'posted'), ZERO)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['title', 'fund.rec_name'])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Fund = pool.get('pm.fund')
        values = super().preprocess_values(mode, values)
        if values.get('fund'):
            values['company'] = Fund(values['fund']).company.id
        return values

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'delete':
            for record in records:
                if record.state != 'draft':
                    raise FundModifyError(gettext(
                            'pm_fund.msg_posted_delete',
                            record=record.rec_name))

    def affected_units(self):
        pool = Pool()
        Unit = pool.get('pm.unit')
        if self.units:
            return list(self.units)
        domain = [('estate', '=', self.fund.estate.id)]
        if self.buildings:
            domain.append(('building', 'in', [b.id for b in self.buildings]))
        return Unit.search(domain, order=[('code', 'ASC'), ('id', 'ASC')])

    @classmethod
    @ModelView.button
    def apportion(cls, proposals):
        "Apportion the budget to the affected units by built area"
        pool = Pool()
        Share = pool.get('pm.fund.proposal.share')
        Share.delete([s for p in proposals for s in p.shares])
        to_create = []
        for proposal in proposals:
            units = [u for u in proposal.affected_units() if u.built_area]
            if not units:
                raise FundError(gettext('pm_fund.msg_proposal_no_units',
                        proposal=proposal.rec_name))
            amounts = apportion(
                proposal.budget, [u.built_area for u in units])
            for unit, amount in zip(units, amounts):
                to_create.append({
                        'proposal': proposal.id, 'unit': unit.id,
                        'area': unit.built_area, 'amount': amount,
                        })
        Share.create(to_create)

    @classmethod
    @ModelView.button
    @Workflow.transition('voting')
    def submit_vote(cls, proposals, date_start=None, date_end=None):
        """Put the proposals to the owners' vote of the affected units
        (pm.vote.motion of kind fund_use, opened at once; window from now,
        14 days by default)"""
        pool = Pool()
        Motion = pool.get('pm.vote.motion')
        cls.apportion([p for p in proposals if not p.shares])
        proposals = cls.browse([p.id for p in proposals])
        start = date_start or dt.datetime.now().replace(microsecond=0)
        end = date_end or start + dt.timedelta(days=14)
        motions = Motion.create([{
                    'estate': p.fund.estate.id,
                    'title': gettext('pm_fund.msg_motion_title',
                        title=p.title),
                    'description': '\n'.join(filter(None, [
                                p.description, p.quote,
                                gettext('pm_fund.msg_motion_budget',
                                    budget=p.budget)])),
                    'kind': 'fund_use',
                    'units': [('add', [s.unit.id for s in p.shares])],
                    'buildings': [('add', [b.id for b in p.buildings])],
                    'date_start': start,
                    'date_end': end,
                    'origin': str(p),
                    } for p in proposals])
        Motion.open(motions)
        for proposal, motion in zip(proposals, motions):
            proposal.motion = motion
        cls.save(proposals)

    @classmethod
    def vote_closed(cls, motions):
        "Called by pm_vote when the motions close"
        proposals = cls.search([
                ('motion', 'in', [m.id for m in motions]),
                ('state', '=', 'voting'),
                ])
        cls.approve([p for p in proposals if p.motion.result == 'passed'])
        cls.reject([p for p in proposals if p.motion.result != 'passed'])

    @classmethod
    @Workflow.transition('approved')
    def approve(cls, proposals):
        pass

    @classmethod
    @Workflow.transition('rejected')
    def reject(cls, proposals):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve_emergency(cls, proposals):
        """Approve an emergency use without a vote: the type, the report and
        at least one attached document (inspection, photos, quote) are
        mandatory"""
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        for proposal in proposals:
            if not proposal.emergency:
                raise FundError(gettext('pm_fund.msg_proposal_not_emergency',
                        proposal=proposal.rec_name))
            if (not proposal.emergency_type
                    or not (proposal.emergency_report or '').strip()
                    or not Attachment.search([
                            ('resource', '=', str(proposal))], limit=1)):
                raise FundError(gettext(
                        'pm_fund.msg_proposal_emergency_documents',
                        proposal=proposal.rec_name))
        cls.apportion([p for p in proposals if not p.shares])

    @classmethod
    @ModelView.button
    def notify_owners(cls, proposals):
        """Notify the owners of an emergency use afterwards: a published
        discussion topic of the estate with the works and the amounts"""
        pool = Pool()
        Topic = pool.get('pm.vote.topic')
        Date = pool.get('ir.date')
        for proposal in proposals:
            topic, = Topic.create([{
                        'estate': proposal.fund.estate.id,
                        'title': gettext('pm_fund.msg_notice_title',
                            title=proposal.title),
                        'body': gettext('pm_fund.msg_notice_body',
                            title=proposal.title,
                            emergency=dict(EMERGENCIES).get(
                                proposal.emergency_type, ''),
                            report=proposal.emergency_report or '',
                            budget=proposal.budget,
                            disbursed=proposal.disbursed),
                        'state': 'published',
                        }])
            proposal.notice_topic = topic
            proposal.notice_date = Date.today()
        cls.save(proposals)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def finish(cls, proposals):
        pass


class ProposalBuilding(ModelSQL):
    "Proposal - Building"
    __name__ = 'pm.fund.proposal-pm.building'
    __string__ = "Proposal - Building"
    proposal = fields.Many2One(
        'pm.fund.proposal', "Proposal", required=True, ondelete='CASCADE')
    building = fields.Many2One(
        'pm.building', "Building", required=True, ondelete='CASCADE')


class ProposalUnit(ModelSQL):
    "Proposal - Unit"
    __name__ = 'pm.fund.proposal-pm.unit'
    __string__ = "Proposal - Unit"
    proposal = fields.Many2One(
        'pm.fund.proposal', "Proposal", required=True, ondelete='CASCADE')
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='CASCADE')


class ProposalWorkOrder(ModelSQL):
    "Proposal - Work Order"
    __name__ = 'pm.fund.proposal-pm.work_order'
    __string__ = "Proposal - Work Order"
    proposal = fields.Many2One(
        'pm.fund.proposal', "Proposal", required=True, ondelete='CASCADE')
    work_order = fields.Many2One(
        'pm.work_order', "Work Order", required=True, ondelete='CASCADE')


class ProposalShare(ModelSQL, ModelView):
    "Maintenance Fund Use Share"
    __name__ = 'pm.fund.proposal.share'
    __string__ = "Maintenance Fund Use Share"

    proposal = fields.Many2One(
        'pm.fund.proposal', "Proposal", required=True, ondelete='CASCADE')
    unit = fields.Many2One('pm.unit', "Unit", required=True, readonly=True)
    area = fields.Numeric("Built Area", digits=(16, 2), readonly=True)
    amount = fields.Numeric(
        "Share", digits=(16, 2), readonly=True,
        help="The unit's part of the budget, by built area.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('proposal')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.proposal, Index.Equality())))
        cls._order = [('proposal', 'ASC'), ('id', 'ASC')]


class Disbursement(FundDocumentMixin, Workflow, ModelSQL, ModelView):
    "Maintenance Fund Disbursement"
    __name__ = 'pm.fund.disbursement'
    _company_from = ('proposal', 'pm.fund.proposal')
    __string__ = "Maintenance Fund Disbursement"

    _draft = {'readonly': Eval('state') != 'draft'}
    company = company_field()
    proposal = fields.Many2One(
        'pm.fund.proposal', "Proposal", required=True, ondelete='RESTRICT',
        states=_draft, domain=[('state', 'in', ['approved', 'done'])])
    stage = fields.Char(
        "Stage", required=True, states=_draft,
        help="E.g. advance 预付款, progress 进度款, final 结算款.")
    date = fields.Date("Date", required=True, states=_draft)
    invoice_number = fields.Char(
        "Invoice Number", required=True, states=_draft,
        help="The number of the contractor's invoice paid.")
    invoice = fields.Many2One(
        'account.invoice', "Supplier Invoice", states=_draft,
        domain=[('company', '=', Eval('company', -1)),
            ('type', '=', 'in')])
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        states=_draft, domain=[('amount', '>', 0)])
    move = fields.Many2One('account.move', "Move", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ], "State", required=True, readonly=True)
    del _draft

    def get_rec_name(self, name):
        return f'{self.proposal.rec_name} {self.stage}'

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, disbursements):
        """Pay a stage: Dr fund liability / Cr fund bank, debiting the
        affected units' sub-ledgers in proportion to their shares
        (largest remainder)"""
        pool = Pool()
        Ledger = pool.get('pm.fund.ledger')
        Fund = pool.get('pm.fund')
        for disbursement in sorted(disbursements, key=lambda d: d.date):
            proposal = disbursement.proposal
            fund = proposal.fund
            if proposal.state != 'approved':
                raise FundError(gettext('pm_fund.msg_disburse_not_approved',
                        proposal=proposal.rec_name))
            if disbursement.amount + proposal.disbursed > proposal.budget:
                raise FundError(gettext('pm_fund.msg_disburse_over_budget',
                        proposal=proposal.rec_name,
                        budget=proposal.budget,
                        disbursed=proposal.disbursed))
            shares = list(proposal.shares)
            parts = apportion(
                disbursement.amount, [s.amount for s in shares])
            balances = Fund.unit_balances([s.unit.id for s in shares])
            for share, part in zip(shares, parts):
                if balances[share.unit.id] < part:
                    raise FundError(gettext(
                            'pm_fund.msg_disburse_balance',
                            unit=share.unit.rec_name,
                            balance=balances[share.unit.id], amount=part))
            text = gettext('pm_fund.msg_disburse_move',
                proposal=proposal.title, stage=disbursement.stage,
                invoice=disbursement.invoice_number)
            disbursement.move = fund.post_move(disbursement.date, [
                    (fund.liability_account, disbursement.amount),
                    (fund.bank_account, -disbursement.amount),
                    ], text, origin=disbursement)
            disbursement.save()
            owners = Ledger.owners_at(
                [s.unit.id for s in shares], disbursement.date)
            Ledger.create([{
                        'company': fund.company.id, 'fund': fund.id,
                        'unit': s.unit.id, 'party': owners[s.unit.id],
                        'date': disbursement.date,
                        'kind': 'emergency' if proposal.emergency else 'use',
                        'amount': -part, 'description': text,
                        'origin': str(disbursement),
                        'move': disbursement.move.id,
                        } for s, part in zip(shares, parts) if part])


class Motion(metaclass=PoolMeta):
    __name__ = 'pm.vote.motion'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.fund.proposal']
