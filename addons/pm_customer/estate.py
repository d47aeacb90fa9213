# This file is part of the pm suite (物业管理系统). See README.md.
from sql import Literal
from sql.aggregate import Count

from trytond.model import fields
from trytond.modules.pm_estate.mixin import id_batches, sql_in
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Estate(metaclass=PoolMeta):
    __name__ = 'pm.estate'

    household_count = fields.Function(
        fields.Integer("Households",
            help="The number of units where somebody currently lives."),
        'get_residents')
    population = fields.Function(
        fields.Integer("Population",
            help="The number of people currently living in the estate."),
        'get_residents')

    @classmethod
    def get_residents(cls, estates, names):
        pool = Pool()
        Occupancy = pool.get('pm.occupancy')
        Unit = pool.get('pm.unit')
        occupancy = Occupancy.__table__()
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        date = Unit._state_date()
        ids = [e.id for e in estates]
        result = {n: dict.fromkeys(ids, 0) for n in names}
        for sub_ids in id_batches([i for i in ids if i >= 0]):
            residents = occupancy.join(
                unit, condition=occupancy.unit == unit.id).select(
                unit.estate.as_('estate'),
                occupancy.unit.as_('unit'),
                occupancy.party.as_('party'),
                where=sql_in(unit.estate, sub_ids)
                & (unit.active == Literal(True))
                & (occupancy.resides == Literal(True))
                & Occupancy.current_where(occupancy, date),
                distinct=True)
            if 'population' in result:
                cursor.execute(*residents.select(
                        residents.estate, Count(),
                        group_by=[residents.estate]))
                result['population'].update(cursor)
            if 'household_count' in result:
                households = residents.select(
                    residents.estate, residents.unit, distinct=True)
                cursor.execute(*households.select(
                        households.estate, Count(),
                        group_by=[households.estate]))
                result['household_count'].update(cursor)
        return result
