# This file is part of the pm suite (物业管理系统). See README.md.
from decimal import Decimal

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id

COMPLAINT_DAYS = 3
COMPLAINT_CONFIRM_DAYS = 3
SEQUENCES = {
    'work_order_sequence': 'sequence_work_order',
    'complaint_sequence': 'sequence_complaint',
    'violation_sequence': 'sequence_violation',
    'decoration_sequence': 'sequence_decoration',
    }


def _sequence_field(string, type_):
    return fields.Many2One(
        'ir.sequence', string, required=True,
        domain=[
            ('sequence_type', '=', Id('pm_maintenance', type_)),
            ])


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    work_order_sequence = _sequence_field(
        "Work Order Sequence", 'sequence_type_work_order')
    complaint_sequence = _sequence_field(
        "Complaint Sequence", 'sequence_type_complaint')
    violation_sequence = _sequence_field(
        "Violation Sequence", 'sequence_type_violation')
    decoration_sequence = _sequence_field(
        "Decoration Permit Sequence", 'sequence_type_decoration')
    work_order_supervisor = fields.Many2One(
        'company.employee', "Repair Supervisor",
        help="Receives the escalations of overdue work orders whose "
        "category has no supervisor.")
    consumption_location = fields.Many2One(
        'stock.location', "Material Consumption Location",
        domain=[('type', 'in', ['lost_found', 'customer', 'production'])],
        help="Where the materials issued to work orders go.")
    labour_hour_cost = fields.Numeric(
        "Labour Cost per Hour", digits=(16, 2),
        domain=['OR',
            ('labour_hour_cost', '>=', 0),
            ('labour_hour_cost', '=', None),
            ],
        help="The internal cost of one hour of a technician, "
        "used for the repair cost of the equipment.")
    labour_charge_item = fields.Many2One(
        'pm.charge.item', "Labour Charge Item",
        help="The charge item of the labour of paid repairs.")
    material_charge_item = fields.Many2One(
        'pm.charge.item', "Material Charge Item",
        help="The charge item of the materials of paid repairs.")
    fine_charge_item = fields.Many2One(
        'pm.charge.item', "Fine Charge Item",
        help="The charge item of the fines put on the next bill.")
    complaint_days = fields.Integer(
        "Complaint Handling Days", required=True,
        domain=[('complaint_days', '>', 0)],
        help="The default deadline of a complaint, in days.")
    complaint_confirm_days = fields.Integer(
        "Complaint Confirmation Days", required=True,
        domain=[('complaint_confirm_days', '>', 0)],
        help="A resolved complaint without answer of the complainant "
        "after these days can be closed as timed out.")
    decoration_deposit = fields.Numeric(
        "Decoration Deposit", digits=(16, 2),
        domain=['OR',
            ('decoration_deposit', '>=', 0),
            ('decoration_deposit', '=', None),
            ],
        help="The default deposit of a decoration permit.")

    @classmethod
    def _default_sequence(cls, name):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('pm_maintenance', SEQUENCES[name])
        except KeyError:
            return None

    @classmethod
    def default_work_order_sequence(cls):
        return cls._default_sequence('work_order_sequence')

    @classmethod
    def default_complaint_sequence(cls):
        return cls._default_sequence('complaint_sequence')

    @classmethod
    def default_violation_sequence(cls):
        return cls._default_sequence('violation_sequence')

    @classmethod
    def default_decoration_sequence(cls):
        return cls._default_sequence('decoration_sequence')

    @classmethod
    def default_consumption_location(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'pm_maintenance', 'location_consumption')
        except KeyError:
            return None

    @classmethod
    def default_complaint_days(cls):
        return COMPLAINT_DAYS

    @classmethod
    def default_complaint_confirm_days(cls):
        return COMPLAINT_CONFIRM_DAYS

    @classmethod
    def default_labour_hour_cost(cls):
        return Decimal(0)

    @classmethod
    def default_decoration_deposit(cls):
        return Decimal(0)

    def get_maintenance_sequence(self, name):
        "Return the sequence of the field name, the default one if none"
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        sequence = getattr(self, name, None)
        if sequence:
            return sequence
        return Sequence(self._default_sequence(name))

    def get_consumption_location(self):
        pool = Pool()
        Location = pool.get('stock.location')
        if self.consumption_location:
            return self.consumption_location
        default = self.default_consumption_location()
        return Location(default) if default else None

    def get_complaint_days(self):
        return self.complaint_days or COMPLAINT_DAYS

    def get_complaint_confirm_days(self):
        return self.complaint_confirm_days or COMPLAINT_CONFIRM_DAYS
