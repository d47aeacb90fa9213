# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, create_employee, set_company)
from trytond.modules.pm_maintenance.complaint import days_between
from trytond.modules.pm_maintenance.environment import (
    schedule_due, week_start)
from trytond.modules.pm_maintenance.equipment import mtbf_days
from trytond.modules.pm_maintenance.plan import occurrences
from trytond.modules.pm_maintenance.work_order import (
    add_hours, hours_between, mean, sla_summary)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

D = Decimal


class MaintenanceRulesTestCase(unittest.TestCase):
    "Pure rules of the maintenance module"

    def test_hours(self):
        start = dt.datetime(2026, 11, 2, 8, 0)
        self.assertEqual(
            hours_between(start, dt.datetime(2026, 11, 2, 9, 30)), D('1.50'))
        self.assertEqual(
            hours_between(start, dt.datetime(2026, 11, 3, 8, 20)),
            D('24.33'))
        self.assertIsNone(hours_between(start, None))
        self.assertEqual(
            add_hours(start, D('0.5')), dt.datetime(2026, 11, 2, 8, 30))
        self.assertEqual(
            add_hours(start, D(24)), dt.datetime(2026, 11, 3, 8, 0))
        self.assertIsNone(add_hours(None, D(2)))

    def test_sla_summary(self):
        rows = [
            # response, completion, on time, on time, satisfaction
            (D('1.00'), D('4.00'), True, True, '5'),
            (D('3.00'), D('30.00'), False, False, '3'),
            (D('2.00'), None, True, None, None),
            (None, D('10.00'), None, True, None),  # preventive, no response
            ]
        summary = sla_summary(rows)
        self.assertEqual(summary['response_hours'], D('2.00'))
        self.assertEqual(summary['completion_hours'], D('14.67'))
        # 3 finished, 2 on time (the preventive one has no response level)
        self.assertEqual(summary['sla_percent'], D('66.7'))
        self.assertEqual(summary['satisfaction'], D('4.00'))
        self.assertEqual(
            (summary['finished'], summary['on_time'], summary['rated']),
            (3, 2, 2))
        empty = sla_summary([])
        self.assertIsNone(empty['sla_percent'])
        self.assertIsNone(empty['satisfaction'])
        self.assertIsNone(mean([None]))

    def test_occurrences(self):
        # an elevator every 15 days
        dates = occurrences(
            dt.date(2026, 11, 1), 15, 'day', dt.date(2026, 12, 31))
        self.assertEqual(dates, [
                dt.date(2026, 11, 1), dt.date(2026, 11, 16),
                dt.date(2026, 12, 1), dt.date(2026, 12, 16),
                dt.date(2026, 12, 31)])
        # after is exclusive, until inclusive
        self.assertEqual(occurrences(
                dt.date(2026, 11, 1), 15, 'day', dt.date(2026, 12, 16),
                after=dt.date(2026, 11, 16)),
            [dt.date(2026, 12, 1), dt.date(2026, 12, 16)])
        # monthly from the 31st does not drift
        self.assertEqual(occurrences(
                dt.date(2026, 1, 31), 1, 'month', dt.date(2026, 4, 30)),
            [dt.date(2026, 1, 31), dt.date(2026, 2, 28),
                dt.date(2026, 3, 31), dt.date(2026, 4, 30)])
        self.assertEqual(occurrences(
                dt.date(2026, 1, 5), 2, 'week', dt.date(2026, 2, 1)),
            [dt.date(2026, 1, 5), dt.date(2026, 1, 19)])
        self.assertEqual(occurrences(
                dt.date(2024, 2, 29), 1, 'year', dt.date(2026, 3, 1)),
            [dt.date(2024, 2, 29), dt.date(2025, 2, 28),
                dt.date(2026, 2, 28)])
        self.assertEqual(
            occurrences(dt.date(2026, 1, 1), 0, 'day', dt.date(2026, 2, 1)),
            [])

    def test_mtbf(self):
        self.assertEqual(mtbf_days(
                dt.date(2025, 1, 1), dt.date(2026, 1, 1), 4), D('91.3'))
        self.assertIsNone(mtbf_days(dt.date(2025, 1, 1),
                dt.date(2026, 1, 1), 0))
        self.assertIsNone(mtbf_days(None, dt.date(2026, 1, 1), 2))

    def test_environment(self):
        self.assertEqual(week_start(dt.date(2026, 11, 5)),
            dt.date(2026, 11, 2))
        self.assertEqual(week_start(dt.datetime(2026, 11, 8, 23, 0)),
            dt.date(2026, 11, 2))
        self.assertTrue(schedule_due('daily', None, dt.date(2026, 11, 5)))
        # 2026-11-05 is a Thursday (3)
        self.assertTrue(schedule_due('weekly', '3', dt.date(2026, 11, 5)))
        self.assertFalse(schedule_due('weekly', '0', dt.date(2026, 11, 5)))

    def test_days_between(self):
        self.assertEqual(days_between(
                dt.datetime(2026, 11, 1, 8), dt.datetime(2026, 11, 4, 20)),
            D('3.50'))


class PmMaintenanceTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_maintenance module"
    module = 'pm_maintenance'

    def _setup(self, company):
        pool = Pool()
        Estate = pool.get('pm.estate')
        Category = pool.get('pm.work_order.category')
        SLA = pool.get('pm.work_order.sla')
        estate, = Estate.create([{'name': "阳光花园", 'code': 'YG'}])
        category, = Category.search([('code', '=', 'PLUMBING')])
        SLA.create([{
                    'company': company.id, 'category': category.id,
                    'urgency': 'urgent', 'response_hours': D('0.5'),
                    'completion_hours': D(4)}, {
                    'company': company.id, 'category': None,
                    'urgency': 'urgent', 'response_hours': D(2),
                    'completion_hours': D(24)}])
        return estate, category

    @with_transaction()
    def test_deadlines_and_escalation(self):
        "The SLA gives the deadlines; late orders are escalated once"
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        Category = pool.get('pm.work_order.category')
        company = create_company()
        with set_company(company):
            estate, plumbing = self._setup(company)
            civil, = Category.search([('code', '=', 'CIVIL')])
            supervisor = create_employee(company, "主管")
            Category.write([plumbing, civil], {
                    'supervisor': supervisor.id})
            reported = dt.datetime(2026, 11, 2, 8, 0)
            leak, crack = WorkOrder.create([{
                        'estate': estate.id, 'category': plumbing.id,
                        'urgency': 'urgent', 'description': "漏水",
                        'reported_at': reported}, {
                        'estate': estate.id, 'category': civil.id,
                        'urgency': 'urgent', 'description': "墙面裂缝",
                        'reported_at': reported}])
            self.assertTrue(leak.number)
            self.assertEqual(leak.company, company)
            # the level of the category, else the one of every category
            self.assertEqual(leak.response_deadline,
                dt.datetime(2026, 11, 2, 8, 30))
            self.assertEqual(leak.completion_deadline,
                dt.datetime(2026, 11, 2, 12, 0))
            self.assertEqual(crack.response_deadline,
                dt.datetime(2026, 11, 2, 10, 0))
            self.assertEqual(crack.completion_deadline,
                dt.datetime(2026, 11, 3, 8, 0))

            # 9:00 the leak response is late; nothing else
            escalations = WorkOrder.check_sla(dt.datetime(2026, 11, 2, 9))
            self.assertEqual(
                [(e.work_order, e.kind) for e in escalations],
                [(leak, 'response')])
            self.assertEqual(escalations[0].supervisor, supervisor)
            self.assertTrue(WorkOrder(leak.id).overdue)
            self.assertFalse(WorkOrder(crack.id).overdue)
            # running again escalates nothing new
            self.assertEqual(
                WorkOrder.check_sla(dt.datetime(2026, 11, 2, 9, 15)), [])
            # 13:00: the leak completion and the crack response
            escalations = WorkOrder.check_sla(dt.datetime(2026, 11, 2, 13))
            self.assertEqual(
                sorted((e.work_order.id, e.kind) for e in escalations),
                sorted([(leak.id, 'completion'), (crack.id, 'response')]))

    @with_transaction()
    def test_plan_exactly_once(self):
        "A plan creates one work order per occurrence and equipment"
        pool = Pool()
        Equipment = pool.get('pm.equipment')
        EquipmentCategory = pool.get('pm.equipment.category')
        Plan = pool.get('pm.maintenance.plan')
        WorkOrder = pool.get('pm.work_order')
        company = create_company()
        with set_company(company):
            estate, _ = self._setup(company)
            pumps, = EquipmentCategory.search([('code', '=', 'FIRE_PUMP')])
            fire, = EquipmentCategory.search([('code', '=', 'FIRE')])
            Equipment.create([{
                        'code': 'XF-01', 'name': "消防泵1", 'estate': estate.id,
                        'category': pumps.id}, {
                        'code': 'XF-02', 'name': "消防泵2", 'estate': estate.id,
                        'category': pumps.id}])
            plan, = Plan.create([{
                        'name': "消防泵月保", 'estate': estate.id,
                        'equipment_category': fire.id,
                        'category': fire.work_order_category.id,
                        'interval_number': 1, 'interval_unit': 'month',
                        'start_date': dt.date(2026, 11, 10),
                        'lead_days': 7,
                        'checks': [('create', [
                                    {'name': "启泵试运行"},
                                    {'name': "压力表读数"}])],
                        }])
            # the 3rd: 10 Nov is beyond the lead days
            self.assertEqual(
                Plan.generate_work_orders(dt.date(2026, 11, 2)), [])
            orders = Plan.generate_work_orders(dt.date(2026, 11, 3))
            self.assertEqual(len(orders), 2)
            self.assertEqual({o.planned_date for o in orders},
                {dt.date(2026, 11, 10)})
            self.assertEqual([len(o.checks) for o in orders], [2, 2])
            self.assertEqual({o.kind for o in orders}, {'maintenance'})
            self.assertEqual(orders[0].completion_deadline,
                dt.datetime(2026, 11, 11))
            # again the same day and the days after: nothing new
            self.assertEqual(
                Plan.generate_work_orders(dt.date(2026, 11, 3)), [])
            self.assertEqual(
                Plan.generate_work_orders(dt.date(2026, 11, 9)), [])
            # a month later, the December occurrence
            orders = Plan.generate_work_orders(dt.date(2026, 12, 5))
            self.assertEqual({o.planned_date for o in orders},
                {dt.date(2026, 12, 10)})
            self.assertEqual(WorkOrder.search_count(
                    [('plan', '=', plan.id)]), 4)
            self.assertEqual(Plan(plan.id).last_date, dt.date(2026, 12, 10))


del ModuleTestCase
