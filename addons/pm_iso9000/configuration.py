# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id

REVIEW_REMINDER_DAYS = 30

SEQUENCES = {
    'nonconformity': 'sequence_nonconformity',
    'capa': 'sequence_capa',
    'audit': 'sequence_audit',
    }


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    iso_nonconformity_sequence = fields.Many2One(
        'ir.sequence', "Nonconformity Sequence",
        domain=[
            ('sequence_type', '=',
                Id('pm_iso9000', 'sequence_type_nonconformity')),
            ])
    iso_capa_sequence = fields.Many2One(
        'ir.sequence', "Corrective Action Sequence",
        domain=[
            ('sequence_type', '=', Id('pm_iso9000', 'sequence_type_capa')),
            ])
    iso_audit_sequence = fields.Many2One(
        'ir.sequence', "Internal Audit Sequence",
        domain=[
            ('sequence_type', '=', Id('pm_iso9000', 'sequence_type_audit')),
            ])
    iso_review_reminder_days = fields.Integer(
        "Document Review Reminder Days",
        domain=['OR',
            ('iso_review_reminder_days', '=', None),
            ('iso_review_reminder_days', '>=', 0),
            ],
        help="Published documents whose periodic review falls within this "
        "number of days are flagged by the daily scheduled task.")

    @classmethod
    def _default_iso_sequence(cls, kind):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('pm_iso9000', SEQUENCES[kind])
        except KeyError:
            return None

    @classmethod
    def default_iso_nonconformity_sequence(cls):
        return cls._default_iso_sequence('nonconformity')

    @classmethod
    def default_iso_capa_sequence(cls):
        return cls._default_iso_sequence('capa')

    @classmethod
    def default_iso_audit_sequence(cls):
        return cls._default_iso_sequence('audit')

    @classmethod
    def default_iso_review_reminder_days(cls):
        return REVIEW_REMINDER_DAYS

    def get_iso_sequence(self, kind):
        "Return the sequence of kind, the default one if none is set"
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        sequence = getattr(self, f'iso_{kind}_sequence', None)
        if sequence:
            return sequence
        return Sequence(self._default_iso_sequence(kind))

    def get_iso_review_reminder_days(self):
        if self.iso_review_reminder_days is None:
            return REVIEW_REMINDER_DAYS
        return self.iso_review_reminder_days
