# This file is part of the pm suite (物业管理系统). See README.md.
"""The cashier desk 前台收费: take a payment and allocate it to bills."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateTransition, StateView, \
    Wizard

from .receipt import ReceiptError


class CashierStart(ModelView):
    __name__ = 'pm.cashier.start'
    __string__ = "Cashier Desk"

    company = fields.Many2One('company.company', "Company", readonly=True)
    unit = fields.Many2One('pm.unit', "Unit")
    party = fields.Many2One(
        'party.party', "Payer",
        context={'company': Eval('company', -1)}, depends={'company'})
    method = fields.Many2One(
        'pm.payment.method', "Payment Method", required=True,
        domain=[('company', '=', Eval('company', -1))])
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True)
    date = fields.Date("Date", required=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    bills = fields.Many2Many(
        'pm.bill', None, None, "Bills to Pay",
        domain=[
            ('state', '=', 'posted'),
            If(Eval('party'), ('party', '=', Eval('party', -1)), ()),
            ],
        help="The unpaid bills, oldest first; the amount pays them in this "
        "order. Remove the bills the payer does not pay now.")
    unpaid_amount = Monetary(
        "Total Unpaid", currency='currency', digits='currency',
        readonly=True)

    @classmethod
    def unit_payer(cls, unit):
        "The party owing on the unit when there is only one"
        pool = Pool()
        Bill = pool.get('pm.bill')
        parties = {b.party for b in Bill.search([
                    ('unit', '=', unit.id),
                    ('state', '=', 'posted'),
                    ])}
        unpaid = [p for p in parties if Bill.unpaid_bills(p, unit)]
        if len(unpaid) == 1:
            return unpaid[0]

    @fields.depends('unit', 'party', 'bills', 'currency')
    def on_change_unit(self):
        if self.unit and not self.party:
            self.party = self.unit_payer(self.unit)
        self._fill_bills()

    @fields.depends('unit', 'party', 'bills', 'currency')
    def on_change_party(self):
        self._fill_bills()

    @fields.depends('unit', 'party', 'bills', 'currency')
    def _fill_bills(self):
        pool = Pool()
        Bill = pool.get('pm.bill')
        if self.party:
            bills = Bill.unpaid_bills(self.party, self.unit)
        else:
            bills = []
        self.bills = bills
        self.unpaid_amount = sum(
            Bill.get_unpaid_amount(bills).values(), Decimal(0))


class Cashier(Wizard):
    __name__ = 'pm.cashier'
    __string__ = "Cashier Desk"

    start = StateView('pm.cashier.start', 'pm_billing.cashier_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Collect", 'collect', 'tryton-ok', default=True),
            ])
    collect = StateTransition()
    open_ = StateAction('pm_billing.act_receipt_form')

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        Company = pool.get('company.company')
        context = Transaction().context
        values = {'date': Date.today()}
        company = context.get('company')
        if company is not None and company >= 0:
            values['company'] = company
            values['currency'] = Company(company).currency.id
        if self.model and self.record:
            if self.model.__name__ == 'pm.unit':
                values['unit'] = self.record.id
            elif self.model.__name__ == 'party.party':
                values['party'] = self.record.id
        start = pool.get('pm.cashier.start')()
        if values.get('unit'):
            start.unit = pool.get('pm.unit')(values['unit'])
            payer = start.unit_payer(start.unit)
            if payer:
                values['party'] = payer.id
        if values.get('party'):
            start.party = pool.get('party.party')(values['party'])
            start._fill_bills()
            values['bills'] = [b.id for b in start.bills]
            values['unpaid_amount'] = start.unpaid_amount
        return values

    def transition_collect(self):
        pool = Pool()
        Bill = pool.get('pm.bill')
        Receipt = pool.get('pm.receipt')
        Line = pool.get('pm.receipt.line')
        start = self.start
        if start.amount is None or start.amount <= 0:
            raise ReceiptError(gettext(
                    'pm_billing.msg_cashier_amount_positive'))
        if not start.party:
            raise ReceiptError(gettext('pm_billing.msg_cashier_no_party'))
        for bill in start.bills:
            if bill.party != start.party:
                raise ReceiptError(gettext(
                        'pm_billing.msg_receipt_bill_party',
                        bill=bill.rec_name, party=start.party.rec_name))
        # Lock before computing what is unpaid
        bills = list(start.bills) or Bill.unpaid_bills(
            start.party, start.unit)
        if bills:
            Bill.lock(bills)
        bills = Bill.unpaid_bills(start.party, start.unit, bills=bills)
        unpaid = Bill.get_unpaid_amount(bills)
        allocation, _ = Receipt.allocate(start.amount, bills, unpaid)
        receipt = Receipt(
            lines=[Line(bill=b, amount=a) for b, a in allocation],
            **self._receipt_values())
        receipt.save()
        Receipt.post([receipt])
        self.receipt = receipt.id
        return 'open_'

    def _receipt_values(self):
        "The values of the receipt taken at the desk"
        start = self.start
        return {
            'company': start.company or Transaction().context.get('company'),
            'party': start.party, 'unit': start.unit, 'date': start.date,
            'method': start.method, 'currency': start.currency,
            'amount': start.amount,
            }

    def do_open_(self, action):
        action['res_id'] = [self.receipt]
        action['views'].reverse()
        return action, {}

    def end(self):
        return 'reload'
