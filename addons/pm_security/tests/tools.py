# This file is part of the pm suite (物业管理系统). See README.md.
"""Setup functions for the security scenarios (cached by activate_modules)."""
from proteus import Model
from trytond.modules.company.tests.tools import create_company, get_company
from trytond.modules.currency.tests.tools import get_currency

__all__ = ['setup_company']


def setup_company(config):
    "A management company working in CNY, in the time zone of Shanghai"
    Party = Model.get('party.party', config=config)
    party = Party(name="锦华物业服务有限公司")
    party.save()
    create_company(party=party, currency=get_currency('CNY', config=config),
        config=config)
    company = get_company(config=config)
    company.timezone = 'Asia/Shanghai'
    company.save()
