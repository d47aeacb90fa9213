# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id

LEASE_REMINDER_DAYS = 30


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    lease_sequence = fields.Many2One(
        'ir.sequence', "Lease Sequence", required=True,
        domain=[
            ('sequence_type', '=', Id('pm_customer', 'sequence_type_lease')),
            ])
    lease_reminder_days = fields.Integer(
        "Lease Reminder Days", required=True,
        domain=[('lease_reminder_days', '>=', 0)],
        help="Leases ending within this number of days are flagged "
        "as expiring by the daily scheduled task.")

    @classmethod
    def default_lease_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('pm_customer', 'sequence_lease')
        except KeyError:
            return None

    @classmethod
    def default_lease_reminder_days(cls):
        return LEASE_REMINDER_DAYS

    def get_lease_sequence(self):
        "Return the lease sequence, the default one if none is set"
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        if self.lease_sequence:
            return self.lease_sequence
        return Sequence(self.default_lease_sequence())

    def get_lease_reminder_days(self):
        if self.lease_reminder_days is None:
            return self.default_lease_reminder_days()
        return self.lease_reminder_days
