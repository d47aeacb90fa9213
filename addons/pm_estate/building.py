# This file is part of the pm suite (物业管理系统). See README.md.
from sql.aggregate import Count

from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .mixin import (
    EstateCompanyMixin, company_field, estate_domain, id_batches,
    search_fields, sql_in)


BUILDING_TYPES = [
    ('residential', "Residential"),
    ('commercial', "Commercial"),
    ('office', "Office"),
    ('garage', "Garage"),
    ('ancillary', "Ancillary"),
    ]


class Building(EstateCompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.building'
    __string__ = "Building"

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(),
        states={
            'readonly': Eval('units', [0]) & Eval('estate'),
            })
    code = fields.Char("Code", required=True, strip=True,
        help="The building number used in unit codes, e.g. 3.")
    name = fields.Char("Name", required=True,
        help="The name shown to people, e.g. 3栋.")
    building_type = fields.Selection(
        BUILDING_TYPES, "Type", required=True, sort=False)
    floors_above = fields.Integer("Floors Above Ground",
        domain=['OR', ('floors_above', '=', None),
            ('floors_above', '>=', 0)])
    floors_below = fields.Integer("Floors Below Ground",
        domain=['OR', ('floors_below', '=', None),
            ('floors_below', '>=', 0)])
    entrances = fields.Integer("Entrances",
        domain=['OR', ('entrances', '=', None), ('entrances', '>=', 0)],
        help="Number of entrances (单元) of the building.")
    units_per_floor = fields.Integer("Units per Floor",
        domain=['OR', ('units_per_floor', '=', None),
            ('units_per_floor', '>=', 0)])
    elevators = fields.Integer("Elevators",
        domain=['OR', ('elevators', '=', None), ('elevators', '>=', 0)])
    completion_date = fields.Date("Completion Date")
    delivery_date = fields.Date("Delivery Date")
    units = fields.One2Many('pm.unit', 'building', "Units")
    unit_count = fields.Function(fields.Integer("Units"), 'get_unit_count')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('estate_code_unique', Unique(t, t.estate, t.code),
                'pm_estate.msg_building_code_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.estate, Index.Equality())))
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_building_type():
        return 'residential'

    @staticmethod
    def default_entrances():
        return 1

    @fields.depends('code', 'name')
    def on_change_code(self):
        if self.code and not self.name:
            self.name = self.code

    def get_rec_name(self, name):
        return f'{self.estate.rec_name} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['name', 'code', 'estate.rec_name'])

    @classmethod
    def get_unit_count(cls, buildings, name):
        pool = Pool()
        Unit = pool.get('pm.unit')
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        ids = [b.id for b in buildings]
        result = dict.fromkeys(ids, 0)
        for sub_ids in id_batches(ids):
            cursor.execute(*unit.select(
                    unit.building, Count(unit.id),
                    where=sql_in(unit.building, sub_ids)
                    & (unit.active == True),  # noqa: E712
                    group_by=[unit.building]))
            result.update(cursor)
        return result
