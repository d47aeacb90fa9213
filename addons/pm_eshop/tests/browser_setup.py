# This file is part of the pm suite (物业管理系统). See README.md.
"""Prepare the shop's browser test: a database (file) with pm_eshop and
pm_portal (from the test database cache of the scenarios when it is there),
a resident with a portal account, a shop with a service and its time
slots, a shop manager user.

    DB_NAME=<name> TRYTOND_DATABASE__PATH=<dir> python browser_setup.py
    → JSON on stdout (last line)
"""
import datetime as dt
import json
from decimal import Decimal

RESIDENT = ('bing@example.com', 'bing-2026-secret')
MANAGER = ('shopmanager', 'manager-2026-secret')


def main():
    from proteus import Model
    from trytond.modules.account.tests.tools import get_accounts
    from trytond.modules.company.tests.tools import get_company
    from trytond.modules.pm_billing.tests.tools import setup_company
    from trytond.modules.pm_eshop.tests.tools import setup_accounting
    from trytond.tests.tools import activate_modules

    config = activate_modules(
        ['pm_eshop', 'pm_portal'], setup_company, setup_accounting)
    company = get_company()
    accounts = get_accounts(company)

    Estate = Model.get('pm.estate')
    Building = Model.get('pm.building')
    Unit = Model.get('pm.unit')
    Party = Model.get('party.party')
    Occupancy = Model.get('pm.occupancy')
    WebUser = Model.get('web.user')
    estate = Estate(name="翠湖花园", code='CH')
    estate.save()
    building = Building(estate=estate, code='2', name="2栋")
    building.save()
    unit = Unit(building=building, code='2-1-301',
        built_area=Decimal('88.00'), delivery_date=dt.date(2020, 1, 1))
    unit.save()
    bing = Party(name="丙")
    bing.save()
    Occupancy(unit=unit, party=bing, role='owner',
        start_date=dt.date(2020, 1, 1)).save()
    WebUser(email=RESIDENT[0], password=RESIDENT[1], party=bing,
        portal_company=company).save()

    Item = Model.get('pm.charge.item')
    Product = Model.get('product.product')
    charge_product, = Product.find([('name', '=', "社区商城消费")])
    item = Item(code='SC', name="社区商城", product=charge_product)
    item.save()

    Merchant = Model.get('pm.eshop.merchant')
    Category = Model.get('product.category')
    Uom = Model.get('product.uom')
    Template = Model.get('product.template')
    cleaning_party = Party(name="好帮手家政")
    cleaning_party.save()
    cleaning = Merchant(party=cleaning_party, name="好帮手家政",
        commission_rate=Decimal('0.08'))
    cleaning.save()
    piece, = Uom.find([('name', '=', 'Unit')])
    account_category = Category(name="商城商品", accounting=True)
    account_category.account_revenue = accounts['revenue']
    account_category.account_expense = accounts['expense']
    account_category.save()
    home = Category(name="家政服务")
    home.save()
    template = Template(name="家政保洁 2小时", type='service',
        default_uom=piece, list_price=Decimal('120.00'), salable=True,
        account_category=account_category, eshop_merchant=cleaning)
    template.categories.append(Category(home.id))
    template.save()
    service = template.products[0]

    Location = Model.get('stock.location')
    warehouse, = Location.find([('type', '=', 'warehouse')])
    Shop = Model.get('web.shop')
    shop = Shop(name="翠湖花园社区商城", type='pm_eshop')
    shop.warehouses.append(Location(warehouse.id))
    shop.pm_estates.append(Estate(estate.id))
    shop.pm_account_charge = True
    shop.pm_charge_item = item
    shop.products.append(Product(service.id))
    shop.categories.append(Category(home.id))
    shop.save()
    Slot = Model.get('pm.eshop.time_slot')
    Slot(shop=shop, name="上午", start_time=dt.time(9),
        end_time=dt.time(11), capacity=5).save()
    Slot(shop=shop, name="下午", start_time=dt.time(14),
        end_time=dt.time(16), capacity=5).save()

    User = Model.get('res.user')
    Group = Model.get('res.group')
    manager = User(name="商城店长", login=MANAGER[0], password=MANAGER[1])
    manager.groups.extend(Group.find([('name', 'in',
                    ['Sales', 'Stock', 'Community Shop Manager'])]))
    manager.companies.append(company)
    manager.company = company
    manager.save()
    del config
    print(json.dumps({'shop': shop.id, 'service': service.id,
                'unit': unit.id}))


if __name__ == '__main__':
    main()
