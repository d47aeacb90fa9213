# This file is part of the pm suite (物业管理系统). See README.md.
from decimal import Decimal

from sql.aggregate import Count, Sum

from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .mixin import id_batches, search_fields, sql_in


class Estate(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.estate'
    __string__ = "Estate"

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="The management company (管理处) in charge of the estate.")
    name = fields.Char("Name", required=True)
    code = fields.Char("Code", required=True, strip=True,
        help="Short code of the estate, unique within the company.")
    province = fields.Char("Province")
    city = fields.Char("City")
    district = fields.Char("District")
    street = fields.Char("Street")
    full_address = fields.Function(
        fields.Char("Address"), 'on_change_with_full_address')
    land_area = fields.Numeric(
        "Land Area", digits=(16, 2),
        domain=['OR', ('land_area', '=', None), ('land_area', '>=', 0)],
        help="Land area of the estate in square metres.")
    developer = fields.Char("Developer")
    phone = fields.Char("Office Phone")
    delivery_date = fields.Date("Delivery Date",
        help="The date the developer handed the estate over.")
    buildings = fields.One2Many('pm.building', 'estate', "Buildings")
    note = fields.Text("Note")

    building_count = fields.Function(
        fields.Integer("Buildings"), 'get_counts')
    unit_count = fields.Function(fields.Integer("Units"), 'get_counts')
    total_built_area = fields.Function(
        fields.Numeric("Total Built Area", digits=(16, 2)), 'get_counts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.company, t.code),
                'pm_estate.msg_estate_code_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.company, Index.Equality())))
        cls._order = [('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('province', 'city', 'district', 'street')
    def on_change_with_full_address(self, name=None):
        # Chinese addresses run from the largest to the smallest part, unspaced
        return ''.join(
            p for p in (self.province, self.city, self.district, self.street)
            if p)

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['name', 'code'])

    @classmethod
    def get_counts(cls, estates, names):
        pool = Pool()
        Building = pool.get('pm.building')
        Unit = pool.get('pm.unit')
        building = Building.__table__()
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        ids = [e.id for e in estates]
        result = {n: dict.fromkeys(ids, 0) for n in names}
        if 'total_built_area' in result:
            result['total_built_area'] = dict.fromkeys(ids, Decimal(0))
        for sub_ids in id_batches(ids):
            if 'building_count' in names:
                cursor.execute(*building.select(
                        building.estate, Count(building.id),
                        where=sql_in(building.estate, sub_ids)
                        & (building.active == True),  # noqa: E712
                        group_by=[building.estate]))
                result['building_count'].update(cursor)
            if {'unit_count', 'total_built_area'} & set(names):
                cursor.execute(*unit.select(
                        unit.estate, Count(unit.id), Sum(unit.built_area),
                        where=sql_in(unit.estate, sub_ids)
                        & (unit.active == True),  # noqa: E712
                        group_by=[unit.estate]))
                for estate_id, count, area in cursor:
                    if 'unit_count' in result:
                        result['unit_count'][estate_id] = count
                    if 'total_built_area' in result and area is not None:
                        result['total_built_area'][estate_id] = Decimal(
                            str(area)).quantize(Decimal('0.01'))
        return result
