# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.pool import PoolMeta


class ExtraCharge(metaclass=PoolMeta):
    __name__ = 'pm.charge.extra'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['sale.sale']
