# This file is part of the pm suite (物业管理系统). See README.md.
"""The portal cart 购物车: one line per web user, shop and product."""
from decimal import Decimal

from trytond.model import ModelSQL, Unique, fields


class CartLine(ModelSQL):
    __name__ = 'pm.eshop.cart.line'
    __string__ = "Shop Cart Line"

    web_user = fields.Many2One(
        'web.user', "Web User", required=True, ondelete='CASCADE')
    shop = fields.Many2One(
        'web.shop', "Shop", required=True, ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='CASCADE')
    quantity = fields.Integer("Quantity", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('line_unique', Unique(t, t.web_user, t.shop, t.product),
                'pm_eshop.msg_cart_line_unique'),
            ]

    @classmethod
    def lines_of(cls, web_user, shop):
        return cls.search([
                ('web_user', '=', web_user.id), ('shop', '=', shop.id)],
            order=[('id', 'ASC')])

    @classmethod
    def add(cls, web_user, shop, product, quantity):
        "Add (or remove with a negative quantity) products to the cart"
        lines = cls.search([
                ('web_user', '=', web_user.id), ('shop', '=', shop.id),
                ('product', '=', product.id)], limit=1)
        if lines:
            line, = lines
            total = line.quantity + quantity
            if total <= 0:
                cls.delete([line])
            else:
                line.quantity = min(total, 99)
                line.save()
        elif quantity > 0:
            cls.create([{'web_user': web_user.id, 'shop': shop.id,
                        'product': product.id,
                        'quantity': min(quantity, 99)}])

    @classmethod
    def set_quantities(cls, web_user, shop, quantities):
        "quantities: {product id: quantity}; 0 removes the line"
        lines = cls.lines_of(web_user, shop)
        to_delete, to_save = [], []
        for line in lines:
            if line.product.id in quantities:
                quantity = quantities[line.product.id]
                if quantity <= 0:
                    to_delete.append(line)
                else:
                    line.quantity = min(quantity, 99)
                    to_save.append(line)
        cls.delete(to_delete)
        cls.save(to_save)

    @classmethod
    def clear(cls, web_user, shop):
        cls.delete(cls.lines_of(web_user, shop))

    @classmethod
    def total(cls, lines, prices):
        return sum((prices.get(l.product.id) or Decimal(0)) * l.quantity
            for l in lines)

    @classmethod
    def count_of(cls, web_user):
        return sum(l.quantity for l in cls.search(
                [('web_user', '=', web_user.id)]))
