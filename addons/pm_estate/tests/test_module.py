# This file is part of the pm suite (物业管理系统). See README.md.
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class PmEstateTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_estate module"
    module = 'pm_estate'

    @with_transaction()
    def test_unit_areas_and_company(self):
        "Units take the estate's company and check their areas"
        pool = Pool()
        Estate = pool.get('pm.estate')
        Building = pool.get('pm.building')
        Unit = pool.get('pm.unit')
        company = create_company()
        with set_company(company):
            estate, = Estate.create([{'name': "阳光花园", 'code': 'YG'}])
            building, = Building.create([{
                        'estate': estate.id, 'code': '3', 'name': "3栋"}])
            unit, = Unit.create([{
                        'building': building.id, 'code': '3-1-0101',
                        'built_area': Decimal('89.50'),
                        'inner_area': Decimal('72.30')}])
            self.assertEqual(unit.estate, estate)
            self.assertEqual(unit.company, company)
            self.assertEqual(unit.chargeable_area, Decimal('89.50'))
            self.assertEqual(unit.shared_area, Decimal('17.20'))
            self.assertEqual(unit.occupancy_state, 'undelivered')
            estate = Estate(estate.id)  # a fresh record: counts not cached
            self.assertEqual(estate.unit_count, 1)
            self.assertEqual(estate.building_count, 1)
            self.assertEqual(estate.total_built_area, Decimal('89.50'))
            with self.assertRaises(ValidationError):
                Unit.write([unit], {'inner_area': Decimal('100')})

    @with_transaction()
    def test_unit_code_unique_per_estate(self):
        "The same unit code may exist in two estates, not twice in one"
        pool = Pool()
        Estate = pool.get('pm.estate')
        Unit = pool.get('pm.unit')
        company = create_company()
        with set_company(company):
            estate1, estate2 = Estate.create([
                    {'name': "A", 'code': 'A'}, {'name': "B", 'code': 'B'}])
            Unit.create([
                    {'estate': estate1.id, 'code': '1-1-0101'},
                    {'estate': estate2.id, 'code': '1-1-0101'}])
            with self.assertRaises(UserError):
                Unit.create([{'estate': estate1.id, 'code': '1-1-0101'}])


del ModuleTestCase
