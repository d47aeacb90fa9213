# This file is part of the pm suite (物业管理系统). See README.md.
"""Merchant settlement 商户结算.

Per merchant and period: the merchant's delivered order lines (sales), the
refunds of lines that had been delivered, the platform commission on the
net sales at the merchant's rate, and the amount to pay = net − commission,
posted as a supplier invoice (goods line on the merchant goods account,
negative commission line on the commission revenue account).
"""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import SettlementError, SettlementModifyError

ZERO = Decimal(0)


def commission_of(net, rate):
    "The commission on the net sales, rounded to cents"
    return (net * rate).quantize(Decimal('0.01'))


class Settlement(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.eshop.settlement'
    __string__ = "Merchant Settlement"
    _rec_name = 'number'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    number = fields.Char("Number", readonly=True)
    merchant = fields.Many2One(
        'pm.eshop.merchant', "Merchant", required=True, states=_states,
        domain=[('company', '=', Eval('company', -1))])
    date_start = fields.Date("From", required=True, states=_states)
    date_end = fields.Date(
        "To", required=True, states=_states,
        domain=[('date_end', '>=', Eval('date_start'))])
    date = fields.Date(
        "Invoice Date", required=True, states=_states,
        help="The date of the supplier invoice.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    commission_rate = fields.Numeric(
        "Commission Rate", digits=(16, 4), readonly=True)
    lines = fields.One2Many(
        'pm.eshop.settlement.line', 'settlement', "Lines", readonly=True)
    sales_amount = Monetary(
        "Sales", currency='currency', digits='currency', readonly=True)
    refund_amount = Monetary(
        "Refunds", currency='currency', digits='currency', readonly=True)
    net_amount = Monetary(
        "Net Sales", currency='currency', digits='currency', readonly=True)
    commission_amount = Monetary(
        "Commission", currency='currency', digits='currency', readonly=True)
    amount_to_pay = Monetary(
        "Amount to Pay", currency='currency', digits='currency',
        readonly=True)
    invoice = fields.Many2One(
        'account.invoice', "Supplier Invoice", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.merchant, Index.Equality()),
                (t.date_end, Index.Range())))
        cls._order = [('date_end', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'posted'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'post': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_rec_name(self, name):
        return '%s %s' % (self.number or '', self.merchant.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR', ('number',) + tuple(clause[1:]),
            ('merchant.name',) + tuple(clause[1:])]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('pm.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            config = Configuration(1)
            with Transaction().set_context(
                    company=values.get('company')
                    or Transaction().context.get('company')):
                values['number'] = (
                    config.get_eshop_settlement_sequence().get())
        return values

    @classmethod
    def check_modification(cls, mode, settlements, values=None,
            external=False):
        super().check_modification(
            mode, settlements, values=values, external=external)
        if mode == 'delete':
            for settlement in settlements:
                if settlement.state == 'posted':
                    raise SettlementModifyError(gettext(
                            'pm_eshop.msg_settlement_delete_posted',
                            settlement=settlement.rec_name))

    @classmethod
    def copy(cls, settlements, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('lines', None)
        default.setdefault('invoice', None)
        return super().copy(settlements, default=default)

    def _line_values(self):
        """Return the values of the settlement lines: delivered lines of the
        merchant in the period not settled yet, and the refunds of
        delivered lines not deducted yet"""
        pool = Pool()
        SaleLine = pool.get('sale.line')
        Line = pool.get('pm.eshop.settlement.line')
        Tax = pool.get('account.tax')
        start = dt.datetime.combine(self.date_start, dt.time())
        end = dt.datetime.combine(
            self.date_end + dt.timedelta(days=1), dt.time())
        base = [
            ('eshop_merchant', '=', self.merchant.id),
            ('type', '=', 'line'),
            ('sale.company', '=', self.company.id),
            ('sale.eshop_delivered_date', '!=', None),
            ]
        settled = Line.search([
                ('sale_line.eshop_merchant', '=', self.merchant.id),
                ('settlement.state', '!=', 'cancelled'),
                ('settlement', '!=', self.id),
                ])
        done = {(l.sale_line.id, l.kind) for l in settled}
        sold = SaleLine.search(base + [
                ('sale.eshop_delivered_date', '>=', start),
                ('sale.eshop_delivered_date', '<', end),
                ], order=[('id', 'ASC')])
        refunded = SaleLine.search(base + [
                ('sale.eshop_refunded', '=', True),
                ('sale.eshop_delivered_date', '<', end),
                ], order=[('id', 'ASC')])
        values = []
        for kind, lines, sign in [('sale', sold, 1), ('refund', refunded, -1)]:
            for line in lines:
                if (line.id, kind) in done:
                    continue
                date = line.sale.eshop_delivered_date.date()
                taxes = Tax.compute(
                    line.taxes, line.unit_price or ZERO,
                    line.quantity or 0, date)
                amount = line.amount + sum(
                    (t['amount'] for t in taxes), ZERO)
                amount = self.company.currency.round(amount)
                values.append({
                        'settlement': self.id,
                        'sale_line': line.id,
                        'kind': kind,
                        'date': date,
                        'quantity': line.quantity,
                        'amount': sign * amount,
                        })
        return values

    @classmethod
    @ModelView.button
    def compute(cls, settlements):
        pool = Pool()
        Line = pool.get('pm.eshop.settlement.line')
        Line.delete([l for s in settlements for l in s.lines])
        vlist = []
        for settlement in settlements:
            vlist.extend(settlement._line_values())
        Line.create(vlist)
        to_write = []
        for settlement in cls.browse(settlements):
            sales = sum((l.amount for l in settlement.lines
                    if l.kind == 'sale'), ZERO)
            refunds = -sum((l.amount for l in settlement.lines
                    if l.kind == 'refund'), ZERO)
            rate = settlement.merchant.commission_rate or ZERO
            net = sales - refunds
            commission = commission_of(net, rate)
            to_write.extend(([settlement], {
                        'commission_rate': rate,
                        'sales_amount': sales,
                        'refund_amount': refunds,
                        'net_amount': net,
                        'commission_amount': commission,
                        'amount_to_pay': net - commission,
                        }))
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, settlements):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Configuration = pool.get('pm.configuration')
        config = Configuration(1)
        if not settlements:
            return
        cls.compute(settlements)
        settlements = cls.browse(settlements)
        invoices = []
        for settlement in settlements:
            if not settlement.lines:
                raise SettlementError(gettext(
                        'pm_eshop.msg_settlement_empty',
                        settlement=settlement.rec_name))
            if (not config.eshop_settlement_account
                    or not config.eshop_commission_account):
                raise SettlementError(gettext(
                        'pm_eshop.msg_settlement_accounts'))
            invoices.append(settlement._get_invoice(config))
        Invoice.save(invoices)
        Invoice.post(invoices)
        cls.write(*sum((([s], {'invoice': i.id})
                    for s, i in zip(settlements, invoices)), ()))

    def _get_invoice(self, config):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        party = self.merchant.party
        invoice = Invoice(
            company=self.company, type='in', party=party,
            invoice_address=party.address_get(type='invoice'),
            currency=self.company.currency,
            invoice_date=self.date,
            reference=self.number,
            description=gettext('pm_eshop.msg_settlement_invoice',
                merchant=self.merchant.name,
                start=self.date_start.isoformat(),
                end=self.date_end.isoformat()))
        invoice.on_change_type()
        invoice.account = party.account_payable_used
        invoice.payment_term = party.supplier_payment_term
        lines = [InvoiceLine(
                type='line', company=self.company, currency=invoice.currency,
                account=config.eshop_settlement_account,
                quantity=1, unit_price=self.net_amount,
                description=gettext('pm_eshop.msg_settlement_goods_line',
                    start=self.date_start.isoformat(),
                    end=self.date_end.isoformat()))]
        if self.commission_amount:
            lines.append(InvoiceLine(
                    type='line', company=self.company,
                    currency=invoice.currency,
                    account=config.eshop_commission_account,
                    quantity=1, unit_price=-self.commission_amount,
                    description=gettext(
                        'pm_eshop.msg_settlement_commission_line',
                        rate='%s%%' % (self.commission_rate * 100).normalize())))
        invoice.lines = lines
        return invoice

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, settlements):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, settlements):
        pass

    @classmethod
    def create_for_period(cls, date_start, date_end, date=None,
            merchants=None):
        """Create and compute the draft settlements of the period for the
        merchants (all active ones of the company) with something to settle;
        return them"""
        pool = Pool()
        Merchant = pool.get('pm.eshop.merchant')
        company = Transaction().context.get('company')
        if merchants is None:
            merchants = Merchant.search([('company', '=', company)])
        settlements = cls.create([{
                    'company': m.company.id, 'merchant': m.id,
                    'date_start': date_start, 'date_end': date_end,
                    'date': date or date_end,
                    } for m in merchants])
        cls.compute(settlements)
        empty = [s for s in cls.browse(settlements) if not s.lines]
        cls.delete(empty)
        return [s for s in settlements if s not in empty]


class SettlementLine(ModelSQL, ModelView):
    __name__ = 'pm.eshop.settlement.line'
    __string__ = "Merchant Settlement Line"

    settlement = fields.Many2One(
        'pm.eshop.settlement', "Settlement", required=True,
        ondelete='CASCADE')
    sale_line = fields.Many2One(
        'sale.line', "Order Line", required=True, ondelete='RESTRICT')
    sale = fields.Function(
        fields.Many2One('sale.sale', "Order"), 'get_sale')
    product = fields.Function(
        fields.Many2One('product.product', "Product"), 'get_sale')
    kind = fields.Selection([
            ('sale', "Sale"),
            ('refund', "Refund"),
            ], "Kind", required=True)
    date = fields.Date("Date", required=True)
    quantity = fields.Float("Quantity")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('settlement')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.sale_line, Index.Equality())))
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def get_sale(cls, lines, names):
        result = {n: {} for n in names}
        for line in lines:
            if 'sale' in names:
                result['sale'][line.id] = line.sale_line.sale.id
            if 'product' in names:
                product = line.sale_line.product
                result['product'][line.id] = product.id if product else None
        return result

    def get_currency(self, name):
        return self.settlement.company.currency.id


class CreateSettlementsStart(ModelView):
    __name__ = 'pm.eshop.settlement.create.start'
    __string__ = "Create Merchant Settlements"

    date_start = fields.Date("From", required=True)
    date_end = fields.Date(
        "To", required=True,
        domain=[('date_end', '>=', Eval('date_start'))])
    date = fields.Date("Invoice Date", required=True)

    @classmethod
    def default_date_start(cls):
        today = Pool().get('ir.date').today()
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)

    @classmethod
    def default_date_end(cls):
        today = Pool().get('ir.date').today()
        return today.replace(day=1) - dt.timedelta(days=1)

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class CreateSettlements(Wizard):
    __name__ = 'pm.eshop.settlement.create'
    start = StateView('pm.eshop.settlement.create.start',
        'pm_eshop.settlement_create_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('pm_eshop.act_settlement_form')

    def do_open_(self, action):
        pool = Pool()
        Settlement = pool.get('pm.eshop.settlement')
        settlements = Settlement.create_for_period(
            self.start.date_start, self.start.date_end, self.start.date)
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [s.id for s in settlements])])
        return action, {}
