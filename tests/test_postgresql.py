"""The PostgreSQL paths of the suite, on a real PostgreSQL server.

Billing writes its rows with COPY and allocates ids from the tables'
sequences on PostgreSQL (SQLite uses executemany and MAX(id)), locks work
differently, and PostgreSQL types the query parameters: these tests run the
billing scenarios, the concurrency checks and the whole demo on a throw-away
PostgreSQL 15 server started from the machine's Debian package
(scripts/pgcluster.py).
"""
import os
import subprocess
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))

from pgcluster import pg_cluster  # noqa: E402


class PostgreSQLTestCase(unittest.TestCase):
    "Scenarios of the set-based billing paths on PostgreSQL"

    def run_on_postgresql(self, *test_modules, cwd=None):
        with pg_cluster() as uri:
            # the activated databases are cached as template databases on
            # the throw-away server (the scenarios share their setups)
            env = dict(os.environ, TRYTOND_DATABASE_URI=uri,
                DB_NAME='test_pm', DB_CACHE=uri.rstrip('/'))
            result = subprocess.run(
                [sys.executable, '-m', 'unittest', *test_modules],
                env=env, capture_output=True, text=True, timeout=1800,
                cwd=cwd)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output[-4000:])
        self.assertRegex(output, r'Ran [1-9]\d* tests?')
        self.assertIn('\nOK', output)

    def test_collection_reliability(self):
        """Two cashiers paying one bill at once; a return-file import killed
        before its commit (tests/pg_collection_reliability.py)"""
        with pg_cluster() as uri:
            env = dict(os.environ,
                TRYTOND_DATABASE_URI=uri, DB_NAME='test_pm_race')
            env.pop('DB_CACHE', None)
            result = subprocess.run(
                [sys.executable,
                    str(ROOT / 'tests' / 'pg_collection_reliability.py')],
                env=env, capture_output=True, text=True, timeout=1800)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output[-4000:])
        self.assertRegex(result.stdout, r"race: .* -> OK")
        self.assertRegex(result.stdout, r'kill: .* -> OK')

    def test_eshop_slot_race(self):
        """Two residents booking the last place of a delivery slot at once
        (tests/pg_eshop_reliability.py)"""
        with pg_cluster() as uri:
            env = dict(os.environ,
                TRYTOND_DATABASE_URI=uri, DB_NAME='test_pm_eshop_race')
            env.pop('DB_CACHE', None)
            result = subprocess.run(
                [sys.executable,
                    str(ROOT / 'tests' / 'pg_eshop_reliability.py')],
                env=env, capture_output=True, text=True, timeout=1800)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output[-4000:])
        self.assertRegex(result.stdout, r"slot: .* -> OK")

    def test_demo_on_postgresql(self):
        """The demo at a small scale with every addon activated: each
        addon's demo path (billing runs, payments, parking, shop orders,
        fund, votes, the cockpit's figures …) on PostgreSQL, without a
        transaction restart"""
        self.run_on_postgresql(
            'test_demo_data.DemoLoadTestCase.test_small_demo',
            cwd=str(ROOT / 'tests'))

    def test_billing_scenario(self):
        "Billing run, posting, reversal, invoice and notice on PostgreSQL"
        self.run_on_postgresql(
            'trytond.modules.pm_billing.tests.test_scenario')


if __name__ == '__main__':
    unittest.main()
