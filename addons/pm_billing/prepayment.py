# This file is part of the pm suite (物业管理系统). See README.md.
"""Prepayments 预存款, waivers 减免 and discounts 优惠.

All of them reduce what a bill owes through receipts, so that there is one
rule for "unpaid" and one posting path:

* an overpayment at the desk is the payer's prepayment for the unit (and
  optionally for one charge item); the balance of a (party, unit, item)
  bucket is what the receipts put in less what application receipts and
  refunds took out;
* when a billing run is posted, the new bills of parties with a balance are
  paid by application receipts of the configured prepayment method (its
  account is the prepayment account: debit prepayment, credit receivable);
* a refund is a receipt with a negative amount taking money out of a
  bucket;
* waivers and discounts are receipts of methods of those kinds (their
  account is an expense or revenue-deduction account); they need a reason
  and the waiver group.
"""
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Sum
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import id_batches
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateTransition, StateView, \
    Wizard

from .receipt import ReceiptError

ZERO = Decimal(0)


class PaymentMethod(metaclass=PoolMeta):
    __name__ = 'pm.payment.method'

    kind = fields.Selection([
            ('money', "Money"),
            ('prepayment', "Prepayment Application"),
            ('waiver', "Waiver"),
            ('discount', "Discount"),
            ], "Kind", required=True,
        help="Money: cash, cards, transfers. Prepayment application: pays "
        "bills from the payer's prepayment (its account is the prepayment "
        "account). Waiver and discount: reduce what is owed (their account "
        "is an expense or revenue-deduction account) and need a reason.")

    @staticmethod
    def default_kind():
        return 'money'


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    prepayment_method = fields.Many2One(
        'pm.payment.method', "Prepayment Application Method",
        domain=[('kind', '=', 'prepayment')],
        help="The method of the receipts that apply prepayments to new "
        "bills when a billing run is posted.")


class Receipt(metaclass=PoolMeta):
    __name__ = 'pm.receipt'

    @classmethod
    def _check_post(cls, receipts):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        super()._check_post(receipts)
        user = Transaction().user
        groups = None
        for receipt in receipts:
            kind = receipt.method.kind
            if kind in {'waiver', 'discount'} or receipt.kind == 'refund':
                if not (receipt.reason or '').strip():
                    raise ReceiptError(gettext(
                            'pm_billing.msg_receipt_reason_required',
                            receipt=receipt.rec_name))
            if kind in {'waiver', 'discount'} and user:
                if groups is None:
                    groups = set(User.get_groups())
                if ModelData.get_id(
                        'pm_billing', 'group_pm_waiver') not in groups:
                    raise ReceiptError(gettext(
                            'pm_billing.msg_receipt_waiver_group',
                            receipt=receipt.rec_name))
            if receipt.kind == 'refund':
                if kind != 'money':
                    raise ReceiptError(gettext(
                            'pm_billing.msg_receipt_refund_method',
                            receipt=receipt.rec_name))
                balance = cls.prepayment_balances([receipt.party.id]).get(
                    (receipt.party.id,
                        receipt.unit.id if receipt.unit else None,
                        receipt.prepayment_item.id
                        if receipt.prepayment_item else None), ZERO)
                if -receipt.amount > balance:
                    raise ReceiptError(gettext(
                            'pm_billing.msg_receipt_refund_balance',
                            receipt=receipt.rec_name, balance=balance))
            if kind == 'prepayment' and not receipt.lines:
                raise ReceiptError(gettext(
                        'pm_billing.msg_receipt_application_lines',
                        receipt=receipt.rec_name))

    @classmethod
    def prepayment_balances(cls, party_ids):
        """Return {(party, unit, item): balance} of the parties' prepayment
        buckets (posted receipts and their reversals)"""
        pool = Pool()
        Method = pool.get('pm.payment.method')
        receipt = cls.__table__()
        method = Method.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in id_batches(list(party_ids)):
            cursor.execute(*receipt.join(method,
                    condition=receipt.method == method.id).select(
                    receipt.party, receipt.unit, receipt.prepayment_item,
                    Sum(Case((method.kind == 'prepayment', -receipt.amount),
                            else_=receipt.prepayment)),
                    where=receipt.party.in_(sub_ids)
                    & receipt.state.in_(['posted', 'voided']),
                    group_by=[receipt.party, receipt.unit,
                        receipt.prepayment_item]))
            for party, unit, item, balance in cursor:
                balance = Decimal(str(balance or 0)).quantize(
                    Decimal('0.01'))
                if balance:
                    result[(party, unit, item)] = balance
        return result

    @classmethod
    def parties_with_prepayment(cls, party_ids):
        balances = cls.prepayment_balances(party_ids)
        return {k[0] for k, v in balances.items() if v > 0}

    @classmethod
    def apply_prepayments(cls, bills, date=None):
        """Pay the bills from their parties' prepayment buckets: earmarked
        buckets of the bill's unit first, then the unit's general bucket,
        then the party's buckets without unit. Return the receipts."""
        pool = Pool()
        Config = pool.get('pm.configuration')
        Bill = pool.get('pm.bill')
        BillLine = pool.get('pm.bill.line')
        Line = pool.get('pm.receipt.line')
        method = Config(1).prepayment_method
        if not method or not bills:
            return []
        balances = {k: v for k, v in cls.prepayment_balances(
                {b.party.id for b in bills}).items() if v > 0}
        if not balances:
            return []
        bills = [b for b in bills
            if any(k[0] == b.party.id for k in balances)]
        bills.sort(key=lambda b: (b.due_date or b.date_start, b.id))
        Bill.lock(bills)
        unpaid = Bill.get_unpaid_amount(bills)
        item_amounts = defaultdict(lambda: defaultdict(Decimal))
        line_t = BillLine.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in id_batches([b.id for b in bills]):
            cursor.execute(*line_t.select(
                    line_t.bill, line_t.charge_item, Sum(line_t.amount),
                    where=line_t.bill.in_(sub_ids),
                    group_by=[line_t.bill, line_t.charge_item]))
            for bill_id, item, amount in cursor:
                item_amounts[bill_id][item] += Decimal(str(amount)).quantize(
                    Decimal('0.01'))
        receipts = []
        for bill in bills:
            remaining = unpaid[bill.id]
            items = item_amounts[bill.id]
            buckets = sorted(
                (k for k in balances if k[0] == bill.party.id
                    and k[1] in {bill.unit.id, None}
                    and (k[2] is None or k[2] in items)),
                key=lambda k: (k[1] is None, k[2] is None))
            for key in buckets:
                if remaining <= 0:
                    break
                cap = remaining
                if key[2] is not None:
                    cap = min(cap, items[key[2]])
                amount = min(balances[key], cap)
                if amount <= 0:
                    continue
                balances[key] -= amount
                remaining -= amount
                if key[2] is not None:
                    items[key[2]] -= amount
                receipts.append(cls(
                        company=bill.company, party=bill.party,
                        unit=key[1], prepayment_item=key[2],
                        date=date or (bill.move.date if bill.move
                            else bill.date_start),
                        method=method, currency=bill.currency,
                        amount=amount,
                        lines=[Line(bill=bill, amount=amount)]))
        if receipts:
            cls.save(receipts)
            cls.post(receipts)
        return receipts


class BillingRun(metaclass=PoolMeta):
    __name__ = 'pm.billing.run'

    @classmethod
    def post_queued(cls, run):
        pool = Pool()
        Bill = pool.get('pm.bill')
        Receipt = pool.get('pm.receipt')
        run = cls(run.id) if not isinstance(run, int) else cls(run)
        posting = run.state == 'posting'
        super().post_queued(run)
        if not posting:
            return
        # the parties of the run's bills with a prepayment balance
        bill = Bill.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*bill.select(bill.party, where=(bill.run == run.id)
                & (bill.state == 'posted'), group_by=[bill.party]))
        parties = Receipt.parties_with_prepayment([p for p, in cursor])
        if parties:
            bills = Bill.search([
                    ('run', '=', run.id),
                    ('party', 'in', list(parties)),
                    ('state', '=', 'posted'),
                    ])
            Receipt.apply_prepayments(bills)


class CashierStart(metaclass=PoolMeta):
    __name__ = 'pm.cashier.start'

    prepayment_item = fields.Many2One(
        'pm.charge.item', "Prepayment for",
        domain=[('company', '=', Eval('company', -1))],
        help="Earmark what is left after the bills for this charge item.")
    reason = fields.Text(
        "Reason", help="Required for waivers and discounts.")


class Cashier(metaclass=PoolMeta):
    __name__ = 'pm.cashier'

    def _receipt_values(self):
        values = super()._receipt_values()
        values['prepayment_item'] = self.start.prepayment_item
        values['reason'] = self.start.reason
        return values


class RefundStart(ModelView):
    __name__ = 'pm.prepayment.refund.start'
    __string__ = "Refund Prepayment"

    company = fields.Many2One('company.company', "Company", readonly=True)
    party = fields.Many2One(
        'party.party', "Payer", required=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    unit = fields.Many2One('pm.unit', "Unit")
    prepayment_item = fields.Many2One(
        'pm.charge.item', "Prepayment for",
        domain=[('company', '=', Eval('company', -1))])
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    balance = Monetary(
        "Balance", currency='currency', digits='currency', readonly=True)
    amount = Monetary(
        "Refund", currency='currency', digits='currency', required=True,
        domain=[('amount', '>', 0)])
    method = fields.Many2One(
        'pm.payment.method', "Payment Method", required=True,
        domain=[('company', '=', Eval('company', -1)),
            ('kind', '=', 'money')])
    date = fields.Date("Date", required=True)
    reason = fields.Text("Reason", required=True)

    @fields.depends('party', 'unit', 'prepayment_item')
    def on_change_with_balance(self):
        Receipt = Pool().get('pm.receipt')
        if not self.party:
            return None
        return Receipt.prepayment_balances([self.party.id]).get(
            (self.party.id, self.unit.id if self.unit else None,
                self.prepayment_item.id if self.prepayment_item else None),
            ZERO)


class Refund(Wizard):
    __name__ = 'pm.prepayment.refund'
    __string__ = "Refund Prepayment"

    start = StateView('pm.prepayment.refund.start',
        'pm_billing.prepayment_refund_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Refund", 'refund', 'tryton-ok', default=True),
            ])
    refund = StateTransition()
    open_ = StateAction('pm_billing.act_receipt_form')

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        Company = pool.get('company.company')
        company = Transaction().context.get('company')
        values = {'date': Date.today()}
        if company is not None and company >= 0:
            values['company'] = company
            values['currency'] = Company(company).currency.id
        if self.model and self.record:
            if self.model.__name__ == 'party.party':
                values['party'] = self.record.id
            elif self.model.__name__ == 'pm.unit':
                values['unit'] = self.record.id
        return values

    def transition_refund(self):
        Receipt = Pool().get('pm.receipt')
        start = self.start
        receipt = Receipt(
            company=start.company, party=start.party, unit=start.unit,
            prepayment_item=start.prepayment_item, kind='refund',
            date=start.date, method=start.method, currency=start.currency,
            amount=-start.amount, reason=start.reason)
        receipt.save()
        Receipt.post([receipt])
        self.receipt = receipt.id
        return 'open_'

    def do_open_(self, action):
        action['res_id'] = [self.receipt]
        action['views'].reverse()
        return action, {}
