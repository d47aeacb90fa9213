# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.pm_parking.contract import prorated
from trytond.modules.pm_parking.fee import parking_fee
from trytond.modules.pm_parking.plate import (
    is_valid_plate, normalize_plate, plate_type)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

D = Decimal
T = dt.datetime


class PlateTestCase(unittest.TestCase):
    "Chinese plate numbers"

    def test_valid_plates(self):
        for plate, kind in [
                ('京A12345', 'ordinary'),
                ('粤B8K2Z9', 'ordinary'),
                ('沪AD12345', 'new_energy'),   # small, pure electric
                ('苏EFA1234', 'new_energy'),   # small, hybrid, letter 2nd
                ('粤B12345D', 'new_energy'),   # large, pure electric
                ('浙A00001F', 'new_energy'),   # large, hybrid
                ('京A1234警', 'police'),
                ('川A1234学', 'coach'),
                ('鲁B1234挂', 'trailer'),
                ('粤Z1234港', 'hong_kong'),
                ('粤ZA123澳', 'macao'),
                ]:
            with self.subTest(plate=plate):
                self.assertEqual(plate_type(plate), kind)
                self.assertTrue(is_valid_plate(plate))

    def test_invalid_plates(self):
        for plate in [
                '', None,
                'A12345',       # no province
                '港A12345',     # not a province abbreviation
                '京112345',     # the authority must be a letter
                '京I12345',     # I is never used
                '京A1234O',     # nor O
                '京A1234',      # too short
                '京A1234567',   # too long
                '京AA12345',    # 6 characters but not D/F first
                '沪AD1234A',    # small new-energy plates end with 4 digits
                '粤B1234AD',    # large new-energy plates: 5 digits then D/F
                '京A12345警',   # 5 characters before the suffix
                '京A1234港',    # 港 only for 粤Z
                '京A-12_34#',
                ]:
            with self.subTest(plate=plate):
                self.assertIsNone(plate_type(normalize_plate(plate)))
                self.assertFalse(is_valid_plate(plate))

    def test_normalize(self):
        self.assertEqual(normalize_plate(' 粤b·12345 '), '粤B12345')
        self.assertEqual(normalize_plate('沪A d-12345'), '沪AD12345')
        self.assertTrue(is_valid_plate('京a 12345'))


class FeeTestCase(unittest.TestCase):
    "Temporary parking fees: 30 free minutes, 5.00 an hour, 30.00 a day"

    def fee(self, entry, exit, mode='calendar_day', cap=D(30)):
        return parking_fee(entry, exit, 30, D(5), cap, mode)

    def test_free_minutes(self):
        self.assertEqual(
            self.fee(T(2026, 11, 1, 9), T(2026, 11, 1, 9, 30)), (D(0), 0))
        # 31 minutes: the first hour is charged from the entry
        self.assertEqual(
            self.fee(T(2026, 11, 1, 9), T(2026, 11, 1, 9, 31)), (D(5), 1))

    def test_started_hours(self):
        self.assertEqual(
            self.fee(T(2026, 11, 1, 9), T(2026, 11, 1, 11)), (D(10), 2))
        self.assertEqual(
            self.fee(T(2026, 11, 1, 9), T(2026, 11, 1, 11, 1)), (D(15), 3))

    def test_daily_cap(self):
        # 09:00-19:00: 10 hours, 50.00 capped to 30.00
        self.assertEqual(
            self.fee(T(2026, 11, 1, 9), T(2026, 11, 1, 19)), (D(30), 10))
        self.assertEqual(
            self.fee(T(2026, 11, 1, 9), T(2026, 11, 1, 19), cap=None),
            (D(50), 10))

    def test_cap_across_midnight(self):
        # 20:10 → 10:20 next day: 15 started hours; 4 start on the first
        # evening (20.00), 11 on the next day (55.00 capped to 30.00)
        entry, exit = T(2026, 11, 30, 20, 10), T(2026, 12, 1, 10, 20)
        self.assertEqual(self.fee(entry, exit), (D(50), 15))
        # the same stay capped per 24 hours from the entry: 30.00
        self.assertEqual(self.fee(entry, exit, 'rolling_24h'), (D(30), 15))
        # 23:50 → 00:40: one hour started before midnight, 5.00
        self.assertEqual(
            self.fee(T(2026, 11, 30, 23, 50), T(2026, 12, 1, 0, 40)),
            (D(5), 1))
        # three calendar days: 30 + 30 + 4 hours (20.00)
        self.assertEqual(
            self.fee(T(2026, 11, 1, 8), T(2026, 11, 3, 4)), (D(80), 44))

    def test_exit_before_entry(self):
        self.assertEqual(
            self.fee(T(2026, 11, 1, 9), T(2026, 11, 1, 8)), (D(0), 0))


class ProrateTestCase(unittest.TestCase):
    "Monthly parking fee prorated by days"

    def test_prorated(self):
        november = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        self.assertEqual(
            prorated(D(300), november,
                (dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
            (30, 30, D('300.00')))
        # from the 11th: 20 days of 30
        self.assertEqual(
            prorated(D(300), november,
                (dt.date(2026, 11, 11), dt.date(2027, 11, 10))),
            (20, 30, D('200.00')))
        # until the 7th of a 31-day month: 7/31 × 250 = 56.45
        self.assertEqual(
            prorated(D(250), (dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
                (dt.date(2025, 12, 8), dt.date(2026, 12, 7))),
            (7, 31, D('56.45')))
        self.assertEqual(
            prorated(D(300), november,
                (dt.date(2026, 12, 1), dt.date(2027, 11, 30)))[2], D(0))


class PmParkingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_parking module"
    module = 'pm_parking'

    @with_transaction()
    def test_occupancy_kpis(self):
        "Occupancy counted in SQL and given as quality indicators"
        pool = Pool()
        Estate = pool.get('pm.estate')
        Lot = pool.get('pm.parking.lot')
        Space = pool.get('pm.parking.space')
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            estate, = Estate.create([{'name': "阳光花园", 'code': 'YG'}])
            lot, = Lot.create([{
                        'estate': estate.id, 'code': 'B1', 'name': "车库",
                        'capacity': 10}])
            owner, = Party.create([{'name': "甲"}])
            Space.create([{
                        'lot': lot.id, 'number': f'B1-{i:03d}',
                        'ownership': 'property' if i <= 3 else 'rental',
                        'customer': owner.id if i <= 3 else None,
                        } for i in range(1, 9)])
            date = dt.date(2026, 11, 1)
            self.assertEqual(Space.occupancy(date), {
                    'total': 8, 'sold': 3, 'rented': 0, 'vacant': 5})
            kpis = {k['code']: k for k in Space.iso_kpis(date, date)}
            self.assertEqual(
                kpis['parking_occupancy_rate']['value'], D('37.50'))
            self.assertEqual(kpis['parking_occupancy_rate']['unit'], '%')
            self.assertEqual(kpis['parking_occupancy_rate']['count'], 8)
            self.assertEqual(kpis['parking_vacant_spaces']['value'], D(5))
            with Transaction().set_context(date=date):
                self.assertEqual(
                    len(Space.search([('status', '=', 'vacant')])), 5)
                self.assertEqual(
                    len(Space.search([('status', '!=', 'vacant')])), 3)


del ModuleTestCase
