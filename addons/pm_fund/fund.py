# This file is part of the pm suite (物业管理系统). See README.md.
"""The special maintenance fund 专项维修资金 of an estate.

Accounting: the fund has its own liability account (e.g. 224103
代管专项维修资金) and bank account (e.g. 100202 专项维修资金专户) and never
touches the company's revenue:

- deposit 交存 (first deposit 首期 / top-up 续筹): billed to the unit through
  pm_billing as an extra charge whose charge item posts to a collection
  account (Dr receivable / Cr collection); when the bill is posted the fund
  reclassifies it (Dr collection / Cr fund liability) and credits the unit's
  sub-ledger, so the collection account nets to zero;
- remittance 缴存专户: Dr fund bank / Cr the account the money came in on;
- interest 增值收益: Dr fund bank / Cr fund liability, allocated to units;
- disbursement 拨付 and refund 退还: Dr fund liability / Cr fund bank,
  debiting the units' sub-ledgers.

So the sum of the sub-ledgers always equals the balance of the liability
account.  A unit's balance follows the unit on a sale (过户): the ledger is
kept per unit; the sale only records the new owner.
"""
import datetime as dt
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, id_batches,
    search_fields, sql_in)
from trytond.modules.pm_estate.unit import USAGES
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .document import FundDocumentMixin
from .exceptions import FundError, FundModifyError

ZERO = Decimal(0)
CENT = Decimal('0.01')

LEDGER_KINDS = [
    ('deposit', "First Deposit"),
    ('topup', "Top-up"),
    ('interest', "Interest"),
    ('use', "Use"),
    ('emergency', "Emergency Use"),
    ('refund', "Refund"),
    ('transfer', "Ownership Transfer"),
    ('reversal', "Reversal"),
    ]


def apportion(total, weights):
    """Split total (Decimal, cents) by weights with the largest-remainder
    method: the parts are whole cents and add up to total exactly.
    weights: list of non-negative Decimals, not all zero.  Ties go to the
    earlier weight."""
    total = Decimal(total).quantize(CENT)
    sign = -1 if total < 0 else 1
    cents = int(abs(total) / CENT)
    weight_sum = sum(weights, ZERO)
    if not weights or weight_sum <= 0:
        raise ValueError("weights must not all be zero")
    shares = [Decimal(cents) * Decimal(w) / weight_sum for w in weights]
    floors = [int(s.to_integral_value(rounding=ROUND_FLOOR)) for s in shares]
    left = cents - sum(floors)
    order = sorted(range(len(weights)),
        key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * Decimal(c) * CENT for c in floors]


def mask_name(name):
    "张三 → 张*, 欧阳娜娜 → 欧***; the disclosure shows no full names"
    if not name:
        return ''
    return name[0] + '*' * max(len(name) - 1, 1)


class Fund(EstateCompanyMixin, ModelSQL, ModelView):
    "Maintenance Fund"
    __name__ = 'pm.fund'
    __string__ = "Maintenance Fund"

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain())
    name = fields.Char("Name", required=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    liability_account = fields.Many2One(
        'account.account', "Fund Liability Account", required=True,
        domain=[('company', '=', Eval('company', -1)),
            ('type', '!=', None), ('closed', '!=', True)],
        help="The liability of the fund to the owners "
        "(e.g. 224103 代管专项维修资金).")
    bank_account = fields.Many2One(
        'account.account', "Fund Bank Account", required=True,
        domain=[('company', '=', Eval('company', -1)),
            ('type', '!=', None), ('closed', '!=', True)],
        help="The fund's own bank account (e.g. 100202 专项维修资金专户).")
    journal = fields.Many2One(
        'account.journal', "Journal", required=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    charge_item = fields.Many2One(
        'pm.charge.item', "Charge Item", required=True,
        domain=[('company', '=', Eval('company', -1))],
        help="The charge item billing the deposits; its revenue account "
        "is the collection account cleared into the fund.")
    rates = fields.One2Many('pm.fund.rate', 'fund', "Rates")
    topup_ratio = fields.Numeric(
        "Top-up Threshold (%)", digits=(5, 2), required=True,
        domain=[('topup_ratio', '>=', 0), ('topup_ratio', '<=', 100)],
        help="A unit is asked for a top-up (续筹) when its balance falls "
        "below this share of its first deposit; the top-up restores the "
        "first deposit.")
    ledger = fields.One2Many(
        'pm.fund.ledger', 'fund', "Sub-ledger", readonly=True)
    balance = fields.Function(Monetary(
            "Balance", currency='currency', digits='currency'),
        'get_balances')
    liability_balance = fields.Function(Monetary(
            "Liability Account Balance", currency='currency',
            digits='currency'), 'get_balances')
    bank_balance = fields.Function(Monetary(
            "Bank Account Balance", currency='currency', digits='currency'),
        'get_balances')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('estate_uniq', Unique(t, t.estate), 'pm_fund.msg_fund_unique'),
            # the disclosure compares a fund's sub-ledgers with its
            # liability account: shared, they could never match
            ('liability_account_uniq', Unique(t, t.liability_account),
                'pm_fund.msg_fund_liability_account_unique'),
            ]
        cls._buttons.update({
                'generate_deposits': {},
                'generate_topups': {},
                })

    @staticmethod
    def default_topup_ratio():
        return Decimal('30.00')

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['name', 'estate.rec_name'])

    @classmethod
    def get_balances(cls, funds, names):
        pool = Pool()
        Ledger = pool.get('pm.fund.ledger')
        MoveLine = pool.get('account.move.line')
        Move = pool.get('account.move')
        ledger = Ledger.__table__()
        cursor = Transaction().connection.cursor()
        date = Transaction().context.get('fund_date')
        result = {n: {f.id: ZERO for f in funds} for n in names}
        if 'balance' in names:
            where = sql_in(ledger.fund, [f.id for f in funds])
            if date:
                where &= ledger.date <= date
            cursor.execute(*ledger.select(ledger.fund, Sum(ledger.amount),
                    where=where, group_by=[ledger.fund]))
            for fund_id, amount in cursor:
                result['balance'][fund_id] = Decimal(
                    str(amount or 0)).quantize(CENT)
        line = MoveLine.__table__()
        move = Move.__table__()
        for name, attr, sign in [
                ('liability_balance', 'liability_account', -1),
                ('bank_balance', 'bank_account', 1)]:
            if name not in names:
                continue
            for fund in funds:
                account = getattr(fund, attr)
                where = (line.account == account.id) & (
                    move.state == 'posted')
                if date:
                    where &= move.date <= date
                cursor.execute(*line.join(move,
                        condition=line.move == move.id).select(
                        Sum(line.debit - line.credit), where=where))
                amount, = cursor.fetchone()
                result[name][fund.id] = sign * Decimal(
                    str(amount or 0)).quantize(CENT)
        return result

    @classmethod
    def get_fund(cls, unit):
        funds = cls.search([('estate', '=', unit.estate.id)], limit=1)
        return funds[0] if funds else None

    def rate_for(self, usage):
        for rate in self.rates:
            if rate.usage == usage:
                return rate.rate
        return None

    @classmethod
    def unit_balances(cls, unit_ids, date=None):
        "Return {unit id: balance} of the sub-ledgers"
        pool = Pool()
        Ledger = pool.get('pm.fund.ledger')
        ledger = Ledger.__table__()
        cursor = Transaction().connection.cursor()
        result = defaultdict(lambda: ZERO.quantize(CENT))
        for sub in id_batches(unit_ids):
            where = sql_in(ledger.unit, sub)
            if date:
                where &= ledger.date <= date
            cursor.execute(*ledger.select(ledger.unit, Sum(ledger.amount),
                    where=where, group_by=[ledger.unit]))
            for unit_id, amount in cursor:
                result[unit_id] = Decimal(str(amount or 0)).quantize(CENT)
        return result

    @classmethod
    @ModelView.button
    def generate_deposits(cls, funds):
        cls.create_first_deposits(funds)

    @classmethod
    def create_first_deposits(cls, funds, date=None):
        """Create the first deposits (首期交存) of the units of the funds that
        have none: built area × the rate of the unit's usage"""
        pool = Pool()
        Unit = pool.get('pm.unit')
        Deposit = pool.get('pm.fund.deposit')
        Date = pool.get('ir.date')
        date = date or Date.today()
        to_create = []
        for fund in funds:
            units = Unit.search([('estate', '=', fund.estate.id)])
            done = {d.unit.id for d in Deposit.search([
                        ('fund', '=', fund.id), ('kind', '=', 'first'),
                        ('state', '!=', 'cancelled')])}
            for unit in units:
                rate = fund.rate_for(unit.usage)
                if unit.id in done or rate is None or not unit.built_area:
                    continue
                to_create.append({
                        'fund': fund.id, 'unit': unit.id, 'kind': 'first',
                        'date': date, 'area': unit.built_area, 'rate': rate,
                        })
        return Deposit.create(to_create)

    @classmethod
    @ModelView.button
    def generate_topups(cls, funds):
        cls.create_topups(funds)

    @classmethod
    def create_topups(cls, funds, date=None):
        """Create top-ups (续筹) for the units whose balance is below the
        threshold share of their first deposit: the top-up restores it"""
        pool = Pool()
        Deposit = pool.get('pm.fund.deposit')
        Date = pool.get('ir.date')
        date = date or Date.today()
        to_create = []
        for fund in funds:
            firsts = Deposit.search([
                    ('fund', '=', fund.id), ('kind', '=', 'first'),
                    ('state', '=', 'posted')])
            pending = {d.unit.id for d in Deposit.search([
                        ('fund', '=', fund.id), ('kind', '=', 'topup'),
                        ('state', 'in', ['draft', 'billed'])])}
            balances = cls.unit_balances([d.unit.id for d in firsts])
            for first in firsts:
                unit = first.unit
                balance = balances[unit.id]
                threshold = (first.amount * fund.topup_ratio / 100).quantize(
                    CENT)
                if unit.id in pending or balance >= threshold:
                    continue
                to_create.append({
                        'fund': fund.id, 'unit': unit.id, 'kind': 'topup',
                        'date': date, 'area': first.area, 'rate': first.rate,
                        'amount': first.amount - balance,
                        })
        return Deposit.create(to_create)

    def post_move(self, date, lines, description, origin=None):
        """Post a move of the fund: lines is [(account, amount)] with
        amount > 0 debit, < 0 credit; return the move"""
        pool = Pool()
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        move_lines = []
        for account, amount in lines:
            if not amount:
                continue
            move_lines.append(MoveLine(
                    account=account,
                    debit=amount if amount > 0 else ZERO,
                    credit=-amount if amount < 0 else ZERO,
                    description=description))
        move = Move(company=self.company, journal=self.journal,
            period=Period.find(self.company, date=date), date=date,
            origin=origin, description=description, lines=move_lines)
        move.save()
        Move.post([move])
        return move


class FundRate(ModelSQL, ModelView):
    "Maintenance Fund Rate"
    __name__ = 'pm.fund.rate'
    __string__ = "Maintenance Fund Rate"

    fund = fields.Many2One(
        'pm.fund', "Fund", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    usage = fields.Selection(USAGES, "Usage", required=True, sort=False)
    rate = fields.Numeric(
        "Rate per m²", digits=(16, 2), required=True,
        domain=[('rate', '>=', 0)],
        help="The first deposit per square metre of built area.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('fund')
        cls._sql_constraints = [
            ('usage_uniq', Unique(t, t.fund, t.usage),
                'pm_fund.msg_rate_unique'),
            ]

    @fields.depends('fund', '_parent_fund.company')
    def on_change_with_company(self, name=None):
        return self.fund.company if self.fund else None

    @classmethod
    def search_company(cls, name, clause):
        return [('fund.' + clause[0], *clause[1:])]


class Ledger(ModelSQL, ModelView):
    "Maintenance Fund Sub-ledger"
    __name__ = 'pm.fund.ledger'
    __string__ = "Maintenance Fund Sub-ledger"

    company = company_field()
    fund = fields.Many2One(
        'pm.fund', "Fund", required=True, readonly=True, ondelete='RESTRICT')
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, readonly=True, ondelete='RESTRICT')
    party = fields.Many2One(
        'party.party', "Owner", readonly=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The owner (or billing party) of the unit at the date.")
    date = fields.Date("Date", required=True, readonly=True)
    kind = fields.Selection(
        LEDGER_KINDS, "Kind", required=True, readonly=True, sort=False)
    kind_string = kind.translated('kind')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        readonly=True, help="Positive: credited to the unit.")
    description = fields.Char("Description", readonly=True)
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True)
    move = fields.Many2One(
        'account.move', "Move", readonly=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Equality()),
                    (t.date, Index.Range())),
                Index(t, (t.fund, Index.Equality()),
                    (t.date, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def get_origin(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        models = ['pm.fund.deposit', 'pm.fund.interest',
            'pm.fund.disbursement', 'pm.fund.refund', 'pm.unit']
        return [(None, '')] + [(m, IrModel.get_name(m)) for m in models]

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise FundModifyError(gettext('pm_fund.msg_ledger_modify'))

    @classmethod
    def owners_at(cls, unit_ids, date):
        "Return {unit id: party id} the billing party or first owner"
        pool = Pool()
        Unit = pool.get('pm.unit')
        owners = Unit.current_owners(unit_ids, date)
        billing = {u.id: u.billing_party for u in Unit.browse(unit_ids)}
        result = {}
        for unit_id in unit_ids:
            parties = [p for p, _, _ in owners.get(unit_id, [])]
            party = billing.get(unit_id)
            if party and party.id in parties:
                result[unit_id] = party.id
            elif parties:
                result[unit_id] = parties[0]
            else:
                result[unit_id] = None
        return result


class Unit(metaclass=PoolMeta):
    __name__ = 'pm.unit'

    fund_balance = fields.Function(
        fields.Numeric("Maintenance Fund Balance", digits=(16, 2)),
        'get_fund_balance')

    @classmethod
    def get_fund_balance(cls, units, name):
        pool = Pool()
        Fund = pool.get('pm.fund')
        balances = Fund.unit_balances([u.id for u in units])
        return {u.id: balances[u.id] for u in units}

    @classmethod
    def transfer_ownership(cls, unit, date, new_owners, billing_party=None):
        """The fund balance follows the unit: record the transfer in the
        sub-ledger (out of the seller, into the buyer, net zero)"""
        pool = Pool()
        Ledger = pool.get('pm.fund.ledger')
        Fund = pool.get('pm.fund')
        fund = Fund.get_fund(unit)
        seller = None
        if fund:
            seller = Ledger.owners_at([unit.id], date - dt.timedelta(days=1))[
                unit.id]
        result = super().transfer_ownership(
            unit, date, new_owners, billing_party=billing_party)
        if fund:
            balance = Fund.unit_balances([unit.id])[unit.id]
            buyer = Ledger.owners_at([unit.id], date)[unit.id]
            if balance and seller != buyer:
                text = gettext('pm_fund.msg_ledger_transfer',
                    unit=unit.rec_name)
                Ledger.create([{
                            'company': fund.company.id, 'fund': fund.id,
                            'unit': unit.id, 'party': p, 'date': date,
                            'kind': 'transfer', 'amount': a,
                            'description': text, 'origin': str(unit),
                            } for p, a in [(seller, -balance),
                            (buyer, balance)]])
        return result


class Deposit(Workflow, ModelSQL, ModelView):
    "Maintenance Fund Deposit"
    __name__ = 'pm.fund.deposit'
    __string__ = "Maintenance Fund Deposit"

    _draft = {'readonly': Eval('state') != 'draft'}

    company = company_field()
    fund = fields.Many2One(
        'pm.fund', "Fund", required=True, ondelete='RESTRICT',
        states=_draft)
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='RESTRICT', states=_draft,
        domain=[('estate', '=', Eval('estate', -1))])
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"), 'on_change_with_estate')
    kind = fields.Selection([
            ('first', "First Deposit"),
            ('topup', "Top-up"),
            ], "Kind", required=True, states=_draft)
    kind_string = kind.translated('kind')
    date = fields.Date("Date", required=True, states=_draft)
    area = fields.Numeric(
        "Built Area", digits=(16, 2), required=True, states=_draft)
    rate = fields.Numeric(
        "Rate per m²", digits=(16, 2), required=True, states=_draft)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        states=_draft, domain=[('amount', '>', 0)],
        help="Built area × rate for a first deposit.")
    extra = fields.Many2One(
        'pm.charge.extra', "Extra Charge", readonly=True,
        ondelete='RESTRICT')
    bill = fields.Function(
        fields.Many2One('pm.bill', "Bill"), 'get_bill')
    ledger = fields.Many2One(
        'pm.fund.ledger', "Sub-ledger Line", readonly=True)
    move = fields.Many2One('account.move', "Move", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('billed', "Billed"),
            ('posted', "Posted"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Equality())),
                Index(t, (t.fund, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls.__rpc__['sync_billing'] = RPC(readonly=False)
        cls._transitions |= {
            ('draft', 'billed'),
            ('billed', 'posted'),
            ('posted', 'billed'),
            ('draft', 'cancelled'),
            }
        cls._buttons.update({
                'put_on_bill': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'bill_now': {
                    'invisible': ~Eval('state').in_(['draft', 'billed']),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_kind():
        return 'first'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('unit', '_parent_unit.estate')
    def on_change_with_estate(self, name=None):
        return self.unit.estate if self.unit else None

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('fund', 'unit', 'kind', '_parent_unit.built_area',
        '_parent_unit.usage', 'area', 'rate')
    def on_change_unit(self):
        if self.unit and self.fund:
            self.area = self.unit.built_area
            self.rate = self.fund.rate_for(self.unit.usage)
            self.on_change_area()

    @fields.depends('area', 'rate', 'kind')
    def on_change_area(self):
        if self.area is not None and self.rate is not None:
            self.amount = (self.area * self.rate).quantize(CENT)

    @fields.depends(methods=['on_change_area'])
    def on_change_rate(self):
        self.on_change_area()

    def get_rec_name(self, name):
        return f'{self.unit.rec_name} {self.kind_string} {self.amount}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['unit.rec_name'])

    def get_bill(self, name):
        return self.extra.bill.id if self.extra and self.extra.bill else None

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Fund = pool.get('pm.fund')
        values = super().preprocess_values(mode, values)
        if values.get('fund'):
            values['company'] = Fund(values['fund']).company.id
        if (mode == 'create' and values.get('amount') is None
                and values.get('area') is not None
                and values.get('rate') is not None):
            values['amount'] = (
                Decimal(values['area']) * Decimal(values['rate'])).quantize(
                CENT)
        return values

    @classmethod
    def check_modification(cls, mode, deposits, values=None, external=False):
        super().check_modification(
            mode, deposits, values=values, external=external)
        if mode == 'delete':
            for deposit in deposits:
                if deposit.state not in {'draft', 'cancelled'}:
                    raise FundModifyError(gettext(
                            'pm_fund.msg_deposit_delete',
                            deposit=deposit.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, deposits):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('billed')
    def put_on_bill(cls, deposits):
        """Put the deposits on the units' next bills (pm.charge.extra)"""
        pool = Pool()
        Extra = pool.get('pm.charge.extra')
        to_bill = [d for d in deposits if not d.extra]
        extras = Extra.create([{
                    'company': d.company.id,
                    'unit': d.unit.id,
                    'charge_item': d.fund.charge_item.id,
                    'date': d.date,
                    'description': gettext('pm_fund.msg_deposit_description',
                        kind=d.kind_string, area=d.area, rate=d.rate),
                    'quantity': Decimal(1),
                    'unit_price': d.amount,
                    'origin': str(d),
                    } for d in to_bill])
        for deposit, extra in zip(to_bill, extras):
            deposit.extra = extra
        cls.save(to_bill)

    @classmethod
    @ModelView.button
    def bill_now(cls, deposits):
        """Bill the deposits at once (cashier desk) and post them"""
        pool = Pool()
        Extra = pool.get('pm.charge.extra')
        drafts = [d for d in deposits if d.state == 'draft']
        if drafts:
            cls.put_on_bill(drafts)
        extras = [d.extra for d in deposits
            if d.extra and d.extra.state == 'pending']
        if extras:
            Extra.bill_now(extras)
        cls.sync_billing(deposits)

    @classmethod
    def sync_billing(cls, deposits=None):
        """Post the deposits whose bill is posted: reclassify the collection
        into the fund (Dr collection / Cr fund liability) and credit the
        unit's sub-ledger; reverse a posted deposit whose bill was
        cancelled.  Also run by a cron."""
        pool = Pool()
        Ledger = pool.get('pm.fund.ledger')
        if deposits is None:
            deposits = cls.search([('state', 'in', ['billed', 'posted'])])
        else:
            # fresh instances: the bills were made after they were read
            deposits = cls.browse([d.id for d in deposits])
        # pm_billing bills and posts with SQL: read its state the same way
        billed_dates = cls._billed_dates(deposits)
        to_post, to_reverse = [], []
        for deposit in deposits:
            billed = deposit.id in billed_dates
            if deposit.state == 'billed' and billed:
                to_post.append(deposit)
            elif deposit.state == 'posted' and deposit.extra and not billed:
                to_reverse.append(deposit)
        if to_post:
            owners = Ledger.owners_at(
                [d.unit.id for d in to_post], max(d.date for d in to_post))
            for deposit in to_post:
                fund = deposit.fund
                date = billed_dates[deposit.id] or deposit.date
                collection = fund.charge_item.product.account_revenue_used
                text = gettext('pm_fund.msg_deposit_move',
                    kind=deposit.kind_string, unit=deposit.unit.rec_name)
                deposit.move = fund.post_move(date, [
                        (collection, deposit.amount),
                        (fund.liability_account, -deposit.amount),
                        ], text, origin=deposit)
                deposit.ledger, = Ledger.create([{
                            'company': fund.company.id, 'fund': fund.id,
                            'unit': deposit.unit.id,
                            'party': owners[deposit.unit.id],
                            'date': date,
                            'kind': ('deposit' if deposit.kind == 'first'
                                else 'topup'),
                            'amount': deposit.amount,
                            'description': text, 'origin': str(deposit),
                            'move': deposit.move.id,
                            }])
            cls.save(to_post)
            cls.post(to_post)
        if to_reverse:
            for deposit in to_reverse:
                fund = deposit.fund
                date = pool.get('ir.date').today()
                collection = fund.charge_item.product.account_revenue_used
                text = gettext('pm_fund.msg_deposit_reverse',
                    unit=deposit.unit.rec_name)
                move = fund.post_move(date, [
                        (collection, -deposit.amount),
                        (fund.liability_account, deposit.amount),
                        ], text, origin=deposit)
                Ledger.create([{
                            'company': fund.company.id, 'fund': fund.id,
                            'unit': deposit.unit.id,
                            'party': deposit.ledger.party.id
                            if deposit.ledger and deposit.ledger.party
                            else None,
                            'date': date, 'kind': 'reversal',
                            'amount': -deposit.amount, 'description': text,
                            'origin': str(deposit), 'move': move.id,
                            }])
            cls.write(to_reverse, {'ledger': None, 'move': None})
            cls.unpost(to_reverse)

    @classmethod
    def _billed_dates(cls, deposits):
        "{deposit id: accounting date} of the deposits on a posted bill"
        pool = Pool()
        Extra = pool.get('pm.charge.extra')
        BillLine = pool.get('pm.bill.line')
        Bill = pool.get('pm.bill')
        Move = pool.get('account.move')
        extra = Extra.__table__()
        line = BillLine.__table__()
        bill = Bill.__table__()
        move = Move.__table__()
        cursor = Transaction().connection.cursor()
        by_extra = {d.extra.id: d.id for d in deposits if d.extra}
        result = {}
        for sub in id_batches(list(by_extra)):
            cursor.execute(*extra.join(line,
                    condition=extra.bill_line == line.id).join(bill,
                    condition=line.bill == bill.id).join(move, 'LEFT',
                    condition=bill.move == move.id).select(
                    extra.id, move.date,
                    where=sql_in(extra.id, sub)
                    & bill.state.in_(['posted', 'invoiced'])))
            for extra_id, date in cursor:
                if isinstance(date, str):
                    date = dt.date.fromisoformat(date)
                result[by_extra[extra_id]] = date
        return result

    @classmethod
    @Workflow.transition('posted')
    def post(cls, deposits):
        pass

    @classmethod
    @Workflow.transition('billed')
    def unpost(cls, deposits):
        pass


class Remittance(FundDocumentMixin, Workflow, ModelSQL, ModelView):
    "Maintenance Fund Remittance"
    __name__ = 'pm.fund.remittance'
    __string__ = "Maintenance Fund Remittance"

    _draft = {'readonly': Eval('state') != 'draft'}
    company = company_field()
    fund = fields.Many2One(
        'pm.fund', "Fund", required=True, ondelete='RESTRICT', states=_draft)
    date = fields.Date("Date", required=True, states=_draft)
    from_account = fields.Many2One(
        'account.account', "From Account", required=True, states=_draft,
        domain=[('company', '=', Eval('company', -1)),
            ('type', '!=', None), ('closed', '!=', True)],
        help="The account the deposits were collected on (cash, bank).")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        states=_draft, domain=[('amount', '>', 0)])
    reference = fields.Char("Bank Reference", states=_draft)
    move = fields.Many2One('account.move', "Move", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ], "State", required=True, readonly=True)
    del _draft

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, remittances):
        "Move the collected deposits to the fund's bank account (缴存专户)"
        for remittance in remittances:
            fund = remittance.fund
            text = gettext('pm_fund.msg_remittance_move',
                fund=fund.rec_name)
            remittance.move = fund.post_move(remittance.date, [
                    (fund.bank_account, remittance.amount),
                    (remittance.from_account, -remittance.amount),
                    ], text, origin=remittance)
        cls.save(remittances)


class Refund(FundDocumentMixin, Workflow, ModelSQL, ModelView):
    "Maintenance Fund Refund"
    __name__ = 'pm.fund.refund'
    __string__ = "Maintenance Fund Refund"

    _draft = {'readonly': Eval('state') != 'draft'}
    company = company_field()
    fund = fields.Many2One(
        'pm.fund', "Fund", required=True, ondelete='RESTRICT', states=_draft)
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='RESTRICT', states=_draft,
        domain=[('estate', '=', Eval('estate', -1))])
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"), 'on_change_with_estate')
    date = fields.Date("Date", required=True, states=_draft)
    reason = fields.Selection([
            ('demolished', "Building Demolished"),
            ('destroyed', "Building Destroyed or Lost"),
            ], "Reason", required=True, states=_draft,
        help="The fund is refunded only when the building is demolished "
        "or lost; on a sale the balance follows the unit.")
    document = fields.Char(
        "Document", required=True, states=_draft,
        help="The demolition decision or loss certificate.")
    party = fields.Many2One(
        'party.party', "Owner", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    move = fields.Many2One('account.move', "Move", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ], "State", required=True, readonly=True)
    del _draft

    @fields.depends('unit', '_parent_unit.estate')
    def on_change_with_estate(self, name=None):
        return self.unit.estate if self.unit else None

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, refunds):
        "Refund the whole balance of the units to their owners"
        pool = Pool()
        Ledger = pool.get('pm.fund.ledger')
        Fund = pool.get('pm.fund')
        for refund in refunds:
            fund = refund.fund
            balance = Fund.unit_balances([refund.unit.id])[refund.unit.id]
            if balance <= 0:
                raise FundError(gettext('pm_fund.msg_refund_nothing',
                        unit=refund.unit.rec_name))
            party = Ledger.owners_at([refund.unit.id], refund.date)[
                refund.unit.id]
            text = gettext('pm_fund.msg_refund_move',
                unit=refund.unit.rec_name, reason=refund.reason)
            refund.amount = balance
            refund.party = party
            refund.move = fund.post_move(refund.date, [
                    (fund.liability_account, balance),
                    (fund.bank_account, -balance),
                    ], text, origin=refund)
            Ledger.create([{
                        'company': fund.company.id, 'fund': fund.id,
                        'unit': refund.unit.id, 'party': party,
                        'date': refund.date, 'kind': 'refund',
                        'amount': -balance, 'description': text,
                        'origin': str(refund), 'move': refund.move.id,
                        }])
        cls.save(refunds)


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'pm.fund.deposit', 'pm.fund.remittance', 'pm.fund.refund',
            'pm.fund.interest', 'pm.fund.disbursement']


class ExtraCharge(metaclass=PoolMeta):
    __name__ = 'pm.charge.extra'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.fund.deposit']
