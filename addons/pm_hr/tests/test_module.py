# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.pm_hr.attendance import pair_punches, summarize
from trytond.modules.pm_hr.employee import mask_id_number, resident_id_valid
from trytond.modules.pm_hr.tax import (
    bracket, contribution, cumulative_tax, cumulative_taxable, withholding,
    withholding_schedule)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

D = Decimal


class IncomeTaxTestCase(unittest.TestCase):
    "Individual income tax by the cumulative method (累计预扣法)"

    def test_brackets(self):
        "The annual table of 综合所得 with its quick deductions"
        self.assertEqual(bracket(D(36000)), (D('0.03'), D(0)))
        self.assertEqual(bracket(D('36000.01')), (D('0.10'), D(2520)))
        self.assertEqual(bracket(D(144000)), (D('0.10'), D(2520)))
        self.assertEqual(bracket(D(300000)), (D('0.20'), D(16920)))
        self.assertEqual(bracket(D(420000)), (D('0.25'), D(31920)))
        self.assertEqual(bracket(D(660000)), (D('0.30'), D(52920)))
        self.assertEqual(bracket(D(960000)), (D('0.35'), D(85920)))
        self.assertEqual(bracket(D(960001)), (D('0.45'), D(181920)))

    def test_brackets_continuous(self):
        "The quick deductions make the tax continuous at each threshold"
        for limit in [36000, 144000, 300000, 420000, 660000, 960000]:
            below = cumulative_tax(D(limit))
            above = cumulative_tax(D(limit) + D('0.01'))
            self.assertLess(above - below, D('0.01'), limit)

    def test_cumulative_taxable(self):
        self.assertEqual(
            cumulative_taxable(D(45000), 3, D(6000), D(3000)), D(21000))
        # never negative
        self.assertEqual(cumulative_taxable(D(4000), 1, D(500)), D(0))

    def test_worked_example(self):
        "15,000 a month with 2,000 of insurance: 8,000 taxable a month"
        schedule = withholding_schedule([(D(15000), D(2000), D(0))] * 12)
        taxes = [m['tax'] for m in schedule]
        # months 1 to 4 at 3%: 240.00 each (8,000 × 3%)
        self.assertEqual(taxes[:4], [D('240.00')] * 4)
        # month 3: 24,000 × 3% − 480 withheld = 240.00
        self.assertEqual(schedule[2]['cumulative_taxable'], D(24000))
        self.assertEqual(schedule[2]['withheld_before'], D(480))
        # month 5 crosses 36,000: 40,000 × 10% − 2,520 − 960 = 520.00
        self.assertEqual(schedule[4]['cumulative_taxable'], D(40000))
        self.assertEqual(schedule[4]['rate'], D('0.10'))
        self.assertEqual(schedule[4]['cumulative_tax'], D('1480.00'))
        self.assertEqual(taxes[4], D('520.00'))
        # then 800.00 a month (8,000 × 10%) for the rest of the year
        self.assertEqual(taxes[5:], [D('800.00')] * 7)
        # the year withholds the annual tax: 96,000 × 10% − 2,520
        self.assertEqual(sum(taxes), D('7080.00'))
        self.assertEqual(sum(taxes), cumulative_tax(D(96000)))

    def test_special_deductions(self):
        "Special additional deductions lower the taxable income"
        schedule = withholding_schedule(
            [(D(15000), D(2000), D(2000))] * 2)
        self.assertEqual(
            [m['tax'] for m in schedule], [D('180.00'), D('180.00')])

    def test_no_refund(self):
        "A month with less income does not refund tax during the year"
        self.assertEqual(withholding(D(10000), D(400)), D(0))
        schedule = withholding_schedule([
                (D(20000), D(0), D(0)), (D(0), D(0), D(0)),
                (D(20000), D(0), D(0))])
        self.assertEqual(schedule[0]['tax'], D('450.00'))
        self.assertEqual(schedule[1]['tax'], D('0.00'))
        # 40,000 − 15,000 = 25,000 × 3% = 750 − 450
        self.assertEqual(schedule[2]['tax'], D('300.00'))

    def test_contribution(self):
        "Contribution bases are held between floor and ceiling"
        self.assertEqual(
            contribution(D(10000), D('0.08'), D(4462), D(24930)),
            (D(10000), D('800.00')))
        self.assertEqual(
            contribution(D(4000), D('0.08'), D(4462), D(24930)),
            (D(4462), D('356.96')))
        self.assertEqual(
            contribution(D(30000), D('0.005'), D(4462), D(24930)),
            (D(24930), D('124.65')))
        self.assertEqual(contribution(D(9500), D('0.10')), (D(9500), D(950)))


class _Shift:
    "A shift for the pure attendance functions"

    def __init__(self, start, end, grace=5, break_minutes=0):
        self.start, self.end = start, end
        self.grace_minutes = grace
        self.break_minutes = break_minutes

    def window(self, day):
        start = dt.datetime.combine(day, self.start)
        end = dt.datetime.combine(day, self.end)
        if end <= start:
            end += dt.timedelta(days=1)
        return start, end


class AttendanceTestCase(unittest.TestCase):
    "Attendance read against the roster"

    def test_pair_punches(self):
        at = dt.datetime(2026, 5, 4, 8)
        hour = dt.timedelta(hours=1)
        self.assertEqual(
            pair_punches([(at + 8 * hour, 'out'), (at, 'in'),
                    (at + 9 * hour, 'in'), (at - hour, 'out')]),
            [(at, at + 8 * hour), (at + 9 * hour, None)])

    def test_summarize(self):
        day = dt.timedelta(days=1)
        monday = dt.date(2026, 5, 4)
        early = _Shift(dt.time(8), dt.time(16))
        night = _Shift(dt.time(22), dt.time(6))
        planned = {
            monday: early,              # on time, 2 h overtime
            monday + day: early,        # 20 minutes late
            monday + 2 * day: early,    # absent
            monday + 3 * day: night,    # night shift over midnight
            monday + 4 * day: None,     # rest day worked 4 h 40
            monday + 5 * day: None,     # rest day
            }

        def at(d, h, m=0):
            return dt.datetime.combine(monday + d * day, dt.time(h, m))
        punches = [
            (at(0, 7, 55), 'in'), (at(0, 18, 10), 'out'),
            (at(1, 8, 20), 'in'), (at(1, 16), 'out'),
            (at(3, 21, 50), 'in'), (at(4, 6, 2), 'out'),
            (at(4, 9), 'in'), (at(4, 13, 40), 'out'),
            # not on the roster: counted as worked only
            (at(7, 8), 'in'), (at(7, 12), 'out'),
            ]
        result = summarize(planned, punches, dt.date(2026, 5, 1),
            dt.date(2026, 5, 31), overtime_unit=30)
        self.assertEqual(result['rostered_days'], 4)
        self.assertEqual(result['absent_days'], 1)
        self.assertEqual(result['late_count'], 1)
        self.assertEqual(result['late_minutes'], 20)
        self.assertEqual(result['rest_days_worked'], 1)
        # 3 rostered days + 1 rest day + 1 day off the roster
        self.assertEqual(result['worked_days'], 5)
        # 2 h (Monday 18:10 − 16:00 → 2 h 10 → 2 h) + 4 h 30 (rest day)
        self.assertEqual(result['overtime_hours'], D('6.50'))
        self.assertEqual(result['early_leave_count'], 0)

    def test_summarize_early_leave(self):
        monday = dt.date(2026, 5, 4)
        planned = {monday: _Shift(dt.time(8), dt.time(16), grace=10)}
        punches = [
            (dt.datetime(2026, 5, 4, 8, 5), 'in'),
            (dt.datetime(2026, 5, 4, 15, 0), 'out')]
        result = summarize(planned, punches, monday, monday)
        self.assertEqual(result['late_count'], 0)
        self.assertEqual(result['early_leave_count'], 1)
        self.assertEqual(result['worked_hours'], D('6.92'))
        self.assertEqual(result['overtime_hours'], D(0))


class IdentityTestCase(unittest.TestCase):

    def test_mask(self):
        self.assertEqual(
            mask_id_number('110105198001010016'), '1101**********0016')
        self.assertEqual(mask_id_number('AB12'), 'A**2')
        self.assertEqual(mask_id_number(None), None)

    def test_resident_id(self):
        self.assertTrue(resident_id_valid('110105198001010016'))
        self.assertFalse(resident_id_valid('110105198001010017'))
        self.assertFalse(resident_id_valid('11010519800101001'))


class PmHrTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_hr module"
    module = 'pm_hr'

    @with_transaction()
    def test_contract_reminder(self):
        "The daily reminder expires, flags and notifies"
        pool = Pool()
        Party = pool.get('party.party')
        Employee = pool.get('company.employee')
        Contract = pool.get('pm.hr.contract')
        Notification = pool.get('res.notification')
        company = create_company()
        with set_company(company):
            party, = Party.create([{'name': "王保安"}])
            employee, = Employee.create([{
                        'party': party.id, 'company': company.id}])
            old, new = Contract.create([{
                        'employee': employee.id, 'kind': 'fixed',
                        'start_date': dt.date(2023, 1, 1),
                        'end_date': dt.date(2025, 12, 31),
                        }, {
                        'employee': employee.id, 'kind': 'fixed',
                        'start_date': dt.date(2026, 1, 1),
                        'end_date': dt.date(2026, 6, 30),
                        }])
            Contract.activate([old, new])
            Contract.check_expiring(date=dt.date(2026, 5, 1))
            self.assertEqual(old.state, 'expired')
            self.assertFalse(new.expiring)
            Contract.check_expiring(date=dt.date(2026, 6, 5))
            self.assertTrue(new.expiring)
            self.assertEqual(Notification.search([], count=True), 1)
            # notified once only
            Contract.check_expiring(date=dt.date(2026, 6, 6))
            self.assertEqual(Notification.search([], count=True), 1)
            # the contract ended
            Contract.check_expiring(date=dt.date(2026, 7, 1))
            self.assertEqual(new.state, 'expired')
            self.assertFalse(new.expiring)

    @with_transaction()
    def test_iso_kpis(self):
        "The quality indicators are computed without records"
        pool = Pool()
        Summary = pool.get('pm.hr.attendance.summary')
        Action = pool.get('pm.hr.meeting.action')
        company = create_company()
        with set_company(company):
            kpis = Summary.iso_kpis(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
            self.assertEqual(
                [k['code'] for k in kpis],
                ['attendance_rate', 'late_rate', 'overtime_hours'])
            self.assertIsNone(kpis[0]['value'])
            kpis = Action.iso_kpis(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
            self.assertEqual(kpis[1]['value'], D(0))

del ModuleTestCase
