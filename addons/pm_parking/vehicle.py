# This file is part of the pm suite (物业管理系统). See README.md.
"""Vehicles (车辆) registered by the residents."""
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.modules.pm_estate.mixin import search_fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import PlateError
from .plate import PLATE_TYPES, normalize_plate, plate_type

VEHICLE_TYPES = [
    ('car', "Car"),
    ('suv', "SUV"),
    ('van', "Van"),
    ('truck', "Truck"),
    ('motorcycle', "Motorcycle"),
    ]


class Vehicle(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.vehicle'
    __string__ = "Vehicle"
    _rec_name = 'plate'

    company = fields.Many2One(
        'company.company', "Company", required=True)
    plate = fields.Char(
        "Plate Number", required=True,
        help="Chinese plate: province, letter and 5 characters; "
        "new-energy plates have 6 (京AD12345, 粤B12345D).")
    plate_type = fields.Function(
        fields.Selection([(None, "")] + PLATE_TYPES, "Plate Type"),
        'on_change_with_plate_type')
    vehicle_type = fields.Selection(
        VEHICLE_TYPES, "Vehicle Type", required=True, sort=False)
    model = fields.Char("Brand and Model", help="For example 大众 朗逸.")
    colour = fields.Char("Colour")
    owner = fields.Many2One(
        'party.party', "Owner", required=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    unit = fields.Many2One(
        'pm.unit', "Unit", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The unit of the resident the vehicle is registered with: "
        "a registered resident vehicle enters the estate's lots free.")
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"), 'on_change_with_estate',
        searcher='search_estate')
    spaces = fields.Many2Many(
        'pm.vehicle-pm.parking.space', 'vehicle', 'space',
        "Allowed Spaces",
        domain=[('company', '=', Eval('company', -1))],
        help="The spaces the vehicle may use.")
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_plate_unique', Unique(t, t.company, t.plate),
                'pm_parking.msg_vehicle_plate_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.plate, Index.Similarity())),
                Index(t, (t.owner, Index.Equality())),
                Index(t, (t.unit, Index.Equality())),
                })
        cls._order = [('plate', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_vehicle_type():
        return 'car'

    @fields.depends('plate')
    def on_change_with_plate_type(self, name=None):
        return plate_type(normalize_plate(self.plate))

    @fields.depends('plate')
    def on_change_plate(self):
        if self.plate:
            self.plate = normalize_plate(self.plate)

    @fields.depends('unit', '_parent_unit.estate')
    def on_change_with_estate(self, name=None):
        return self.unit.estate if self.unit else None

    @classmethod
    def search_estate(cls, name, clause):
        nested = clause[0][len(name):]
        return [('unit.estate' + nested, *clause[1:])]

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if isinstance(operand, str):
            operand = normalize_plate(operand)
        return search_fields(
            (name, operator, operand, *extra), ['plate', 'model'])

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('plate'):
            values['plate'] = normalize_plate(values['plate'])
        return values

    @classmethod
    def validate_fields(cls, vehicles, field_names):
        super().validate_fields(vehicles, field_names)
        if field_names and 'plate' not in field_names:
            return
        for vehicle in vehicles:
            check_plate(vehicle.plate)

    @classmethod
    def copy(cls, vehicles, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('plate', None)
        return super().copy(vehicles, default=default)

    @classmethod
    def resident_plates(cls, lot, plates):
        """Return the subset of the (normalized) plates that are residents'
        registered vehicles allowed free in the lot: active vehicles of the
        lot's company registered with a unit of the lot's estate or allowed
        on a space of the lot"""
        plates = list({p for p in plates if p})
        if not plates:
            return set()
        # the gate staff need not read the units and contracts
        with without_check_access():
            return cls._resident_plates(lot, plates)

    @classmethod
    def _resident_plates(cls, lot, plates):
        pool = Pool()
        Contract = pool.get('pm.parking.contract')
        vehicles = cls.search([
                ('company', '=', lot.company.id),
                ('plate', 'in', plates),
                ['OR',
                    ('unit.estate', '=', lot.estate.id),
                    ('spaces.lot', '=', lot.id),
                    ],
                ])
        result = {v.plate for v in vehicles}
        contracts = Contract.search([
                ('space.lot', '=', lot.id),
                ('state', '=', 'active'),
                ('vehicles.plate', 'in', plates),
                ])
        for contract in contracts:
            result.update(v.plate for v in contract.vehicles)
        return result & set(plates)


def check_plate(plate):
    "Raise PlateError when the plate is not a valid Chinese plate"
    if plate_type(normalize_plate(plate)) is None:
        raise PlateError(gettext(
                'pm_parking.msg_plate_invalid', plate=plate or ''))


class VehicleSpace(ModelSQL):
    __name__ = 'pm.vehicle-pm.parking.space'
    __string__ = "Vehicle - Parking Space"

    vehicle = fields.Many2One(
        'pm.vehicle', "Vehicle", required=True, ondelete='CASCADE')
    space = fields.Many2One(
        'pm.parking.space', "Space", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('vehicle_space_unique', Unique(t, t.vehicle, t.space),
                'pm_parking.msg_vehicle_space_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.space, Index.Equality())))
