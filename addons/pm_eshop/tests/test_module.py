# This file is part of the pm suite (物业管理系统). See README.md.
import unittest
from decimal import Decimal

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.pm_eshop.settlement import commission_of
from trytond.tests.test_tryton import ModuleTestCase

D = Decimal


class EshopRulesTestCase(unittest.TestCase):
    "Pure shop rules"

    def test_commission(self):
        self.assertEqual(commission_of(D('60.00'), D('0.10')), D('6.00'))
        self.assertEqual(commission_of(D('120.00'), D('0.08')), D('9.60'))
        self.assertEqual(commission_of(D('33.33'), D('0.075')), D('2.50'))
        self.assertEqual(commission_of(D('0'), D('0.10')), D('0.00'))
        # net of refunds can be negative: the commission is given back
        self.assertEqual(commission_of(D('-40.00'), D('0.10')), D('-4.00'))


class PmEshopTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_eshop module"
    module = 'pm_eshop'


del ModuleTestCase
