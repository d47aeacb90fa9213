# This file is part of the pm suite (物业管理系统). See README.md.
"""Setup functions and helpers for the community shop scenarios."""
import datetime as dt
from decimal import Decimal

from proteus import Model
from trytond.modules.account.tests.tools import (
    create_chart, create_fiscalyear, get_accounts)
from trytond.modules.account_invoice.tests.tools import (
    set_fiscalyear_invoice_sequences)
from trytond.modules.company.tests.tools import get_company

__all__ = ['setup_accounting', 'server_call']


def setup_accounting(config):
    """Chart, the fiscal year of today with monthly periods and a tax-free
    service product for the shop's charge item"""
    company = get_company(config=config)
    create_chart(company, config=config)
    fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(
            company, dt.date.today(), config=config), config=config)
    fiscalyear.click('create_period')
    accounts = get_accounts(company, config=config)
    Category = Model.get('product.category', config=config)
    Uom = Model.get('product.uom', config=config)
    Template = Model.get('product.template', config=config)
    unit, = Uom.find([('name', '=', 'Unit')])
    plain = Category(name="代收费用", accounting=True)
    plain.account_revenue = accounts['revenue']
    plain.account_expense = accounts['expense']
    plain.save()
    template = Template(
        name="社区商城消费", type='service', default_uom=unit,
        list_price=Decimal(0), account_category=plain)
    template.save()


def server_call(config, func):
    """Run func(pool) in a transaction of the proteus config (its user and
    context), as the portal pages do; return its result"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError
    extras = {}
    while True:
        with Transaction().start(
                config.database_name, config.user,
                context=config.context, **extras) as transaction:
            try:
                result = func(Pool())
            except TransactionError as exception:
                # restarted holding the locks asked for (as trytond's
                # routes do)
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
        return result
