# This file is part of the pm suite (物业管理系统). See README.md.
"""Setup functions for the onboarding scenarios (cached by activate_modules).

The scenarios activate pm_account_cn beside pm_onboarding so that the
opening balances are posted on the chart of property-management companies
and the balance sheet can be read from its account types."""
import datetime as dt
from decimal import Decimal

from proteus import Model
from trytond.modules.account.tests.tools import create_fiscalyear
from trytond.modules.account_invoice.tests.tools import (
    set_fiscalyear_invoice_sequences)
from trytond.modules.company.tests.tools import get_company
from trytond.modules.pm_account_cn.tests.tools import (
    create_chart, get_accounts)
from trytond.modules.pm_billing.tests.tools import setup_company

__all__ = ['setup_company', 'setup_onboarding', 'YEAR']

YEAR = 2026


def setup_onboarding(config):
    """Chart, fiscal year with monthly periods, two charge items with their
    rates, a cash method and the opening balance method (期初建账) on 4104"""
    company = get_company(config=config)
    create_chart(company, config=config)
    fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(
            company, (dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)),
            config=config), config=config)
    fiscalyear.click('create_period')
    accounts = get_accounts(company, config=config)
    Category = Model.get('product.category', config=config)
    Uom = Model.get('product.uom', config=config)
    Template = Model.get('product.template', config=config)
    Item = Model.get('pm.charge.item', config=config)
    Rate = Model.get('pm.charge.rate', config=config)
    unit, = Uom.find([('name', '=', 'Unit')])
    category = Category(name="物业服务", accounting=True)
    category.account_revenue = accounts['600101']
    category.account_expense = accounts['6401']
    category.save()
    items = {}
    for code, name, category_ in [
            ('WYF', "物业服务费", 'property'), ('SF', "水费", 'utility')]:
        template = Template(name=name, type='service', default_uom=unit,
            list_price=Decimal(0), account_category=category)
        template.save()
        item = Item(code=code, name=name, category=category_,
            product=template.products[0])
        item.save()
        items[code] = item
    Rate(charge_item=items['WYF'], name="住宅物业费 2.50元/㎡",
        method='chargeable_area', unit_price=Decimal('2.50')).save()
    Rate(charge_item=items['SF'], name="居民水费", method='metered',
        meter_type='water', unit_price=Decimal('3.65')).save()
    Rate(charge_item=items['SF'], name="公摊水费", method='shared_meter',
        meter_type='water', unit_price=Decimal('3.65')).save()
    Journal = Model.get('account.journal', config=config)
    Method = Model.get('pm.payment.method', config=config)
    journal, = Journal.find([('type', '=', 'cash')], limit=1)
    Method(name="现金", code='CASH', journal=journal,
        account=accounts['1001']).save()
    opening = Method(name="期初建账", code='QC', journal=journal,
        account=accounts['4104'])
    opening.save()
    Configuration = Model.get('pm.configuration', config=config)
    configuration = Configuration(1)
    configuration.prepayment_account = accounts['220301']
    configuration.deposit_account = accounts['224101']
    configuration.opening_method = opening
    configuration.save()
