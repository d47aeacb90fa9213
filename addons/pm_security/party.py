# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.pool import PoolMeta


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('pm.visitor', 'host'),
            ('pm.visitor.pass', 'resident'),
            ('pm.access_card', 'holder'),
            ]
