# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import (
    AreaValidationError, DuplicateUnitError, UnitGenerateError)
from .mixin import (
    EstateCompanyMixin, company_field, estate_domain, id_batches,
    search_fields)

USAGES = [
    ('residential', "Residential"),
    ('shop', "Shop"),
    ('office', "Office"),
    ('parking', "Parking Space"),
    ('storage', "Storage Room"),
    ]

ORIENTATIONS = [
    (None, ""),
    ('south_north', "South-North"),
    ('east_west', "East-West"),
    ('south', "South"),
    ('north', "North"),
    ('east', "East"),
    ('west', "West"),
    ('south_east', "South-East"),
    ('south_west', "South-West"),
    ('north_east', "North-East"),
    ('north_west', "North-West"),
    ]

DELIVERY_STATES = [
    ('undelivered', "Undelivered"),
    ('delivered', "Delivered"),
    ]

# The occupancy state is derived from facts (delivery date, occupancies,
# leases, decoration) and never typed by hand.
OCCUPANCY_STATES = [
    ('undelivered', "Undelivered"),
    ('vacant', "Vacant"),
    ('owner_occupied', "Owner-Occupied"),
    ('rented', "Rented"),
    ('renovating', "Renovating"),
    ]

AREA_DIGITS = (16, 2)


class Unit(EstateCompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.unit'
    __string__ = "Unit"

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain())
    building = fields.Many2One(
        'pm.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))])
    entrance = fields.Char("Entrance", strip=True,
        help="The entrance (单元) of the building.")
    floor = fields.Integer("Floor")
    room = fields.Char("Room", strip=True)
    code = fields.Char("Code", required=True, strip=True,
        help="Unique within the estate, "
        "e.g. 3-2-1502 for building 3, entrance 2, floor 15, room 02.")
    name = fields.Char("Name")
    usage = fields.Selection(USAGES, "Usage", required=True, sort=False)
    built_area = fields.Numeric("Built Area", digits=AREA_DIGITS,
        help="Built area (建筑面积) in square metres.")
    inner_area = fields.Numeric("Inner Area", digits=AREA_DIGITS,
        help="Inner area (套内面积) in square metres.")
    chargeable_area = fields.Numeric("Chargeable Area", digits=AREA_DIGITS,
        help="The area the fees are computed on (收费面积), "
        "by default the built area.")
    shared_area = fields.Function(
        fields.Numeric("Shared Area", digits=AREA_DIGITS),
        'on_change_with_shared_area')
    layout = fields.Char("Layout", help="For example 3室2厅2卫.")
    orientation = fields.Selection(ORIENTATIONS, "Orientation", sort=False)
    delivery_date = fields.Date("Delivery Date",
        help="The date the unit was handed over to its first owner.")
    delivery_state = fields.Function(
        fields.Selection(DELIVERY_STATES, "Delivery State"),
        'get_delivery_state', searcher='search_delivery_state')
    occupancy_state = fields.Function(
        fields.Selection(OCCUPANCY_STATES, "Occupancy State"),
        'get_occupancy_state', searcher='search_occupancy_state')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('estate_code_unique', Unique(t, t.estate, t.code),
                'pm_estate.msg_unit_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality()),
                    (t.code, Index.Similarity())),
                Index(t, (t.building, Index.Equality())),
                Index(t, (t.company, Index.Equality())),
                })
        cls._order = [
            ('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]
        cls.built_area.domain = [
            'OR', ('built_area', '=', None), ('built_area', '>=', 0)]
        cls.inner_area.domain = [
            'OR', ('inner_area', '=', None), ('inner_area', '>=', 0)]
        cls.chargeable_area.domain = [
            'OR', ('chargeable_area', '=', None),
            ('chargeable_area', '>=', 0)]

    @staticmethod
    def default_usage():
        return 'residential'

    @fields.depends('building', '_parent_building.estate', 'estate')
    def on_change_building(self):
        if self.building:
            self.estate = self.building.estate

    @fields.depends('built_area', 'chargeable_area')
    def on_change_built_area(self):
        if self.built_area is not None and self.chargeable_area is None:
            self.chargeable_area = self.built_area

    @fields.depends('built_area', 'inner_area')
    def on_change_with_shared_area(self, name=None):
        if self.built_area is not None and self.inner_area is not None:
            return self.built_area - self.inner_area

    def get_rec_name(self, name):
        return f'{self.estate.rec_name} {self.code}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['code', 'name'])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Building = pool.get('pm.building')
        values = values.copy()
        if values.get('building') and not values.get('estate'):
            values['estate'] = Building(values['building']).estate.id
        if (mode == 'create' and values.get('chargeable_area') is None
                and values.get('built_area') is not None):
            values['chargeable_area'] = values['built_area']
        return super().preprocess_values(mode, values)

    @classmethod
    def validate_fields(cls, units, field_names):
        super().validate_fields(units, field_names)
        cls.check_areas(units, field_names)
        cls.check_building(units, field_names)

    @classmethod
    def check_areas(cls, units, field_names=None):
        if field_names and not (field_names & {'built_area', 'inner_area'}):
            return
        for unit in units:
            if (unit.built_area is not None and unit.inner_area is not None
                    and unit.inner_area > unit.built_area):
                raise AreaValidationError(gettext(
                        'pm_estate.msg_unit_inner_area_exceeds',
                        unit=unit.rec_name,
                        inner=unit.inner_area, built=unit.built_area))

    @classmethod
    def check_building(cls, units, field_names=None):
        if field_names and not (field_names & {'building', 'estate'}):
            return
        for unit in units:
            if unit.building and unit.building.estate != unit.estate:
                raise AreaValidationError(gettext(
                        'pm_estate.msg_unit_building_estate',
                        unit=unit.rec_name,
                        building=unit.building.rec_name))

    @staticmethod
    def _state_date():
        pool = Pool()
        Date = pool.get('ir.date')
        return Transaction().context.get('date') or Date.today()

    @classmethod
    def get_delivery_state(cls, units, name):
        date = cls._state_date()
        return {
            u.id: 'delivered' if u.delivery_date and u.delivery_date <= date
            else 'undelivered' for u in units}

    @classmethod
    def search_delivery_state(cls, name, clause):
        _, operator, operand = clause[:3]
        date = cls._state_date()
        delivered = ['AND',
            ('delivery_date', '!=', None), ('delivery_date', '<=', date)]
        undelivered = ['OR',
            ('delivery_date', '=', None), ('delivery_date', '>', date)]
        values = {operand} if isinstance(operand, str) else set(operand or [])
        if operator in {'!=', 'not in'}:
            values = {v for v, _ in DELIVERY_STATES} - values
        domain = ['OR']
        if 'delivered' in values:
            domain.append(delivered)
        if 'undelivered' in values:
            domain.append(undelivered)
        return domain if len(domain) > 1 else [('id', '=', None)]

    @classmethod
    def _occupancy_facts(cls, unit_ids, date):
        """Return {unit id: set of facts} for the units at the date.

        Facts are 'renovating', 'rented' and 'occupied'. Modules that know
        them (occupancy, leases, decoration permits) extend this method.
        """
        return {}

    @classmethod
    def compute_occupancy_states(cls, unit_ids, date=None):
        "Return {unit id: occupancy state} computed in SQL batches"
        if date is None:
            date = cls._state_date()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in id_batches(unit_ids):
            sub_ids = list(sub_ids)
            facts = cls._occupancy_facts(sub_ids, date)
            cursor.execute(*table.select(
                    table.id, table.delivery_date,
                    where=table.id.in_(sub_ids)))
            for unit_id, delivery_date in cursor:
                if isinstance(delivery_date, str):
                    delivery_date = dt.date.fromisoformat(delivery_date)
                unit_facts = facts.get(unit_id, set())
                if not delivery_date or delivery_date > date:
                    state = 'undelivered'
                elif 'renovating' in unit_facts:
                    state = 'renovating'
                elif 'rented' in unit_facts:
                    state = 'rented'
                elif 'occupied' in unit_facts:
                    state = 'owner_occupied'
                else:
                    state = 'vacant'
                result[unit_id] = state
        return result

    @classmethod
    def get_occupancy_state(cls, units, name):
        return cls.compute_occupancy_states([u.id for u in units])

    @classmethod
    def search_occupancy_state(cls, name, clause):
        _, operator, operand = clause[:3]
        values = {operand} if isinstance(operand, str) else set(operand or [])
        if operator in {'!=', 'not in'}:
            values = {v for v, _ in OCCUPANCY_STATES} - values
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id))
        all_ids = [i for i, in cursor]
        states = cls.compute_occupancy_states(all_ids)
        return [('id', 'in', [i for i, s in states.items() if s in values])]

    @classmethod
    def copy(cls, units, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code', lambda d: f"{d['code']}-copy")
        default.setdefault('delivery_date', None)
        return super().copy(units, default=default)


class GenerateUnitsStart(ModelView):
    __name__ = 'pm.unit.generate.start'
    __string__ = "Generate Units"

    building = fields.Many2One('pm.building', "Building", required=True)
    entrance_from = fields.Integer("From Entrance", required=True,
        domain=[('entrance_from', '>=', 1)])
    entrance_to = fields.Integer("To Entrance", required=True,
        domain=[('entrance_to', '>=', Eval('entrance_from', 1))])
    floor_from = fields.Integer("From Floor", required=True,
        domain=[('floor_from', '!=', 0)])
    floor_to = fields.Integer("To Floor", required=True,
        domain=[('floor_to', '>=', Eval('floor_from', 1))])
    skip_floors = fields.Char("Skipped Floors",
        help="Comma-separated floors that do not exist, e.g. 4,13,14.")
    rooms_per_floor = fields.Integer("Rooms per Floor", required=True,
        domain=[('rooms_per_floor', '>=', 1), ('rooms_per_floor', '<=', 99)])
    code_pattern = fields.Char("Code Pattern", required=True,
        help="Placeholders: {building}, {entrance}, {floor}, {room}; "
        "for example {building}-{entrance}-{floor:02d}{room:02d}.")
    name_pattern = fields.Char("Name Pattern",
        help="Same placeholders as the code pattern; "
        "{building_name} is the building's name.")
    usage = fields.Selection(USAGES, "Usage", required=True, sort=False)
    built_area = fields.Numeric("Built Area", digits=AREA_DIGITS,
        domain=['OR', ('built_area', '=', None), ('built_area', '>=', 0)])
    inner_area = fields.Numeric("Inner Area", digits=AREA_DIGITS,
        domain=['OR', ('inner_area', '=', None), ('inner_area', '>=', 0)])
    chargeable_area = fields.Numeric("Chargeable Area", digits=AREA_DIGITS,
        domain=['OR', ('chargeable_area', '=', None),
            ('chargeable_area', '>=', 0)])
    layout = fields.Char("Layout")
    orientation = fields.Selection(ORIENTATIONS, "Orientation", sort=False)
    delivery_date = fields.Date("Delivery Date")
    unit_count = fields.Function(
        fields.Integer("Units to Create"), 'on_change_with_unit_count')

    @staticmethod
    def default_entrance_from():
        return 1

    @staticmethod
    def default_entrance_to():
        return 1

    @staticmethod
    def default_floor_from():
        return 1

    @staticmethod
    def default_code_pattern():
        return '{building}-{entrance}-{floor:02d}{room:02d}'

    @staticmethod
    def default_name_pattern():
        return '{building_name}{entrance}单元{floor}{room:02d}室'

    @staticmethod
    def default_usage():
        return 'residential'

    @fields.depends('building', '_parent_building.floors_above',
        '_parent_building.entrances', '_parent_building.units_per_floor',
        '_parent_building.delivery_date')
    def on_change_building(self):
        if self.building:
            if self.building.floors_above:
                self.floor_to = self.building.floors_above
            if self.building.entrances:
                self.entrance_to = self.building.entrances
            if self.building.units_per_floor:
                self.rooms_per_floor = self.building.units_per_floor
            if self.building.delivery_date:
                self.delivery_date = self.building.delivery_date

    @fields.depends('built_area', 'chargeable_area')
    def on_change_built_area(self):
        if self.built_area is not None and self.chargeable_area is None:
            self.chargeable_area = self.built_area

    def skipped_floors(self):
        if not self.skip_floors:
            return set()
        floors = set()
        for part in self.skip_floors.replace('，', ',').split(','):
            part = part.strip()
            if not part:
                continue
            try:
                floors.add(int(part))
            except ValueError:
                raise UnitGenerateError(gettext(
                        'pm_estate.msg_generate_skip_floors_invalid',
                        value=part))
        return floors

    def floors(self):
        if self.floor_from is None or self.floor_to is None:
            return []
        skipped = self.skipped_floors()
        return [f for f in range(self.floor_from, self.floor_to + 1)
            if f != 0 and f not in skipped]

    @fields.depends('entrance_from', 'entrance_to', 'floor_from', 'floor_to',
        'skip_floors', 'rooms_per_floor')
    def on_change_with_unit_count(self, name=None):
        if (self.entrance_from is None or self.entrance_to is None
                or not self.rooms_per_floor):
            return 0
        try:
            floors = self.floors()
        except UnitGenerateError:
            return 0
        entrances = max(self.entrance_to - self.entrance_from + 1, 0)
        return entrances * len(floors) * self.rooms_per_floor

    def _format(self, pattern, **values):
        try:
            return pattern.format(**values)
        except (KeyError, IndexError, ValueError) as exception:
            raise UnitGenerateError(gettext(
                    'pm_estate.msg_generate_pattern_invalid',
                    pattern=pattern, error=str(exception)))

    def get_unit_values(self):
        "Return the list of values of the units to create"
        building = self.building
        result = []
        for entrance in range(self.entrance_from, self.entrance_to + 1):
            for floor in self.floors():
                for room in range(1, self.rooms_per_floor + 1):
                    keys = {
                        'building': building.code,
                        'building_name': building.name,
                        'entrance': entrance,
                        'floor': floor,
                        'room': room,
                        }
                    values = {
                        'estate': building.estate.id,
                        'building': building.id,
                        'entrance': str(entrance),
                        'floor': floor,
                        'room': '%02d' % room,
                        'code': self._format(self.code_pattern, **keys),
                        'usage': self.usage,
                        'built_area': self.built_area,
                        'inner_area': self.inner_area,
                        'chargeable_area': (
                            self.chargeable_area
                            if self.chargeable_area is not None
                            else self.built_area),
                        'layout': self.layout,
                        'orientation': self.orientation,
                        'delivery_date': self.delivery_date,
                        }
                    if self.name_pattern:
                        values['name'] = self._format(
                            self.name_pattern, **keys)
                    result.append(values)
        return result


class GenerateUnits(Wizard):
    "Generate Units"
    __name__ = 'pm.unit.generate'

    start = StateView(
        'pm.unit.generate.start', 'pm_estate.unit_generate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Generate", 'generate', 'tryton-ok', default=True),
            ])
    generate = StateAction('pm_estate.act_unit_form')

    def default_start(self, fields):
        context = Transaction().context
        if context.get('active_model') == 'pm.building' and context.get(
                'active_id'):
            pool = Pool()
            Building = pool.get('pm.building')
            building = Building(context['active_id'])
            self.start.building = building
            self.start.on_change_building()
            values = {
                'building': building.id,
                }
            for name in ['floor_to', 'entrance_to', 'rooms_per_floor',
                    'delivery_date']:
                value = getattr(self.start, name, None)
                if value is not None:
                    values[name] = value
            return values
        return {}

    def do_generate(self, action):
        pool = Pool()
        Unit = pool.get('pm.unit')
        values = self.start.get_unit_values()
        if not values:
            raise UnitGenerateError(gettext(
                    'pm_estate.msg_generate_nothing'))
        codes = [v['code'] for v in values]
        seen, repeated = set(), []
        for code in codes:
            if code in seen:
                repeated.append(code)
            seen.add(code)
        if repeated:
            raise UnitGenerateError(gettext(
                    'pm_estate.msg_generate_pattern_not_unique',
                    codes=', '.join(sorted(set(repeated))[:20])))
        estate = self.start.building.estate
        existing = []
        with Transaction().set_context(active_test=False):
            for sub_codes in id_batches(codes):
                existing.extend(u.code for u in Unit.search([
                            ('estate', '=', estate.id),
                            ('code', 'in', list(sub_codes)),
                            ]))
        if existing:
            existing.sort()
            shown = ', '.join(existing[:20])
            if len(existing) > 20:
                shown += ' …'
            raise DuplicateUnitError(gettext(
                    'pm_estate.msg_generate_duplicate',
                    count=len(existing), codes=shown,
                    estate=estate.rec_name))
        units = Unit.create(values)
        encoder = PYSONEncoder()
        action['pyson_domain'] = encoder.encode(
            [('id', 'in', [u.id for u in units])])
        return action, {}
