"""Collection under concurrency and crashes, on a real PostgreSQL server.

    TRYTOND_DATABASE_URI=postgresql://… DB_NAME=… python tests/pg_collection_reliability.py

Run by tests/test_postgresql.py inside a throw-away server. Prints one line
per check ("race: …", "kill: …") and exits non-zero when a check fails:

* race: two cashiers (two threads, two database connections) pay the whole
  of the same bill at the same moment. The first holds the bill's row lock
  until it commits; the second cannot write a line on the locked bill (or
  take its lock) before that commit, then sees nothing left to pay and gets
  the translated "only 0.00 is unpaid" message. The bill is paid once.
* kill: a process importing a bank return file is killed (SIGKILL) after
  it posted part of the receipts, before its commit: nothing of the import
  is left; importing the file again posts all of it.
"""
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

DB_NAME = os.environ['DB_NAME']
# trytond reads its configuration from TRYTOND_<SECTION>__<OPTION> when it is
# imported: the backend must be PostgreSQL before anything imports it
os.environ['TRYTOND_DATABASE__URI'] = os.environ['TRYTOND_DATABASE_URI']
UNITS = 20
MARKER = Path(os.environ.get('PM_MARKER', '/tmp/pm-kill-marker'))


def setup():
    "A company, a posted month of UNITS bills, cash, a direct debit batch"
    from proteus import Model
    from trytond.modules.account.tests.tools import get_accounts
    from trytond.modules.company.tests.tools import get_company
    from trytond.modules.pm_billing.tests.tools import (
        setup_company, setup_accounting)
    from trytond.tests.tools import activate_modules
    config = activate_modules('pm_billing', setup_company, setup_accounting)
    company = get_company()
    accounts = get_accounts(company)
    Estate = Model.get('pm.estate')
    Building = Model.get('pm.building')
    Unit = Model.get('pm.unit')
    Party = Model.get('party.party')
    Occupancy = Model.get('pm.occupancy')
    Product = Model.get('product.product')
    Item = Model.get('pm.charge.item')
    Rate = Model.get('pm.charge.rate')
    Assignment = Model.get('pm.charge.assignment')
    estate = Estate(name="并发花园", code='BF')
    estate.save()
    building = Building(estate=estate, code='1', name="1栋")
    building.save()
    product, = Product.find([('name', '=', "固定费用")])
    item = Item(code='GD', name="固定费用", product=product)
    item.save()
    rate = Rate(charge_item=item, name="100元/月", method='fixed',
        unit_price=Decimal('100.00'), due_rule='after_start', due_days=14)
    rate.save()
    Mandate = Model.get('pm.bank.mandate')
    for i in range(UNITS):
        unit = Unit(building=building, code='1-%03d' % i,
            built_area=Decimal(80), delivery_date=dt.date(2020, 1, 1))
        unit.save()
        owner = Party(name="业主%02d" % i)
        owner.save()
        Occupancy(unit=unit, party=owner, role='owner',
            start_date=dt.date(2020, 1, 1)).save()
        Assignment(rate=rate, unit=unit,
            start_date=dt.date(2026, 10, 1)).save()
        Mandate(reference='M%03d' % i, party=owner, unit=unit,
            bank_name="工商银行", account_number='62220000%08d' % i,
            holder=owner.name).save()
    Run = Model.get('pm.billing.run')
    run = Run(name="2026-10", date_start=dt.date(2026, 10, 1))
    run.save()
    run.click('compute')
    run.click('post')
    Journal = Model.get('account.journal')
    Method = Model.get('pm.payment.method')
    cash_journal, = Journal.find([('type', '=', 'cash')], limit=1)
    cash = Method(name="现金", code='CASH', journal=cash_journal,
        account=accounts['cash'])
    cash.save()
    # the debit of the bill paid at the desk during the race is prepaid
    prepayment, = accounts['payable'].duplicate(
        default={'name': "预收账款-预存款"})
    Configuration = Model.get('pm.configuration')
    configuration = Configuration(1)
    configuration.prepayment_account = prepayment
    configuration.save()
    Layout = Model.get('pm.bank.layout')
    layout = Layout(name="CSV", format='csv', encoding='utf-8',
        delimiter=',', header=False, success_values='0000', method=cash)
    for name in ['reference', 'amount_cents']:
        layout.fields_.new(name=name)
    for name in ['reference', 'amount_cents', 'status', 'reason']:
        layout.return_fields.new(name=name, direction='return')
    layout.save()
    Collection = Model.get('pm.bank.collection')
    collection = Collection(number='TS1', layout=layout,
        due_date=dt.date(2026, 10, 31), date=dt.date(2026, 11, 5))
    collection.save()
    collection.click('generate')
    collection.click('export')
    return config, company.id, cash.id, collection.id


def call(func, context, attempts=50):
    """Run func in a transaction like trytond's dispatcher: restart it to
    take the locks it asks for, retry while a lock is not available"""
    from trytond import backend
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    for attempt in range(attempts):
        try:
            with Transaction().start(DB_NAME, 1, context=context,
                    **extras) as transaction:
                try:
                    result = func()
                except TransactionError as exception:
                    transaction.rollback()
                    exception.fix(extras)
                    continue
                transaction.commit()
                return result
        except backend.DatabaseOperationalError:
            # the lock is held by another transaction: try again
            time.sleep(0.05)
    raise RuntimeError('gave up after %s attempts' % attempts)


def race(company_id, method_id):
    from trytond.exceptions import UserError
    from trytond.pool import Pool
    pool = Pool(DB_NAME)
    context = {'company': company_id, 'language': 'en'}
    Bill = pool.get('pm.bill')
    with_lock = threading.Event()
    times = {}
    results = {}

    def get_bill():
        bill, = Bill.search([], order=[('id', 'ASC')], limit=1)
        return bill.id
    bill_id = call(get_bill, context)

    def pay(name, hold):
        Receipt = pool.get('pm.receipt')
        Line = pool.get('pm.receipt.line')

        def func():
            bill = Bill(bill_id)
            receipt = Receipt(company=company_id, party=bill.party,
                unit=bill.unit, date=dt.date(2026, 11, 1),
                method=method_id, currency=bill.currency,
                amount=Decimal('100.00'),
                lines=[Line(bill=bill, amount=Decimal('100.00'))])
            receipt.save()
            Receipt.post([receipt])
            if hold:
                # the other cashier starts while this one holds the bill
                with_lock.set()
                time.sleep(2)
                times['A commit'] = time.monotonic()
            return receipt.number
        try:
            results[name] = ('ok', call(func, context))
        except UserError as error:
            results[name] = ('refused', error.message)
        times[name + ' end'] = time.monotonic()

    first = threading.Thread(target=pay, args=('A', True))
    first.start()
    with_lock.wait(60)
    times['B start'] = time.monotonic()
    other = threading.Thread(target=pay, args=('B', False))
    other.start()
    first.join(120)
    other.join(120)

    def paid():
        Line = pool.get('pm.receipt.line')
        lines = Line.search([('bill', '=', bill_id)])
        return sum(l.amount for l in lines), Bill(bill_id).unpaid_amount
    total, unpaid = call(paid, context)
    from trytond import backend
    assert backend.name == 'postgresql', backend.name
    # B started while A held the bill and could not pay before A committed
    waited = (times.get('B start', 0) < times.get('A commit', 0)
        < times.get('B end', 0))
    ok = (results.get('A', ('',))[0] == 'ok'
        and results.get('B', ('',))[0] == 'refused'
        and 'only 0.00 is unpaid' in results['B'][1]
        and waited
        and total == Decimal('100.00') and unpaid == Decimal('0.00'))
    print('race: A=%s B=%s B waited for A=%s paid=%s unpaid=%s -> %s' % (
            results.get('A'), results.get('B'), waited, total,
            unpaid, 'OK' if ok else 'FAIL'))
    return ok


def return_file(collection_id, company_id):
    from trytond.pool import Pool
    pool = Pool(DB_NAME)
    Collection = pool.get('pm.bank.collection')

    def func():
        collection = Collection(collection_id)
        return ''.join('%s,%s,0000,\r\n' % (
                l.reference, int(l.amount * 100))
            for l in collection.lines).encode('utf-8')
    return call(func, {'company': company_id})


def kill_child(collection_id, company_id):
    "Import the return file; pause before the commit (the parent kills us)"
    from trytond.pool import Pool
    pool = Pool(DB_NAME)
    pool.init()
    Receipt = pool.get('pm.receipt')
    Collection = pool.get('pm.bank.collection')
    original = Receipt.bulk_post.__func__

    def bulk_post(cls, *args, **kwargs):
        result = original(cls, *args, **kwargs)
        MARKER.write_text(str(len(result)))
        time.sleep(600)
    Receipt.bulk_post = classmethod(bulk_post)
    data = return_file(collection_id, company_id)

    def func():
        return Collection(collection_id).import_return_file(data, 'r.csv')
    call(func, {'company': company_id})


def kill(collection_id, company_id):
    from trytond.pool import Pool
    pool = Pool(DB_NAME)
    MARKER.unlink(missing_ok=True)
    child = subprocess.Popen(
        [sys.executable, __file__, 'kill-child', str(collection_id),
            str(company_id)], env=os.environ)
    for _ in range(600):
        if MARKER.exists() or child.poll() is not None:
            break
        time.sleep(0.1)
    posted_in_child = MARKER.read_text() if MARKER.exists() else None
    child.send_signal(signal.SIGKILL)
    child.wait()
    Collection = pool.get('pm.bank.collection')
    Receipt = pool.get('pm.receipt')

    def state():
        collection = Collection(collection_id)
        return (len(Receipt.search([])),
            sorted({l.state for l in collection.lines}))
    after_kill = call(state, {'company': company_id})
    data = return_file(collection_id, company_id)

    def again():
        return Collection(collection_id).import_return_file(data, 'r.csv')
    counts = call(again, {'company': company_id})
    after = call(state, {'company': company_id})
    ok = (posted_in_child is not None
        and after_kill == (1, ['pending'])  # the receipt of the race only
        and counts == (UNITS, 0, 0)
        and after == (UNITS + 1, ['paid']))
    print('kill: child posted %s receipts then was killed; after the kill '
        '%s; re-import %s; after %s -> %s' % (posted_in_child, after_kill,
            counts, after, 'OK' if ok else 'FAIL'))
    return ok


def main():
    if len(sys.argv) > 1 and sys.argv[1] == 'kill-child':
        # trytond's test module configures the database from the environment
        import trytond.tests.test_tryton  # noqa: F401
        kill_child(int(sys.argv[2]), int(sys.argv[3]))
        return 0
    config, company_id, method_id, collection_id = setup()
    results = [race(company_id, method_id)]
    if not os.environ.get('PM_ONLY_RACE'):
        results.append(kill(collection_id, company_id))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
