# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.pm_cockpit.charts import bar_chart_svg
from trytond.modules.pm_cockpit.figure import (
    add_months, change_percent, figure_value, month_end, months_between)
from trytond.modules.pm_cockpit.report import check_emails, split_emails
from trytond.tests.test_tryton import ModuleTestCase

D = Decimal


class CockpitRulesTestCase(unittest.TestCase):
    "Pure rules of the cockpit"

    def test_months(self):
        self.assertEqual(add_months(dt.date(2026, 1, 31), -1),
            dt.date(2025, 12, 1))
        self.assertEqual(add_months(dt.date(2026, 11, 15), -12),
            dt.date(2025, 11, 1))
        self.assertEqual(add_months(dt.date(2026, 12, 3), 1),
            dt.date(2027, 1, 1))
        self.assertEqual(month_end(dt.date(2028, 2, 10)), dt.date(2028, 2, 29))
        self.assertEqual(month_end(dt.date(2026, 12, 1)),
            dt.date(2026, 12, 31))
        self.assertEqual(
            months_between(dt.date(2026, 11, 20), dt.date(2027, 1, 2)),
            [dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)])

    def test_figure_value(self):
        # ratios in %, rounded half up
        self.assertEqual(figure_value('collection_rate', D(50), D(300)),
            D('16.67'))
        self.assertEqual(figure_value('occupancy_rate', 2, 3), D('66.67'))
        self.assertIsNone(figure_value('sla_rate', 0, 0))
        # a mean score
        self.assertEqual(figure_value('satisfaction', 12, 3), D('4.00'))
        # counts and amounts are the numerator
        self.assertEqual(figure_value('wo_opened', 3, None), D('3.00'))
        self.assertEqual(figure_value('arrears', D('350'), None), D('350.00'))

    def test_change_percent(self):
        self.assertEqual(change_percent(D('16.67'), D('66.67')), D('-75.0'))
        self.assertEqual(change_percent(D(3), D(1)), D('200.0'))
        self.assertEqual(change_percent(D(-5), D(-10)), D('50.0'))
        self.assertIsNone(change_percent(D(3), None))
        self.assertIsNone(change_percent(D(3), D(0)))
        self.assertIsNone(change_percent(None, D(3)))

    def test_emails(self):
        self.assertEqual(split_emails('a@b.cn, c@d.cn;e@f.cn  g@h.cn'),
            ['a@b.cn', 'c@d.cn', 'e@f.cn', 'g@h.cn'])
        self.assertEqual(check_emails('a@b.cn, wrong, x@y'), ['wrong', 'x@y'])
        self.assertEqual(check_emails(None), [])

    def test_chart(self):
        svg = bar_chart_svg("收缴率", ['09', '10'],
            [("收缴率", [D('66.67'), None]), ("入住率", [D(75), D(75)])],
            kind='line', maximum=100)
        self.assertTrue(svg.startswith(b'<svg'))
        self.assertIn('收缴率'.encode('utf-8'), svg)
        self.assertIn(b'<polyline', svg)
        bars = bar_chart_svg("工单", ['09', '10'], [("新增", [1, 3])])
        self.assertEqual(bars.count(b'<rect'), 1 + 2 + 1)


class PmCockpitTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_cockpit module"
    module = 'pm_cockpit'
    # extras = ['pm_eshop'] passed on 2026-11-27 15:33 (34 passed); left out
    # while pm_eshop is still changing, so that its state does not fail ours


del ModuleTestCase
