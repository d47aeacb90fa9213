# This file is part of the pm suite (物业管理系统). See README.md.
"""Public disclosure 公示 of the fund, at least every half year: deposits,
interest, uses, refunds and balance of the period, the per-unit balances
with the owners' names masked, and the balances of the fund's accounts
(which must equal the sub-ledger)."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company import CompanyReport
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import company_field
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import FundError, FundModifyError
from .fund import mask_name

ZERO = Decimal(0)
CENT = Decimal('0.01')

TOTALS = {
    'deposits': ('deposit', 'topup'),
    'interest': ('interest',),
    'uses': ('use', 'emergency'),
    'refunds': ('refund',),
    'other': ('transfer', 'reversal'),
    }


def half_year(date):
    "Return the (start, end) of the half year of date"
    if date.month <= 6:
        return dt.date(date.year, 1, 1), dt.date(date.year, 6, 30)
    return dt.date(date.year, 7, 1), dt.date(date.year, 12, 31)


class Disclosure(Workflow, ModelSQL, ModelView):
    "Maintenance Fund Disclosure"
    __name__ = 'pm.fund.disclosure'
    __string__ = "Maintenance Fund Disclosure"

    _draft = {'readonly': Eval('state') != 'draft'}
    company = company_field()
    fund = fields.Many2One(
        'pm.fund', "Fund", required=True, ondelete='RESTRICT', states=_draft)
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"), 'on_change_with_estate',
        searcher='search_estate')
    date_from = fields.Date("From", required=True, states=_draft)
    date_to = fields.Date(
        "To", required=True, states=_draft,
        domain=[('date_to', '>=', Eval('date_from'))])
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    opening = Monetary(
        "Opening Balance", currency='currency', digits='currency',
        readonly=True)
    deposits = Monetary(
        "Deposits", currency='currency', digits='currency', readonly=True)
    interest = Monetary(
        "Interest", currency='currency', digits='currency', readonly=True)
    uses = Monetary(
        "Uses", currency='currency', digits='currency', readonly=True)
    refunds = Monetary(
        "Refunds", currency='currency', digits='currency', readonly=True)
    other = Monetary(
        "Other Movements", currency='currency', digits='currency',
        readonly=True)
    closing = Monetary(
        "Closing Balance", currency='currency', digits='currency',
        readonly=True)
    liability_balance = Monetary(
        "Liability Account Balance", currency='currency', digits='currency',
        readonly=True)
    bank_balance = Monetary(
        "Bank Account Balance", currency='currency', digits='currency',
        readonly=True)
    matches = fields.Function(
        fields.Boolean("Matches the Accounts"), 'get_matches')
    lines = fields.One2Many(
        'pm.fund.disclosure.line', 'disclosure', "Unit Balances",
        readonly=True)
    published_date = fields.Date("Published", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('published', "Published"),
            ], "State", required=True, readonly=True)
    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.fund, Index.Equality()),
                (t.date_to, Index.Range())))
        cls._order = [('date_to', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'published')}
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'publish': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date_from(cls):
        return half_year(Pool().get('ir.date').today())[0]

    @classmethod
    def default_date_to(cls):
        return half_year(Pool().get('ir.date').today())[1]

    @fields.depends('fund', '_parent_fund.estate')
    def on_change_with_estate(self, name=None):
        return self.fund.estate if self.fund else None

    @classmethod
    def search_estate(cls, name, clause):
        return [('fund.estate' + clause[0][len(name):], *clause[1:])]

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_matches(self, name):
        return (self.closing is not None
            and self.closing == self.liability_balance)

    def get_rec_name(self, name):
        return f'{self.fund.rec_name} {self.date_from}~{self.date_to}'

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

    @classmethod
    @ModelView.button
    def compute(cls, disclosures):
        "Compute the totals, the account balances and the unit balances"
        pool = Pool()
        Ledger = pool.get('pm.fund.ledger')
        Line = pool.get('pm.fund.disclosure.line')
        Fund = pool.get('pm.fund')
        Unit = pool.get('pm.unit')
        Party = pool.get('party.party')
        ledger = Ledger.__table__()
        cursor = Transaction().connection.cursor()
        Line.delete([l for d in disclosures for l in d.lines])
        to_create = []
        for disclosure in disclosures:
            fund = disclosure.fund
            cursor.execute(*ledger.select(ledger.kind, Sum(ledger.amount),
                    where=(ledger.fund == fund.id)
                    & (ledger.date >= disclosure.date_from)
                    & (ledger.date <= disclosure.date_to),
                    group_by=[ledger.kind]))
            by_kind = defaultdict(lambda: ZERO)
            for kind, amount in cursor:
                by_kind[kind] = Decimal(str(amount or 0)).quantize(CENT)
            cursor.execute(*ledger.select(Sum(ledger.amount),
                    where=(ledger.fund == fund.id)
                    & (ledger.date < disclosure.date_from)))
            opening, = cursor.fetchone()
            disclosure.opening = Decimal(str(opening or 0)).quantize(CENT)
            for name, kinds in TOTALS.items():
                setattr(disclosure, name,
                    sum((by_kind[k] for k in kinds), ZERO).quantize(CENT))
            disclosure.closing = (disclosure.opening
                + sum((getattr(disclosure, n) for n in TOTALS), ZERO))
            with Transaction().set_context(fund_date=disclosure.date_to):
                balances = Fund.get_balances(
                    [fund], ['liability_balance', 'bank_balance'])
            disclosure.liability_balance = balances[
                'liability_balance'][fund.id]
            disclosure.bank_balance = balances['bank_balance'][fund.id]
            cursor.execute(*ledger.select(ledger.unit, Sum(ledger.amount),
                    where=(ledger.fund == fund.id)
                    & (ledger.date <= disclosure.date_to),
                    group_by=[ledger.unit]))
            unit_balances = dict(cursor)
            units = Unit.browse(sorted(unit_balances))
            owners = Ledger.owners_at(
                [u.id for u in units], disclosure.date_to)
            names = {p.id: p.name for p in Party.browse(
                    list({p for p in owners.values() if p}))}
            for unit in sorted(units, key=lambda u: u.code):
                party = owners.get(unit.id)
                to_create.append({
                        'disclosure': disclosure.id, 'unit': unit.id,
                        'owner_masked': mask_name(names.get(party, '')),
                        'balance': Decimal(str(
                                unit_balances[unit.id] or 0)).quantize(CENT),
                        })
        cls.save(disclosures)
        Line.create(to_create)

    @classmethod
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, disclosures):
        "Publish (portal and PDF); the totals must equal the fund accounts"
        pool = Pool()
        Date = pool.get('ir.date')
        cls.compute(disclosures)
        for disclosure in cls.browse([d.id for d in disclosures]):
            if disclosure.closing != disclosure.liability_balance:
                raise FundError(gettext('pm_fund.msg_disclosure_mismatch',
                        disclosure=disclosure.rec_name,
                        closing=disclosure.closing,
                        account=disclosure.liability_balance))
        cls.write(disclosures, {'published_date': Date.today()})

    @classmethod
    def create_half_year(cls, date=None):
        """Cron: create and compute the disclosure of the past half year of
        every fund that has none (staff check and publish it)"""
        pool = Pool()
        Fund = pool.get('pm.fund')
        Date = pool.get('ir.date')
        date = date or Date.today()
        start, _ = half_year(date)
        previous = half_year(start - dt.timedelta(days=1))
        funds = Fund.search([])
        existing = {d.fund.id for d in cls.search([
                    ('fund', 'in', [f.id for f in funds]),
                    ('date_to', '>=', previous[1]),
                    ])}
        records = cls.create([{
                    'fund': f.id, 'date_from': previous[0],
                    'date_to': previous[1],
                    } for f in funds if f.id not in existing])
        if records:
            cls.compute(records)
        return records


class DisclosureLine(ModelSQL, ModelView):
    "Maintenance Fund Disclosure Line"
    __name__ = 'pm.fund.disclosure.line'
    __string__ = "Maintenance Fund Disclosure Line"

    disclosure = fields.Many2One(
        'pm.fund.disclosure', "Disclosure", required=True,
        ondelete='CASCADE')
    unit = fields.Many2One('pm.unit', "Unit", required=True, readonly=True)
    owner_masked = fields.Char(
        "Owner", readonly=True, help="The owner's name, masked.")
    balance = fields.Numeric("Balance", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('disclosure')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.disclosure, Index.Equality())))
        cls._order = [('disclosure', 'ASC'), ('id', 'ASC')]


class DisclosureReport(CompanyReport):
    "Maintenance Fund Disclosure"
    __name__ = 'pm.fund.disclosure'


