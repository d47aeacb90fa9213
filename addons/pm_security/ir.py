# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('pm.patrol.schedule|generate_rounds',
                    "Plan Patrol Rounds"),
                ('pm.patrol.round|close_overdue',
                    "Close Overdue Patrol Rounds"),
                ('pm.visitor.pass|expire_passes', "Expire Visitor Passes"),
                ('pm.fire.inspection|generate_monthly',
                    "Create Monthly Fire Inspections"),
                ('pm.guard.equipment.issue|check_shift_end',
                    "Flag Guard Equipment Not Returned"),
                ])
