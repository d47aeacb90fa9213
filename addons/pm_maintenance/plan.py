# This file is part of the pm suite (物业管理系统). See README.md.
"""Preventive maintenance plans (保养计划).

A plan recurs every N days, weeks, months or years for one equipment or for
every equipment of a category in the estate; the scheduled task creates the
work orders of the occurrences ahead of time, exactly once per occurrence
(the occurrence date is part of a unique key of the work order).
"""
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .exceptions import PlanValidationError

UNITS = [
    ('day', "Day"),
    ('week', "Week"),
    ('month', "Month"),
    ('year', "Year"),
    ]
MAX_OCCURRENCES = 1000


def _delta(number, unit, count):
    number *= count
    if unit == 'day':
        return relativedelta(days=number)
    elif unit == 'week':
        return relativedelta(weeks=number)
    elif unit == 'month':
        return relativedelta(months=number)
    return relativedelta(years=number)


def occurrences(start, number, unit, until, after=None):
    """Return the dates start + k × (number unit), k ≥ 0, up to until
    (inclusive) and after `after` (exclusive) when given.

    Months are added to the start date (31 Jan + 1 month = 28/29 Feb,
    + 2 months = 31 Mar), so the dates do not drift."""
    dates = []
    if not number or number <= 0:
        return dates
    for count in range(MAX_OCCURRENCES):
        date = start + _delta(number, unit, count)
        if date > until:
            break
        if after is None or date > after:
            dates.append(date)
    return dates


def _ids(records):
    "RPC result of the scheduled tasks: the ids of the records"
    return [r.id for r in records]


class Plan(EstateCompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    "Maintenance Plan"
    __name__ = 'pm.maintenance.plan'
    __string__ = "Maintenance Plan"

    name = fields.Char("Name", required=True)
    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain())
    equipment = fields.Many2One(
        'pm.equipment', "Equipment", ondelete='CASCADE',
        domain=[('estate', '=', Eval('estate', -1))],
        states={
            'required': ~Eval('equipment_category'),
            'invisible': Bool(Eval('equipment_category')),
            })
    equipment_category = fields.Many2One(
        'pm.equipment.category', "Equipment Category", ondelete='RESTRICT',
        states={
            'required': ~Eval('equipment'),
            'invisible': Bool(Eval('equipment')),
            },
        help="Plan every equipment of the category (and sub-categories) "
        "in the estate.")
    category = fields.Many2One(
        'pm.work_order.category', "Work Order Category", required=True,
        ondelete='RESTRICT')
    interval_number = fields.Integer(
        "Every", required=True, domain=[('interval_number', '>', 0)])
    interval_unit = fields.Selection(
        UNITS, "Unit", required=True, sort=False)
    start_date = fields.Date("First Date", required=True)
    lead_days = fields.Integer(
        "Lead Days", required=True, domain=[('lead_days', '>=', 0)],
        help="The work orders are created this number of days "
        "before their date.")
    technician = fields.Many2One(
        'company.employee', "Technician", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))],
        help="Dispatch the work orders to this technician at once.")
    description = fields.Text("Description")
    checks = fields.One2Many(
        'pm.maintenance.plan.check', 'plan', "Checklist")
    last_date = fields.Date(
        "Last Generated", readonly=True,
        help="The date of the last occurrence with work orders.")
    next_date = fields.Function(
        fields.Date("Next Date"), 'get_next_date')
    work_orders = fields.One2Many(
        'pm.work_order', 'plan', "Work Orders", readonly=True)
    overdue = fields.Function(
        fields.Boolean("Overdue",
            help="A work order of the plan is past its date "
            "and not finished."),
        'get_overdue', searcher='search_overdue')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]
        cls.__rpc__.update({
                'generate_work_orders': RPC(readonly=False, result=_ids),
                })

    @classmethod
    def default_interval_number(cls):
        return 1

    @classmethod
    def default_interval_unit(cls):
        return 'month'

    @classmethod
    def default_lead_days(cls):
        return 3

    @classmethod
    def default_start_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('equipment', 'estate', 'category',
        '_parent_equipment.estate', '_parent_equipment.category')
    def on_change_equipment(self):
        if not self.equipment:
            return
        self.estate = self.equipment.estate
        category = self.equipment.category
        if not self.category and category.work_order_category:
            self.category = category.work_order_category

    @classmethod
    def validate_fields(cls, plans, field_names):
        super().validate_fields(plans, field_names)
        if field_names and not (
                field_names & {'equipment', 'equipment_category'}):
            return
        for plan in plans:
            if bool(plan.equipment) == bool(plan.equipment_category):
                raise PlanValidationError(gettext(
                        'pm_maintenance.msg_plan_equipment',
                        plan=plan.rec_name))

    def get_next_date(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        with Transaction().set_context(company=self.company.id):
            today = Date.today()
        after = max(filter(None, [self.last_date, today - dt.timedelta(1)]))
        dates = occurrences(
            self.start_date, self.interval_number, self.interval_unit,
            after + _delta(self.interval_number, self.interval_unit, 1)
            + dt.timedelta(days=1), after=after)
        return dates[0] if dates else None

    @classmethod
    def _overdue_query(cls, plan_ids=None):
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        Date = pool.get('ir.date')
        order = WorkOrder.__table__()
        where = ((order.plan != Null)
            & (order.planned_date < Date.today())
            & order.state.in_(['draft', 'dispatched', 'processing']))
        if plan_ids is not None:
            where &= order.plan.in_(plan_ids)
        return order.select(order.plan, where=where, group_by=[order.plan])

    @classmethod
    def get_overdue(cls, plans, name):
        cursor = Transaction().connection.cursor()
        ids = [p.id for p in plans]
        overdue = set()
        for i in range(0, len(ids), 500):
            cursor.execute(*cls._overdue_query(ids[i:i + 500]))
            overdue.update(p for p, in cursor)
        return {p.id: p.id in overdue for p in plans}

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        if operator not in {'=', '!='}:
            return []
        positive = bool(value) == (operator == '=')
        return [('id', 'in' if positive else 'not in',
                cls._overdue_query())]

    def get_equipments(self):
        "Return the equipment the plan applies to"
        pool = Pool()
        Equipment = pool.get('pm.equipment')
        if self.equipment:
            return [self.equipment] if self.equipment.active else []
        return Equipment.search([
                ('estate', '=', self.estate.id),
                ('category', 'child_of', [self.equipment_category.id],
                    'parent'),
                ('status', '!=', 'scrapped'),
                ])

    @classmethod
    def copy(cls, plans, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('last_date', None)
        default.setdefault('work_orders', None)
        return super().copy(plans, default=default)

    @classmethod
    def generate_work_orders(cls, date=None):
        """Create the work orders of the occurrences up to date + the lead
        days of the active plans; each occurrence of a plan and equipment
        gets exactly one work order.

        Run daily by the scheduler, once per company."""
        pool = Pool()
        Date = pool.get('ir.date')
        WorkOrder = pool.get('pm.work_order')
        if date is None:
            date = Date.today()
        domain = []
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        plans = cls.search(domain)
        if not plans:
            return []
        wanted = {}
        for plan in plans:
            after = plan.last_date or date - dt.timedelta(days=1)
            dates = occurrences(
                plan.start_date, plan.interval_number, plan.interval_unit,
                date + dt.timedelta(days=plan.lead_days), after=after)
            if not dates:
                continue
            for equipment in plan.get_equipments():
                for occurrence in dates:
                    wanted[(plan.id, equipment.id, occurrence)] = (
                        plan, equipment)
        if not wanted:
            return []
        existing = set()
        for order in WorkOrder.search([
                    ('plan', 'in', list({k[0] for k in wanted})),
                    ('planned_date', '>=', min(k[2] for k in wanted)),
                    ]):
            existing.add((order.plan.id, order.equipment.id
                    if order.equipment else None, order.planned_date))
        to_create, last = [], {}
        for key in sorted(wanted, key=lambda k: (k[2], k[0], k[1])):
            plan, equipment = wanted[key]
            last[plan] = max(last.get(plan, key[2]), key[2])
            if key in existing:
                continue
            to_create.append(plan._work_order_values(equipment, key[2]))
        orders = WorkOrder.create(to_create) if to_create else []
        by_technician = {}
        for order in orders:
            if order.plan.technician:
                by_technician.setdefault(
                    order.plan.technician, []).append(order)
        for technician, t_orders in by_technician.items():
            WorkOrder.dispatch_to(t_orders, technician)
        args = []
        for plan, last_date in last.items():
            if not plan.last_date or plan.last_date < last_date:
                args.extend([[plan], {'last_date': last_date}])
        if args:
            cls.write(*args)
        return orders

    def _work_order_values(self, equipment, date):
        description = gettext(
            'pm_maintenance.msg_plan_work_order_description',
            plan=self.name, equipment=equipment.rec_name,
            date=date.isoformat())
        if self.description:
            description += '\n' + self.description
        return {
            'estate': self.estate.id,
            'building': (equipment.building.id
                if equipment.building else None),
            'location': equipment.location,
            'equipment': equipment.id,
            'kind': 'maintenance',
            'source': 'plan',
            'category': self.category.id,
            'urgency': 'normal',
            'description': description,
            'reported_at': dt.datetime.now().replace(microsecond=0),
            'plan': self.id,
            'planned_date': date,
            'checks': [('create', [{
                            'sequence': c.sequence,
                            'name': c.name,
                            'standard': c.standard,
                            } for c in self.checks])],
            }


class PlanCheck(sequence_ordered(), ModelSQL, ModelView):
    "Maintenance Plan Checklist Item"
    __name__ = 'pm.maintenance.plan.check'
    __string__ = "Maintenance Plan Checklist Item"

    plan = fields.Many2One(
        'pm.maintenance.plan', "Plan", required=True, ondelete='CASCADE')
    name = fields.Char("Item", required=True)
    standard = fields.Char(
        "Standard", help="What is checked and the expected value.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
