# This file is part of the pm suite (物业管理系统). See README.md.
from decimal import Decimal

from trytond.model import fields
from trytond.pool import Pool, PoolMeta


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    billing_journal = fields.Many2One(
        'account.journal', "Billing Journal",
        domain=[('type', '=', 'revenue')],
        help="The journal of the receivable moves of billing runs.")
    reading_anomaly_factor = fields.Numeric(
        "Reading Anomaly Factor", digits=(16, 2),
        domain=['OR', ('reading_anomaly_factor', '=', None),
            ('reading_anomaly_factor', '>', 1)],
        help="A reading whose usage is above this multiple of the meter's "
        "average usage is flagged or rejected. Leave empty to disable.")
    reading_anomaly_action = fields.Selection([
            ('flag', "Flag"),
            ('reject', "Reject"),
            ], "Reading Anomaly Action", required=True)
    billing_chunk_size = fields.Integer(
        "Billing Chunk Size", required=True,
        domain=[('billing_chunk_size', '>=', 100)],
        help="Units computed per queued task of a billing run.")

    @classmethod
    def default_billing_journal(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('account', 'journal_revenue')
        except KeyError:
            return None

    @staticmethod
    def default_reading_anomaly_factor():
        return Decimal(3)

    @staticmethod
    def default_reading_anomaly_action():
        return 'flag'

    @staticmethod
    def default_billing_chunk_size():
        return 5000
