# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('sale.sale|eshop_cancel_unpaid',
                "Cancel Unpaid Shop Orders"))
