# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.pool import PoolMeta


class ExtraCharge(metaclass=PoolMeta):
    __name__ = 'pm.charge.extra'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.work_order', 'pm.violation']


class Deposit(metaclass=PoolMeta):
    __name__ = 'pm.deposit'

    @classmethod
    def _get_origin(cls):
        origins = super()._get_origin()
        if 'pm.decoration' not in origins:
            origins = origins + ['pm.decoration']
        return origins
