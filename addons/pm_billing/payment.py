# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction


class PaymentMethod(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.payment.method'
    __string__ = "Payment Method"

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code")
    sequence = fields.Integer("Sequence")
    journal = fields.Many2One(
        'account.journal', "Journal", required=True,
        domain=[('type', '=', 'cash')],
        help="The journal of the receipt moves of this method.")
    account = fields.Many2One(
        'account.account', "Account", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        help="The account debited with the money received "
        "(cash, bank or clearing account).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('sequence', 'ASC NULLS FIRST'))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')
