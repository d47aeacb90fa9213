#!/usr/bin/env python3
# This file is part of the pm suite (物业管理系统). See README.md.
"""Benchmark of the onboarding import on PostgreSQL.

    .venv/bin/python bench/onboarding.py [--units 100000]

Builds, in memory, the sheets a company brings when it adopts the suite:
N units in estates of 2,000 units (buildings of 100), 1.2 N customers with a
mobile number, an owner occupancy per unit and a resident or family member
for one unit in five, a rate assignment per unit, opening arrears per unit
(property fee of January and February 2026) and an opening prepayment for
one unit in ten. Then it prints, measured in the same run:

* the import (`Importer.run`, the path of the wizard): validation of every
  row, then the set-based writes and the posting of the opening balances;
  wall seconds and rows per second;
* the same file imported again: every record matched by its code, nothing
  written;
* plain SQL: INSERT … SELECT of the same number of rows into the same tables
  (same indexes, constraints and foreign keys); the ratio is our seconds /
  plain SQL seconds.
"""
import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'scripts'))

from billing import admin, in_transaction, log, sources_hash  # noqa: E402
import billing  # noqa: E402
from pgcluster import pg_cluster  # noqa: E402

DATABASE = billing.DATABASE = 'pm_bench_onboarding'
OPENING = dt.date(2026, 3, 1)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国"
TABLES = ['pm_unit', 'party_party', 'party_contact_mechanism',
    'pm_occupancy', 'pm_charge_assignment', 'pm_bill', 'pm_bill_line',
    'account_move_line', 'pm_receipt']


def dataset(units, seed=2026):
    "The sheets of the import: {sheet: [(row, {column: value})]}"
    rng = random.Random(seed)
    data = {k: [] for k in ['estate', 'building', 'unit', 'customer',
            'occupancy', 'assignment', 'arrears', 'prepayment']}

    def add(sheet, values):
        data[sheet].append((len(data[sheet]) + 2, values))
    estates = (units + 1999) // 2000
    customer = 0

    def new_customer():
        nonlocal customer
        customer += 1
        name = rng.choice(SURNAMES) + ''.join(
            rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        code = f'K{customer:07d}'
        add('customer', {'code': code, 'name': name,
                'mobile': f'13{rng.randrange(10**9):09d}'})
        return code
    n = 0
    for e in range(estates):
        estate = f'E{e:03d}'
        add('estate', {'code': estate, 'name': f'小区{e:03d}'})
        for b in range(20):
            if n >= units:
                break
            building = f'{b + 1}'
            add('building', {'estate': estate, 'code': building,
                    'name': f'{b + 1}栋', 'floors_above': 25})
            for u in range(100):
                if n >= units:
                    break
                n += 1
                floor, room = divmod(u, 4)
                code = f'{building}-{floor + 1:02d}{room + 1:02d}'
                area = Decimal(rng.randrange(6000, 14000)) / 100
                add('unit', {'estate': estate, 'code': code,
                        'building': building, 'floor': floor + 1,
                        'built_area': area,
                        'inner_area': (area * Decimal('0.8')).quantize(
                            Decimal('0.01')),
                        'delivery_date': dt.date(2020, 1, 1)})
                owner = new_customer()
                add('occupancy', {'estate': estate, 'unit': code,
                        'customer': owner, 'role': '业主',
                        'start_date': dt.date(2020, 1, 1), 'billing': '是'})
                if n % 5 == 0:
                    other = new_customer()
                    family = n % 10 == 0
                    add('occupancy', {'estate': estate, 'unit': code,
                            'customer': other,
                            'role': '家庭成员' if family else '住户',
                            'relation': '配偶' if family else None,
                            'owner': owner if family else None,
                            'start_date': dt.date(2020, 1, 1)})
                add('assignment', {'estate': estate, 'unit': code,
                        'charge_item': 'WYF', 'rate': "住宅物业费 2.50元/㎡",
                        'start_date': dt.date(2026, 3, 1)})
                fee = (area * Decimal('2.50')).quantize(Decimal('0.01'))
                for month in (1, 2):
                    start = dt.date(2026, month, 1)
                    end = dt.date(2026, month + 1, 1) - dt.timedelta(1)
                    add('arrears', {'estate': estate, 'unit': code,
                            'charge_item': 'WYF', 'date_start': start,
                            'date_end': end, 'amount': fee})
                if n % 10 == 3:
                    add('prepayment', {'estate': estate, 'unit': code,
                            'customer': owner,
                            'amount': Decimal(rng.randrange(100, 2000))})
    return data


def prepare(uri, tmp):
    config_file = os.path.join(tmp, 'trytond.conf')
    with open(config_file, 'w') as fp:
        fp.write(f'[database]\nuri = {uri}\n')
    with open(config_file + '.pass', 'w') as fp:
        fp.write('admin-bench-2026\n')
    os.environ['TRYTOND_CONFIG'] = config_file
    import psycopg
    template = f'{DATABASE}_{sources_hash()}'
    with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        has_template = conn.execute(
            'SELECT 1 FROM pg_database WHERE datname = %s',
            (template,)).fetchone()
    t0 = time.perf_counter()
    if not has_template:
        with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        admin(config_file, '--all', '--email', 'admin@example.com')
        admin(config_file, '-u', 'pm_onboarding', 'pm_account_cn',
            '--activate-dependencies')
        from proteus import config as pconfig
        from trytond.modules.pm_onboarding.tests.tools import (
            setup_company, setup_onboarding)
        config = pconfig.set_trytond(DATABASE, config_file=config_file)
        setup_company(config)
        setup_onboarding(config)
        pconfig._CONFIG.current = None
        from trytond.pool import Pool as _Pool
        _Pool.stop(DATABASE)
        from trytond import backend
        backend.Database(DATABASE).close()
        with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
            conn.execute(
                'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                'WHERE datname = %s AND pid != pg_backend_pid()',
                (DATABASE,))
            conn.execute(
                f'CREATE DATABASE "{template}" TEMPLATE "{DATABASE}"')
    else:
        with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
            conn.execute(
                f'CREATE DATABASE "{DATABASE}" TEMPLATE "{template}"')
    log(f"database ready in {time.perf_counter() - t0:.0f} s")
    from trytond.config import update_etc
    update_etc(config_file)
    from trytond.pool import Pool
    Pool(DATABASE).init()


def company_context():
    from trytond.pool import Pool
    Company = Pool().get('company.company')
    company, = Company.search([])
    return company.id


def run_import(data, label):
    from trytond.pool import Pool
    from trytond.modules.pm_onboarding.importer import Importer
    timings = {}

    def work():
        Company = Pool().get('company.company')
        company, = Company.search([])
        importer = Importer(company, OPENING)
        t0 = time.perf_counter()
        importer.validate(data)
        t1 = time.perf_counter()
        if importer.errors:
            raise RuntimeError(importer.errors[:5])
        importer.apply()
        t2 = time.perf_counter()
        timings.update(validate=t1 - t0, apply=t2 - t1,
            stats=dict(importer.stats))
    t0 = time.perf_counter()
    company = in_transaction(company_context)
    in_transaction(work, context={'company': company})
    timings['wall'] = time.perf_counter() - t0
    log(f"{label}: validate {timings['validate']:.1f} s, "
        f"write {timings['apply']:.1f} s, wall {timings['wall']:.1f} s")
    return timings


def counts():
    from trytond.transaction import Transaction
    result = {}

    def work():
        cursor = Transaction().connection.cursor()
        for table in TABLES:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            result[table] = cursor.fetchone()[0]
        cursor.execute('SELECT SUM(debit), SUM(credit) FROM '
            'account_move_line')
        result['balance'] = cursor.fetchone()
        cursor.execute("SELECT SUM(amount) FROM pm_bill WHERE "
            "state = 'posted'")
        result['arrears'] = cursor.fetchone()[0]
    in_transaction(work)
    return result


def plain_sql(before):
    """INSERT … SELECT the rows the import wrote into the same tables (ids
    shifted, unique columns changed), then roll back"""
    from trytond.transaction import Transaction
    elapsed, copied = [], {}
    unique = {
        'pm_unit': {'code': "code || 'x'"},
        'party_party': {'code': "code || 'x'"},
        'pm_bill': {'receivable_line': 'NULL'},
        'pm_bill_line': {'key': "key || 'x'"},
        'account_move_line': {'reconciliation': 'NULL'},
        'pm_receipt': {'number': "number || 'x'", 'move': 'move'},
        }

    def work():
        cursor = Transaction().connection.cursor()
        columns, offsets = {}, {}
        for table in TABLES:
            cursor.execute(f'SELECT MAX(id) FROM "{table}"')
            offsets[table] = cursor.fetchone()[0] or 0
            cursor.execute(
                'SELECT column_name FROM information_schema.columns '
                'WHERE table_name = %s ORDER BY ordinal_position', (table,))
            columns[table] = [c for c, in cursor]
        start = time.perf_counter()
        for table in TABLES:
            changed = {'id': f'id + {offsets[table]}'}
            changed.update(unique.get(table, {}))
            if table == 'pm_bill_line':
                changed['bill'] = f'bill + {offsets["pm_bill"]}'
            names = ', '.join(f'"{c}"' for c in columns[table])
            values = ', '.join(changed.get(c, f'"{c}"')
                for c in columns[table])
            cursor.execute(
                f'INSERT INTO "{table}" ({names}) SELECT {values} '
                f'FROM "{table}" WHERE id > %s', (before.get(table, 0),))
            copied[table] = cursor.rowcount
        elapsed.append(time.perf_counter() - start)
        Transaction().rollback()
    in_transaction(work)
    return elapsed[0], copied


def max_ids():
    from trytond.transaction import Transaction
    result = {}

    def work():
        cursor = Transaction().connection.cursor()
        for table in TABLES:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            result[table] = cursor.fetchone()[0]
    in_transaction(work)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--units', type=int, default=100_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    data = dataset(args.units)
    rows = sum(len(v) for v in data.values())
    log(f"dataset: {rows} rows ("
        + ', '.join(f'{k} {len(v)}' for k, v in data.items())
        + f") built in {time.perf_counter() - t0:.1f} s")
    with pg_cluster() as uri, tempfile.TemporaryDirectory() as tmp:
        prepare(uri, tmp)
        before = max_ids()
        first = run_import(data, "import")
        after = counts()
        again = run_import(data, "same file again")
        assert all(s[0] == s[1] == 0 for s in again['stats'].values()), \
            again['stats']
        assert counts() == after
        floor, copied = plain_sql(before)
        debit, credit = after['balance']
        assert debit == credit, (debit, credit)
        total = first['wall']
        log("")
        log(f"units / customers           {len(data['unit'])} / "
            f"{len(data['customer'])}")
        log(f"rows in the file            {rows}")
        log("rows written                " + ', '.join(
                f'{k} {v}' for k, v in copied.items()))
        log(f"opening arrears posted      {after['arrears']} "
            f"(moves: debit {debit} = credit {credit})")
        log(f"import (validate + write)   {total:8.1f} s  "
            f"{rows / total:9.0f} rows/s  (validate {first['validate']:.1f} s,"
            f" write {first['apply']:.1f} s)")
        log(f"same file again (no change) {again['wall']:8.1f} s  "
            f"{rows / again['wall']:9.0f} rows/s")
        log(f"plain SQL load, same rows   {floor:8.1f} s  "
            f"{sum(copied.values()) / floor:9.0f} rows/s")
        log(f"ratio import / plain SQL    {total / floor:8.1f}x")


if __name__ == '__main__':
    main()
