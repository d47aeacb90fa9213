# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.pm_billing.charge import round_amount, tiered_amount
from trytond.modules.pm_billing.engine import charge_window, segments
from trytond.modules.pm_billing.words import amount_in_words, qr_code_png
from trytond.tests.test_tryton import ModuleTestCase

D = Decimal


class BillingRulesTestCase(unittest.TestCase):
    "Pure billing rules"

    def test_round_amount(self):
        self.assertEqual(round_amount(D('111.875')), D('111.88'))
        self.assertEqual(round_amount(D('111.875'), '0.1'), D('111.9'))
        self.assertEqual(round_amount(D('111.875'), '1'), D('112'))
        self.assertEqual(
            round_amount(D('111.875'), '0.1', 'truncate'), D('111.8'))
        self.assertEqual(round_amount(D('111.875'), '1', 'truncate'), D('111'))

    def test_tiered_amount(self):
        tiers = [(D(0), D(10), D(3)), (D(10), D(20), D('4.5')),
            (D(20), None, D(6))]
        self.assertEqual(tiered_amount(D(25), tiers)[0], D('105'))
        self.assertEqual(tiered_amount(D(8), tiers)[0], D('24'))
        # yearly tiers: 15 already used this year, 10 more
        amount, detail = tiered_amount(D(10), tiers, already=D(15))
        self.assertEqual(amount, D(5) * D('4.5') + D(5) * D(6))
        self.assertEqual(detail, [(D(5), D('4.5')), (D(5), D(6))])

    def test_charge_window(self):
        nov = dt.date(2026, 11, 1)
        self.assertEqual(
            charge_window('monthly', nov), (nov, dt.date(2026, 11, 30)))
        self.assertIsNone(charge_window('quarterly', nov))
        self.assertEqual(
            charge_window('quarterly', dt.date(2026, 10, 1)),
            (dt.date(2026, 10, 1), dt.date(2026, 12, 31)))
        self.assertEqual(
            charge_window('yearly', dt.date(2026, 1, 1)),
            (dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
        self.assertIsNone(charge_window('half_year', dt.date(2026, 3, 1)))

    def test_segments(self):
        window = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        owners = [
            (1, D(100), dt.date(2020, 1, 1), dt.date(2026, 11, 15)),
            (2, D(100), dt.date(2026, 11, 16), None)]
        self.assertEqual(segments(window, owners, 2), [
                (dt.date(2026, 11, 1), dt.date(2026, 11, 15), 1),
                (dt.date(2026, 11, 16), dt.date(2026, 11, 30), 2)])
        # co-owners: the billing party, else the largest share
        co = [(3, D(30), dt.date(2020, 1, 1), None),
            (4, D(70), dt.date(2020, 1, 1), None)]
        self.assertEqual(segments(window, co, 3), [(*window, 3)])
        self.assertEqual(segments(window, co, None), [(*window, 4)])
        # no owner: nothing to bill
        self.assertEqual(segments(window, [], None), [])
        # owner from the 10th only
        late = [(5, D(100), dt.date(2026, 11, 10), None)]
        self.assertEqual(
            segments(window, late, 5),
            [(dt.date(2026, 11, 10), dt.date(2026, 11, 30), 5)])

    def test_amount_in_words(self):
        self.assertEqual(amount_in_words(D('1234.56')), '壹仟贰佰叁拾肆元伍角陆分')
        self.assertEqual(amount_in_words(D('475')), '肆佰柒拾伍元整')
        self.assertEqual(amount_in_words(D('0')), '零元整')
        self.assertEqual(amount_in_words(D('-10')), '负壹拾元整')

    def test_qr_code(self):
        png = qr_code_png('ZD202611-0000001')
        self.assertTrue(png.startswith(b'\x89PNG'))


class PmBillingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_billing module"
    module = 'pm_billing'


del ModuleTestCase
