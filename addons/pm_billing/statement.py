# This file is part of the pm suite (物业管理系统). See README.md.
"""Bank statements: transfers matched to bills by payment reference.

Residents transfer money quoting the bill number (the payment reference
printed and encoded in the bill notice's QR code). On a draft
`account.statement`, "Match Bills" reads each origin (a line of the bank's
statement) without lines: the bill number found in its description or
number gives the bill and its party (else the origin's party gives the
party's unpaid bills, oldest first). A receipt of the configured transfer
method pays the bills (the rest is a prepayment) and a statement line
credits the method's clearing account: posting the statement debits the
bank, the receipt credits the receivable, the clearing account nets to
zero.
"""
import re

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.exceptions import UserError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

REFERENCE = re.compile(r'ZD\d{6}-\d{7}')


class StatementMatchError(UserError):
    pass


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    statement_method = fields.Many2One(
        'pm.payment.method', "Bank Transfer Method",
        domain=[('kind', '=', 'money')],
        help="The method of the receipts of transfers matched on bank "
        "statements; its account is the clearing account of the "
        "statement lines.")


class Statement(metaclass=PoolMeta):
    __name__ = 'account.statement'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'match_bills': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-search',
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button
    def match_bills(cls, statements):
        "Match the origins without lines to bills"
        cls._match_bills(statements)

    @classmethod
    def _match_bills(cls, statements):
        """Match the origins without lines to bills; return the receipts"""
        pool = Pool()
        Bill = pool.get('pm.bill')
        Receipt = pool.get('pm.receipt')
        ReceiptLine = pool.get('pm.receipt.line')
        Line = pool.get('account.statement.line')
        Config = pool.get('pm.configuration')
        method = Config(1).statement_method
        if not method:
            raise StatementMatchError(gettext(
                    'pm_billing.msg_statement_no_method'))
        receipts, lines = [], []
        for statement in statements:
            for origin in statement.origins:
                if origin.lines or not origin.amount or origin.amount <= 0:
                    continue
                text = ' '.join(filter(None, [
                            origin.description, origin.number]))
                numbers = REFERENCE.findall(text)
                bills = []
                if numbers:
                    bills = Bill.search([
                            ('number', 'in', numbers),
                            ('company', '=', statement.company.id),
                            ('state', '=', 'posted'),
                            ])
                party = bills[0].party if bills else origin.party
                if not party:
                    continue
                bills = [b for b in bills if b.party == party]
                if bills:
                    Bill.lock(bills)
                    bills = Bill.unpaid_bills(party, bills=bills)
                else:
                    bills = Bill.unpaid_bills(party)
                    if bills:
                        Bill.lock(bills)
                unpaid = Bill.get_unpaid_amount(bills)
                allocation, _ = Receipt.allocate(origin.amount, bills, unpaid)
                unit = bills[0].unit if len({b.unit for b in bills}) == 1 \
                    else None
                receipts.append(Receipt(
                        company=statement.company, party=party, unit=unit,
                        date=origin.date, method=method,
                        currency=statement.company.currency,
                        amount=origin.amount,
                        lines=[ReceiptLine(bill=b, amount=a)
                            for b, a in allocation]))
                lines.append(Line(
                        statement=statement, origin=origin,
                        date=origin.date, amount=origin.amount,
                        party=party, account=method.account,
                        description=', '.join(
                            b.number for b, _ in allocation)
                        or origin.description))
        if receipts:
            Receipt.save(receipts)
            Receipt.post(receipts)
            Line.save(lines)
        return receipts
