# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.pool import PoolMeta


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    def portal_nav(self):
        links = super().portal_nav()
        if self.party:
            links.append({'url': '/fund', 'label': '维修资金', 'icon': '🏠',
                    'sequence': 55})
        return links
