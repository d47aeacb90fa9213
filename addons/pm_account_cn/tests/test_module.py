# This file is part of the pm suite (物业管理系统). See README.md.
from decimal import Decimal

from trytond.modules.account.tests import create_chart
from trytond.modules.company.tests import create_company, set_company
from trytond.modules.currency.tests import create_currency
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

CHART = 'pm_account_cn.account_template_root'


class PmAccountCnTestCase(ModuleTestCase):
    "Test pm_account_cn module"
    module = 'pm_account_cn'
    extras = ['account_product']

    def _root(self):
        pool = Pool()
        AccountTemplate = pool.get('account.account.template')
        ModelData = pool.get('ir.model.data')
        return AccountTemplate(
            ModelData.get_id('pm_account_cn', 'account_template_root'))

    @with_transaction()
    def test_account_templates(self):
        "Account templates are consistent"
        pool = Pool()
        AccountTemplate = pool.get('account.account.template')
        root = self._root()
        templates = AccountTemplate.search([
                ('parent', 'child_of', [root.id]),
                ('id', '!=', root.id),
                ])
        codes = [t.code for t in templates]
        self.assertEqual(len(codes), len(set(codes)))
        self.assertNotIn(None, codes)
        for template in templates:
            with self.subTest(code=template.code):
                # the code of a sub-account extends the one of its parent
                if template.parent != root:
                    self.assertTrue(
                        template.code.startswith(template.parent.code))
                # postable accounts have a type
                if not template.closed:
                    self.assertTrue(template.type)
                # parents are not postable
                if template.childs:
                    self.assertTrue(template.closed)
                if template.type:
                    self.assertEqual(
                        template.type.statement,
                        'income' if template.code[0] == '6' else 'balance')
                if template.party_required:
                    self.assertEqual(template.type.statement, 'balance')

        def codes_with(flag):
            return sorted(
                t.code for t in templates
                if t.type and getattr(t.type, flag) and not t.closed)
        self.assertEqual(codes_with('receivable'), ['1122'])
        self.assertEqual(codes_with('payable'), ['2202'])
        self.assertEqual(codes_with('stock'), ['1403'])
        self.assertEqual(codes_with('revenue'), [
                '600101', '600102', '600103', '600104',
                '605101', '605102', '605103', '605104'])
        self.assertEqual(codes_with('expense'), [
                '6401', '6402', '6403', '6601', '6602', '6603'])

    @with_transaction()
    def test_tax_templates(self):
        "VAT templates have their rate and account"
        pool = Pool()
        TaxTemplate = pool.get('account.tax.template')
        root = self._root()
        taxes = {
            (t.group.kind, t.rate, t.invoice_account.code,
                t.credit_note_account.code)
            for t in TaxTemplate.search([('account', '=', root.id)])}
        output, input_ = '22210101', '22210102'
        self.assertEqual(taxes, {
                ('sale', Decimal('0.06'), output, output),
                ('sale', Decimal('0.09'), output, output),
                ('sale', Decimal('0.13'), output, output),
                ('sale', Decimal('0.03'), output, output),
                ('sale', Decimal('0.05'), output, output),
                ('purchase', Decimal('0.13'), input_, input_),
                ('purchase', Decimal('0.09'), input_, input_),
                ('purchase', Decimal('0.06'), input_, input_),
                })

    @with_transaction()
    def test_create_chart_helper(self):
        "Create the chart with the account module's test helper"
        pool = Pool()
        Configuration = pool.get('account.configuration')
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            create_chart(company, chart=CHART)
            configuration = Configuration(1)
            self.assertEqual(
                configuration.default_account_receivable.code, '1122')
            self.assertEqual(
                configuration.default_account_payable.code, '2202')

    @with_transaction()
    def test_create_chart_category_accounts(self):
        "The wizard takes 600101 / 6401 as default category accounts"
        pool = Pool()
        Account = pool.get('account.account')
        Configuration = pool.get('account.configuration')
        Tax = pool.get('account.tax')
        CreateChart = pool.get('account.create_chart', type='wizard')
        company = create_company(currency=create_currency('CNY'))
        with set_company(company):
            session_id, _, _ = CreateChart.create()
            wizard = CreateChart(session_id)
            wizard.account.account_template = self._root()
            wizard.account.company = company
            self.assertEqual(wizard.transition_create_account(), 'properties')

            defaults = wizard.default_properties(None)
            accounts = {a.code: a for a in Account.search([
                        ('company', '=', company.id)])}
            self.assertEqual(
                defaults['account_receivable'], accounts['1122'].id)
            self.assertEqual(defaults['account_payable'], accounts['2202'].id)

            wizard.properties.company = company
            wizard.properties.account_receivable = accounts['1122']
            wizard.properties.account_payable = accounts['2202']
            wizard.properties.category_account_revenue = accounts['600101']
            wizard.properties.category_account_expense = accounts['6401']
            self.assertEqual(wizard.transition_create_properties(), 'end')

            configuration = Configuration(1)
            self.assertEqual(
                configuration.default_category_account_revenue.code,
                '600101')
            self.assertEqual(
                configuration.default_category_account_expense.code, '6401')
            self.assertEqual(
                len(Tax.search([('company', '=', company.id)])), 8)


del ModuleTestCase
