# This file is part of the pm suite (物业管理系统). See README.md.
"""Equipment ledger (设备档案): categories, equipment, fault history."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sql import Literal, Null
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields, tree)
from trytond.modules.company import CompanyReport
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, id_batches,
    search_fields, sql_in)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import EquipmentValidationError

STATUSES = [
    ('in_use', "In Use"),
    ('standby', "Standby"),
    ('repair', "Under Repair"),
    ('scrapped', "Scrapped"),
    ]


def mtbf_days(start, end, failures):
    """Mean time between failures in days: the days in service from start
    to end divided by the number of failures (None without failure)"""
    if not failures or not start or not end or end < start:
        return None
    return (Decimal((end - start).days) / failures).quantize(
        Decimal('0.1'), rounding=ROUND_HALF_UP)


class Category(DeactivableMixin, tree(separator=' / '), ModelSQL, ModelView):
    "Equipment Category"
    __name__ = 'pm.equipment.category'
    __string__ = "Equipment Category"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", strip=True)
    parent = fields.Many2One(
        'pm.equipment.category', "Parent", ondelete='RESTRICT')
    childs = fields.One2Many(
        'pm.equipment.category', 'parent', "Children")
    work_order_category = fields.Many2One(
        'pm.work_order.category', "Work Order Category",
        ondelete='SET NULL',
        help="The default category of the work orders of its equipment.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))


class Equipment(EstateCompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    "Equipment"
    __name__ = 'pm.equipment'
    __string__ = "Equipment"

    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    category = fields.Many2One(
        'pm.equipment.category', "Category", required=True,
        ondelete='RESTRICT')
    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain())
    building = fields.Many2One(
        'pm.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))])
    location = fields.Char(
        "Location", help="The room or area, e.g. 地下一层水泵房.")
    model = fields.Char("Model")
    serial_number = fields.Char("Serial Number")
    manufacturer = fields.Char("Manufacturer")
    supplier = fields.Many2One(
        'party.party', "Supplier", ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    maintainer = fields.Many2One(
        'party.party', "Maintenance Contractor", ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The outside company maintaining it (elevators, fire …).")
    responsible = fields.Many2One(
        'company.employee', "Responsible", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))])
    install_date = fields.Date("Install Date")
    warranty_end = fields.Date(
        "Warranty End",
        domain=['OR',
            ('warranty_end', '>=', If(Eval('install_date'),
                    Eval('install_date', dt.date.min), dt.date.min)),
            ('warranty_end', '=', None),
            ])
    in_warranty = fields.Function(
        fields.Boolean("In Warranty"), 'get_in_warranty')
    status = fields.Selection(STATUSES, "Status", required=True, sort=False)
    note = fields.Text("Note")
    work_orders = fields.One2Many(
        'pm.work_order', 'equipment', "Work Orders", readonly=True)
    plans = fields.One2Many(
        'pm.maintenance.plan', 'equipment', "Maintenance Plans",
        readonly=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    fault_count = fields.Function(
        fields.Integer("Faults",
            help="The repair work orders, not cancelled."),
        'get_fault_stats')
    last_fault = fields.Function(
        fields.DateTime("Last Fault"), 'get_fault_stats')
    repair_cost = fields.Function(Monetary(
            "Repair Cost", currency='currency', digits='currency',
            help="Materials and labour of its repairs."),
        'get_fault_stats')
    mtbf = fields.Function(
        fields.Numeric("MTBF (days)", digits=(16, 1),
            help="Mean time between failures: the days in service "
            "divided by the faults."),
        'get_fault_stats')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_code_unique', Unique(t, t.company, t.code),
                'pm_maintenance.msg_equipment_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality())),
                Index(t, (t.code, Index.Similarity())),
                })
        cls._order = [('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_status(cls):
        return 'in_use'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('building', 'estate', '_parent_building.estate')
    def on_change_building(self):
        if self.building:
            self.estate = self.building.estate

    def get_rec_name(self, name):
        return f'[{self.code}] {self.name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['code', 'name', 'serial_number'])

    def get_in_warranty(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        if not self.warranty_end:
            return False
        with Transaction().set_context(company=self.company.id):
            return Date.today() <= self.warranty_end

    @classmethod
    def validate_fields(cls, equipments, field_names):
        super().validate_fields(equipments, field_names)
        if field_names and not (field_names & {'building', 'estate'}):
            return
        for equipment in equipments:
            if (equipment.building
                    and equipment.building.estate != equipment.estate):
                raise EquipmentValidationError(gettext(
                        'pm_maintenance.msg_equipment_building_estate',
                        equipment=equipment.rec_name))

    @classmethod
    def fault_stats(cls, equipment_ids, date_from=None, date_to=None):
        """Return {equipment id: (faults, first fault, last fault, cost)}
        of the repair work orders (not cancelled) reported in the dates"""
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        order = WorkOrder.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in id_batches(equipment_ids):
            where = (sql_in(order.equipment, sub_ids)
                & (order.kind == 'repair') & (order.state != 'cancelled'))
            if date_from:
                where &= order.reported_at >= dt.datetime.combine(
                    date_from, dt.time())
            if date_to:
                where &= order.reported_at < dt.datetime.combine(
                    date_to + dt.timedelta(days=1), dt.time())
            cursor.execute(*order.select(
                    order.equipment, Count(order.id),
                    Min(order.reported_at), Max(order.reported_at),
                    Sum(Coalesce(order.material_cost, 0)
                        + Coalesce(order.labour_cost, 0)),
                    where=where, group_by=[order.equipment]))
            for equipment_id, count, first, last, cost in cursor:
                result[equipment_id] = (count, first, last, cost)
        return result

    @classmethod
    def get_fault_stats(cls, equipments, names):
        pool = Pool()
        Date = pool.get('ir.date')
        stats = cls.fault_stats([e.id for e in equipments])
        result = {n: {} for n in names}
        today = Date.today()
        for equipment in equipments:
            count, first, last, cost = stats.get(
                equipment.id, (0, None, None, 0))
            if isinstance(last, str):
                last = dt.datetime.fromisoformat(last)
            cost = equipment.company.currency.round(
                Decimal(str(cost or 0)))
            start = equipment.install_date or (
                equipment.create_date.date()
                if equipment.create_date else None)
            values = {
                'fault_count': count,
                'last_fault': last,
                'repair_cost': cost,
                'mtbf': mtbf_days(start, today, count),
                }
            for name in names:
                result[name][equipment.id] = values[name]
        return result

    def qr_text(self):
        "The text of the QR label: code, name, estate and location"
        return '\n'.join(filter(None, [
                    f'EQ:{self.code}',
                    self.name,
                    self.estate.rec_name,
                    self.location or '',
                    ]))

    @classmethod
    def copy(cls, equipments, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('serial_number', None)
        default.setdefault('work_orders', None)
        default.setdefault('plans', None)
        return super().copy(equipments, default=default)


class EquipmentLabel(CompanyReport):
    "Equipment QR Label"
    __name__ = 'pm.equipment.label'

    @classmethod
    def get_context(cls, records, header, data):
        from trytond.modules.pm_billing.words import qr_code_png
        context = super().get_context(records, header, data)
        context['qr'] = lambda equipment: (
            qr_code_png(equipment.qr_text(), box_size=6), 'image/png')
        return context


class FaultStatistic(ModelSQL, ModelView):
    "Equipment Faults"
    __name__ = 'pm.equipment.fault_statistic'
    __string__ = "Equipment Faults"

    company = fields.Many2One('company.company', "Company")
    equipment = fields.Many2One('pm.equipment', "Equipment")
    estate = fields.Many2One('pm.estate', "Estate")
    category = fields.Many2One('pm.equipment.category', "Category")
    faults = fields.Integer("Faults")
    repair_cost = fields.Numeric("Repair Cost", digits=(16, 2))
    last_fault = fields.DateTime("Last Fault")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('faults', 'DESC'), ('repair_cost', 'DESC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        Equipment = pool.get('pm.equipment')
        order = WorkOrder.__table__()
        equipment = Equipment.__table__()
        context = Transaction().context
        where = ((order.equipment != Null) & (order.kind == 'repair')
            & (order.state != 'cancelled'))
        if context.get('from_date'):
            where &= order.reported_at >= dt.datetime.combine(
                context['from_date'], dt.time())
        if context.get('to_date'):
            where &= order.reported_at < dt.datetime.combine(
                context['to_date'] + dt.timedelta(days=1), dt.time())
        if context.get('estate'):
            where &= order.estate == context['estate']
        return order.join(equipment,
            condition=order.equipment == equipment.id).select(
            equipment.id.as_('id'),
            Literal(0).as_('create_uid'),
            Max(order.create_date).as_('create_date'),
            Literal(None).as_('write_uid'),
            Literal(None).as_('write_date'),
            equipment.company.as_('company'),
            equipment.id.as_('equipment'),
            equipment.estate.as_('estate'),
            equipment.category.as_('category'),
            Count(order.id).as_('faults'),
            Sum(Coalesce(order.material_cost, 0)
                + Coalesce(order.labour_cost, 0)).as_('repair_cost'),
            Max(order.reported_at).as_('last_fault'),
            where=where,
            group_by=[equipment.id, equipment.company, equipment.estate,
                equipment.category])
