#!/usr/bin/env python3
# This file is part of the pm suite (物业管理系统). See README.md.
"""Benchmark of a bank direct-debit return file on PostgreSQL.

    .venv/bin/python bench/collection.py [--units 100000] [--sample 300]

Builds the dataset of the billing benchmark (bench/billing.py: N units with
four charges, the month billed and posted), gives every unit's billing party
a direct-debit mandate, generates and exports the collection, then prints,
measured in the same run:

* import: wall seconds and payments/s of importing the bank's return file
  with a success for every debit (`pm.bank.collection.import_return_file`:
  validate every row, post a receipt per debit with its gap-less number,
  the move, and reconcile the bills paid in full);
* baseline: the same payments made one by one through the cashier-desk API
  (a receipt created and posted in its own transaction, as a cashier does),
  on a sample of units; the ratio is baseline seconds per payment / ours.
"""
import argparse
import datetime as dt
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'scripts'))

import billing  # noqa: E402
from billing import DATABASE, in_transaction, log  # noqa: E402
from pgcluster import pg_cluster  # noqa: E402

DATE = dt.date(2026, 12, 5)


def setup_collection(company):
    "Cash method, a CSV layout and a mandate per unit (COPY)"
    from trytond.pool import Pool
    from trytond.modules.pm_billing.sqlbulk import (
        allocate_ids, audit_values, bulk_insert)
    from trytond.transaction import Transaction
    pool = Pool(DATABASE)
    Method = pool.get('pm.payment.method')
    Layout = pool.get('pm.bank.layout')
    Mandate = pool.get('pm.bank.mandate')
    Journal = pool.get('account.journal')
    Account = pool.get('account.account')
    Config = pool.get('pm.configuration')
    journal, = Journal.search([('type', '=', 'cash')], limit=1)
    cash, = Account.search([
            ('company', '=', company), ('code', '=', '1.1.1')], limit=1)
    payable, = Account.search([
            ('company', '=', company), ('type.payable', '=', True),
            ('party_required', '=', True)], limit=1)
    config = Config(1)
    config.prepayment_account = payable
    config.save()
    method, = Method.create([{
                'company': company, 'name': '银行托收', 'code': 'TS',
                'journal': journal.id, 'account': cash.id}])
    layout, = Layout.create([{
                'name': 'bench', 'format': 'csv', 'encoding': 'gbk',
                'delimiter': ',', 'header': False,
                'success_values': '0000', 'method': method.id,
                'fields_': [('create', [
                            {'sequence': i, 'name': n}
                            for i, n in enumerate([
                                    'reference', 'account_number', 'holder',
                                    'amount_cents'])])],
                'return_fields': [('create', [
                            {'sequence': i, 'name': n, 'direction': 'return'}
                            for i, n in enumerate([
                                    'reference', 'amount_cents', 'status',
                                    'reason'])])],
                }])
    cursor = Transaction().connection.cursor()
    cursor.execute('SELECT u.id, u.billing_party, p.name FROM pm_unit u '
        'JOIN party_party p ON p.id = u.billing_party ORDER BY u.id')
    units = cursor.fetchall()
    uid, now = audit_values()
    ids = allocate_ids(Mandate._table, len(units))
    bulk_insert(Mandate._table, [
            'id', 'company', 'reference', 'party', 'unit', 'bank_name',
            'account_number', 'holder', 'active', 'create_uid',
            'create_date'],
        [(i, company, 'M%07d' % i, party, unit, '工商银行',
                '622200%010d' % unit, name, True, uid, now)
            for i, (unit, party, name) in zip(ids, units)])
    return method.id, layout.id, [u for u, _, _ in units]


def bench_baseline(company, method_id, unit_ids):
    "Each sample unit's bill paid at the desk, one transaction each"
    from trytond.pool import Pool
    pool = Pool(DATABASE)
    Bill = pool.get('pm.bill')
    Receipt = pool.get('pm.receipt')
    Line = pool.get('pm.receipt.line')

    def pay(unit_id):
        bill, = Bill.search([('unit', '=', unit_id),
                ('state', '=', 'posted')], limit=1)
        unpaid = Bill.get_unpaid_amount([bill])[bill.id]
        receipt = Receipt(company=company, party=bill.party,
            unit=bill.unit, date=DATE, method=method_id,
            currency=bill.currency, amount=unpaid,
            lines=[Line(bill=bill, amount=unpaid)])
        receipt.save()
        Receipt.post([receipt])
    start = time.perf_counter()
    for unit_id in unit_ids:
        in_transaction(pay, unit_id, context={'company': company})
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--units', type=int, default=100_000)
    parser.add_argument('--sample', type=int, default=300,
        help="payments made one by one at the desk for the baseline")
    parser.add_argument('--profile', action='store_true',
        help="print the functions the import spends its time in")
    args = parser.parse_args()
    with pg_cluster() as uri, tempfile.TemporaryDirectory() as tmp:
        company, _, unit_ids = billing.prepare(uri, tmp, args.units)
        compute, post, run_id = billing.bench_run(company)
        log(f"billed and posted in {compute + post:.1f} s")
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool(DATABASE)
        method_id, layout_id, units = in_transaction(
            setup_collection, company, context={'company': company})
        sample = units[:args.sample]
        baseline = bench_baseline(company, method_id, sample)
        log(f"baseline: {len(sample)} payments at the desk in "
            f"{baseline:.1f} s")
        Collection = pool.get('pm.bank.collection')

        def create():
            collection, = Collection.create([{
                        'company': company, 'number': 'TS202612',
                        'layout': layout_id, 'date': DATE,
                        'due_date': dt.date(2026, 12, 31)}])
            Collection.generate([collection])
            Collection.export([collection])
            return collection.id
        t0 = time.perf_counter()
        collection_id = in_transaction(create, context={'company': company})
        log(f"collection generated and exported in "
            f"{time.perf_counter() - t0:.1f} s")

        def return_file():
            collection = Collection(collection_id)
            lines = collection.file.decode('gbk').splitlines()
            return ''.join('%s,%s,0000,\r\n' % (
                    row.split(',')[0], row.split(',')[3])
                for row in lines).encode('gbk'), len(lines)
        data, count = in_transaction(return_file,
            context={'company': company})

        def import_():
            return Collection(collection_id).import_return_file(
                data, 'return.csv')
        t0 = time.perf_counter()
        if args.profile:
            import cProfile
            import pstats
            profile = cProfile.Profile()
            profile.enable()
        paid, failed, already = in_transaction(
            import_, context={'company': company})
        seconds = time.perf_counter() - t0
        if args.profile:
            profile.disable()
            pstats.Stats(profile).sort_stats('cumulative').print_stats(30)

        def check():
            cursor = Transaction().connection.cursor()
            cursor.execute('SELECT COUNT(*) FROM pm_bill WHERE run = %s '
                'AND receivable_line IN (SELECT id FROM account_move_line '
                'WHERE reconciliation IS NOT NULL)', (run_id,))
            reconciled, = cursor.fetchone()
            cursor.execute(
                'SELECT SUM(debit), SUM(credit) FROM account_move_line')
            debit, credit = cursor.fetchone()
            return reconciled, debit, credit
        reconciled, debit, credit = in_transaction(check)
        assert paid == count and not failed, (paid, failed, count)
        assert debit == credit, (debit, credit)
        ours = seconds / paid
        theirs = baseline / len(sample)
        log("")
        log(f"debits in the return file     {count}")
        log(f"import, post and reconcile    {seconds:8.1f} s  "
            f"{paid / seconds:9.0f} payments/s  "
            f"({ours * 1000:.3f} ms/payment)")
        log(f"bills reconciled              {reconciled} "
            f"(+ {len(sample)} paid at the desk)")
        log(f"baseline (desk, one by one)   {baseline:8.1f} s for "
            f"{len(sample)} payments ({theirs * 1000:.1f} ms/payment)")
        log(f"ratio baseline / ours         {theirs / ours:8.1f} x")
        log(f"moves balance: debit {debit} = credit {credit}")


if __name__ == '__main__':
    main()
