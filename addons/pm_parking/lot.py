# This file is part of the pm suite (物业管理系统). See README.md.
"""Parking lots (停车场), their entrances and temporary-parking fee rules."""
from sql import Literal
from sql.aggregate import Count

from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields,
    sequence_ordered)
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, id_batches,
    search_fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .fee import CAP_MODES, parking_fee

LOT_TYPES = [
    ('ground', "Ground"),
    ('underground', "Underground"),
    ('multilevel', "Multi-Level"),
    ]

DIRECTIONS = [
    ('both', "Entry and Exit"),
    ('in', "Entry"),
    ('out', "Exit"),
    ]


class FeeRule(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.parking.fee.rule'
    __string__ = "Parking Fee Rule"

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True, translate=True)
    currency = fields.Many2One('currency.currency', "Currency", required=True)
    free_minutes = fields.Integer(
        "Free Minutes", required=True,
        domain=[('free_minutes', '>=', 0)],
        help="A stay not longer than this is free.")
    hourly_price = Monetary(
        "Price per Hour", currency='currency', digits='currency',
        required=True, domain=[('hourly_price', '>=', 0)],
        help="Charged by started hour from the entry "
        "once the free minutes are exceeded.")
    daily_cap = Monetary(
        "Daily Cap", currency='currency', digits='currency',
        domain=['OR', ('daily_cap', '=', None), ('daily_cap', '>=', 0)],
        help="The most charged for one day; leave empty for no cap.")
    cap_mode = fields.Selection(
        CAP_MODES, "Cap Period", required=True, sort=False)
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = cls.default_company()
        if company is not None and company >= 0:
            return Company(company).currency.id

    @staticmethod
    def default_free_minutes():
        return 30

    @staticmethod
    def default_cap_mode():
        return 'calendar_day'

    def compute(self, entry, exit):
        "Return (amount, hours) of a stay between local datetimes"
        amount, hours = parking_fee(
            entry, exit, self.free_minutes, self.hourly_price,
            self.daily_cap, self.cap_mode)
        return self.currency.round(amount), hours


class Lot(EstateCompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.parking.lot'
    __string__ = "Parking Lot"

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain())
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    lot_type = fields.Selection(
        LOT_TYPES, "Type", required=True, sort=False)
    capacity = fields.Integer(
        "Capacity", required=True, domain=[('capacity', '>=', 0)],
        help="The number of cars the lot holds.")
    entrances = fields.One2Many(
        'pm.parking.lot.entrance', 'lot', "Entrances")
    fee_rule = fields.Many2One(
        'pm.parking.fee.rule', "Temporary Parking Fee Rule",
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    spaces = fields.One2Many('pm.parking.space', 'lot', "Spaces")
    space_count = fields.Function(
        fields.Integer("Spaces"), 'get_counts')
    inside_count = fields.Function(
        fields.Integer("Temporary Vehicles Inside"), 'get_counts')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('estate_code_unique', Unique(t, t.estate, t.code),
                'pm_parking.msg_lot_code_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.estate, Index.Equality())))
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_lot_type():
        return 'underground'

    @staticmethod
    def default_capacity():
        return 0

    def get_rec_name(self, name):
        return f'{self.estate.rec_name} {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['name', 'code'])

    @classmethod
    def get_counts(cls, lots, names):
        pool = Pool()
        Space = pool.get('pm.parking.space')
        Visit = pool.get('pm.parking.visit')
        space = Space.__table__()
        visit = Visit.__table__()
        cursor = Transaction().connection.cursor()
        ids = [l.id for l in lots]
        result = {n: dict.fromkeys(ids, 0) for n in names}
        for sub_ids in id_batches(ids):
            if 'space_count' in names:
                cursor.execute(*space.select(
                        space.lot, Count(space.id),
                        where=space.lot.in_(sub_ids)
                        & (space.active == Literal(True)),
                        group_by=[space.lot]))
                result['space_count'].update(cursor)
            if 'inside_count' in names:
                cursor.execute(*visit.select(
                        visit.lot, Count(visit.id),
                        where=visit.lot.in_(sub_ids)
                        & (visit.state == 'inside'),
                        group_by=[visit.lot]))
                result['inside_count'].update(cursor)
        return result


class Entrance(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.parking.lot.entrance'
    __string__ = "Parking Lot Entrance"

    lot = fields.Many2One(
        'pm.parking.lot', "Lot", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    direction = fields.Selection(
        DIRECTIONS, "Direction", required=True, sort=False)
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('lot')

    @staticmethod
    def default_direction():
        return 'both'
