#!/usr/bin/env python3
# This file is part of the pm suite (物业管理系统). See README.md.
"""Benchmark of a monthly billing run on PostgreSQL.

    .venv/bin/python bench/billing.py [--units 100000] [--sample 1000]

Builds a database of N units on a throw-away PostgreSQL server (or on
PM_PG_URI), each with four charges: a property fee by chargeable area, tiered
water and flat electricity from meter readings, and a fixed fee. Then it
prints, measured in the same run:

* compute and post: wall seconds and units per second of `pm.billing.run`
  (the engine the "Compute" and "Post" buttons run through the queue);
* baseline: the same four charges billed the plain way, one Tryton customer
  invoice per unit created and posted through the ORM, on a sample of units;
  the ratio is baseline seconds per unit / our seconds per unit;
* floor: plain SQL inserting the same number of bill, bill line and move
  line rows (INSERT … SELECT of the rows we wrote); the ratio is our
  seconds / floor seconds.
"""
import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'scripts'))

from pgcluster import pg_cluster  # noqa: E402

DATABASE = 'pm_bench'
MONTH = dt.date(2026, 11, 1)


def sources_hash():
    "A short hash of the addons' sources: the key of the template database"
    import hashlib
    digest = hashlib.sha1()
    root = os.path.join(os.path.dirname(HERE), 'addons')
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            if name.endswith(('.py', '.xml', '.cfg')):
                with open(os.path.join(folder, name), 'rb') as fp:
                    digest.update(name.encode() + fp.read())
    return digest.hexdigest()[:10]


def log(message):
    print(message, flush=True)


def in_transaction(func, *args, context=None):
    """Run func in a transaction of its own, restarted like Tryton's worker
    does when it must take locks; return its result"""
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(
                DATABASE, 0, context=context or {}, **extras) as transaction:
            try:
                result = func(*args)
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
            return result


def admin(config_file, *args):
    env = dict(os.environ, TRYTONPASSFILE=config_file + '.pass')
    subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'trytond-admin'),
            '-c', config_file, '-d', DATABASE, *args],
        check=True, env=env, stdout=subprocess.DEVNULL)


def setup(config_file):
    from proteus import config as pconfig
    from trytond.modules.pm_billing.tests.tools import (
        setup_accounting, setup_company)
    config = pconfig.set_trytond(DATABASE, config_file=config_file)
    setup_company(config)
    setup_accounting(config)
    return config


def generate(units, seed=2026):
    """Write estates, buildings, units, owners, occupancies, meters,
    readings, rates and assignments with COPY"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.modules.pm_billing.sqlbulk import (
        allocate_ids, audit_values, bulk_insert)
    rng = random.Random(seed)
    pool = Pool(DATABASE)
    Company = pool.get('company.company')
    Product = pool.get('product.product')
    Item = pool.get('pm.charge.item')
    Rate = pool.get('pm.charge.rate')
    company, = Company.search([])
    uid, now = audit_values()
    with Transaction().set_context(company=company.id):
        products = {p.name: p for p in Product.search([])}
        items = Item.create([
                {'company': company.id, 'code': code, 'name': name,
                    'product': products[name].id, 'category': category}
                for code, name, category in [
                    ('WYF', "物业服务费", 'property'),
                    ('SF', "水费", 'utility'),
                    ('DF', "电费", 'utility'),
                    ('GD', "固定费用", 'other')]])
        fee, water, power, fixed = items
        rates = Rate.create([
                {'company': company.id, 'charge_item': fee.id,
                    'name': "物业费", 'method': 'chargeable_area',
                    'unit_price': Decimal('2.50'),
                    'currency': company.currency.id},
                {'company': company.id, 'charge_item': water.id,
                    'name': "阶梯水价", 'method': 'metered',
                    'meter_type': 'water', 'tier_period': 'month',
                    'unit_price': Decimal('3.00'),
                    'currency': company.currency.id,
                    'tiers': [('create', [
                                {'lower': Decimal(0), 'upper': Decimal(10),
                                    'price': Decimal('3.00')},
                                {'lower': Decimal(10), 'upper': Decimal(20),
                                    'price': Decimal('4.50')},
                                {'lower': Decimal(20),
                                    'price': Decimal('6.00')}])]},
                {'company': company.id, 'charge_item': power.id,
                    'name': "电价", 'method': 'metered',
                    'meter_type': 'electricity', 'tier_period': 'month',
                    'unit_price': Decimal('0.60'),
                    'currency': company.currency.id},
                {'company': company.id, 'charge_item': fixed.id,
                    'name': "垃圾清运费", 'method': 'fixed',
                    'unit_price': Decimal('10.00'),
                    'currency': company.currency.id},
                ])
    per_building = 300
    n_buildings = (units + per_building - 1) // per_building
    n_estates = max(1, n_buildings // 30)
    estate_ids = allocate_ids('pm_estate', n_estates)
    bulk_insert('pm_estate', [
            'id', 'company', 'name', 'code', 'active', 'create_uid',
            'create_date'],
        [(e, company.id, f"小区{i + 1}", f'E{i + 1:03d}', True, uid, now)
            for i, e in enumerate(estate_ids)])
    building_ids = allocate_ids('pm_building', n_buildings)
    buildings = []
    for i, b in enumerate(building_ids):
        buildings.append((b, company.id, estate_ids[i % n_estates],
                str(i + 1), f"{i + 1}栋", 'residential', True, uid, now))
    bulk_insert('pm_building', [
            'id', 'company', 'estate', 'code', 'name', 'building_type',
            'active', 'create_uid', 'create_date'], buildings)
    unit_ids = allocate_ids('pm_unit', units)
    party_ids = allocate_ids('party_party', units)
    unit_rows, party_rows = [], []
    delivered = dt.date(2020, 6, 30)
    for i, (u, p) in enumerate(zip(unit_ids, party_ids)):
        b = buildings[i // per_building]
        area = Decimal(rng.randint(6000, 18000)) / 100
        unit_rows.append((u, company.id, b[2], b[0],
                f'{b[3]}-{i % per_building:04d}', 'residential', area,
                (area * Decimal('0.8')).quantize(Decimal('0.01')), area,
                delivered, p, True, uid, now))
        party_rows.append((p, f"业主{i + 1}", f'B{i + 1:07d}', 'person', True,
                uid, now))
    bulk_insert('party_party', [
            'id', 'name', 'code', 'customer_type', 'active', 'create_uid',
            'create_date'], party_rows)
    address_ids = allocate_ids('party_address', units)
    bulk_insert('party_address', [
            'id', 'party', 'building_name', 'active', 'create_uid',
            'create_date'],
        [(a, p, f"{i // per_building + 1}栋", True, uid, now)
            for i, (a, p) in enumerate(zip(address_ids, party_ids))])
    bulk_insert('pm_unit', [
            'id', 'company', 'estate', 'building', 'code', 'usage',
            'built_area', 'inner_area', 'chargeable_area', 'delivery_date',
            'billing_party', 'active', 'create_uid', 'create_date'],
        unit_rows)
    occupancy_ids = allocate_ids('pm_occupancy', units)
    bulk_insert('pm_occupancy', [
            'id', 'company', 'unit', 'party', 'role', 'share', 'resides',
            'start_date', 'create_uid', 'create_date'],
        [(o, company.id, u, p, 'owner', Decimal(100), True, delivered, uid,
                now)
            for o, u, p in zip(occupancy_ids, unit_ids, party_ids)])
    assignment_ids = iter(allocate_ids('pm_charge_assignment', 4 * units))
    assignments = []
    for u in unit_ids:
        for rate in rates:
            assignments.append((next(assignment_ids), company.id, rate.id,
                    rate.charge_item.id, u, dt.date(2026, 1, 1), uid, now))
    bulk_insert('pm_charge_assignment', [
            'id', 'company', 'rate', 'charge_item', 'unit', 'start_date',
            'create_uid', 'create_date'], assignments)
    meter_ids = iter(allocate_ids('pm_meter', 2 * units))
    meters, readings = [], []
    reading_ids = iter(allocate_ids('pm_meter_reading', 2 * units))
    for (u, _, estate, building, *_rest) in unit_rows:
        for meter_type, usage in [
                ('water', Decimal(rng.randint(3, 35))),
                ('electricity', Decimal(rng.randint(80, 400)))]:
            m = next(meter_ids)
            meters.append((m, company.id, f'{meter_type[0].upper()}{m}',
                    meter_type, estate, building, u, Decimal(1),
                    Decimal(0), True, uid, now))
            readings.append((next(reading_ids), company.id, m,
                    dt.date(2026, 11, 30), usage, Decimal(0), usage, False,
                    False, uid, now))
    bulk_insert('pm_meter', [
            'id', 'company', 'code', 'meter_type', 'estate', 'building',
            'unit', 'multiplier', 'initial_value', 'active', 'create_uid',
            'create_date'], meters)
    bulk_insert('pm_meter_reading', [
            'id', 'company', 'meter', 'date', 'value', 'previous_value',
            'usage', 'rollover', 'flagged', 'create_uid', 'create_date'],
        readings)
    cursor = Transaction().connection.cursor()
    cursor.execute('ANALYZE')
    return company.id, [r.id for r in rates], unit_ids


def bench_run(company):
    "Compute and post a billing run; return (compute s, post s, run id)"
    from trytond.pool import Pool
    from trytond.modules.pm_billing.engine import Engine, post_bills
    pool = Pool(DATABASE)
    Run = pool.get('pm.billing.run')
    context = {'company': company}

    def create():
        run, = Run.create([{
                    'company': company, 'name': "bench",
                    'date_start': MONTH, 'date_end': dt.date(2026, 11, 30),
                    }])
        return run.id
    run_id = in_transaction(create, context=context)

    def compute():
        run = Run(run_id)
        engine = Engine(run)
        unit_ids = engine.scope_unit_ids()
        engine.compute(unit_ids)
        Run.write([run], {
                'state': 'computed', 'units_total': len(unit_ids),
                'units_done': len(unit_ids)})

    def post():
        run = Run(run_id)
        Run.write([run], {'state': 'posting'})
        post_bills(run)
        Run.write([run], {'state': 'posted'})

    start = time.perf_counter()
    in_transaction(compute, context=context)
    compute_time = time.perf_counter() - start
    start = time.perf_counter()
    in_transaction(post, context=context)
    post_time = time.perf_counter() - start
    return compute_time, post_time, run_id


def bench_baseline(company, rates, unit_ids, sample, batch=50):
    """The plain way: one customer invoice per unit with the same four
    lines, created and posted through the ORM"""
    from trytond.pool import Pool
    pool = Pool(DATABASE)
    Invoice = pool.get('account.invoice')
    InvoiceLine = pool.get('account.invoice.line')
    Unit = pool.get('pm.unit')
    Reading = pool.get('pm.meter.reading')
    Meter = pool.get('pm.meter')
    from trytond.modules.pm_billing.charge import round_amount, tiered_amount
    Rate = pool.get('pm.charge.rate')
    Company = pool.get('company.company')
    sample_ids = unit_ids[:sample]

    def bill(ids):
            company_ = Company(company)
            journal, = pool.get('account.journal').search(
                [('type', '=', 'revenue')], limit=1)
            fee, water, power, fixed = Rate.browse(rates)
            invoices = []
            for unit in Unit.browse(ids):
                lines = []
                usages = {}
                for meter in Meter.search([('unit', '=', unit.id)]):
                    usages[meter.meter_type] = sum(
                        r.usage for r in Reading.search([
                                ('meter', '=', meter.id),
                                ('date', '>=', MONTH),
                                ('date', '<=', dt.date(2026, 11, 30))]))
                amounts = [
                    (fee, round_amount(unit.chargeable_area * fee.unit_price)),
                    (water, round_amount(tiered_amount(
                                usages['water'], water.price_tiers())[0])),
                    (power, round_amount(
                            usages['electricity'] * power.unit_price)),
                    (fixed, fixed.unit_price),
                    ]
                for rate, amount in amounts:
                    product = rate.charge_item.product
                    line = InvoiceLine(
                        type='line', product=product, quantity=1,
                        unit=product.default_uom, unit_price=amount,
                        description=rate.name)
                    line.on_change_product()
                    line.unit_price = amount
                    lines.append(line)
                invoice = Invoice(
                    type='out', company=company_, party=unit.billing_party,
                    invoice_date=dt.date(2026, 11, 30), journal=journal,
                    lines=lines)
                invoice.on_change_party()
                invoices.append(invoice)
            Invoice.save(invoices)
            Invoice.post(invoices)

    start = time.perf_counter()
    for i in range(0, len(sample_ids), batch):
        in_transaction(bill, sample_ids[i:i + batch],
            context={'company': company})
    return time.perf_counter() - start


def bench_floor():
    """Plain SQL: insert the same number of bill, bill line and move line
    rows into the same tables (same indexes, constraints and foreign keys)
    with INSERT … SELECT of the rows the run wrote, then roll back"""
    from trytond.transaction import Transaction
    tables = ['pm_bill', 'pm_bill_line', 'account_move_line']
    counts, elapsed = {}, []

    def insert():
        cursor = Transaction().connection.cursor()
        offsets = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*), MAX(id) FROM "{table}"')
            counts[table], offsets[table] = cursor.fetchone()
        columns = {}
        for table in tables:
            cursor.execute(
                'SELECT column_name FROM information_schema.columns '
                'WHERE table_name = %s ORDER BY ordinal_position', (table,))
            columns[table] = [c for c, in cursor]
        changed = {
            'pm_bill': {'id': f'id + {offsets["pm_bill"]}',
                'number': "number || 'f'", 'receivable_line': 'NULL'},
            'pm_bill_line': {'id': f'id + {offsets["pm_bill_line"]}',
                'bill': f'bill + {offsets["pm_bill"]}',
                'key': "key || 'f'"},
            'account_move_line': {
                'id': f'id + {offsets["account_move_line"]}',
                'reconciliation': 'NULL'},
            }
        start = time.perf_counter()
        for table in tables:
            names = ', '.join(f'"{c}"' for c in columns[table])
            values = ', '.join(
                changed[table].get(c, f'"{c}"') for c in columns[table])
            cursor.execute(
                f'INSERT INTO "{table}" ({names}) SELECT {values} '
                f'FROM "{table}"')
        elapsed.append(time.perf_counter() - start)
        Transaction().rollback()
    in_transaction(insert)
    return elapsed[0], counts


def prepare(uri, tmp, units):
    """Create the database (from a template kept on servers that outlive the
    run), load the modules and generate the units; return (company, rates,
    unit ids)"""
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
        # modules activated, company, chart and fiscal year: kept as a
        # template when PM_PG_URI names a server that outlives the run
        with psycopg.connect(uri + 'postgres', autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        admin(config_file, '--all', '--email', 'admin@example.com')
        admin(config_file, '-u', 'pm_billing', '--activate-dependencies')
        setup(config_file)
        from proteus import config as pconfig
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
    pool = Pool(DATABASE)
    pool.init()
    t0 = time.perf_counter()
    company, rates, unit_ids = in_transaction(generate, units)
    log(f"{units} units with owners, 4 rates, 2 meters and "
        f"readings generated in {time.perf_counter() - t0:.0f} s")
    return company, rates, unit_ids


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--units', type=int, default=100_000)
    parser.add_argument('--sample', type=int, default=1_000,
        help="units billed the plain way for the baseline")
    args = parser.parse_args()
    with pg_cluster() as uri, tempfile.TemporaryDirectory() as tmp:
        company, rates, unit_ids = prepare(uri, tmp, args.units)
        from trytond.transaction import Transaction
        compute, post, run_id = bench_run(company)
        total = compute + post
        log(f"compute {compute:.1f} s, post {post:.1f} s")

        def totals():
            cursor = Transaction().connection.cursor()
            cursor.execute(
                'SELECT COUNT(*), SUM(amount) FROM pm_bill '
                'WHERE run = %s AND state = %s', (run_id, 'posted'))
            bills, amount = cursor.fetchone()
            cursor.execute(
                'SELECT SUM(debit), SUM(credit) FROM account_move_line')
            debit, credit = cursor.fetchone()
            return bills, amount, debit, credit
        bills, amount, debit, credit = in_transaction(totals)
        log(f"{bills} bills posted, {amount} in all; "
            f"moves: debit {debit} = credit {credit}")
        assert bills == args.units and debit == credit == amount
        baseline = bench_baseline(company, rates, unit_ids, args.sample)
        floor, counts = bench_floor()
        n = args.units
        ours_per_unit = total / n
        base_per_unit = baseline / args.sample
        log("")
        log(f"units                         {n}")
        log(f"compute                       {compute:8.1f} s  "
            f"{n / compute:9.0f} units/s")
        log(f"post                          {post:8.1f} s  "
            f"{n / post:9.0f} units/s")
        log(f"compute + post                {total:8.1f} s  "
            f"{n / total:9.0f} units/s  ({ours_per_unit * 1000:.3f} ms/unit)")
        log(f"baseline (invoice per unit)   {baseline:8.1f} s for "
            f"{args.sample} units ({base_per_unit * 1000:.1f} ms/unit)")
        log(f"floor (plain SQL insert)      {floor:8.1f} s for "
            + ', '.join(f'{v} {k}' for k, v in counts.items()))
        log(f"ratio vs baseline             {base_per_unit / ours_per_unit:8.1f}x "
            f"faster per unit (goal >= 20x)")
        log(f"ratio vs floor                {total / floor:8.1f}x the floor "
            f"(goal <= 5x)")
        log(f"goal 100,000 units < 60 s     "
            f"{'met' if n >= 100_000 and total < 60 else 'not shown'} "
            f"({total:.1f} s for {n})")


if __name__ == '__main__':
    main()
