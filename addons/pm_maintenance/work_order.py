# This file is part of the pm suite (物业管理系统). See README.md.
"""Repair requests and work orders (报修/派工/回访).

A work order is reported (待受理), dispatched to a technician (已派工),
worked on (处理中), finished and waiting for the return visit (待回访) and
done (已完成), or cancelled (已取消). Every transition is logged with who
and when. The deadlines come from the SLA of the category and urgency; a
scheduled task flags the late orders and escalates them to the supervisor.
"""
import datetime as dt
import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from email.message import EmailMessage

from trytond.config import config as tconfig
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow,
    fields, sequence_ordered)
from trytond.modules.company import CompanyReport
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateTransition, StateView, Wizard)

from .exceptions import (
    MaterialError, SLAValidationError, WorkOrderError,
    WorkOrderModifyError, WorkOrderValidationError)

logger = logging.getLogger(__name__)

STATES = [
    ('draft', "Pending"),
    ('dispatched', "Dispatched"),
    ('processing', "In Progress"),
    ('visit', "Return Visit"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]
OPEN_STATES = ['draft', 'dispatched', 'processing']
SOURCES = [
    ('portal', "Portal"),
    ('phone', "Phone"),
    ('walk_in', "Walk-in"),
    ('inspection', "Inspection"),
    ('plan', "Maintenance Plan"),
    ]
URGENCIES = [
    ('normal', "Normal"),
    ('urgent', "Urgent"),
    ('critical', "Critical"),
    ]
KINDS = [
    ('repair', "Repair"),
    ('maintenance', "Preventive Maintenance"),
    ]
SATISFACTIONS = [
    (None, ""),
    ('1', "1 - Very Dissatisfied"),
    ('2', "2 - Dissatisfied"),
    ('3', "3 - Neutral"),
    ('4', "4 - Satisfied"),
    ('5', "5 - Very Satisfied"),
    ]
HOUR = Decimal('0.01')


def hours_between(start, end):
    "Return the hours from start to end as a Decimal rounded to 0.01"
    if not start or not end:
        return None
    seconds = Decimal((end - start).total_seconds())
    return (seconds / 3600).quantize(HOUR, rounding=ROUND_HALF_UP)


def add_hours(moment, hours):
    if moment is None or hours is None:
        return None
    return moment + dt.timedelta(seconds=int(Decimal(hours) * 3600))


def mean(values, quantize=HOUR):
    "Return the mean of the values (Decimal) or None"
    values = [Decimal(str(v)) for v in values if v is not None]
    if not values:
        return None
    return (sum(values) / len(values)).quantize(
        quantize, rounding=ROUND_HALF_UP)


def percent(part, whole):
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(
        Decimal('0.1'), rounding=ROUND_HALF_UP)


def sla_summary(rows):
    """Return the KPIs of rows of (response_hours, completion_hours,
    response_on_time, completion_on_time, satisfaction):
    mean response hours, mean completion hours, SLA compliance % of the
    finished orders, mean satisfaction and the counts"""
    response, completion, satisfaction = [], [], []
    finished = on_time = 0
    for resp, compl, resp_ok, compl_ok, score in rows:
        if resp is not None:
            response.append(resp)
        if compl is not None:
            completion.append(compl)
            finished += 1
            # resp_ok: None = no response deadline; 0 (SQLite) = late
            if compl_ok and (resp_ok is None or resp_ok):
                on_time += 1
        if score:
            satisfaction.append(int(score))
    return {
        'response_hours': mean(response),
        'completion_hours': mean(completion),
        'sla_percent': percent(on_time, finished),
        'satisfaction': mean(satisfaction),
        'responded': len(response),
        'finished': finished,
        'on_time': on_time,
        'rated': len(satisfaction),
        }


def _now():
    return dt.datetime.now().replace(microsecond=0)


def _ids(records):
    "RPC result of the scheduled tasks: the ids of the records"
    return [r.id for r in records]


class Category(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    "Work Order Category"
    __name__ = 'pm.work_order.category'
    __string__ = "Work Order Category"

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True, strip=True)
    skill = fields.Many2One(
        'pm.skill', "Skill", ondelete='SET NULL',
        help="The skill needed; technicians having it are suggested first.")
    supervisor = fields.Many2One(
        'company.employee', "Supervisor", ondelete='SET NULL',
        help="Receives the escalations of the late work orders "
        "of the category.")
    description = fields.Text("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'pm_maintenance.msg_work_order_category_code_unique'),
            ]


class SLA(ModelSQL, ModelView):
    "Service Level"
    __name__ = 'pm.work_order.sla'
    __string__ = "Service Level"

    company = fields.Many2One('company.company', "Company", required=True)
    category = fields.Many2One(
        'pm.work_order.category', "Category", ondelete='CASCADE',
        help="Leave empty for the categories without their own level.")
    urgency = fields.Selection(URGENCIES, "Urgency", required=True,
        sort=False)
    response_hours = fields.Numeric(
        "Response Hours", digits=(16, 2), required=True,
        domain=[('response_hours', '>', 0)],
        help="The technician must be on site within these hours "
        "after the report.")
    completion_hours = fields.Numeric(
        "Completion Hours", digits=(16, 2), required=True,
        domain=[('completion_hours', '>=', Eval('response_hours', 0))],
        help="The repair must be finished within these hours "
        "after the report.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('category', 'ASC NULLS LAST'), ('urgency', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_urgency():
        return 'normal'

    def get_rec_name(self, name):
        category = self.category.rec_name if self.category else '*'
        urgency = dict(self.fields_get(['urgency'])['urgency']['selection'])
        return f'{category} / {urgency.get(self.urgency, self.urgency)}'

    @classmethod
    def validate_fields(cls, levels, field_names):
        super().validate_fields(levels, field_names)
        if field_names and not (
                field_names & {'company', 'category', 'urgency'}):
            return
        keys = {(l.company.id, l.category.id if l.category else None,
                l.urgency) for l in levels}
        others = cls.search([
                ('company', 'in', list({k[0] for k in keys})),
                ])
        seen = {}
        for level in others:
            key = (level.company.id,
                level.category.id if level.category else None,
                level.urgency)
            if key in seen:
                raise SLAValidationError(gettext(
                        'pm_maintenance.msg_sla_unique',
                        level=level.rec_name))
            seen[key] = level

    @classmethod
    def rules(cls, company_ids):
        "Return {(company, category or None, urgency): (response, completion)}"
        levels = cls.search([('company', 'in', list(company_ids))])
        return {
            (l.company.id, l.category.id if l.category else None,
                l.urgency): (l.response_hours, l.completion_hours)
            for l in levels}


class WorkOrder(EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    "Work Order"
    __name__ = 'pm.work_order'
    __string__ = "Work Order"
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state') != 'draft',
        }
    _open = {
        'readonly': ~Eval('state').in_(OPEN_STATES),
        }

    number = fields.Char("Number", readonly=True)
    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(), states=_states)
    building = fields.Many2One(
        'pm.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))], states=_states)
    unit = fields.Many2One(
        'pm.unit', "Unit", ondelete='RESTRICT',
        domain=[
            ('estate', '=', Eval('estate', -1)),
            If(Eval('building'),
                ('building', '=', Eval('building', -1)),
                ()),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            'required': Bool(Eval('paid')),
            },
        help="Empty for a common area: describe it in Location.")
    location = fields.Char(
        "Location", states=_states,
        help="Where in the estate, e.g. 3栋2单元电梯厅.")
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False,
        states=_states)
    source = fields.Selection(SOURCES, "Source", required=True, sort=False,
        states=_states)
    source_string = source.translated('source')
    category = fields.Many2One(
        'pm.work_order.category', "Category", required=True,
        ondelete='RESTRICT', states=_open)
    urgency = fields.Selection(URGENCIES, "Urgency", required=True,
        sort=False, states=_open)
    urgency_string = urgency.translated('urgency')
    description = fields.Text("Description", required=True, states=_open)
    contact = fields.Many2One(
        'party.party', "Contact", ondelete='RESTRICT', states=_open,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The resident who reported the problem.")
    contact_name = fields.Char("Contact Name", states=_open)
    contact_phone = fields.Char("Contact Phone", states=_open)
    preferred_time = fields.DateTime(
        "Preferred Time", states=_open,
        help="When the resident wants the technician to come.")
    equipment = fields.Many2One(
        'pm.equipment', "Equipment", ondelete='RESTRICT', states=_open,
        domain=[('estate', '=', Eval('estate', -1))])
    origin = fields.Reference(
        "Origin", selection='get_origin', states=_states)
    plan = fields.Many2One(
        'pm.maintenance.plan', "Maintenance Plan", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('plan'),
            })
    planned_date = fields.Date(
        "Planned Date", readonly=True,
        states={
            'invisible': ~Eval('planned_date'),
            })
    reported_at = fields.DateTime(
        "Reported at", required=True, states=_states)
    technician = fields.Many2One(
        'company.employee', "Technician", readonly=True,
        ondelete='RESTRICT')
    supervisor = fields.Function(
        fields.Many2One('company.employee', "Supervisor"),
        'on_change_with_supervisor')
    response_deadline = fields.DateTime("Response Deadline", readonly=True)
    completion_deadline = fields.DateTime(
        "Completion Deadline", readonly=True)
    dispatched_at = fields.DateTime("Dispatched at", readonly=True)
    started_at = fields.DateTime(
        "Arrived at",
        states={
            'readonly': ~Eval('state').in_(['dispatched', 'processing']),
            },
        help="When the technician arrived on site; "
        "the current time when empty at the start.")
    finished_at = fields.DateTime(
        "Finished at",
        states={
            'readonly': Eval('state') != 'processing',
            },
        help="When the repair was finished; "
        "the current time when empty at the end.")
    closed_at = fields.DateTime("Closed at", readonly=True)
    response_hours = fields.Numeric(
        "Response Hours", digits=(16, 2), readonly=True)
    completion_hours = fields.Numeric(
        "Completion Hours", digits=(16, 2), readonly=True)
    response_on_time = fields.Boolean("Response on Time", readonly=True)
    completion_on_time = fields.Boolean("Completion on Time", readonly=True)
    overdue = fields.Boolean(
        "Overdue", readonly=True,
        help="Set by the scheduled task when a deadline has passed.")
    escalations = fields.One2Many(
        'pm.work_order.escalation', 'work_order', "Escalations",
        readonly=True)
    work_done = fields.Text(
        "Work Done",
        states={
            'readonly': ~Eval('state').in_(['dispatched', 'processing']),
            })
    checks = fields.One2Many(
        'pm.work_order.check', 'work_order', "Checklist",
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", ondelete='RESTRICT',
        domain=[('type', '=', 'warehouse')], states=_open,
        help="Where the materials are taken from.")
    materials = fields.One2Many(
        'pm.work_order.material', 'work_order', "Materials",
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    labour_hours = fields.Numeric(
        "Labour Hours", digits=(16, 2), states=_open,
        domain=['OR',
            ('labour_hours', '>=', 0),
            ('labour_hours', '=', None),
            ])
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    material_cost = Monetary(
        "Material Cost", currency='currency', digits='currency',
        readonly=True,
        help="The cost price of the materials issued.")
    labour_cost = Monetary(
        "Labour Cost", currency='currency', digits='currency',
        readonly=True,
        help="Labour hours × the labour cost per hour of the "
        "configuration, at the end of the repair.")
    total_cost = fields.Function(Monetary(
            "Total Cost", currency='currency', digits='currency'),
        'get_total_cost')
    paid = fields.Boolean(
        "Paid Service", states=_open,
        help="The resident pays the labour and the materials (有偿服务).")
    payment = fields.Selection([
            (None, ""),
            ('bill', "On the Next Bill"),
            ('now', "Paid at Once"),
            ], "Payment", sort=False,
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            'invisible': ~Eval('paid'),
            'required': Bool(Eval('paid')),
            })
    payer = fields.Many2One(
        'party.party', "Payer", ondelete='RESTRICT',
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            'invisible': ~Eval('paid'),
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Leave empty to charge the billing party of the unit.")
    labour_amount = Monetary(
        "Labour Charge", currency='currency', digits='currency',
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            'invisible': ~Eval('paid'),
            },
        domain=['OR',
            ('labour_amount', '>=', 0),
            ('labour_amount', '=', None),
            ])
    material_amount = fields.Function(Monetary(
            "Material Charge", currency='currency', digits='currency',
            states={
                'invisible': ~Eval('paid'),
                }),
        'get_amounts')
    charge_amount = fields.Function(Monetary(
            "Amount Charged", currency='currency', digits='currency',
            states={
                'invisible': ~Eval('paid'),
                }),
        'get_amounts')
    charges = fields.One2Many(
        'pm.charge.extra', 'origin', "Charges", readonly=True,
        states={
            'invisible': ~Eval('paid'),
            })
    satisfaction = fields.Selection(
        SATISFACTIONS, "Satisfaction", readonly=True, sort=False)
    visit_comment = fields.Text("Return Visit Comment", readonly=True)
    visited_at = fields.DateTime("Visited at", readonly=True)
    visited_by = fields.Many2One('res.user', "Visited by", readonly=True)
    cancel_reason = fields.Text(
        "Cancellation Reason",
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    history = fields.One2Many(
        'pm.work_order.history', 'work_order', "History", readonly=True)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states, _open

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.unit, Index.Equality())),
                Index(t, (t.equipment, Index.Equality())),
                Index(t, (t.technician, Index.Equality()),
                    where=t.state.in_(['dispatched', 'processing'])),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(OPEN_STATES + ['visit'])),
                Index(t, (t.reported_at, Index.Range())),
                })
        cls._sql_constraints = [
            ('plan_occurrence_unique',
                Unique(t, t.plan, t.equipment, t.planned_date),
                'pm_maintenance.msg_work_order_plan_occurrence_unique'),
            ]
        cls._order = [('reported_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'dispatched'),
            ('dispatched', 'dispatched'),
            ('dispatched', 'processing'),
            ('processing', 'visit'),
            ('processing', 'done'),
            ('visit', 'done'),
            ('draft', 'cancelled'),
            ('dispatched', 'cancelled'),
            ('processing', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'dispatch': {
                    'invisible': ~Eval('state').in_(['draft', 'dispatched']),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': Eval('state') != 'dispatched',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'issue_materials': {
                    'invisible': ~Eval('state').in_(
                        ['dispatched', 'processing']),
                    'icon': 'tryton-export',
                    'depends': ['state'],
                    },
                'finish': {
                    'invisible': Eval('state') != 'processing',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'visit': {
                    'invisible': Eval('state') != 'visit',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })
        cls.__rpc__.update({
                'check_sla': RPC(readonly=False, result=_ids),
                'iso_kpis': RPC(),
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'repair'

    @classmethod
    def default_source(cls):
        return 'phone'

    @classmethod
    def default_urgency(cls):
        return 'normal'

    @classmethod
    def default_reported_at(cls):
        return _now()

    @classmethod
    def default_paid(cls):
        return False

    @classmethod
    def default_overdue(cls):
        return False

    @classmethod
    def default_warehouse(cls):
        pool = Pool()
        Location = pool.get('stock.location')
        warehouses = Location.search([('type', '=', 'warehouse')], limit=2)
        if len(warehouses) == 1:
            return warehouses[0].id

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('category', '_parent_category.supervisor')
    def on_change_with_supervisor(self, name=None):
        pool = Pool()
        Config = pool.get('pm.configuration')
        if self.category and self.category.supervisor:
            return self.category.supervisor
        return Config(1).work_order_supervisor

    @fields.depends('unit', 'estate', 'building', 'contact',
        '_parent_unit.estate', '_parent_unit.building',
        '_parent_unit.billing_party', methods=['on_change_contact'])
    def on_change_unit(self):
        if not self.unit:
            return
        self.estate = self.unit.estate
        self.building = self.unit.building
        if not self.contact and self.unit.billing_party:
            self.contact = self.unit.billing_party
            self.on_change_contact()

    @fields.depends('contact', 'contact_name', 'contact_phone')
    def on_change_contact(self):
        if not self.contact:
            return
        if not self.contact_name:
            self.contact_name = self.contact.name
        if not self.contact_phone:
            phone = self.contact.mobile or self.contact.phone
            if phone:
                self.contact_phone = phone

    @fields.depends('equipment', 'estate', 'building', 'location',
        '_parent_equipment.estate', '_parent_equipment.building',
        '_parent_equipment.location')
    def on_change_equipment(self):
        if not self.equipment:
            return
        self.estate = self.equipment.estate
        if self.equipment.building:
            self.building = self.equipment.building
        if not self.location and self.equipment.location:
            self.location = self.equipment.location

    @fields.depends('paid', 'payment')
    def on_change_paid(self):
        if self.paid and not self.payment:
            self.payment = 'bill'

    @classmethod
    def _get_origin(cls):
        "Models that can create work orders (inspections, patrols …)"
        return ['pm.complaint', 'pm.violation', 'pm.environment.inspection']

    @classmethod
    def get_origin(cls):
        IrModel = Pool().get('ir.model')
        models = cls._get_origin()
        records = IrModel.search([('name', 'in', models)])
        return [(None, '')] + [(m.name, m.string) for m in records]

    def get_rec_name(self, name):
        return self.number or f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, [
                'number', 'unit.rec_name', 'contact_name', 'location'])

    def get_total_cost(self, name):
        return (self.material_cost or 0) + (self.labour_cost or 0)

    @classmethod
    def get_amounts(cls, orders, names):
        result = {n: {} for n in names}
        for order in orders:
            material = sum(
                (l.amount or 0 for l in order.materials), Decimal(0))
            if 'material_amount' in names:
                result['material_amount'][order.id] = material
            if 'charge_amount' in names:
                result['charge_amount'][order.id] = sum(
                    (c.amount or 0 for c in order.charges
                        if c.state != 'cancelled'), Decimal(0))
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Config = pool.get('pm.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            sequence = Config(1).get_maintenance_sequence(
                'work_order_sequence')
            values['number'] = sequence.get()
        return values

    @classmethod
    def on_modification(cls, mode, orders, field_names=None):
        super().on_modification(mode, orders, field_names=field_names)
        if mode == 'create' or (mode == 'write' and field_names & {
                    'category', 'urgency', 'reported_at', 'kind',
                    'planned_date', 'company'}):
            cls.set_deadlines(orders)

    @classmethod
    def validate_fields(cls, orders, field_names):
        super().validate_fields(orders, field_names)
        cls.check_dates(orders, field_names)
        cls.check_paid(orders, field_names)

    @classmethod
    def check_dates(cls, orders, field_names=None):
        if field_names and not (field_names & {
                    'reported_at', 'started_at', 'finished_at'}):
            return
        for order in orders:
            if (order.started_at and order.reported_at
                    and order.started_at < order.reported_at):
                raise WorkOrderValidationError(gettext(
                        'pm_maintenance.msg_work_order_started_before',
                        order=order.rec_name))
            if (order.finished_at and order.started_at
                    and order.finished_at < order.started_at):
                raise WorkOrderValidationError(gettext(
                        'pm_maintenance.msg_work_order_finished_before',
                        order=order.rec_name))

    @classmethod
    def check_paid(cls, orders, field_names=None):
        if field_names and not (field_names & {'paid', 'unit'}):
            return
        for order in orders:
            if order.paid and not order.unit:
                raise WorkOrderValidationError(gettext(
                        'pm_maintenance.msg_work_order_paid_unit',
                        order=order.rec_name))

    @classmethod
    def check_modification(cls, mode, orders, values=None, external=False):
        super().check_modification(
            mode, orders, values=values, external=external)
        if mode == 'delete':
            for order in orders:
                if order.state not in {'draft', 'cancelled'}:
                    raise WorkOrderModifyError(gettext(
                            'pm_maintenance.msg_work_order_delete',
                            order=order.rec_name))
        elif mode == 'write' and external:
            for order in orders:
                if order.state in {'done', 'cancelled'}:
                    raise WorkOrderModifyError(gettext(
                            'pm_maintenance.msg_work_order_closed',
                            order=order.rec_name))

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'technician', 'response_deadline',
                'completion_deadline', 'dispatched_at', 'started_at',
                'finished_at', 'closed_at', 'response_hours',
                'completion_hours', 'response_on_time', 'completion_on_time',
                'material_cost', 'labour_cost', 'satisfaction',
                'visit_comment', 'visited_at', 'visited_by', 'cancel_reason',
                'work_done', 'plan', 'planned_date']:
            default.setdefault(name, None)
        default.setdefault('overdue', False)
        default.setdefault('reported_at', _now())
        for name in ['escalations', 'charges', 'history', 'materials']:
            default.setdefault(name, None)
        return super().copy(orders, default=default)

    @classmethod
    def compute_deadlines(cls, orders):
        "Return {order: (response deadline, completion deadline)}"
        pool = Pool()
        SLA = pool.get('pm.work_order.sla')
        rules = SLA.rules({o.company.id for o in orders})
        result = {}
        for order in orders:
            if order.kind == 'maintenance' and order.planned_date:
                end = dt.datetime.combine(
                    order.planned_date + dt.timedelta(days=1), dt.time())
                result[order] = (None, end)
                continue
            rule = rules.get((order.company.id, order.category.id,
                    order.urgency)) or rules.get(
                (order.company.id, None, order.urgency))
            if not rule:
                result[order] = (None, None)
                continue
            response, completion = rule
            result[order] = (
                add_hours(order.reported_at, response),
                add_hours(order.reported_at, completion))
        return result

    @classmethod
    def set_deadlines(cls, orders):
        args = []
        for order, (response, completion) in cls.compute_deadlines(
                orders).items():
            if (order.response_deadline != response
                    or order.completion_deadline != completion):
                args.extend([[order], {
                            'response_deadline': response,
                            'completion_deadline': completion,
                            }])
        if args:
            cls.write(*args)

    @classmethod
    def log_transition(cls, orders, to_state, note=None, moment=None):
        "Stamp the transition of the orders with the user and the time"
        pool = Pool()
        History = pool.get('pm.work_order.history')
        User = pool.get('res.user')
        transaction = Transaction()
        user = User(transaction.user) if transaction.user else None
        employee = user.employee if user else None
        moment = moment or _now()
        History.create([{
                    'work_order': o.id,
                    'date': moment,
                    'user': user.id if user else None,
                    'employee': employee.id if employee else None,
                    'from_state': o.state,
                    'to_state': to_state,
                    'note': note,
                    } for o in orders])

    @classmethod
    @ModelView.button_action('pm_maintenance.wizard_work_order_dispatch')
    def dispatch(cls, orders):
        pass

    @classmethod
    def dispatch_to(cls, orders, technician, note=None):
        "Dispatch (or dispatch again) the orders to the technician"
        orders = [o for o in orders if o.state in {'draft', 'dispatched'}]
        if not orders:
            return
        for order in orders:
            if order.company != technician.company:
                raise WorkOrderError(gettext(
                        'pm_maintenance.msg_work_order_technician_company',
                        order=order.rec_name,
                        technician=technician.rec_name))
        cls.write(orders, {'technician': technician.id})
        cls._dispatch(orders, note=note or technician.rec_name)

    @classmethod
    @Workflow.transition('dispatched')
    def _dispatch(cls, orders, note=None):
        now = _now()
        cls.log_transition(orders, 'dispatched', note=note, moment=now)
        cls.write(orders, {'dispatched_at': now})

    @classmethod
    @ModelView.button
    @Workflow.transition('processing')
    def start(cls, orders):
        pool = Pool()
        Equipment = pool.get('pm.equipment')
        now = _now()
        cls.log_transition(orders, 'processing', moment=now)
        args = []
        for order in orders:
            started = order.started_at or now
            if started < order.reported_at:
                raise WorkOrderValidationError(gettext(
                        'pm_maintenance.msg_work_order_started_before',
                        order=order.rec_name))
            args.extend([[order], {
                        'started_at': started,
                        'response_hours': hours_between(
                            order.reported_at, started),
                        'response_on_time': (
                            order.response_deadline is None
                            or started <= order.response_deadline),
                        }])
        if args:
            cls.write(*args)
        equipments = [o.equipment for o in orders
            if o.equipment and o.kind == 'repair'
            and o.equipment.status == 'in_use']
        if equipments:
            Equipment.write(list(set(equipments)), {'status': 'repair'})

    @classmethod
    @ModelView.button
    def issue_materials(cls, orders):
        "Issue the materials not issued yet from the warehouse of the orders"
        pool = Pool()
        Move = pool.get('stock.move')
        Material = pool.get('pm.work_order.material')
        Config = pool.get('pm.configuration')
        Date = pool.get('ir.date')
        location = Config(1).get_consumption_location()
        lines, moves = [], []
        for order in orders:
            pending = [l for l in order.materials
                if not l.move and l.quantity]
            if not pending:
                continue
            if not order.warehouse:
                raise MaterialError(gettext(
                        'pm_maintenance.msg_work_order_no_warehouse',
                        order=order.rec_name))
            with Transaction().set_context(company=order.company.id):
                today = Date.today()
            for line in pending:
                moves.append(Move(
                        product=line.product,
                        unit=line.unit,
                        quantity=line.quantity,
                        from_location=order.warehouse.storage_location,
                        to_location=location,
                        company=order.company,
                        planned_date=today,
                        effective_date=today,
                        origin=line,
                        ))
                lines.append(line)
        if not moves:
            return
        Move.save(moves)
        if not Move.assign_try(moves, grouping=('product',)):
            short = sorted({m.product.rec_name for m in moves
                    if m.state != 'assigned'})
            raise MaterialError(gettext(
                    'pm_maintenance.msg_work_order_material_short',
                    products=', '.join(short)))
        Move.do(moves)
        for line, move in zip(lines, moves):
            line.move = move
            line.cost_price = move.cost_price
        Material.save(lines)
        cls.update_material_cost(list({l.work_order for l in lines}))

    @classmethod
    def update_material_cost(cls, orders):
        args = []
        for order in orders:
            cost = sum((l.cost or 0 for l in order.materials if l.move),
                Decimal(0))
            args.extend([[order], {
                        'material_cost': order.company.currency.round(cost),
                        }])
        if args:
            cls.write(*args)

    @classmethod
    @ModelView.button
    def finish(cls, orders):
        pool = Pool()
        Equipment = pool.get('pm.equipment')
        Config = pool.get('pm.configuration')
        config = Config(1)
        orders = [o for o in orders if o.state == 'processing']
        if not orders:
            return
        for order in orders:
            if not order.work_done:
                raise WorkOrderError(gettext(
                        'pm_maintenance.msg_work_order_work_done',
                        order=order.rec_name))
            for check in order.checks:
                if not check.result:
                    raise WorkOrderError(gettext(
                            'pm_maintenance.msg_work_order_check_missing',
                            order=order.rec_name, check=check.name))
        cls.issue_materials(orders)
        orders = cls.browse(orders)
        now = _now()
        rate = config.labour_hour_cost or Decimal(0)
        args = []
        for order in orders:
            finished = order.finished_at or now
            if order.started_at and finished < order.started_at:
                raise WorkOrderValidationError(gettext(
                        'pm_maintenance.msg_work_order_finished_before',
                        order=order.rec_name))
            args.extend([[order], {
                        'finished_at': finished,
                        'completion_hours': hours_between(
                            order.reported_at, finished),
                        'completion_on_time': (
                            order.completion_deadline is None
                            or finished <= order.completion_deadline),
                        'labour_cost': order.company.currency.round(
                            (order.labour_hours or 0) * rate),
                        }])
        if args:
            cls.write(*args)
        orders = cls.browse(orders)
        cls.create_charges([o for o in orders if o.paid])
        repairs = [o for o in orders if o.kind == 'repair']
        others = [o for o in orders if o.kind != 'repair']
        if repairs:
            cls._finish_visit(repairs)
        if others:
            cls._finish_done(others)
        equipments = [o.equipment for o in orders
            if o.equipment and o.equipment.status == 'repair']
        if equipments:
            Equipment.write(list(set(equipments)), {'status': 'in_use'})

    @classmethod
    @Workflow.transition('visit')
    def _finish_visit(cls, orders):
        cls.log_transition(orders, 'visit')

    @classmethod
    @Workflow.transition('done')
    def _finish_done(cls, orders):
        cls.log_transition(orders, 'done')
        cls.write(orders, {'closed_at': _now()})

    @classmethod
    def create_charges(cls, orders):
        """Charge the labour and the materials of the paid orders to the
        unit: on the next bill, or billed at once"""
        pool = Pool()
        Extra = pool.get('pm.charge.extra')
        Config = pool.get('pm.configuration')
        config = Config(1)
        to_create, at_once = [], set()
        for order in orders:
            if not order.paid or any(
                    c.state != 'cancelled' for c in order.charges):
                continue
            base = {
                'company': order.company.id,
                'unit': order.unit.id,
                'party': order.payer.id if order.payer else None,
                'date': (order.finished_at or _now()).date(),
                'origin': str(order),
                }
            if order.labour_amount:
                if not config.labour_charge_item:
                    raise WorkOrderError(gettext(
                            'pm_maintenance.msg_work_order_no_charge_item',
                            order=order.rec_name))
                to_create.append({**base,
                        'charge_item': config.labour_charge_item.id,
                        'description': gettext(
                            'pm_maintenance.msg_charge_labour',
                            order=order.rec_name),
                        'quantity': Decimal(1),
                        'unit_price': order.labour_amount,
                        })
            for line in order.materials:
                if not line.unit_price or not line.quantity:
                    continue
                if not config.material_charge_item:
                    raise WorkOrderError(gettext(
                            'pm_maintenance.msg_work_order_no_charge_item',
                            order=order.rec_name))
                to_create.append({**base,
                        'charge_item': config.material_charge_item.id,
                        'description': gettext(
                            'pm_maintenance.msg_charge_material',
                            order=order.rec_name,
                            product=line.product.rec_name),
                        'quantity': Decimal(str(line.quantity)),
                        'unit_price': line.unit_price,
                        })
            if order.payment == 'now':
                at_once.add(str(order))
        if not to_create:
            return []
        extras = Extra.create(to_create)
        now_extras = [e for e in extras if str(e.origin) in at_once]
        if now_extras:
            Extra.bill_now(now_extras)
        return extras

    @classmethod
    @ModelView.button_action('pm_maintenance.wizard_work_order_visit')
    def visit(cls, orders):
        pass

    @classmethod
    def record_visit(cls, orders, satisfaction, comment=None, moment=None):
        "Record the return visit of the orders and close them"
        pool = Pool()
        User = pool.get('res.user')
        orders = [o for o in orders if o.state == 'visit']
        if not orders:
            return
        if not satisfaction:
            raise WorkOrderError(gettext(
                    'pm_maintenance.msg_work_order_satisfaction',
                    order=orders[0].rec_name))
        moment = moment or _now()
        cls.write(orders, {
                'satisfaction': satisfaction,
                'visit_comment': comment,
                'visited_at': moment,
                'visited_by': User(Transaction().user).id
                if Transaction().user else None,
                })
        cls._close(orders)

    @classmethod
    @Workflow.transition('done')
    def _close(cls, orders):
        now = _now()
        cls.log_transition(orders, 'done', moment=now)
        cls.write(orders, {'closed_at': now})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, orders):
        for order in orders:
            if not order.cancel_reason:
                raise WorkOrderError(gettext(
                        'pm_maintenance.msg_work_order_cancel_reason',
                        order=order.rec_name))
            if any(l.move for l in order.materials):
                raise WorkOrderError(gettext(
                        'pm_maintenance.msg_work_order_cancel_issued',
                        order=order.rec_name))
        cls.log_transition(orders, 'cancelled')

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, orders):
        cls.log_transition(orders, 'draft')
        cls.write(orders, {'technician': None, 'dispatched_at': None})

    @classmethod
    def suggest_technicians(cls, order, limit=10):
        """Return the employees of the order's company having skills:
        those with the category's skill first, then by open workload"""
        pool = Pool()
        Employee = pool.get('company.employee')
        EmployeeSkill = pool.get('company.employee-pm.skill')
        relation = EmployeeSkill.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*relation.select(relation.employee, relation.skill))
        skills = defaultdict(set)
        for employee_id, skill_id in cursor:
            skills[employee_id].add(skill_id)
        employees = Employee.search([
                ('id', 'in', list(skills)),
                ('company', '=', order.company.id),
                ])
        workload = Employee.open_workload([e.id for e in employees])
        skill = order.category.skill.id if order.category.skill else None

        def key(employee):
            return (
                0 if skill is None or skill in skills[employee.id] else 1,
                workload[employee.id],
                employee.rec_name)
        return sorted(employees, key=key)[:limit]

    @classmethod
    def check_sla(cls, now=None):
        """Flag the open orders past a deadline and escalate each late
        response and late completion once to the supervisor.

        Run by the scheduler (every 15 minutes), once per company."""
        pool = Pool()
        Escalation = pool.get('pm.work_order.escalation')
        if now is None:
            now = _now()
        domain = [('state', 'in', OPEN_STATES)]
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        late_response = cls.search(domain + [
                ('state', 'in', ['draft', 'dispatched']),
                ('response_deadline', '<', now),
                ])
        late_completion = cls.search(domain + [
                ('completion_deadline', '<', now),
                ])
        late = {o for o in late_response + late_completion}
        if not late:
            return []
        existing = {(e.work_order.id, e.kind) for e in Escalation.search([
                    ('work_order', 'in', [o.id for o in late]),
                    ])}
        to_create = []
        for kind, orders in [
                ('response', late_response),
                ('completion', late_completion)]:
            for order in orders:
                if (order.id, kind) in existing:
                    continue
                supervisor = order.supervisor
                email = supervisor.party.email if supervisor else None
                to_create.append({
                        'work_order': order.id,
                        'date': now,
                        'kind': kind,
                        'supervisor': supervisor.id if supervisor else None,
                        'email': email or None,
                        'deadline': (order.response_deadline
                            if kind == 'response'
                            else order.completion_deadline),
                        })
        flag = [o for o in late if not o.overdue]
        if flag:
            cls.write(flag, {'overdue': True})
        escalations = Escalation.create(to_create) if to_create else []
        Escalation.notify(escalations)
        return escalations

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Quality indicators of the repairs reported between the dates"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        start = dt.datetime.combine(date_from, dt.time())
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time())
        where = ((table.reported_at >= start) & (table.reported_at < end)
            & (table.state != 'cancelled') & (table.kind == 'repair'))
        company = Transaction().context.get('company')
        if company:
            where &= table.company == company
        cursor.execute(*table.select(
                table.response_hours, table.completion_hours,
                table.response_on_time, table.completion_on_time,
                table.satisfaction, where=where))
        rows = list(cursor)
        summary = sla_summary(rows)
        return [{
                'code': 'repair_response_hours',
                'name': gettext('pm_maintenance.msg_kpi_response_hours'),
                'value': summary['response_hours'],
                'unit': 'h',
                'count': summary['responded'],
                }, {
                'code': 'repair_completion_hours',
                'name': gettext('pm_maintenance.msg_kpi_completion_hours'),
                'value': summary['completion_hours'],
                'unit': 'h',
                'count': summary['finished'],
                }, {
                'code': 'repair_sla_percent',
                'name': gettext('pm_maintenance.msg_kpi_sla_percent'),
                'value': summary['sla_percent'],
                'unit': '%',
                'count': summary['finished'],
                }, {
                'code': 'repair_satisfaction',
                'name': gettext('pm_maintenance.msg_kpi_satisfaction'),
                'value': summary['satisfaction'],
                'unit': '',
                'count': summary['rated'],
                }]


class WorkOrderHistory(ModelSQL, ModelView):
    "Work Order History"
    __name__ = 'pm.work_order.history'
    __string__ = "Work Order History"

    work_order = fields.Many2One(
        'pm.work_order', "Work Order", required=True, ondelete='CASCADE',
        readonly=True)
    date = fields.DateTime("Date", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    employee = fields.Many2One(
        'company.employee', "Employee", readonly=True)
    from_state = fields.Selection(
        STATES, "From State", readonly=True, sort=False)
    to_state = fields.Selection(
        STATES, "To State", readonly=True, sort=False)
    note = fields.Char("Note", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('work_order')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.work_order, Index.Equality())))
        cls._order = [('date', 'ASC'), ('id', 'ASC')]


class Escalation(ModelSQL, ModelView):
    "Work Order Escalation"
    __name__ = 'pm.work_order.escalation'
    __string__ = "Work Order Escalation"

    work_order = fields.Many2One(
        'pm.work_order', "Work Order", required=True, ondelete='CASCADE',
        readonly=True)
    date = fields.DateTime("Date", required=True, readonly=True)
    kind = fields.Selection([
            ('response', "Late Response"),
            ('completion', "Late Completion"),
            ], "Kind", required=True, readonly=True, sort=False)
    deadline = fields.DateTime("Deadline", readonly=True)
    supervisor = fields.Many2One(
        'company.employee', "Supervisor", readonly=True)
    email = fields.Char("E-mail", readonly=True,
        help="Where the notification was sent.")
    acknowledged_at = fields.DateTime("Acknowledged at", readonly=True)
    acknowledged_by = fields.Many2One(
        'res.user', "Acknowledged by", readonly=True)
    note = fields.Text("Note",
        states={
            'readonly': Bool(Eval('acknowledged_at')),
            })
    state = fields.Function(fields.Selection([
                ('open', "Open"),
                ('acknowledged', "Acknowledged"),
                ], "State"), 'get_state', searcher='search_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('work_order')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.work_order, Index.Equality())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'acknowledge': {
                    'invisible': Bool(Eval('acknowledged_at')),
                    'icon': 'tryton-ok',
                    'depends': ['acknowledged_at'],
                    },
                })

    def get_rec_name(self, name):
        return f'{self.work_order.rec_name} ({self.kind})'

    def get_state(self, name):
        return 'acknowledged' if self.acknowledged_at else 'open'

    @classmethod
    def search_state(cls, name, clause):
        _, operator, value = clause
        if operator not in {'=', '!='}:
            return []
        acknowledged = (value == 'acknowledged') == (operator == '=')
        return [('acknowledged_at', '!=' if acknowledged else '=', None)]

    @classmethod
    @ModelView.button
    def acknowledge(cls, escalations):
        cls.write([e for e in escalations if not e.acknowledged_at], {
                'acknowledged_at': _now(),
                'acknowledged_by': Transaction().user or None,
                })

    @classmethod
    def notify(cls, escalations):
        """Send an e-mail to the supervisors having an address; a missing
        or failing mail server is logged, never an error"""
        from trytond.sendmail import sendmail_transactional
        from_addr = tconfig.get('email', 'from')
        for escalation in escalations:
            if not escalation.email:
                continue
            order = escalation.work_order
            kind = dict(cls.fields_get(['kind'])['kind']['selection'])
            message = EmailMessage()
            message['From'] = from_addr
            message['To'] = escalation.email
            message['Subject'] = gettext(
                'pm_maintenance.msg_escalation_subject',
                order=order.rec_name, kind=kind[escalation.kind])
            message.set_content(gettext(
                    'pm_maintenance.msg_escalation_body',
                    order=order.rec_name,
                    kind=kind[escalation.kind],
                    estate=order.estate.rec_name,
                    place=(order.unit.rec_name if order.unit
                        else order.location or ''),
                    category=order.category.rec_name,
                    description=order.description,
                    deadline=escalation.deadline or '',
                    technician=(order.technician.rec_name
                        if order.technician else '-')))
            try:
                sendmail_transactional(
                    from_addr, [escalation.email], message)
            except Exception:
                logger.warning(
                    "could not send the escalation of %s to %s",
                    order.rec_name, escalation.email, exc_info=True)


class WorkOrderCheck(sequence_ordered(), ModelSQL, ModelView):
    "Work Order Checklist Item"
    __name__ = 'pm.work_order.check'
    __string__ = "Work Order Checklist Item"

    work_order = fields.Many2One(
        'pm.work_order', "Work Order", required=True, ondelete='CASCADE')
    name = fields.Char("Item", required=True)
    standard = fields.Char("Standard")
    result = fields.Selection([
            (None, ""),
            ('ok', "OK"),
            ('fault', "Fault"),
            ('na', "Not Applicable"),
            ], "Result", sort=False)
    result_string = result.translated('result')
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('work_order')


class WorkOrderMaterial(ModelSQL, ModelView):
    "Work Order Material"
    __name__ = 'pm.work_order.material'
    __string__ = "Work Order Material"

    _states = {
        'readonly': Bool(Eval('move')),
        }

    work_order = fields.Many2One(
        'pm.work_order', "Work Order", required=True, ondelete='CASCADE',
        states=_states)
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='RESTRICT',
        domain=[('type', '=', 'goods')], states=_states)
    product_uom_category = fields.Function(
        fields.Many2One('product.uom.category', "Product UoM Category"),
        'on_change_with_product_uom_category')
    quantity = fields.Float(
        "Quantity", digits='unit', required=True, states=_states,
        domain=[('quantity', '>', 0)])
    unit = fields.Many2One(
        'product.uom', "Unit", required=True, ondelete='RESTRICT',
        domain=[
            If(Bool(Eval('product_uom_category')),
                ('category', '=', Eval('product_uom_category', -1)),
                ()),
            ],
        states=_states)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    cost_price = fields.Numeric(
        "Cost Price", digits=(16, 4), readonly=True,
        help="The unit cost of the stock issued.")
    cost = fields.Function(Monetary(
            "Cost", currency='currency', digits='currency'),
        'get_cost')
    unit_price = fields.Numeric(
        "Sale Price", digits=(16, 4), states=_states,
        domain=['OR',
            ('unit_price', '>=', 0),
            ('unit_price', '=', None),
            ],
        help="The unit price charged to the resident for a paid repair.")
    amount = fields.Function(Monetary(
            "Amount", currency='currency', digits='currency'),
        'get_amount')
    move = fields.Many2One(
        'stock.move', "Stock Move", readonly=True, ondelete='RESTRICT')
    issued = fields.Function(fields.Boolean("Issued"), 'get_issued')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('work_order')

    @fields.depends('work_order', '_parent_work_order.company')
    def on_change_with_currency(self, name=None):
        if self.work_order and self.work_order.company:
            return self.work_order.company.currency

    @fields.depends('product')
    def on_change_with_product_uom_category(self, name=None):
        if self.product:
            return self.product.default_uom_category

    @fields.depends('product', 'unit', 'unit_price')
    def on_change_product(self):
        if not self.product:
            return
        category = self.product.default_uom.category
        if not self.unit or self.unit.category != category:
            self.unit = self.product.default_uom
        if self.unit_price is None:
            self.unit_price = self.product.list_price_used

    def get_cost(self, name):
        if self.cost_price is None or not self.quantity:
            return None
        return self.work_order.company.currency.round(
            Decimal(str(self.quantity)) * self.cost_price)

    def get_amount(self, name):
        if self.unit_price is None or not self.quantity:
            return None
        return self.work_order.company.currency.round(
            Decimal(str(self.quantity)) * self.unit_price)

    def get_issued(self, name):
        return bool(self.move)

    def get_rec_name(self, name):
        return f'{self.work_order.rec_name} {self.product.rec_name}'

    @classmethod
    def check_modification(
            cls, mode, materials, values=None, external=False):
        super().check_modification(
            mode, materials, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and set(values) - {
                    'move', 'cost_price'}):
            for material in materials:
                if material.move:
                    raise WorkOrderModifyError(gettext(
                            'pm_maintenance.msg_material_issued',
                            material=material.rec_name))

    @classmethod
    def copy(cls, materials, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('move', None)
        default.setdefault('cost_price', None)
        return super().copy(materials, default=default)


class DispatchStart(ModelView):
    "Dispatch Work Order"
    __name__ = 'pm.work_order.dispatch.start'
    __string__ = "Dispatch Work Order"

    company = fields.Many2One('company.company', "Company", readonly=True)
    category = fields.Many2One(
        'pm.work_order.category', "Category", readonly=True)
    skill = fields.Many2One('pm.skill', "Skill Needed", readonly=True)
    candidates = fields.Many2Many(
        'company.employee', None, None, "Suggested Technicians",
        readonly=True,
        help="Technicians with the skill first, then the least busy.")
    technician = fields.Many2One(
        'company.employee', "Technician", required=True,
        domain=[('company', '=', Eval('company', -1))])
    note = fields.Char("Note")


class Dispatch(Wizard):
    "Dispatch Work Order"
    __name__ = 'pm.work_order.dispatch'

    start = StateView(
        'pm.work_order.dispatch.start',
        'pm_maintenance.work_order_dispatch_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Dispatch", 'dispatch', 'tryton-ok', default=True),
            ])
    dispatch = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        order = self.record
        if not order:
            return {}
        candidates = WorkOrder.suggest_technicians(order)
        technician = order.technician or (
            candidates[0] if candidates else None)
        return {
            'company': order.company.id,
            'category': order.category.id,
            'skill': order.category.skill.id
            if order.category.skill else None,
            'candidates': [c.id for c in candidates],
            'technician': technician.id if technician else None,
            }

    def transition_dispatch(self):
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        WorkOrder.dispatch_to(
            list(self.records), self.start.technician, self.start.note)
        return 'end'


class VisitStart(ModelView):
    "Return Visit"
    __name__ = 'pm.work_order.visit.start'
    __string__ = "Return Visit"

    satisfaction = fields.Selection(
        SATISFACTIONS, "Satisfaction", required=True, sort=False)
    comment = fields.Text("Comment")


class Visit(Wizard):
    "Return Visit"
    __name__ = 'pm.work_order.visit'

    start = StateView(
        'pm.work_order.visit.start',
        'pm_maintenance.work_order_visit_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Close", 'close', 'tryton-ok', default=True),
            ])
    close = StateTransition()

    def transition_close(self):
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        WorkOrder.record_visit(
            list(self.records), self.start.satisfaction, self.start.comment)
        return 'end'


class WorkOrderSheet(CompanyReport):
    "Work Order Sheet"
    __name__ = 'pm.work_order.sheet'
