# This file is part of the pm suite (物业管理系统). See README.md.
from decimal import Decimal

from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool
from trytond.pyson import Eval

ACCOUNT_FIELDS = [
    'salary_expense_account', 'salary_account', 'insurance_account',
    'housing_fund_account', 'withheld_account', 'income_tax_account',
    'deduction_account']


def _account(string, help, kind=None):
    domain = [
        ('closed', '!=', True),
        ('type', '!=', None),
        ('company', '=', Eval('context', {}).get('company', -1)),
        ]
    if kind == 'expense':
        domain.append(('type.expense', '=', True))
    return fields.MultiValue(fields.Many2One(
            'account.account', string, domain=domain, help=help))


class Configuration(
        ModelSingleton, ModelSQL, ModelView, CompanyMultiValueMixin):
    __name__ = 'pm.hr.configuration'
    __string__ = "Human Resources Configuration"

    contract_reminder_days = fields.Integer(
        "Contract Reminder Days", required=True,
        domain=[('contract_reminder_days', '>=', 0)],
        help="Remind the labour contracts ending within these days.")
    certificate_reminder_days = fields.Integer(
        "Certificate Reminder Days", required=True,
        domain=[('certificate_reminder_days', '>=', 0)],
        help="Remind the certificates expiring within these days, unless "
        "the certificate type sets its own.")
    salary_days = fields.Numeric(
        "Paid Days per Month", digits=(16, 2), required=True,
        domain=[('salary_days', '>', 0)],
        help="Days of the daily wage used for absences (计薪天数, 21.75).")
    late_deduction = fields.Numeric(
        "Deduction per Late Arrival", digits=(16, 2), required=True,
        domain=[('late_deduction', '>=', 0)])
    overtime_unit = fields.Integer(
        "Overtime Unit", required=True,
        domain=[('overtime_unit', '>', 0)],
        help="Overtime is counted in blocks of these minutes; "
        "shorter overtime is not counted.")
    payroll_journal = fields.Many2One(
        'account.journal', "Payroll Journal",
        domain=[('type', '=', 'general')],
        help="The journal of the moves of the payslip runs.")
    salary_expense_account = _account(
        "Salary Expense Account",
        "Debited with the salary cost, unless the department of the "
        "employee has its own account.", kind='expense')
    salary_account = _account(
        "Salaries Payable Account",
        "Credited with the net pay (应付职工薪酬—工资).")
    insurance_account = _account(
        "Social Insurance Payable Account",
        "Credited with the employer's social insurance "
        "(应付职工薪酬—社会保险费).")
    housing_fund_account = _account(
        "Housing Fund Payable Account",
        "Credited with the employer's housing fund "
        "(应付职工薪酬—住房公积金).")
    withheld_account = _account(
        "Withheld Insurance Account",
        "Credited with the employee's social insurance and housing fund "
        "withheld (其他应付款—代扣社保公积金).")
    income_tax_account = _account(
        "Income Tax Payable Account",
        "Credited with the individual income tax withheld "
        "(应交税费—应交个人所得税).")
    deduction_account = _account(
        "Other Deductions Account",
        "Credited with the other deductions from the pay.")

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in ACCOUNT_FIELDS:
            return pool.get('pm.hr.configuration.account')
        return super().multivalue_model(field)

    @staticmethod
    def default_contract_reminder_days():
        return 30

    @staticmethod
    def default_certificate_reminder_days():
        return 30

    @staticmethod
    def default_salary_days():
        return Decimal('21.75')

    @staticmethod
    def default_late_deduction():
        return Decimal(0)

    @staticmethod
    def default_overtime_unit():
        return 30

    @classmethod
    def default_payroll_journal(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('account', 'journal_miscellaneous')
        except KeyError:
            return None


class ConfigurationAccount(ModelSQL, CompanyValueMixin):
    __name__ = 'pm.hr.configuration.account'
    __string__ = "Human Resources Configuration Account"

    salary_expense_account = fields.Many2One(
        'account.account', "Salary Expense Account",
        domain=[('company', '=', Eval('company', -1))])
    salary_account = fields.Many2One(
        'account.account', "Salaries Payable Account",
        domain=[('company', '=', Eval('company', -1))])
    insurance_account = fields.Many2One(
        'account.account', "Social Insurance Payable Account",
        domain=[('company', '=', Eval('company', -1))])
    housing_fund_account = fields.Many2One(
        'account.account', "Housing Fund Payable Account",
        domain=[('company', '=', Eval('company', -1))])
    withheld_account = fields.Many2One(
        'account.account', "Withheld Insurance Account",
        domain=[('company', '=', Eval('company', -1))])
    income_tax_account = fields.Many2One(
        'account.account', "Income Tax Payable Account",
        domain=[('company', '=', Eval('company', -1))])
    deduction_account = fields.Many2One(
        'account.account', "Other Deductions Account",
        domain=[('company', '=', Eval('company', -1))])
