# This file is part of the pm suite (物业管理系统). See README.md.
"""Setup functions for the pm_hr scenarios (cached by activate_modules).

The scenarios activate pm_account_cn beside pm_hr to post the payroll on
the chart of property-management companies."""
import datetime as dt

from proteus import Model
from trytond.modules.account.tests.tools import create_fiscalyear
from trytond.modules.company.tests.tools import create_company, get_company
from trytond.modules.currency.tests.tools import get_currency
from trytond.modules.pm_account_cn.tests.tools import create_chart

__all__ = ['setup_company', 'setup_accounting', 'PAYROLL_YEAR']

PAYROLL_YEAR = 2026


def setup_company(config):
    "A management company working in CNY"
    Party = Model.get('party.party', config=config)
    party = Party(name="锦华物业服务有限公司")
    party.save()
    create_company(party=party, currency=get_currency('CNY', config=config),
        config=config)


def setup_accounting(config):
    "The pm_account_cn chart and the fiscal year with monthly periods"
    company = get_company(config=config)
    create_chart(company, config=config)
    fiscalyear = create_fiscalyear(
        company,
        (dt.date(PAYROLL_YEAR, 1, 1), dt.date(PAYROLL_YEAR, 12, 31)),
        config=config)
    fiscalyear.save()
    fiscalyear.click('create_period')
