# This file is part of the pm suite (物业管理系统). See README.md.
import unittest
from decimal import Decimal

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.pm_vote.vote import PRESETS, count_tally, reached
from trytond.tests.test_tryton import ModuleTestCase

D = Decimal


class VoteRulesTestCase(unittest.TestCase):
    "Civil Code art. 278 rules"

    def test_reached(self):
        # 2/3 exactly reaches "三分之二以上"
        self.assertTrue(reached(2, 3, 2, 3))
        self.assertFalse(reached(D('66.66'), 100, 2, 3))
        # exactly half is not "过半数"
        self.assertFalse(reached(1, 2, 1, 2, strict=True))
        self.assertTrue(reached(D('50.01'), 100, 1, 2, strict=True))
        # three quarters reaches "四分之三以上"
        self.assertTrue(reached(3, 4, 3, 4))
        self.assertFalse(reached(1, 0, 1, 2))

    def test_presets(self):
        self.assertEqual(PRESETS['general'], (2, 3, 1, 2, True))
        self.assertEqual(PRESETS['major'], (2, 3, 3, 4, False))
        self.assertEqual(PRESETS['fund_use'], (2, 3, 1, 2, True))

    def test_count_tally_heads(self):
        units = {1: D(100), 2: D(90), 3: D(80), 4: D(120), 5: D(60),
            6: D(50)}
        keys = {1: frozenset({10}), 2: frozenset({10}),
            3: frozenset({11, 12}), 4: frozenset({13}), 5: frozenset({14})}
        # unit 6 has no owner: the developer's head
        ballots = [(1, 'yes'), (2, 'no'), (3, 'yes'), (4, 'abstain')]
        tally = count_tally(units, keys, ballots, PRESETS['general'])
        self.assertEqual(tally['eligible_owners'], 5)
        self.assertEqual(tally['eligible_area'], D(500))
        self.assertEqual(tally['participating_owners'], 3)
        self.assertEqual(tally['participating_area'], D(390))
        # the owner of units 1 and 2 counts once, with the first ballot
        self.assertEqual(tally['yes_owners'], 2)
        self.assertEqual(tally['no_owners'], 0)
        self.assertEqual(tally['yes_area'], D(180))
        self.assertEqual(tally['no_area'], D(90))
        self.assertEqual(tally['abstain_area'], D(120))
        self.assertTrue(tally['participation_area_ok'])
        self.assertFalse(tally['participation_owners_ok'])
        self.assertFalse(tally['passed'])
        self.assertEqual(tally['participation_owners_rate'], D('60.00'))

    def test_count_tally_empty(self):
        tally = count_tally({}, {}, [], PRESETS['major'])
        self.assertFalse(tally['passed'])
        self.assertIsNone(tally['participation_area_rate'])


class PmVoteTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_vote module"
    module = 'pm_vote'


del ModuleTestCase
