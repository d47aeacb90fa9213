# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
import unittest
from decimal import Decimal

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.modules.pm_security.common import (
    CODE_ALPHABET, distance_m, evaluate_round,
    longest_increasing_subsequence, new_code, normalize_code,
    normalize_phone, normalize_plate, qr_code_png, shift_period)
from trytond.modules.pm_security.exceptions import PassError
from trytond.modules.pm_security.fire import equipment_status
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

T0 = dt.datetime(2026, 11, 20, 12, 30)
MIN = dt.timedelta(minutes=1)


class SecurityRulesTestCase(unittest.TestCase):
    "Pure security rules"

    def test_longest_increasing_subsequence(self):
        self.assertEqual(longest_increasing_subsequence([]), [])
        self.assertEqual(longest_increasing_subsequence([0, 1, 2]), [0, 1, 2])
        # A C B E: C (index 1) is left out
        self.assertEqual(
            longest_increasing_subsequence([0, 2, 1, 4]), [0, 2, 3])
        # the route started at the last checkpoint
        self.assertEqual(
            longest_increasing_subsequence([3, 0, 1, 2]), [1, 2, 3])

    def test_evaluate_round(self):
        "Missed, late and out-of-order checkpoints"
        lines = [('a', 'A', 0), ('b', 'B', 5), ('c', 'C', 10),
            ('d', 'D', 15), ('e', 'E', 20)]
        scans = [(1, 'A', T0 + MIN), (2, 'C', T0 + 8 * MIN),
            (3, 'B', T0 + 9 * MIN), (4, 'E', T0 + 26 * MIN),
            # a repeated scan does not count
            (5, 'A', T0 + 27 * MIN),
            # a checkpoint of another route is ignored
            (6, 'Z', T0 + 3 * MIN)]
        result = evaluate_round(lines, scans, T0, 5, final=False)
        self.assertEqual(
            {k: v[0] for k, v in result.items()}, {
                'a': 'on_time', 'b': 'on_time', 'c': 'out_of_order',
                'd': 'pending', 'e': 'late'})
        self.assertEqual(result['a'][1:], (1, T0 + MIN))
        result = evaluate_round(lines, scans, T0, 5, final=True)
        self.assertEqual(result['d'], ('missed', None, None))
        # exactly at the tolerance is still on time
        result = evaluate_round(
            lines[:1], [(1, 'A', T0 + 5 * MIN)], T0, 5, final=True)
        self.assertEqual(result['a'][0], 'on_time')
        result = evaluate_round(
            lines[:1], [(1, 'A', T0 + 6 * MIN)], T0, 5, final=True)
        self.assertEqual(result['a'][0], 'late')

    def test_codes(self):
        codes = {new_code() for _ in range(200)}
        self.assertEqual(len(codes), 200)
        for code in codes:
            self.assertEqual(len(code), 10)
            self.assertTrue(set(code) <= set(CODE_ALPHABET))
        self.assertFalse({'0', 'O', '1', 'I', 'L'} & set(CODE_ALPHABET))
        self.assertEqual(
            normalize_code(' pmpass:ab-cd ｅｆ ', 'PMPASS:'), 'ABCDEF')
        self.assertEqual(normalize_plate('浙A·123 45'), '浙A12345')
        self.assertEqual(normalize_phone('+86 138-0013-8000'), '13800138000')
        self.assertEqual(normalize_phone('0571-8881 2345'), '057188812345')
        self.assertTrue(qr_code_png('PMPASS:ABC').startswith(b'\x89PNG'))

    def test_distance(self):
        # 0.001° of latitude is about 111 m
        self.assertEqual(
            round(distance_m(30.274, 120.155, 30.275, 120.155)), 111)
        self.assertIsNone(distance_m(None, 120.155, 30.275, 120.155))

    def test_shift_period(self):
        "Night shifts end the next day; times are stored in UTC"

        class Company:
            timezone = 'Asia/Shanghai'
        start, end = shift_period(
            Company(), dt.date(2026, 11, 20), dt.time(20), dt.time(8))
        self.assertEqual(start, dt.datetime(2026, 11, 20, 12))
        self.assertEqual(end, dt.datetime(2026, 11, 21, 0))
        start, end = shift_period(
            Company(), dt.date(2026, 11, 20), dt.time(8), dt.time(20))
        self.assertEqual(end - start, dt.timedelta(hours=12))

    def test_equipment_status(self):
        today = dt.date(2026, 11, 20)
        day = dt.timedelta(days=1)
        self.assertEqual(
            equipment_status(today - day, 'pass', today, today, 30),
            'expired')
        self.assertEqual(
            equipment_status(today + 100 * day, 'fail', today, today, 30),
            'failed')
        self.assertEqual(
            equipment_status(today + 30 * day, 'pass', today, today, 30),
            'expiring')
        self.assertEqual(
            equipment_status(
                today + 31 * day, 'pass', dt.date(2026, 10, 31), today, 30),
            'due')
        self.assertEqual(
            equipment_status(None, None, None, today, 30), 'due')
        self.assertEqual(
            equipment_status(
                today + 31 * day, 'pass', dt.date(2026, 11, 1), today, 30),
            'ok')


class PmSecurityTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_security module"
    module = 'pm_security'
    extras = ['pm_maintenance']

    def _estate(self):
        pool = Pool()
        Estate = pool.get('pm.estate')
        estate, = Estate.create([{'name': "翠湖花园", 'code': 'CH'}])
        return estate

    def _route(self, estate):
        pool = Pool()
        Checkpoint = pool.get('pm.patrol.checkpoint')
        Route = pool.get('pm.patrol.route')
        checkpoints = Checkpoint.create([
                {'estate': estate.id, 'code': c, 'name': c}
                for c in 'ABC'])
        route, = Route.create([{
                    'estate': estate.id, 'code': 'R', 'name': "Route",
                    'lines': [('create', [
                                {'checkpoint': c.id, 'minutes': m}
                                for c, m in zip(checkpoints, [0, 10, 10])])],
                    }])
        return route, checkpoints

    @with_transaction()
    def test_schedule_and_kpis(self):
        "Schedules plan the rounds of a shift; KPIs of the done rounds"
        pool = Pool()
        Shift = pool.get('pm.security.shift')
        Schedule = pool.get('pm.patrol.schedule')
        Round = pool.get('pm.patrol.round')
        company = create_company()
        company.timezone = 'Asia/Shanghai'
        company.save()
        with set_company(company):
            estate = self._estate()
            route, (a, b, c) = self._route(estate)
            shift, = Shift.create([{
                        'name': "Day", 'code': 'D',
                        'start_time': dt.time(8), 'end_time': dt.time(20)}])
            schedule, = Schedule.create([{
                        'route': route.id, 'shift': shift.id,
                        'offset': 0, 'interval': 120}])
            # 08:00 10:00 … 18:00, the 20-minute route fits before 20:00
            self.assertEqual(schedule.rounds_per_shift, 6)
            rounds = Schedule.generate_rounds(
                date=dt.date(2026, 11, 20), schedules=[schedule])
            self.assertEqual(len(rounds), 6)
            self.assertEqual(
                rounds[0].planned_start, dt.datetime(2026, 11, 20, 0, 0))
            self.assertEqual(rounds[0].company, company)
            self.assertEqual(rounds[0].estate, estate)
            self.assertEqual(
                Schedule.generate_rounds(
                    date=dt.date(2026, 11, 20), schedules=[schedule]), [])

            first = rounds[0]
            base = first.planned_start
            Round.record_scan(first, data=a.qr_data, time=base)
            Round.record_scan(first, checkpoint=c, time=base + 21 * MIN)
            Round.finish([first])
            self.assertEqual(
                [p.status for p in first.points],
                ['on_time', 'missed', 'on_time'])
            Round.finish(rounds[1:2])
            kpis = {k['code']: k for k in Round.iso_kpis(
                    dt.date(2026, 11, 20), dt.date(2026, 11, 20))}
            # 2 done rounds, 6 checkpoints, 2 scanned on time
            self.assertEqual(
                kpis['patrol_completion_rate']['value'], Decimal('33.33'))
            self.assertEqual(kpis['patrol_completion_rate']['count'], 2)
            self.assertEqual(
                kpis['patrol_on_time_rate']['value'], Decimal('33.33'))
            kpis = {k['code']: k for k in Round.iso_kpis(
                    dt.date(2026, 11, 21), dt.date(2026, 11, 30))}
            self.assertIsNone(kpis['patrol_completion_rate']['value'])

            # Overdue rounds close by themselves: all missed
            closed = Round.close_overdue(at=dt.datetime(2026, 11, 21))
            self.assertEqual(len(closed), 4)
            self.assertEqual({r.state for r in closed}, {'done'})
            self.assertEqual(closed[0].completion_rate, Decimal('0.00'))

    @with_transaction()
    def test_pass_once(self):
        "A pass is consumed once, in its window"
        pool = Pool()
        Unit = pool.get('pm.unit')
        Party = pool.get('party.party')
        Occupancy = pool.get('pm.occupancy')
        Pass = pool.get('pm.visitor.pass')
        company = create_company()
        with set_company(company):
            estate = self._estate()
            unit, = Unit.create([{'estate': estate.id, 'code': '101'}])
            owner, = Party.create([{'name': "Owner"}])
            Occupancy.create([{
                        'unit': unit.id, 'party': owner.id, 'role': 'owner',
                        'start_date': dt.date(2020, 1, 1)}])
            pass_, = Pass.create([{
                        'unit': unit.id, 'resident': owner.id,
                        'visitor_name': "Guest",
                        'valid_from': T0, 'valid_to': T0 + 60 * MIN}])
            with self.assertRaises(PassError):
                Pass.check_in(pass_.code, at=T0 - MIN)
            with self.assertRaises(PassError):
                Pass.check_in(pass_.code, at=T0 + 61 * MIN)
            visitor = Pass.check_in(pass_.code, at=T0 + 30 * MIN)
            self.assertEqual(visitor.name, "Guest")
            self.assertEqual(visitor.arrived_at, T0 + 30 * MIN)
            self.assertEqual(pass_.state, 'used')
            with self.assertRaises(PassError) as cm:
                Pass.check_in(pass_.code, at=T0 + 31 * MIN)
            self.assertIn(pass_.code, cm.exception.message)
            expired = Pass.expire_passes(at=T0 + 2 * 60 * MIN)
            self.assertEqual(expired, [])

    @with_transaction()
    def test_incident_kpis(self):
        "Incident KPIs: count and hours to close"
        pool = Pool()
        Incident = pool.get('pm.incident')
        company = create_company()
        with set_company(company):
            estate = self._estate()
            incidents = Incident.create([{
                        'estate': estate.id, 'incident_type': 'flood',
                        'severity': s, 'location': "B1",
                        'description': "水管爆裂",
                        'occurred_at': T0} for s in ['minor', 'critical']])
            Incident.write(incidents, {'closure_report': "已修复"})
            Incident.close(incidents)
            Incident.write(incidents, {'closed_at': T0 + 90 * MIN})
            kpis = {k['code']: k for k in Incident.iso_kpis(
                    dt.date(2026, 11, 1), dt.date(2026, 11, 30))}
            self.assertEqual(kpis['incident_count']['value'], Decimal(2))
            self.assertEqual(
                kpis['severe_incident_count']['value'], Decimal(1))
            self.assertEqual(
                kpis['incident_closure_hours']['value'], Decimal('1.5'))


del ModuleTestCase
