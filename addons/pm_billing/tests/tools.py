# This file is part of the pm suite (物业管理系统). See README.md.
"""Setup functions for billing scenarios (cached by activate_modules)."""
import datetime as dt
from decimal import Decimal

from proteus import Model
from trytond.modules.account.tests.tools import (
    create_chart, create_fiscalyear, create_tax, get_accounts)
from trytond.modules.account_invoice.tests.tools import (
    set_fiscalyear_invoice_sequences)
from trytond.modules.company.tests.tools import create_company, get_company
from trytond.modules.currency.tests.tools import get_currency

__all__ = ['setup_company', 'setup_accounting', 'BILLING_YEAR']

BILLING_YEAR = 2026


def setup_company(config):
    "A management company working in CNY"
    Party = Model.get('party.party', config=config)
    party = Party(name="锦华物业服务有限公司")
    party.save()
    create_company(party=party, currency=get_currency('CNY', config=config),
        config=config)


def setup_accounting(config):
    """Chart, the fiscal year of BILLING_YEAR with monthly periods, a 6% VAT
    on property services and service products for the charge items"""
    company = get_company(config=config)
    create_chart(company, config=config)
    fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(
            company,
            (dt.date(BILLING_YEAR, 1, 1), dt.date(BILLING_YEAR, 12, 31)),
            config=config), config=config)
    fiscalyear.click('create_period')
    accounts = get_accounts(company, config=config)
    tax = create_tax(Decimal('0.06'), company, config=config)
    tax.name = tax.description = "增值税 6%"
    tax.save()

    Category = Model.get('product.category', config=config)
    Uom = Model.get('product.uom', config=config)
    Template = Model.get('product.template', config=config)
    unit, = Uom.find([('name', '=', 'Unit')])
    taxed = Category(name="物业服务", accounting=True)
    taxed.account_revenue = accounts['revenue']
    taxed.account_expense = accounts['expense']
    taxed.customer_taxes.append(tax)
    taxed.save()
    plain = Category(name="代收费用", accounting=True)
    plain.account_revenue = accounts['revenue']
    plain.account_expense = accounts['expense']
    plain.save()
    for name, category in [
            ("物业服务费", taxed), ("水费", plain), ("公摊电费", plain),
            ("电费", plain), ("固定费用", plain)]:
        template = Template(
            name=name, type='service', default_uom=unit,
            list_price=Decimal(0), account_category=category)
        template.save()
