# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Id


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'pm.configuration'
    __string__ = "Property Management Configuration"

    handover_sequence = fields.Many2One(
        'ir.sequence', "Handover Inspection Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('pm_estate', 'sequence_type_handover')),
            ])

    @classmethod
    def default_handover_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('pm_estate', 'sequence_handover')
        except KeyError:
            return None
