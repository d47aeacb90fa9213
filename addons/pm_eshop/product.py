# This file is part of the pm suite (物业管理系统). See README.md.
"""Catalogue: products of the community shop, by merchant, with an image."""
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Template(metaclass=PoolMeta):
    __name__ = 'product.template'

    eshop_merchant = fields.Many2One(
        'pm.eshop.merchant', "Merchant", ondelete='RESTRICT',
        states={'invisible': ~Eval('salable', False)},
        help="The merchant selling the product in the community shop; "
        "empty: the property company itself.")
    eshop_image = fields.Binary(
        "Shop Image", file_id='eshop_image_id',
        states={'invisible': ~Eval('salable', False)})
    eshop_image_id = fields.Char("Shop Image ID", readonly=True)
    eshop_kind = fields.Function(fields.Selection([
                ('goods', "Goods"),
                ('service', "Service"),
                ], "Shop Kind"), 'on_change_with_eshop_kind')

    @fields.depends('type')
    def on_change_with_eshop_kind(self, name=None):
        return 'goods' if self.type in {'goods', 'assets'} else 'service'


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    def eshop_is_service(self):
        return self.type not in {'goods', 'assets'}
