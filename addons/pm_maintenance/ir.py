# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('pm.work_order|check_sla',
                    "Check the Deadlines of the Work Orders"),
                ('pm.maintenance.plan|generate_work_orders',
                    "Generate the Preventive Maintenance Work Orders"),
                ('pm.complaint|close_timeout',
                    "Close the Complaints without Confirmation"),
                ('pm.environment.schedule|generate_tasks',
                    "Generate the Cleaning and Greening Tasks"),
                ])
