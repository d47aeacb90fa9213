# This file is part of the pm suite (物业管理系统). See README.md.
"""Occupancy of the parking lots (车位使用情况): sold, rented, vacant."""
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from .space import today


class Occupancy(ModelSQL, ModelView):
    "Parking occupancy by lot at the date of the context"
    __name__ = 'pm.parking.occupancy'
    __string__ = "Parking Occupancy"

    company = fields.Many2One('company.company', "Company")
    estate = fields.Many2One('pm.estate', "Estate")
    lot = fields.Many2One('pm.parking.lot', "Parking Lot")
    total = fields.Integer("Spaces")
    sold = fields.Integer("Sold")
    rented = fields.Integer("Rented")
    vacant = fields.Integer("Vacant")
    occupancy_rate = fields.Function(
        fields.Numeric("Occupancy Rate (%)", digits=(16, 2)),
        'get_occupancy_rate')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('estate', 'ASC'), ('lot', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Space = pool.get('pm.parking.space')
        Lot = pool.get('pm.parking.lot')
        space = Space.__table__()
        lot = Lot.__table__()
        date = today()
        sold = (space.ownership == 'property') & (space.customer != Null)
        rented = ~sold & space.id.in_(Space._rented_query(date))
        return space.join(lot, condition=space.lot == lot.id).select(
            lot.id.as_('id'),
            lot.company.as_('company'),
            lot.estate.as_('estate'),
            lot.id.as_('lot'),
            Count().as_('total'),
            Sum(Case((sold, 1), else_=0)).as_('sold'),
            Sum(Case((rented, 1), else_=0)).as_('rented'),
            Sum(Case((sold | rented, 0), else_=1)).as_('vacant'),
            where=space.active == Literal(True),
            group_by=[lot.id, lot.company, lot.estate])

    def get_occupancy_rate(self, name):
        if not self.total:
            return None
        return (Decimal((self.sold or 0) + (self.rented or 0)) * 100
            / self.total).quantize(Decimal('0.01'))


class OccupancyContext(ModelView):
    __name__ = 'pm.parking.occupancy.context'
    __string__ = "Parking Occupancy Context"

    date = fields.Date("Date", required=True)

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()
