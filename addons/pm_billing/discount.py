# This file is part of the pm suite (物业管理系统). See README.md.
"""Discounts 优惠 configured as rules and applied at the cashier desk.

* Early payment 提前缴费优惠: a bill paid in full at least N days before its
  due date gets a percentage off its lines of the rule's charge item.
* Prepaid months 预缴优惠 (e.g. pay 12 months of property fee, get one
  free): the desk takes exactly N months of the unit's monthly fee for the
  item as an earmarked prepayment and adds M free months to it.

A discount is a receipt of the configured discount method (its account is a
revenue-deduction or expense account) that names its rule and the receipt
it goes with; it is printed on that receipt. Rules are approved when they
are configured, so the desk applies them without the waiver group.
"""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .receipt import ReceiptError

ZERO = Decimal(0)
CENT = Decimal('0.01')


class DiscountRule(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.discount.rule'
    __string__ = "Discount Rule"

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True, translate=True)
    kind = fields.Selection([
            ('early_payment', "Early Payment"),
            ('prepay', "Prepaid Months"),
            ], "Kind", required=True)
    charge_item = fields.Many2One(
        'pm.charge.item', "Charge Item", required=True,
        domain=[('company', '=', Eval('company', -1))])
    start_date = fields.Date("Start Date")
    end_date = fields.Date("End Date")
    days_before_due = fields.Integer(
        "Days before Due Date", states={
            'invisible': Eval('kind') != 'early_payment',
            'required': Eval('kind') == 'early_payment',
            })
    percentage = fields.Numeric(
        "Percentage", digits=(16, 4), states={
            'invisible': Eval('kind') != 'early_payment',
            'required': Eval('kind') == 'early_payment',
            },
        domain=['OR', ('percentage', '=', None),
            [('percentage', '>', 0), ('percentage', '<', 1)]],
        help="The fraction taken off (0.05 = 5 %).")
    months = fields.Integer(
        "Months Paid", states={
            'invisible': Eval('kind') != 'prepay',
            'required': Eval('kind') == 'prepay',
            },
        domain=['OR', ('months', '=', None), ('months', '>', 0)])
    free_months = fields.Integer(
        "Free Months", states={
            'invisible': Eval('kind') != 'prepay',
            'required': Eval('kind') == 'prepay',
            },
        domain=['OR', ('free_months', '=', None), ('free_months', '>', 0)])

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'early_payment'

    def valid_on(self, date):
        return ((not self.start_date or self.start_date <= date)
            and (not self.end_date or date <= self.end_date))

    def monthly_fee(self, unit, date):
        "The unit's monthly amount of the rule's item on the date"
        pool = Pool()
        Assignment = pool.get('pm.charge.assignment')
        assignments = Assignment.search([
                ('unit', '=', unit.id),
                ('rate.charge_item', '=', self.charge_item.id),
                ('start_date', '<=', date),
                ['OR', ('end_date', '=', None), ('end_date', '>=', date)],
                ], limit=1)
        if not assignments:
            return None
        assignment, = assignments
        rate = assignment.rate
        if rate.method == 'chargeable_area':
            base = unit.chargeable_area or ZERO
        elif rate.method == 'built_area':
            base = unit.built_area or ZERO
        elif rate.method == 'quantity':
            base = assignment.quantity or Decimal(1)
        elif rate.method in {'fixed', 'parking'}:
            base = Decimal(1)
        else:
            return None
        return (base * rate.unit_price).quantize(CENT)

    @classmethod
    def early_payment_discounts(cls, company, bills, unpaid, amount, date):
        """Return {bill: (rule, discount)} for the bills, oldest first, that
        the amount pays in full once discounted"""
        pool = Pool()
        Line = pool.get('pm.bill.line')
        rules = [r for r in cls.search([
                    ('company', '=', company.id),
                    ('kind', '=', 'early_payment'),
                    ]) if r.valid_on(date)]
        result = {}
        if not rules:
            return result
        for bill in bills:
            discount, rule_used = ZERO, None
            if bill.due_date:
                for rule in rules:
                    if (bill.due_date - date).days < rule.days_before_due:
                        continue
                    lines = Line.search([
                            ('bill', '=', bill.id),
                            ('charge_item', '=', rule.charge_item.id),
                            ])
                    base = sum((l.amount for l in lines), ZERO)
                    value = (base * rule.percentage).quantize(CENT)
                    if value > discount:
                        discount, rule_used = value, rule
            # a discount only when the bill is paid in full, never partly
            if discount and unpaid[bill.id] != bill.amount:
                discount = ZERO
            need = unpaid[bill.id] - discount
            if amount < need:
                break
            amount -= need
            if discount:
                result[bill] = (rule_used, discount)
        return result


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    discount_method = fields.Many2One(
        'pm.payment.method', "Discount Method",
        domain=[('kind', '=', 'discount')],
        help="The method of the receipts of discounts (优惠).")


class Receipt(metaclass=PoolMeta):
    __name__ = 'pm.receipt'

    discount_rule = fields.Many2One(
        'pm.discount.rule', "Discount Rule", readonly=True)
    discount_of = fields.Many2One(
        'pm.receipt', "Discount of", readonly=True, ondelete='RESTRICT',
        help="The receipt this discount goes with.")
    discounts = fields.One2Many(
        'pm.receipt', 'discount_of', "Discounts", readonly=True)

    @classmethod
    def _check_post(cls, receipts):
        # rule discounts are approved by their configuration
        rule_discounts = [r for r in receipts if r.discount_rule]
        others = [r for r in receipts if not r.discount_rule]
        super()._check_post(others)
        if rule_discounts:
            with Transaction().set_user(0):
                super()._check_post(rule_discounts)

    @classmethod
    def allocate_discounted(cls, amount, bills, unpaid, discounts):
        """Spread amount on the bills in their order, each needing its unpaid
        amount less its discount; return the bills paid in full and the
        remainder"""
        paid = []
        for bill in bills:
            need = unpaid[bill.id] - discounts.get(bill, (None, ZERO))[1]
            if amount < need or need <= 0 and bill not in discounts:
                break
            paid.append(bill)
            amount -= need
        return paid, amount

    @classmethod
    def copy(cls, receipts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('discount_of', None)
        default.setdefault('discounts', None)
        return super().copy(receipts, default=default)


class CashierStart(metaclass=PoolMeta):
    __name__ = 'pm.cashier.start'

    discount_rule = fields.Many2One(
        'pm.discount.rule', "Prepayment Offer",
        domain=[('company', '=', Eval('company', -1)),
            ('kind', '=', 'prepay')],
        help="Take the months of the offer as an earmarked prepayment and "
        "add the free months.")


class Cashier(metaclass=PoolMeta):
    __name__ = 'pm.cashier'

    def transition_collect(self):
        pool = Pool()
        Bill = pool.get('pm.bill')
        Receipt = pool.get('pm.receipt')
        Line = pool.get('pm.receipt.line')
        Rule = pool.get('pm.discount.rule')
        Config = pool.get('pm.configuration')
        start = self.start
        config = Config(1)
        company = start.company or pool.get('company.company')(
            Transaction().context['company'])
        if start.discount_rule:
            return self._collect_prepay_offer(start.discount_rule)
        if not config.discount_method or not start.party \
                or not start.amount or start.amount <= 0:
            return super().transition_collect()
        bills = list(start.bills) or Bill.unpaid_bills(
            start.party, start.unit)
        if not bills:
            return super().transition_collect()
        Bill.lock(bills)
        bills = Bill.unpaid_bills(start.party, start.unit, bills=bills)
        unpaid = Bill.get_unpaid_amount(bills)
        discounts = Rule.early_payment_discounts(
            company, bills, unpaid, start.amount, start.date)
        if not discounts:
            return super().transition_collect()
        by_rule = {}
        for bill, (rule, amount) in discounts.items():
            by_rule.setdefault(rule, []).append((bill, amount))
        paid, rest = Receipt.allocate_discounted(
            start.amount, bills, unpaid, discounts)
        lines = [Line(bill=b, amount=unpaid[b.id] - discounts.get(
                    b, (None, ZERO))[1]) for b in paid]
        others = [b for b in bills if b not in paid]
        if rest > 0 and others:
            lines.append(Line(bill=others[0],
                    amount=min(rest, unpaid[others[0].id])))
        receipt = Receipt(
            lines=[l for l in lines if l.amount > 0],
            **self._receipt_values())
        receipt.save()
        discount_receipts = [Receipt(
                company=receipt.company, party=receipt.party,
                unit=receipt.unit, date=receipt.date,
                method=config.discount_method, currency=receipt.currency,
                amount=sum(a for _, a in pairs), discount_rule=rule,
                discount_of=receipt, reason=rule.name,
                lines=[Line(bill=b, amount=a) for b, a in pairs])
            for rule, pairs in by_rule.items()]
        Receipt.save(discount_receipts)
        Receipt.post(discount_receipts)
        Receipt.post([receipt])
        self.receipt = receipt.id
        return 'open_'

    def _collect_prepay_offer(self, rule):
        pool = Pool()
        Receipt = pool.get('pm.receipt')
        Config = pool.get('pm.configuration')
        config = Config(1)
        start = self.start
        if not start.unit or not start.party:
            raise ReceiptError(gettext('pm_billing.msg_offer_unit'))
        if not config.discount_method:
            raise ReceiptError(gettext('pm_billing.msg_no_discount_method'))
        if not rule.valid_on(start.date):
            raise ReceiptError(gettext(
                    'pm_billing.msg_offer_not_valid', rule=rule.rec_name))
        fee = rule.monthly_fee(start.unit, start.date)
        if not fee:
            raise ReceiptError(gettext(
                    'pm_billing.msg_offer_no_fee', rule=rule.rec_name,
                    unit=start.unit.rec_name))
        expected = fee * rule.months
        if start.amount != expected:
            raise ReceiptError(gettext(
                    'pm_billing.msg_offer_amount', rule=rule.rec_name,
                    amount=expected, months=rule.months, fee=fee))
        values = self._receipt_values()
        values['prepayment_item'] = rule.charge_item
        receipt = Receipt(lines=[], **values)
        receipt.save()
        free = Receipt(
            company=receipt.company, party=receipt.party, unit=receipt.unit,
            date=receipt.date, method=config.discount_method,
            currency=receipt.currency, amount=fee * rule.free_months,
            prepayment_item=rule.charge_item, discount_rule=rule,
            discount_of=receipt, reason=rule.name, lines=[])
        free.save()
        Receipt.post([receipt, free])
        self.receipt = receipt.id
        return 'open_'
