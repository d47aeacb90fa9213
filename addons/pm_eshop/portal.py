# This file is part of the pm suite (物业管理系统). See README.md.
"""Online payments of shop orders through pm_portal."""
from trytond.pool import Pool, PoolMeta


class Payment(metaclass=PoolMeta):
    __name__ = 'pm.portal.payment'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['sale.sale']


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.portal.payment']


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    def portal_nav(self):
        links = super().portal_nav()
        if self.party:
            links.append({'url': '/shop', 'label': '社区商城', 'icon': '🛒',
                    'sequence': 45})
        return links

    def portal_home_cards(self, portal):
        pool = Pool()
        Sale = pool.get('sale.sale')
        cards = super().portal_home_cards(portal)
        if self.party:
            open_orders = Sale.search_count([
                    ('party', '=', self.party.id),
                    ('eshop_state', 'in',
                        ['ordered', 'confirmed', 'delivering']),
                    ])
            cards.append({'title': '商城订单', 'url': '/shop/orders',
                    'value': open_orders,
                    'text': '进行中' if open_orders else '去逛逛',
                    'sequence': 60})
        return cards

    @classmethod
    def portal_attachment_allowed(cls, portal, record):
        if record.__name__ == 'sale.sale':
            return record.party == portal.party
        return super().portal_attachment_allowed(portal, record)
