# This file is part of the pm suite (物业管理系统). See README.md.
"""Technician skills (技能) on the employees, and their open workload."""
from collections import defaultdict

from sql.aggregate import Count

from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.modules.pm_estate.mixin import id_batches, sql_in
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

OPEN_STATES = ['dispatched', 'processing']


class Skill(DeactivableMixin, ModelSQL, ModelView):
    "Skill"
    __name__ = 'pm.skill'
    __string__ = "Skill"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True, strip=True)
    employees = fields.Many2Many(
        'company.employee-pm.skill', 'skill', 'employee', "Employees")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'pm_maintenance.msg_skill_code_unique'),
            ]
        cls._order.insert(0, ('code', 'ASC'))


class EmployeeSkill(ModelSQL):
    "Employee Skill"
    __name__ = 'company.employee-pm.skill'
    __string__ = "Employee Skill"

    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
    skill = fields.Many2One(
        'pm.skill', "Skill", required=True, ondelete='CASCADE')


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    skills = fields.Many2Many(
        'company.employee-pm.skill', 'employee', 'skill', "Skills",
        help="What the employee can repair; used to suggest technicians "
        "when dispatching work orders.")
    open_work_orders = fields.Function(
        fields.Integer("Open Work Orders",
            help="The work orders dispatched to the employee "
            "and not finished yet."),
        'get_open_work_orders')

    @classmethod
    def get_open_work_orders(cls, employees, name):
        return cls.open_workload([e.id for e in employees])

    @classmethod
    def open_workload(cls, employee_ids):
        "Return {employee id: number of open work orders}"
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        order = WorkOrder.__table__()
        cursor = Transaction().connection.cursor()
        result = defaultdict(int)
        for sub_ids in id_batches(employee_ids):
            cursor.execute(*order.select(
                    order.technician, Count(order.id),
                    where=sql_in(order.technician, sub_ids)
                    & order.state.in_(OPEN_STATES),
                    group_by=[order.technician]))
            result.update(dict(cursor))
        return {i: result.get(i, 0) for i in employee_ids}
