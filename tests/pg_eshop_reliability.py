"""The community shop's last place, booked twice at once, on PostgreSQL.

    TRYTOND_DATABASE_URI=postgresql://… DB_NAME=… python tests/pg_eshop_reliability.py

Run by tests/test_postgresql.py inside a throw-away server. Prints one line
("slot: …") and exits non-zero when the check fails:

* slot: a delivery time slot has one place left. Resident A checks out and
  holds the transaction open; resident B checks out meanwhile (two threads,
  two database connections). B cannot book before A commits (the slot is
  locked), then counts A's order and gets the translated "fully booked"
  message: one order in the slot, not two.
"""
import datetime as dt
import os
import sys
import threading
import time
from decimal import Decimal

DB_NAME = os.environ['DB_NAME']
# trytond reads its configuration from TRYTOND_<SECTION>__<OPTION> when it is
# imported: the backend must be PostgreSQL before anything imports it
os.environ['TRYTOND_DATABASE__URI'] = os.environ['TRYTOND_DATABASE_URI']

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pg_collection_reliability import call  # noqa: E402


def setup():
    "A company, an estate with two residents, a shop, a slot of 1 place"
    from proteus import Model
    from trytond.modules.account.tests.tools import get_accounts
    from trytond.modules.company.tests.tools import get_company
    from trytond.modules.pm_billing.tests.tools import setup_company
    from trytond.modules.pm_eshop.tests.tools import setup_accounting
    from trytond.tests.tools import activate_modules
    activate_modules('pm_eshop', setup_company, setup_accounting)
    company = get_company()
    accounts = get_accounts(company)
    Estate = Model.get('pm.estate')
    Building = Model.get('pm.building')
    Unit = Model.get('pm.unit')
    Party = Model.get('party.party')
    Occupancy = Model.get('pm.occupancy')
    estate = Estate(name="并发花园", code='BF')
    estate.save()
    building = Building(estate=estate, code='1', name="1栋")
    building.save()
    residents = []
    for code, name in [('1-101', "甲"), ('1-102', "乙")]:
        unit = Unit(building=building, code=code, built_area=Decimal(90),
            delivery_date=dt.date(2020, 1, 1))
        unit.save()
        party = Party(name=name)
        party.save()
        Occupancy(unit=unit, party=party, role='owner',
            start_date=dt.date(2020, 1, 1)).save()
        residents.append((party.id, unit.id))
    Category = Model.get('product.category')
    Uom = Model.get('product.uom')
    Template = Model.get('product.template')
    Location = Model.get('stock.location')
    Shop = Model.get('web.shop')
    Slot = Model.get('pm.eshop.time_slot')
    category = Category(name="商城服务", accounting=True)
    category.account_revenue = accounts['revenue']
    category.account_expense = accounts['expense']
    category.save()
    template = Template(name="家政保洁 2小时", type='service',
        default_uom=Uom.find([('name', '=', 'Unit')])[0],
        list_price=Decimal('120.00'), salable=True,
        account_category=category)
    template.save()
    product = template.products[0]
    warehouse, = Location.find([('type', '=', 'warehouse')])
    shop = Shop(name="并发花园社区商城", type='pm_eshop')
    shop.warehouses.append(Location(warehouse.id))
    shop.pm_estates.append(Estate(estate.id))
    Product = Model.get('product.product')
    shop.products.append(Product(product.id))
    shop.save()
    slot = Slot(shop=shop, name="下午", start_time=dt.time(14),
        end_time=dt.time(16), capacity=1)
    slot.save()
    return company.id, shop.id, slot.id, product.id, residents


def race(company_id, shop_id, slot_id, product_id, residents):
    from trytond import backend
    from trytond.exceptions import UserError
    from trytond.pool import Pool
    pool = Pool(DB_NAME)
    context = {'company': company_id, 'language': 'en'}
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    a_booked = threading.Event()
    times, results = {}, {}

    def checkout(name, party_id, unit_id, hold):
        Sale = pool.get('sale.sale')

        def func():
            sale = Sale.eshop_checkout(
                pool.get('web.shop')(shop_id), pool.get('party.party')(
                    party_id), pool.get('pm.unit')(unit_id),
                [(pool.get('product.product')(product_id), 1)], tomorrow,
                pool.get('pm.eshop.time_slot')(slot_id), 'online', None)
            if hold:
                # B checks out while A's order is not committed
                a_booked.set()
                time.sleep(2)
                times['A commit'] = time.monotonic()
            return sale.number or sale.id
        try:
            results[name] = ('ok', call(func, context))
        except UserError as error:
            results[name] = ('refused', error.message)
        times[name + ' end'] = time.monotonic()

    (a_party, a_unit), (b_party, b_unit) = residents
    first = threading.Thread(target=checkout,
        args=('A', a_party, a_unit, True))
    first.start()
    a_booked.wait(120)
    times['B start'] = time.monotonic()
    other = threading.Thread(target=checkout,
        args=('B', b_party, b_unit, False))
    other.start()
    first.join(180)
    other.join(180)

    def booked():
        Sale = pool.get('sale.sale')
        return Sale.search_count([
                ('eshop_time_slot', '=', slot_id),
                ('eshop_date', '=', tomorrow),
                ('eshop_state', 'not in', ['cancelled', 'refunded'])])
    count = call(booked, context)
    assert backend.name == 'postgresql', backend.name
    waited = (times.get('B start', 0) < times.get('A commit', 0)
        < times.get('B end', 0))
    ok = (results.get('A', ('',))[0] == 'ok'
        and results.get('B', ('',))[0] == 'refused'
        and 'is fully booked' in results['B'][1]
        and waited and count == 1)
    print('slot: A=%s B=%s B waited for A=%s orders in the slot=%s -> %s' % (
            results.get('A'), results.get('B'), waited, count,
            'OK' if ok else 'FAIL'))
    return ok


def main():
    return 0 if race(*setup()) else 1


if __name__ == '__main__':
    sys.exit(main())
