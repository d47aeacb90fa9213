# This file is part of the pm suite (物业管理系统). See README.md.
"""Departments (部门): the organisation chart of the company.

The employee's department and position are in employee.py."""
from sql.aggregate import Count

from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields, tree)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .mixin import id_batches, sql_in


class Department(DeactivableMixin, tree(separator=' / '), ModelSQL, ModelView):
    __name__ = 'pm.department'
    __string__ = "Department"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", strip=True,
        help="Short code of the department, unique within the company.")
    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    parent = fields.Many2One(
        'pm.department', "Parent", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        help="The department this one reports to.")
    childs = fields.One2Many(
        'pm.department', 'parent', "Sub-departments",
        domain=[('company', '=', Eval('company', -1))])
    manager = fields.Many2One(
        'company.employee', "Manager",
        domain=[('company', '=', Eval('company', -1))],
        help="The head of the department (部门负责人).")
    employees = fields.One2Many(
        'company.employee', 'department', "Employees", readonly=True)
    employee_count = fields.Function(
        fields.Integer("Staff"), 'get_employee_count')
    salary_expense_account = fields.Many2One(
        'account.account', "Salary Expense Account",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('closed', '!=', True),
            ('type.expense', '=', True),
            ],
        help="The account debited with the salaries of the department "
        "(e.g. 主营业务成本 for on-site staff, 管理费用 for the office). "
        "Empty: the parent's, else the configuration's.")
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.company, t.code),
                'pm_hr.msg_department_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Equality())),
                Index(t, (t.parent, Index.Equality())),
                })
        cls._order = [
            ('code', 'ASC NULLS LAST'), ('name', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def get_employee_count(cls, departments, name):
        Employee = Pool().get('company.employee')
        employee = Employee.__table__()
        cursor = Transaction().connection.cursor()
        ids = [d.id for d in departments]
        result = dict.fromkeys(ids, 0)
        for sub_ids in id_batches(ids):
            cursor.execute(*employee.select(
                    employee.department, Count(employee.id),
                    where=sql_in(employee.department, sub_ids),
                    group_by=[employee.department]))
            result.update(cursor)
        return result

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('code', operator, operand, *extra),
            (cls._rec_name, operator, operand, *extra),
            ]

    def get_salary_expense_account(self):
        "Return the salary expense account of the department or its parents"
        department = self
        while department:
            if department.salary_expense_account:
                return department.salary_expense_account
            department = department.parent
