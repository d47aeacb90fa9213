# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    eshop_settlement_sequence = fields.Many2One(
        'ir.sequence', "Merchant Settlement Sequence",
        domain=[
            ('sequence_type', '=',
                Id('pm_eshop', 'sequence_type_settlement')),
            ])
    eshop_settlement_account = fields.Many2One(
        'account.account', "Merchant Goods Account",
        domain=[('closed', '!=', True),
            ['OR', ('type.expense', '=', True), ('type.debt', '=', True)]],
        help="The account of the merchants' sales collected by the shop "
        "(debited by the settlement invoices: an expense or debt account, "
        "e.g. 其他应付款-商户货款).")
    eshop_commission_account = fields.Many2One(
        'account.account', "Commission Revenue Account",
        domain=[('closed', '!=', True),
            ['OR', ('type.expense', '=', True), ('type.debt', '=', True)]],
        help="The account credited with the platform commission on the "
        "settlement invoices (an expense or debt account, e.g. "
        "其他应付款-平台佣金 or a contra-expense account).")

    @classmethod
    def default_eshop_settlement_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('pm_eshop', 'sequence_settlement')
        except KeyError:
            return None

    def get_eshop_settlement_sequence(self):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        if self.eshop_settlement_sequence:
            return self.eshop_settlement_sequence
        return Sequence(self.default_eshop_settlement_sequence())
