"""Tests of the demo data generator (demo/).

* the people factory gives valid resident ID numbers (GB 11643), unified
  social credit codes (GB 32100) and mobile numbers, all unique;
* the loader runs on a small scale inside a test database with every addon
  activated, so a change of an addon that breaks `make demo` fails here.
"""
import datetime as dt
import random
import re
import sys
import unittest
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demo.people import (  # noqa: E402
    PeopleFactory, id_check_digit, valid_resident_id, valid_uscc)

import os  # noqa: E402

# every addon, or those of $ADDONS (the selection of `make test ADDONS=...`)
ADDONS = sorted(p.parent.name for p in ROOT.glob('addons/*/tryton.cfg'))
_selected = set(os.environ.get('ADDONS', '').replace(',', ' ').split())
if _selected - {'tests'}:
    ADDONS = [a for a in ADDONS if a in _selected]


class PeopleTestCase(unittest.TestCase):
    "The generated people look real"

    def setUp(self):
        self.factory = PeopleFactory(random.Random(2026), dt.date(2026, 11, 27))

    def test_check_digit_known_numbers(self):
        "The check digits of the examples of GB 11643-1999"
        self.assertEqual(id_check_digit('11010519491231002'), 'X')
        self.assertEqual(id_check_digit('44052418800101001'), '4')
        self.assertTrue(valid_resident_id('11010519491231002X'))
        self.assertFalse(valid_resident_id('110105194912310021'))
        self.assertFalse(valid_resident_id('11010519491331002X'))

    def test_credit_code_known_number(self):
        "A published unified social credit code is valid"
        self.assertTrue(valid_uscc('91350100M000100Y43'))
        self.assertFalse(valid_uscc('91350100M000100Y44'))

    def test_people(self):
        people = [self.factory.person() for _ in range(2000)]
        for person in people:
            number = person['id_number']
            self.assertTrue(valid_resident_id(number), number)
            self.assertEqual(int(number[16]) % 2 == 1, person['male'])
            birthday = dt.date(
                int(number[6:10]), int(number[10:12]), int(number[12:14]))
            self.assertEqual(birthday, person['birthday'])
            self.assertRegex(person['mobile'], r'^1[358]\d{9}$')
            self.assertRegex(person['name'], r'^[\u4e00-\u9fff]{2,4}$')
        self.assertEqual(len({p['id_number'] for p in people}), len(people))
        self.assertEqual(len({p['mobile'] for p in people}), len(people))
        surnames = Counter(p['name'][0] for p in people)
        self.assertIn(surnames.most_common(1)[0][0], '王李张刘')

    def test_family(self):
        parent = self.factory.person(age=40, male=True)
        child = self.factory.child(parent)
        spouse = self.factory.spouse(parent)
        self.assertEqual(child['name'][0], parent['name'][0])
        self.assertLess(parent['birthday'], child['birthday'])
        self.assertFalse(spouse['male'])

    def test_companies(self):
        codes = [self.factory.company(f'公司{i}')['id_number']
            for i in range(200)]
        for code in codes:
            self.assertTrue(valid_uscc(code), code)
            self.assertTrue(re.match(r'^91\d{6}', code), code)
        self.assertEqual(len(set(codes)), len(codes))


class DemoLoadTestCase(unittest.TestCase):
    "The demo loader works with the addons as they are"

    @classmethod
    def setUpClass(cls):
        from trytond.tests.test_tryton import activate_module, drop_db
        drop_db()
        activate_module(ADDONS)

    @classmethod
    def tearDownClass(cls):
        from trytond.tests.test_tryton import drop_db
        drop_db()

    def test_small_demo(self):
        "Load the demo at scale 0.03 and check what it made"
        from trytond.pool import Pool
        from trytond.tests.test_tryton import DB_NAME
        from trytond.transaction import Transaction

        from demo.load import Loader, lock_tables

        from trytond.transaction import TransactionError

        # the tables to lock are taken up front, and a transaction asking
        # for another lock restarts with it, as demo.load.main does
        extras = {'_lock_tables': lock_tables(Pool(DB_NAME))}
        restarts = []
        while True:
            with Transaction().start(DB_NAME, 0, context={},
                    **extras) as transaction:
                try:
                    loader = Loader(scale=0.03, seed=2026)
                    loader.run()
                except TransactionError as exception:
                    transaction.rollback()
                    exception.fix(extras)
                    restarts.append(repr(exception))
                    continue
                transaction.commit()
                break
        # LOCK_TABLES names every table the load locks: no restart
        self.assertEqual(restarts, [], extras)
        runs = []
        if loader.billing:
            # the queued billing run is computed and posted after the commit
            runs = loader.billing.after_commit(DB_NAME)
        with Transaction().start(DB_NAME, 0, context={}) as transaction:
            try:
                pool = Pool()
                Unit = pool.get('pm.unit')
                Estate = pool.get('pm.estate')
                User = pool.get('res.user')
                Item = pool.get('ir.module.config_wizard.item')
                self.assertEqual(
                    {e.name for e in Estate.search([])}, {'翠湖花园', '锦绣华庭'})
                units = Unit.search([])
                self.assertGreater(len(units), 30)
                self.assertEqual(
                    {u.usage for u in units},
                    {'residential', 'shop', 'parking'})
                for unit in units:
                    ratio = unit.inner_area / unit.built_area
                    if unit.usage == 'residential':
                        self.assertTrue(0.76 <= ratio <= 0.84, unit.code)
                admin, = User.search([('login', '=', 'admin')])
                self.assertEqual(admin.language.code, 'zh_CN')
                self.assertEqual(admin.company.currency.code, 'CNY')
                self.assertEqual(admin.company.timezone, 'Asia/Shanghai')
                self.assertFalse(Item.search([('state', '!=', 'done')]))
                self.assertEqual(
                    {u.login for u in User.search([])} >= {
                        'admin', 'kefu', 'chakan', 'wuye'}, True)
                if 'pm_customer' in ADDONS:
                    self.check_customers(pool, loader)
                if 'pm_billing' in ADDONS and 'pm_account_cn' in ADDONS:
                    self.check_billing(pool, runs)
                if 'pm_portal' in ADDONS and loader.billing:
                    # (the demo's chart of accounts comes with pm_account_cn)
                    self.check_portal(pool)
                print('\n' + loader.summary(), file=sys.stderr)
            finally:
                transaction.rollback()

    def check_billing(self, pool, runs):
        "The previous month is billed and posted, with balanced moves"
        Bill = pool.get('pm.bill')
        Move = pool.get('account.move')
        (name, state, count, amount), = runs
        self.assertEqual(state, 'posted')
        self.assertGreater(count, 0)
        bills = Bill.search([('state', '=', 'posted')])
        self.assertEqual(len(bills), count)
        self.assertEqual(sum(b.amount for b in bills), amount)
        self.assertTrue(all(b.receivable_line for b in bills))
        # a partly paid month: receipts posted, some bills still unpaid
        Receipt = pool.get('pm.receipt')
        receipts = Receipt.search([])
        self.assertTrue(receipts)
        self.assertEqual({r.state for r in receipts}, {'posted'})
        # printed with a person as cashier, not root
        self.assertEqual({r.cashier.login for r in receipts}, {'wuye'})
        unpaid = Bill.get_unpaid_amount(bills)
        self.assertTrue(any(unpaid[b.id] == 0 for b in bills))
        self.assertTrue(any(unpaid[b.id] > 0 for b in bills))
        for move in Move.search([]):
            self.assertEqual(move.state, 'posted')
            self.assertEqual(
                sum(l.debit for l in move.lines),
                sum(l.credit for l in move.lines))

    def check_portal(self, pool):
        "Residents can pay online in the demo: the sandbox channel"
        Channel = pool.get('pm.portal.provider')
        WebUser = pool.get('web.user')
        channel, = Channel.search([('provider', '=', 'sandbox')])
        self.assertEqual(channel.payment_method.kind, 'money')
        self.assertEqual(channel.payment_method.account.code, '101201')
        self.assertGreaterEqual(
            len(WebUser.search([('party', '!=', None)])), 3)
        if 'pm_eshop' in ADDONS:
            Payment = pool.get('pm.portal.payment')
            self.assertTrue(Payment.search([
                        ('state', '=', 'paid'),
                        ('origin', 'like', 'sale.sale,%')]))

    def check_customers(self, pool, loader):
        Occupancy = pool.get('pm.occupancy')
        Lease = pool.get('pm.lease')
        Unit = pool.get('pm.unit')
        owners = Occupancy.search([('role', '=', 'owner')])
        self.assertGreater(len(owners), 20)
        for occupancy in owners:
            party = occupancy.party
            if party.id_type == 'resident_id':
                self.assertTrue(valid_resident_id(party.id_number))
        states = {l.state for l in Lease.search([])}
        self.assertLessEqual({'active', 'terminated'}, states)
        self.assertTrue(Lease.search([('expiring', '=', True)]))
        self.assertEqual(len(loader.customers.sales), 2)
        states = Unit.compute_occupancy_states([u.id for u in loader.units])
        self.assertLessEqual(
            {'owner_occupied', 'rented', 'vacant', 'renovating'},
            set(states.values()))


if __name__ == '__main__':
    unittest.main()
