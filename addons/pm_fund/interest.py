# This file is part of the pm suite (物业管理系统). See README.md.
"""Interest and investment income 增值收益 of the fund, allocated to the
units by balance or by built area with the largest-remainder method (the
parts add up to the amount: no fen is lost or created)."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import company_field
from trytond.pool import Pool
from trytond.pyson import Eval

from .document import FundDocumentMixin
from .exceptions import FundError
from .fund import apportion

ZERO = Decimal(0)
CENT = Decimal('0.01')


class Interest(FundDocumentMixin, Workflow, ModelSQL, ModelView):
    "Maintenance Fund Interest"
    __name__ = 'pm.fund.interest'
    __string__ = "Maintenance Fund Interest"

    _draft = {'readonly': Eval('state') != 'draft'}
    company = company_field()
    fund = fields.Many2One(
        'pm.fund', "Fund", required=True, ondelete='RESTRICT', states=_draft)
    date = fields.Date("Date", required=True, states=_draft,
        help="The date the income is credited.")
    balance_date = fields.Date(
        "Balance Date", required=True, states=_draft,
        help="The date of the balances the income is allocated by.")
    description = fields.Char("Description", states=_draft)
    method = fields.Selection([
            ('balance', "By Balance"),
            ('area', "By Built Area"),
            ], "Allocation Rule", required=True, states=_draft,
        help="The allocation rule, recorded with the income.")
    method_string = method.translated('method')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        states=_draft, domain=[('amount', '>', 0)])
    lines = fields.One2Many(
        'pm.fund.interest.line', 'interest', "Allocation", readonly=True)
    allocated = fields.Function(Monetary(
            "Allocated", currency='currency', digits='currency'),
        'get_allocated')
    move = fields.Many2One('account.move', "Move", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ], "State", required=True, readonly=True)
    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_method():
        return 'balance'

    @classmethod
    def default_balance_date(cls):
        return cls.default_date()

    def get_allocated(self, name):
        return sum((l.amount for l in self.lines), ZERO)

    def get_rec_name(self, name):
        return f'{self.fund.rec_name} {self.date} {self.amount}'

    @classmethod
    @ModelView.button
    def compute(cls, interests):
        "Allocate the amount to the units (largest remainder)"
        pool = Pool()
        Line = pool.get('pm.fund.interest.line')
        Fund = pool.get('pm.fund')
        Unit = pool.get('pm.unit')
        Line.delete([l for i in interests for l in i.lines])
        to_create = []
        for interest in interests:
            fund = interest.fund
            if interest.method == 'balance':
                ledger_units = {l.unit.id for l in fund.ledger}
                balances = Fund.unit_balances(
                    list(ledger_units), interest.balance_date)
                bases = sorted((u, b) for u, b in balances.items() if b > 0)
            else:
                units = Unit.search([('estate', '=', fund.estate.id)],
                    order=[('id', 'ASC')])
                bases = [(u.id, u.built_area) for u in units
                    if u.built_area]
            if not bases:
                raise FundError(gettext('pm_fund.msg_interest_no_basis',
                        interest=interest.rec_name))
            amounts = apportion(interest.amount, [b for _, b in bases])
            for (unit_id, basis), amount in zip(bases, amounts):
                to_create.append({
                        'interest': interest.id, 'unit': unit_id,
                        'basis': basis, 'amount': amount,
                        })
        Line.create(to_create)

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, interests):
        "Credit the income to the fund and to the units' sub-ledgers"
        pool = Pool()
        Ledger = pool.get('pm.fund.ledger')
        cls.compute([i for i in interests if not i.lines])
        interests = cls.browse([i.id for i in interests])
        to_create = []
        for interest in interests:
            fund = interest.fund
            text = gettext('pm_fund.msg_interest_move',
                method=interest.method_string,
                description=interest.description or '')
            interest.move = fund.post_move(interest.date, [
                    (fund.bank_account, interest.amount),
                    (fund.liability_account, -interest.amount),
                    ], text, origin=interest)
            owners = Ledger.owners_at(
                [l.unit.id for l in interest.lines], interest.date)
            for line in interest.lines:
                if not line.amount:
                    continue
                to_create.append({
                        'company': fund.company.id, 'fund': fund.id,
                        'unit': line.unit.id, 'party': owners[line.unit.id],
                        'date': interest.date, 'kind': 'interest',
                        'amount': line.amount, 'description': text,
                        'origin': str(interest), 'move': interest.move.id,
                        })
        Ledger.create(to_create)
        cls.save(interests)


class InterestLine(ModelSQL, ModelView):
    "Maintenance Fund Interest Line"
    __name__ = 'pm.fund.interest.line'
    __string__ = "Maintenance Fund Interest Line"

    interest = fields.Many2One(
        'pm.fund.interest', "Interest", required=True, ondelete='CASCADE')
    unit = fields.Many2One('pm.unit', "Unit", required=True, readonly=True)
    basis = fields.Numeric(
        "Basis", digits=(16, 2), readonly=True,
        help="The balance or the built area the unit's part is based on.")
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('interest')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.interest, Index.Equality())))
