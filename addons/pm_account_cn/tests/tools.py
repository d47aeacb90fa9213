# This file is part of the pm suite (物业管理系统). See README.md.
"""Proteus helpers for the scenarios of modules using the pm_account_cn chart.

Usage in a scenario (create_chart works as an activate_modules setup
function, so DB_CACHE keeps the database with the chart)::

    config = activate_modules(
        'pm_billing', partial(create_company, currency='CNY'), create_chart)
    accounts = get_accounts()   # accounts['600101'], accounts['receivable']
    taxes = get_taxes()         # taxes['tax_vat_output_6']
"""
from proteus import Model
from proteus.config import get_config
from trytond.modules.account.tests.tools import (
    create_chart as _create_chart)
from trytond.modules.company.tests.tools import get_company

__all__ = [
    'CHART', 'CHART_NAME', 'TAXES', 'create_chart', 'get_accounts',
    'get_taxes']

#: XML id of the root account template (account.create_chart).
CHART = 'pm_account_cn.account_template_root'
#: Name of the root account template, as shown in the wizard.
CHART_NAME = "物业管理企业会计科目表（企业会计准则）"
#: XML ids (in pm_account_cn) of the VAT tax templates.
TAXES = [
    'tax_vat_output_6', 'tax_vat_output_9', 'tax_vat_output_13',
    'tax_vat_output_simple_3', 'tax_vat_output_simple_5',
    'tax_vat_input_13', 'tax_vat_input_9', 'tax_vat_input_6',
    ]
#: Accounts returned by get_accounts under a kind name, besides their code.
KINDS = {
    'receivable': '1122',
    'payable': '2202',
    'revenue': '600101',
    'expense': '6401',
    'cash': '1001',
    'bank': '100201',
    'tax': '22210101',
    'tax_input': '22210102',
    'prepayment': '220301',
    'deposit': '224101',
    }


def create_chart(company=None, config=None):
    """Create the pm_account_cn chart for the company.

    The account.create_chart wizard is answered with 1122 / 2202 as default
    receivable / payable and, if account_product is activated, 600101 / 6401
    as default category revenue / expense accounts."""
    return _create_chart(company=company, chart=CHART, config=config)


def get_accounts(company=None, config=None):
    "Return the company's accounts by code and by kind (see KINDS)"
    Account = Model.get('account.account', config=config)
    if not company:
        company = get_company(config=config)
    accounts = {a.code: a for a in Account.find([
                ('company', '=', company.id),
                ('code', '!=', None),
                ])}
    for kind, code in KINDS.items():
        accounts[kind] = accounts[code]
    return accounts


def get_taxes(company=None, config=None):
    "Return the company's taxes by the XML id of their template"
    if config is None:
        config = get_config()
    Tax = Model.get('account.tax', config=config)
    ModelData = Model.get('ir.model.data', config=config)
    if not company:
        company = get_company(config=config)
    taxes = {}
    for xml_id in TAXES:
        template_id = ModelData.get_id('pm_account_cn', xml_id, config.context)
        taxes[xml_id], = Tax.find([
                ('company', '=', company.id),
                ('template', '=', template_id),
                ])
    return taxes
