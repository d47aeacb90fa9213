# This file is part of the pm suite (物业管理系统). See README.md.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    parking_contract_sequence = fields.Many2One(
        'ir.sequence', "Parking Contract Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('pm_parking', 'sequence_type_parking_contract')),
            ])

    @classmethod
    def default_parking_contract_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('pm_parking', 'sequence_parking_contract')
        except KeyError:
            return None

    def get_parking_contract_sequence(self):
        "Return the contract sequence, the default one if none is set"
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        if self.parking_contract_sequence:
            return self.parking_contract_sequence
        return Sequence(self.default_parking_contract_sequence())
