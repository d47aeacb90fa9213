# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.pm_fund.disclosure import half_year
from trytond.modules.pm_fund.fund import apportion, mask_name
from trytond.tests.test_tryton import ModuleTestCase

D = Decimal


class FundRulesTestCase(unittest.TestCase):
    "Maintenance fund rules"

    def test_apportion_largest_remainder(self):
        deposits = [D('10740.00'), D('14442.00'), D('7200.00'),
            D('21490.50'), D('11400.00'), D('11400.00')]
        parts = apportion(D('1000.00'), deposits)
        self.assertEqual(parts, [D('140.08'), D('188.36'), D('93.91'),
                D('280.29'), D('148.68'), D('148.68')])
        self.assertEqual(sum(parts), D('1000.00'))

    def test_apportion_never_loses_a_fen(self):
        for total in ['0.01', '0.05', '100.00', '33.33', '99999.99']:
            for weights in [[D(1)] * 3, [D('89.5'), D('120.35'), D(60)],
                    [D(1), D(0), D(2)]]:
                parts = apportion(D(total), weights)
                self.assertEqual(sum(parts), D(total))
                self.assertTrue(all(p >= 0 for p in parts))

    def test_apportion_ties_and_sign(self):
        self.assertEqual(apportion(D('0.02'), [D(1)] * 3),
            [D('0.01'), D('0.01'), D('0.00')])
        self.assertEqual(apportion(D('-10.00'), [D(1), D(1), D(1)]),
            [D('-3.34'), D('-3.33'), D('-3.33')])
        with self.assertRaises(ValueError):
            apportion(D(1), [D(0)])

    def test_mask_name(self):
        self.assertEqual(mask_name("张三"), "张*")
        self.assertEqual(mask_name("欧阳娜娜"), "欧***")
        self.assertEqual(mask_name("李"), "李*")
        self.assertEqual(mask_name(None), '')

    def test_half_year(self):
        self.assertEqual(half_year(dt.date(2026, 3, 5)),
            (dt.date(2026, 1, 1), dt.date(2026, 6, 30)))
        self.assertEqual(half_year(dt.date(2026, 11, 27)),
            (dt.date(2026, 7, 1), dt.date(2026, 12, 31)))


class PmFundTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_fund module"
    module = 'pm_fund'


del ModuleTestCase
