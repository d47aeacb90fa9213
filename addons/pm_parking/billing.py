# This file is part of the pm suite (物业管理系统). See README.md.
"""The monthly parking fees reach the bills through the billing-run hook."""
from trytond.pool import Pool, PoolMeta


class BillingRun(metaclass=PoolMeta):
    __name__ = 'pm.billing.run'

    def get_extra_charges(self, unit_ids):
        pool = Pool()
        Contract = pool.get('pm.parking.contract')
        charges = super().get_extra_charges(unit_ids)
        charges.extend(Contract.billing_charges(self, unit_ids))
        return charges
