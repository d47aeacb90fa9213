# This file is part of the pm suite (物业管理系统). See README.md.
"""Payroll (工资): salary structures, social insurance and housing fund
(五险一金), monthly payslip runs with the individual income tax withheld by
the cumulative method (tax.py), payslips as PDF and the posting to
accounting.

Posting of a run (one account.move, balanced)::

    Dr salary expense (department or configuration account)
           gross pay + employer insurance + employer housing fund
    Cr 221101 应付职工薪酬—工资            net pay
    Cr 224105 其他应付款—代扣社保公积金    employee insurance and fund
    Cr 222106 应交税费—应交个人所得税      income tax withheld
    Cr 221102 应付职工薪酬—社会保险费      employer social insurance
    Cr 221103 应付职工薪酬—住房公积金      employer housing fund
    Cr other deductions account            other deductions
"""
from collections import defaultdict
from decimal import Decimal

from sql.aggregate import Count, Sum

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields,
    sequence_ordered)
from trytond.modules.company import CompanyReport
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access

from .exceptions import (
    InsuranceError, PayrollError, PayslipModifyError, SalaryError)
from .mixin import (
    EmployeeCompanyMixin, employee_company_field, id_batches, month_end,
    month_start, sql_in)
from .tax import (
    MONTHLY_BASIC_DEDUCTION, bracket, contribution, cumulative_tax,
    cumulative_taxable, round_cents, withholding)

ZERO = Decimal(0)
AMOUNT = (16, 2)
RATE = (16, 4)

INSURANCE_KINDS = [
    ('pension', "Pension Insurance"),
    ('medical', "Medical Insurance"),
    ('unemployment', "Unemployment Insurance"),
    ('injury', "Work Injury Insurance"),
    ('maternity', "Maternity Insurance"),
    ('housing_fund', "Housing Provident Fund"),
    ('other', "Other"),
    ]


def _amount(string, **kwargs):
    return fields.Numeric(string, digits=AMOUNT, **kwargs)


class InsuranceScheme(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.hr.insurance.scheme'
    __string__ = "Insurance Scheme"

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True,
        help="E.g. 杭州市 2026 年度社保公积金.")
    lines = fields.One2Many(
        'pm.hr.insurance.scheme.line', 'scheme', "Lines")
    employee_rate = fields.Function(
        fields.Numeric("Employee Rate", digits=RATE), 'get_rates')
    employer_rate = fields.Function(
        fields.Numeric("Employer Rate", digits=RATE), 'get_rates')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_rates(self, name):
        return sum((getattr(l, name) or ZERO for l in self.lines), ZERO)

    def compute(self, insurance_base, housing_fund_base):
        """Return the contributions: a list of dicts with kind, name, base,
        employee_rate, employee_amount, employer_rate, employer_amount"""
        result = []
        for line in self.lines:
            base = (housing_fund_base if line.kind == 'housing_fund'
                else insurance_base)
            used, employee = contribution(
                base, line.employee_rate, line.base_min, line.base_max)
            _, employer = contribution(
                base, line.employer_rate, line.base_min, line.base_max)
            result.append({
                    'kind': line.kind,
                    'name': line.name or line.kind_string,
                    'base': round_cents(used),
                    'employee_rate': line.employee_rate,
                    'employee_amount': employee,
                    'employer_rate': line.employer_rate,
                    'employer_amount': employer,
                    })
        return result


class InsuranceSchemeLine(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.hr.insurance.scheme.line'
    __string__ = "Insurance Scheme Line"

    scheme = fields.Many2One(
        'pm.hr.insurance.scheme', "Scheme", required=True,
        ondelete='CASCADE')
    kind = fields.Selection(INSURANCE_KINDS, "Kind", required=True,
        sort=False)
    kind_string = kind.translated('kind')
    name = fields.Char("Name", help="Empty: the name of the kind.")
    employee_rate = fields.Numeric(
        "Employee Rate", digits=RATE, required=True,
        domain=[('employee_rate', '>=', 0), ('employee_rate', '<', 1)],
        help="Share of the base paid by the employee, e.g. 0.08 for 8%.")
    employer_rate = fields.Numeric(
        "Employer Rate", digits=RATE, required=True,
        domain=[('employer_rate', '>=', 0), ('employer_rate', '<', 1)],
        help="Share of the base paid by the company.")
    base_min = _amount(
        "Base Floor",
        domain=['OR', ('base_min', '=', None), ('base_min', '>=', 0)],
        help="The lowest contribution base (缴费基数下限).")
    base_max = _amount(
        "Base Ceiling",
        domain=['OR', ('base_max', '=', None), ('base_max', '>=', 0)],
        help="The highest contribution base (缴费基数上限).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('scheme')
        t = cls.__table__()
        cls._sql_constraints = [
            ('scheme_kind_unique', Unique(t, t.scheme, t.kind, t.name),
                'pm_hr.msg_insurance_line_unique'),
            ]

    @classmethod
    def default_employee_rate(cls):
        return ZERO

    @classmethod
    def default_employer_rate(cls):
        return ZERO

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if field_names and not (field_names & {'base_min', 'base_max'}):
            return
        for line in lines:
            if (line.base_min is not None and line.base_max
                    and line.base_min > line.base_max):
                raise InsuranceError(gettext(
                        'pm_hr.msg_insurance_base_range',
                        scheme=line.scheme.rec_name,
                        kind=line.kind_string))


class Salary(EmployeeCompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.hr.salary'
    __string__ = "Salary Structure"

    company = employee_company_field()
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE',
        domain=[
            If(Eval('company', -1) != -1,
                ('company', '=', Eval('company', -1)),
                ()),
            ])
    base_salary = _amount(
        "Base Salary", required=True, domain=[('base_salary', '>=', 0)],
        help="The monthly base salary (基本工资).")
    overtime_rate = _amount(
        "Overtime Rate", domain=['OR', ('overtime_rate', '=', None),
            ('overtime_rate', '>=', 0)],
        help="Pay per overtime hour (加班费/小时), by default 1.5 times the "
        "hourly wage.")
    lines = fields.One2Many(
        'pm.hr.salary.line', 'salary', "Allowances and Deductions")
    allowance_total = fields.Function(
        _amount("Allowances"), 'get_totals')
    deduction_total = fields.Function(
        _amount("Deductions"), 'get_totals')
    insurance_scheme = fields.Many2One(
        'pm.hr.insurance.scheme', "Insurance Scheme",
        domain=[('company', '=', Eval('company', -1))],
        help="The social insurance and housing fund (五险一金) rates. "
        "Empty: no contribution.")
    insurance_base = _amount(
        "Social Insurance Base", domain=['OR',
            ('insurance_base', '=', None), ('insurance_base', '>=', 0)],
        help="The monthly contribution base (社保缴费基数). "
        "Empty: the base salary.")
    housing_fund_base = _amount(
        "Housing Fund Base", domain=['OR',
            ('housing_fund_base', '=', None), ('housing_fund_base', '>=', 0)],
        help="The monthly housing fund base (公积金缴存基数). "
        "Empty: the social insurance base.")
    special_deduction = _amount(
        "Special Additional Deduction", required=True,
        domain=[('special_deduction', '>=', 0)],
        help="Monthly special additional deductions declared by the "
        "employee (专项附加扣除: children's education, housing loan, "
        "elderly care …).")
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('employee_unique', Unique(t, t.employee),
                'pm_hr.msg_salary_employee_unique'),
            ]
        cls._order = [('employee', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_special_deduction(cls):
        return ZERO

    @fields.depends('base_salary', 'overtime_rate', 'company')
    def on_change_base_salary(self):
        pool = Pool()
        Config = pool.get('pm.hr.configuration')
        if self.base_salary and not self.overtime_rate:
            days = Config(1).salary_days or Decimal('21.75')
            self.overtime_rate = round_cents(
                self.base_salary / days / 8 * Decimal('1.5'))

    def get_rec_name(self, name):
        return self.employee.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('employee.rec_name',) + tuple(clause[1:])]

    def get_totals(self, name):
        kind = {'allowance_total': 'allowance',
            'deduction_total': 'deduction'}[name]
        return round_cents(
            sum((l.amount for l in self.lines if l.kind == kind), ZERO))

    @property
    def insurance_base_used(self):
        if self.insurance_base is not None:
            return self.insurance_base
        return self.base_salary

    @property
    def housing_fund_base_used(self):
        if self.housing_fund_base is not None:
            return self.housing_fund_base
        return self.insurance_base_used

    @classmethod
    def validate_fields(cls, salaries, field_names):
        super().validate_fields(salaries, field_names)
        if field_names and not (field_names & {
                    'insurance_scheme', 'company', 'employee'}):
            return
        for salary in salaries:
            if (salary.insurance_scheme
                    and salary.insurance_scheme.company != salary.company):
                raise SalaryError(gettext(
                        'pm_hr.msg_salary_scheme_company',
                        salary=salary.rec_name))


class SalaryLine(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.hr.salary.line'
    __string__ = "Salary Line"

    salary = fields.Many2One(
        'pm.hr.salary', "Salary Structure", required=True,
        ondelete='CASCADE')
    kind = fields.Selection([
            ('allowance', "Allowance"),
            ('deduction', "Deduction"),
            ], "Kind", required=True, sort=False,
        help="An allowance (津贴/补贴) is taxable pay; a deduction (代扣款, "
        "e.g. dormitory, meals) is taken from the net pay.")
    name = fields.Char("Name", required=True)
    amount = _amount("Amount", required=True, domain=[('amount', '>=', 0)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('salary')

    @classmethod
    def default_kind(cls):
        return 'allowance'


class PayslipRun(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.hr.payslip.run'
    __string__ = "Payslip Run"
    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    month = fields.Date(
        "Month", required=True, states=_states,
        help="Any day of the month paid.")
    date = fields.Date(
        "Accounting Date", required=True, states={
            'readonly': Eval('state') == 'posted',
            })
    department = fields.Many2One(
        'pm.department', "Department", states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="Only the staff of the department and its sub-departments. "
        "Empty: all the staff with a salary structure.")
    journal = fields.Many2One(
        'account.journal', "Journal", required=True,
        domain=[('type', '=', 'general')],
        states={
            'readonly': Eval('state') == 'posted',
            })
    description = fields.Char("Description", states={
            'readonly': Eval('state') == 'posted',
            })
    payslips = fields.One2Many(
        'pm.hr.payslip', 'run', "Payslips", readonly=True)
    move = fields.Many2One(
        'account.move', "Move", readonly=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    state = fields.Selection([
            ('draft', "Draft"),
            ('computed', "Computed"),
            ('posted', "Posted"),
            ], "State", required=True, readonly=True, sort=False)
    payslip_count = fields.Function(
        fields.Integer("Payslips"), 'get_totals')
    gross_total = fields.Function(_amount("Gross Pay"), 'get_totals')
    employee_insurance_total = fields.Function(
        _amount("Employee Insurance"), 'get_totals')
    income_tax_total = fields.Function(
        _amount("Income Tax"), 'get_totals')
    net_total = fields.Function(_amount("Net Pay"), 'get_totals')
    employer_total = fields.Function(
        _amount("Employer Insurance and Fund"), 'get_totals')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Equality()),
                    (t.month, Index.Range())),
                })
        cls._order = [('month', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'computed'),
            ('computed', 'computed'),
            ('computed', 'draft'),
            ('computed', 'posted'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') == 'posted',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'computed',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'post': {
                    'invisible': Eval('state') != 'computed',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_month(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return month_start(Date.today())

    @classmethod
    def default_date(cls):
        month = cls.default_month()
        return month_end(month) if month else None

    @classmethod
    def default_journal(cls):
        pool = Pool()
        Config = pool.get('pm.hr.configuration')
        journal = Config(1).payroll_journal
        return journal.id if journal else None

    @fields.depends('month')
    def on_change_month(self):
        if self.month:
            self.date = month_end(self.month)

    def get_rec_name(self, name):
        name = self.month.strftime('%Y-%m')
        if self.department:
            name += ' ' + self.department.rec_name
        if self.description:
            name += ' ' + self.description
        return name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if (operator.startswith('!')
            or operator.startswith('not ')) else 'OR'
        return [bool_op,
            ('description', operator, operand, *extra),
            ('department.rec_name', operator, operand, *extra),
            ]

    @classmethod
    def get_totals(cls, runs, names):
        pool = Pool()
        Payslip = pool.get('pm.hr.payslip')
        payslip = Payslip.__table__()
        cursor = Transaction().connection.cursor()
        ids = [r.id for r in runs]
        result = {n: dict.fromkeys(ids, ZERO) for n in names}
        if 'payslip_count' in result:
            result['payslip_count'] = dict.fromkeys(ids, 0)
        for sub_ids in id_batches(ids):
            cursor.execute(*payslip.select(
                    payslip.run, Count(payslip.id), Sum(payslip.gross),
                    Sum(payslip.employee_insurance), Sum(payslip.income_tax),
                    Sum(payslip.net),
                    Sum(payslip.employer_insurance
                        + payslip.employer_housing_fund),
                    where=sql_in(payslip.run, sub_ids),
                    group_by=[payslip.run]))
            for run_id, count, *amounts in cursor:
                values = dict(zip([
                            'gross_total', 'employee_insurance_total',
                            'income_tax_total', 'net_total',
                            'employer_total'], amounts))
                for name in names:
                    if name == 'payslip_count':
                        result[name][run_id] = count
                    else:
                        result[name][run_id] = round_cents(
                            Decimal(str(values[name] or 0)))
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('month'):
            values['month'] = month_start(values['month'])
        return values

    @classmethod
    def check_modification(cls, mode, runs, values=None, external=False):
        super().check_modification(
            mode, runs, values=values, external=external)
        if mode == 'delete':
            for run in runs:
                if run.state != 'draft':
                    raise PayslipModifyError(gettext(
                            'pm_hr.msg_payslip_run_delete_draft',
                            run=run.rec_name))

    @classmethod
    def copy(cls, runs, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('payslips', None)
        default.setdefault('move', None)
        default.setdefault('state', 'draft')
        return super().copy(runs, default=default)

    def employees(self):
        "Return the employees paid by the run"
        pool = Pool()
        Salary = pool.get('pm.hr.salary')
        Payslip = pool.get('pm.hr.payslip')
        date_start, date_end = self.month, month_end(self.month)
        domain = [
            ('company', '=', self.company.id),
            ('employee.company', '=', self.company.id),
            ['OR', ('employee.start_date', '=', None),
                ('employee.start_date', '<=', date_end)],
            ['OR', ('employee.end_date', '=', None),
                ('employee.end_date', '>=', date_start)],
            ]
        if self.department:
            domain.append(('employee.department', 'child_of',
                    [self.department.id], 'parent'))
        salaries = Salary.search(domain)
        paid = {p.employee for p in Payslip.search([
                    ('company', '=', self.company.id),
                    ('month', '=', self.month),
                    ('run', '!=', self.id),
                    ])}
        return [s for s in salaries if s.employee not in paid]

    @classmethod
    @ModelView.button
    @Workflow.transition('computed')
    def compute(cls, runs):
        pool = Pool()
        Payslip = pool.get('pm.hr.payslip')
        Summary = pool.get('pm.hr.attendance.summary')
        Payslip.delete([p for r in runs for p in r.payslips])
        to_create = []
        for run in runs:
            salaries = run.employees()
            employees = [s.employee for s in salaries]
            cls.check_earlier_posted(run, employees)
            summaries = Summary.compute(run.company, run.month, employees)
            previous = Payslip.previous_totals(
                run.company, [e.id for e in employees], run.month)
            for salary, summary in zip(salaries, summaries):
                to_create.append(Payslip.compute_values(
                        run, salary, summary,
                        previous.get(salary.employee.id)))
        Payslip.create(to_create)

    @classmethod
    def check_earlier_posted(cls, run, employees):
        "The earlier payslips of the year must be posted first"
        pool = Pool()
        Payslip = pool.get('pm.hr.payslip')
        for sub_ids in id_batches([e.id for e in employees]):
            pending = Payslip.search([
                    ('company', '=', run.company.id),
                    ('employee', 'in', sub_ids),
                    ('month', '>=', run.month.replace(month=1)),
                    ('month', '<', run.month),
                    ('state', '!=', 'posted'),
                    ], limit=1)
            if pending:
                payslip, = pending
                raise PayrollError(gettext(
                        'pm_hr.msg_payslip_earlier_not_posted',
                        run=run.rec_name, payslip=payslip.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, runs):
        pool = Pool()
        Payslip = pool.get('pm.hr.payslip')
        Payslip.delete([p for r in runs for p in r.payslips])

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, runs):
        pool = Pool()
        Move = pool.get('account.move')
        Payslip = pool.get('pm.hr.payslip')
        for run in runs:
            Payslip.check_previous(run.payslips)
        # Posting is the Human Resources' button of the run: the payroll
        # staff need no accounting rights to post its move
        with without_check_access():
            moves = [run.get_move() for run in runs]
            Move.save(moves)
            Move.post(moves)
        for run, move in zip(runs, moves):
            run.move = move
        cls.save(runs)
        Payslip.write([p for r in runs for p in r.payslips],
            {'state': 'posted'})

    def get_move(self):
        "Return the move of the run, balanced"
        pool = Pool()
        Config = pool.get('pm.hr.configuration')
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        if not self.payslips:
            raise PayrollError(gettext(
                    'pm_hr.msg_payslip_run_empty', run=self.rec_name))
        config = Config(1)

        def account(name):
            value = config.get_multivalue(name, company=self.company.id)
            if not value:
                raise PayrollError(gettext(
                        'pm_hr.msg_payroll_account_missing',
                        account=getattr(Config, name).string))
            return value

        debits = defaultdict(lambda: ZERO)
        credits = defaultdict(lambda: ZERO)
        for payslip in self.payslips:
            expense = payslip.expense_account or account(
                'salary_expense_account')
            debits[expense] += (payslip.gross + payslip.employer_insurance
                + payslip.employer_housing_fund)
        totals = {
            'salary_account': 'net',
            'withheld_account': 'employee_insurance',
            'income_tax_account': 'income_tax',
            'insurance_account': 'employer_insurance',
            'housing_fund_account': 'employer_housing_fund',
            'deduction_account': 'other_deduction',
            }
        for name, field in totals.items():
            amount = sum((getattr(p, field) for p in self.payslips), ZERO)
            if amount:
                credits[account(name)] += amount
        description = gettext(
            'pm_hr.msg_payslip_run_move', run=self.rec_name)
        lines = []
        for accounts, debit in [(debits, True), (credits, False)]:
            for acc, amount in accounts.items():
                if not amount:
                    continue
                if amount < 0:
                    debit_side, amount = not debit, -amount
                else:
                    debit_side = debit
                lines.append(MoveLine(
                        account=acc,
                        debit=amount if debit_side else ZERO,
                        credit=ZERO if debit_side else amount,
                        description=description))
        period = Period.find(self.company, date=self.date)
        return Move(
            company=self.company, journal=self.journal, period=period,
            date=self.date, origin=self, description=description,
            lines=lines)


class Payslip(ModelSQL, ModelView):
    __name__ = 'pm.hr.payslip'
    __string__ = "Payslip"

    run = fields.Many2One(
        'pm.hr.payslip.run', "Run", required=True, ondelete='CASCADE',
        readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, readonly=True)
    department = fields.Many2One(
        'pm.department', "Department", readonly=True)
    month = fields.Date("Month", required=True, readonly=True)
    state = fields.Selection([
            ('computed', "Computed"),
            ('posted', "Posted"),
            ], "State", required=True, readonly=True, sort=False)
    summary = fields.Many2One(
        'pm.hr.attendance.summary', "Attendance", readonly=True,
        ondelete='SET NULL')
    worked_days = fields.Integer("Days Worked", readonly=True)
    absent_days = fields.Integer("Days Absent", readonly=True)
    late_count = fields.Integer("Late Arrivals", readonly=True)
    overtime_hours = fields.Numeric(
        "Overtime Hours", digits=(16, 2), readonly=True)
    base_salary = _amount("Base Salary", readonly=True)
    allowance = _amount("Allowances", readonly=True)
    overtime_pay = _amount("Overtime Pay", readonly=True)
    absence_deduction = _amount("Absence Deduction", readonly=True)
    late_deduction = _amount("Late Deduction", readonly=True)
    gross = _amount("Gross Pay", readonly=True,
        help="Pay before insurance and tax (应发工资).")
    employee_insurance = _amount("Employee Insurance and Fund",
        readonly=True,
        help="The employee's social insurance and housing fund (个人缴纳).")
    employer_insurance = _amount("Employer Social Insurance", readonly=True)
    employer_housing_fund = _amount("Employer Housing Fund", readonly=True)
    special_deduction = _amount("Special Additional Deduction",
        readonly=True)
    previous_months = fields.Integer("Previous Months", readonly=True,
        help="Months paid earlier this year by the company.")
    previous_income = _amount("Previous Income", readonly=True)
    previous_insurance = _amount("Previous Insurance", readonly=True)
    previous_special_deduction = _amount("Previous Special Deductions",
        readonly=True)
    tax_withheld_before = _amount("Tax Withheld Before", readonly=True)
    cumulative_income = _amount("Cumulative Income", readonly=True)
    cumulative_basic_deduction = _amount("Cumulative Basic Deduction",
        readonly=True)
    cumulative_insurance = _amount("Cumulative Insurance", readonly=True)
    cumulative_special_deduction = _amount(
        "Cumulative Special Deductions", readonly=True)
    cumulative_taxable = _amount("Cumulative Taxable Income", readonly=True)
    tax_rate = fields.Numeric("Tax Rate", digits=RATE, readonly=True)
    quick_deduction = _amount("Quick Deduction", readonly=True)
    cumulative_tax = _amount("Cumulative Tax", readonly=True)
    income_tax = _amount("Income Tax", readonly=True,
        help="The individual income tax withheld this month (个人所得税).")
    other_deduction = _amount("Other Deductions", readonly=True)
    net = _amount("Net Pay", readonly=True, help="实发工资.")
    employer_cost = fields.Function(
        _amount("Employer Cost"), 'get_employer_cost')
    expense_account = fields.Many2One(
        'account.account', "Expense Account", readonly=True)
    lines = fields.One2Many(
        'pm.hr.payslip.line', 'payslip', "Lines", readonly=True)
    insurances = fields.One2Many(
        'pm.hr.payslip.insurance', 'payslip', "Insurances", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('employee_month_unique', Unique(t, t.employee, t.month),
                'pm_hr.msg_payslip_employee_month_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.run, Index.Equality())),
                Index(t, (t.company, Index.Equality()),
                    (t.employee, Index.Equality()),
                    (t.month, Index.Range())),
                })
        cls._order = [('month', 'DESC'), ('employee', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return '%s %s' % (
            self.employee.rec_name, self.month.strftime('%Y-%m'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('employee.rec_name',) + tuple(clause[1:])]

    def get_employer_cost(self, name):
        return (self.gross or ZERO) + (self.employer_insurance or ZERO) + (
            self.employer_housing_fund or ZERO)

    @classmethod
    def check_modification(cls, mode, payslips, values=None, external=False):
        super().check_modification(
            mode, payslips, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and external):
            for payslip in payslips:
                if payslip.state == 'posted':
                    raise PayslipModifyError(gettext(
                            'pm_hr.msg_payslip_modify_posted',
                            payslip=payslip.rec_name))

    @classmethod
    def previous_totals(cls, company, employee_ids, month):
        """Return {employee id: (months, income, insurance, special
        deductions, tax withheld)} of the posted payslips of the company
        earlier in the year of month"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in id_batches(employee_ids):
            cursor.execute(*table.select(
                    table.employee, Count(table.id), Sum(table.gross),
                    Sum(table.employee_insurance),
                    Sum(table.special_deduction), Sum(table.income_tax),
                    where=sql_in(table.employee, sub_ids)
                    & (table.company == company.id)
                    & (table.state == 'posted')
                    & (table.month >= month.replace(month=1, day=1))
                    & (table.month < month),
                    group_by=[table.employee]))
            for employee_id, count, *amounts in cursor:
                result[employee_id] = (count, *(
                        round_cents(Decimal(str(a or 0))) for a in amounts))
        return result

    @classmethod
    def check_previous(cls, payslips):
        """The earlier payslips of the year used by the cumulative method
        have not changed since the payslips were computed"""
        by_run = defaultdict(list)
        for payslip in payslips:
            by_run[(payslip.company, payslip.month)].append(payslip)
        for (company, month), payslips in by_run.items():
            previous = cls.previous_totals(
                company, [p.employee.id for p in payslips], month)
            for payslip in payslips:
                stored = (payslip.previous_months, payslip.previous_income,
                    payslip.previous_insurance,
                    payslip.previous_special_deduction,
                    payslip.tax_withheld_before)
                current = previous.get(
                    payslip.employee.id, (0, ZERO, ZERO, ZERO, ZERO))
                if tuple(stored) != tuple(current):
                    raise PayrollError(gettext(
                            'pm_hr.msg_payslip_previous_changed',
                            payslip=payslip.rec_name))

    @classmethod
    def compute_values(cls, run, salary, summary, previous=None):
        "Return the values of the payslip of the salary structure in run"
        pool = Pool()
        Config = pool.get('pm.hr.configuration')
        config = Config(1)
        employee = salary.employee
        months, p_income, p_insurance, p_special, withheld = (
            previous or (0, ZERO, ZERO, ZERO, ZERO))

        base = round_cents(salary.base_salary)
        lines = [('earning', gettext('pm_hr.msg_payslip_base_salary'), base)]
        allowance = ZERO
        for line in salary.lines:
            if line.kind == 'allowance':
                allowance += round_cents(line.amount)
                lines.append(('earning', line.name, round_cents(line.amount)))
        overtime_hours = summary.overtime_hours if summary else ZERO
        overtime_pay = round_cents(
            (overtime_hours or ZERO) * (salary.overtime_rate or ZERO))
        if overtime_pay:
            lines.append(('earning', gettext(
                        'pm_hr.msg_payslip_overtime',
                        hours=overtime_hours), overtime_pay))
        absent = summary.absent_days if summary else 0
        absence = round_cents(base / config.salary_days * absent)
        if absence:
            lines.append(('earning', gettext(
                        'pm_hr.msg_payslip_absence', days=absent), -absence))
        late = summary.late_count if summary else 0
        late_deduction = round_cents(config.late_deduction * late)
        if late_deduction:
            lines.append(('earning', gettext(
                        'pm_hr.msg_payslip_late', count=late),
                    -late_deduction))
        gross = base + allowance + overtime_pay - absence - late_deduction

        insurances = []
        if salary.insurance_scheme:
            insurances = salary.insurance_scheme.compute(
                salary.insurance_base_used, salary.housing_fund_base_used)
        employee_insurance = sum(
            (i['employee_amount'] for i in insurances), ZERO)
        employer_insurance = sum((i['employer_amount'] for i in insurances
                if i['kind'] != 'housing_fund'), ZERO)
        employer_fund = sum((i['employer_amount'] for i in insurances
                if i['kind'] == 'housing_fund'), ZERO)

        special = round_cents(salary.special_deduction or ZERO)
        c_income = p_income + gross
        c_insurance = p_insurance + employee_insurance
        c_special = p_special + special
        c_months = months + 1
        taxable = cumulative_taxable(
            c_income, c_months, c_insurance, c_special)
        rate, quick = bracket(taxable)
        income_tax = withholding(taxable, withheld)

        other = ZERO
        for line in salary.lines:
            if line.kind == 'deduction':
                other += round_cents(line.amount)
                lines.append(
                    ('deduction', line.name, round_cents(line.amount)))
        net = gross - employee_insurance - income_tax - other
        if net < 0:
            raise PayrollError(gettext(
                    'pm_hr.msg_payslip_net_negative',
                    employee=employee.rec_name, net=net))

        expense = None
        if employee.department:
            expense = employee.department.get_salary_expense_account()
        return {
            'run': run.id,
            'company': run.company.id,
            'employee': employee.id,
            'department': (
                employee.department.id if employee.department else None),
            'month': run.month,
            'state': 'computed',
            'summary': summary.id if summary else None,
            'worked_days': summary.worked_days if summary else None,
            'absent_days': absent,
            'late_count': late,
            'overtime_hours': overtime_hours,
            'base_salary': base,
            'allowance': allowance,
            'overtime_pay': overtime_pay,
            'absence_deduction': absence,
            'late_deduction': late_deduction,
            'gross': gross,
            'employee_insurance': employee_insurance,
            'employer_insurance': employer_insurance,
            'employer_housing_fund': employer_fund,
            'special_deduction': special,
            'previous_months': months,
            'previous_income': p_income,
            'previous_insurance': p_insurance,
            'previous_special_deduction': p_special,
            'tax_withheld_before': withheld,
            'cumulative_income': c_income,
            'cumulative_basic_deduction': round_cents(
                MONTHLY_BASIC_DEDUCTION * c_months),
            'cumulative_insurance': c_insurance,
            'cumulative_special_deduction': c_special,
            'cumulative_taxable': taxable,
            'tax_rate': rate,
            'quick_deduction': round_cents(quick),
            'cumulative_tax': cumulative_tax(taxable),
            'income_tax': income_tax,
            'other_deduction': other,
            'net': net,
            'expense_account': expense.id if expense else None,
            'lines': [('create', [{
                                'sequence': i, 'kind': kind, 'name': name,
                                'amount': amount}
                            for i, (kind, name, amount) in enumerate(
                                lines, 1)])],
            'insurances': [('create', [{
                                'sequence': i,
                                **{k: v for k, v in ins.items()}}
                            for i, ins in enumerate(insurances, 1)])],
            }


class PayslipLine(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.hr.payslip.line'
    __string__ = "Payslip Line"

    payslip = fields.Many2One(
        'pm.hr.payslip', "Payslip", required=True, ondelete='CASCADE',
        readonly=True)
    kind = fields.Selection([
            ('earning', "Earning"),
            ('deduction', "Deduction"),
            ], "Kind", required=True, readonly=True)
    kind_string = kind.translated('kind')
    name = fields.Char("Name", required=True, readonly=True)
    amount = _amount("Amount", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('payslip')


class PayslipInsurance(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.hr.payslip.insurance'
    __string__ = "Payslip Insurance"

    payslip = fields.Many2One(
        'pm.hr.payslip', "Payslip", required=True, ondelete='CASCADE',
        readonly=True)
    kind = fields.Selection(INSURANCE_KINDS, "Kind", required=True,
        readonly=True)
    kind_string = kind.translated('kind')
    name = fields.Char("Name", readonly=True)
    base = _amount("Base", readonly=True)
    employee_rate = fields.Numeric("Employee Rate", digits=RATE,
        readonly=True)
    employee_amount = _amount("Employee Amount", readonly=True)
    employer_rate = fields.Numeric("Employer Rate", digits=RATE,
        readonly=True)
    employer_amount = _amount("Employer Amount", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('payslip')


class PayslipReport(CompanyReport):
    __name__ = 'pm.hr.payslip'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['payslips'] = records
        context['percent'] = lambda rate: '{:f}%'.format(
            ((rate or ZERO) * 100).normalize())
        return context


class PayslipRunReport(PayslipReport):
    __name__ = 'pm.hr.payslip.run'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['payslips'] = [p for r in records for p in r.payslips]
        return context

