# This file is part of the pm suite (物业管理系统). See README.md.
"""Statistics of work orders and complaints (graph and list views) and the
Excel export of work orders."""
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

from sql import Cast, Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case
from sql.functions import CurrentTimestamp

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

from .work_order import OPEN_STATES, STATES, percent, sla_summary

ONE, ZERO = Literal(1), Literal(0)


def _dec(value, digits='0.01'):
    if value is None:
        return None
    return Decimal(str(value)).quantize(
        Decimal(digits), rounding=ROUND_HALF_UP)


def _period_where(table, column, context):
    where = Literal(True)
    if context.get('from_date'):
        where &= column >= dt.datetime.combine(
            context['from_date'], dt.time())
    if context.get('to_date'):
        where &= column < dt.datetime.combine(
            context['to_date'] + dt.timedelta(days=1), dt.time())
    if context.get('estate'):
        where &= table.estate == context['estate']
    return where


class StatisticContext(ModelView):
    "Maintenance Statistics Context"
    __name__ = 'pm.maintenance.statistic.context'
    __string__ = "Maintenance Statistics Context"

    from_date = fields.Date("From Date")
    to_date = fields.Date("To Date")
    estate = fields.Many2One('pm.estate', "Estate")
    kind = fields.Selection([
            (None, ""),
            ('repair', "Repair"),
            ('maintenance', "Preventive Maintenance"),
            ], "Kind",
        help="Only for the work orders.")

    @classmethod
    def default_from_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today().replace(day=1)

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()


class WorkOrderStatisticMixin(ModelSQL, ModelView):
    __slots__ = ()
    _group = None
    _exclude_cancelled = True

    company = fields.Many2One('company.company', "Company")
    count = fields.Integer("Work Orders")
    open = fields.Integer("Open")
    overdue = fields.Integer("Overdue")
    responded = fields.Integer("Responded")
    response_total = fields.Float("Response Hours Total")
    finished = fields.Integer("Finished")
    completion_total = fields.Float("Completion Hours Total")
    on_time = fields.Integer("Finished on Time")
    rated = fields.Integer("Rated")
    satisfaction_total = fields.Integer("Satisfaction Total")
    response_hours = fields.Function(
        fields.Numeric("Mean Response Hours", digits=(16, 2)), 'get_kpis')
    completion_hours = fields.Function(
        fields.Numeric("Mean Completion Hours", digits=(16, 2)), 'get_kpis')
    sla_percent = fields.Function(
        fields.Numeric("SLA Compliance %", digits=(16, 1)), 'get_kpis')
    satisfaction = fields.Function(
        fields.Numeric("Mean Satisfaction", digits=(16, 2)), 'get_kpis')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('count', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _group_column(cls, order):
        return getattr(order, cls._group)

    @classmethod
    def table_query(cls):
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        order = WorkOrder.__table__()
        context = Transaction().context
        where = _period_where(order, order.reported_at, context)
        if cls._exclude_cancelled:
            where &= order.state != 'cancelled'
        if context.get('kind'):
            where &= order.kind == context['kind']
        group = cls._group_column(order)
        return order.select(
            Min(order.id).as_('id'),
            Literal(0).as_('create_uid'),
            CurrentTimestamp().as_('create_date'),
            Literal(None).as_('write_uid'),
            Literal(None).as_('write_date'),
            order.company.as_('company'),
            group.as_(cls._group),
            Count(order.id).as_('count'),
            Sum(Case((order.state.in_(OPEN_STATES), ONE), else_=ZERO)
                ).as_('open'),
            Sum(Case((order.overdue == Literal(True), ONE), else_=ZERO)
                ).as_('overdue'),
            Sum(Case((order.response_hours != Null, ONE), else_=ZERO)
                ).as_('responded'),
            Sum(order.response_hours).as_('response_total'),
            Sum(Case((order.completion_hours != Null, ONE), else_=ZERO)
                ).as_('finished'),
            Sum(order.completion_hours).as_('completion_total'),
            Sum(Case(((order.completion_hours != Null)
                        & (order.completion_on_time == Literal(True))
                        & ((order.response_on_time == Null)
                            | (order.response_on_time == Literal(True))),
                        ONE), else_=ZERO)).as_('on_time'),
            Sum(Case((order.satisfaction != Null, ONE), else_=ZERO)
                ).as_('rated'),
            Sum(Cast(order.satisfaction, 'INTEGER')
                ).as_('satisfaction_total'),
            where=where,
            group_by=[order.company, group])

    @classmethod
    def get_kpis(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            values = {
                'response_hours': _dec(record.response_total / record.responded)
                if record.responded and record.response_total is not None
                else None,
                'completion_hours': _dec(
                    record.completion_total / record.finished)
                if record.finished and record.completion_total is not None
                else None,
                'sla_percent': percent(record.on_time or 0, record.finished),
                'satisfaction': _dec(
                    Decimal(record.satisfaction_total or 0) / record.rated)
                if record.rated else None,
                }
            for name in names:
                result[name][record.id] = values[name]
        return result


class WorkOrderCategoryStatistic(WorkOrderStatisticMixin):
    "Work Orders by Category"
    __name__ = 'pm.work_order.statistic.category'
    __string__ = "Work Orders by Category"
    _group = 'category'

    category = fields.Many2One('pm.work_order.category', "Category")


class WorkOrderTechnicianStatistic(WorkOrderStatisticMixin):
    "Work Orders by Technician"
    __name__ = 'pm.work_order.statistic.technician'
    __string__ = "Work Orders by Technician"
    _group = 'technician'

    technician = fields.Many2One('company.employee', "Technician")


class WorkOrderStateStatistic(WorkOrderStatisticMixin):
    "Work Orders by State"
    __name__ = 'pm.work_order.statistic.state'
    __string__ = "Work Orders by State"
    _group = 'state'

    _exclude_cancelled = False

    state = fields.Selection(STATES, "State")


class ComplaintStatisticMixin(ModelSQL, ModelView):
    __slots__ = ()
    _group = None

    company = fields.Many2One('company.company', "Company")
    count = fields.Integer("Complaints")
    open = fields.Integer("Open")
    closed = fields.Integer("Closed")
    timed_out = fields.Integer("Closed without Confirmation")
    closing_total = fields.Float("Closing Days Total")
    closure_percent = fields.Function(
        fields.Numeric("Closure %", digits=(16, 1)), 'get_kpis')
    closing_days = fields.Function(
        fields.Numeric("Mean Closing Days", digits=(16, 2)), 'get_kpis')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('count', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Complaint = pool.get('pm.complaint')
        complaint = Complaint.__table__()
        context = Transaction().context
        where = (complaint.state != 'cancelled') & _period_where(
            complaint, complaint.received_at, context)
        group = getattr(complaint, cls._group)
        return complaint.select(
            Min(complaint.id).as_('id'),
            Literal(0).as_('create_uid'),
            CurrentTimestamp().as_('create_date'),
            Literal(None).as_('write_uid'),
            Literal(None).as_('write_date'),
            complaint.company.as_('company'),
            group.as_(cls._group),
            Count(complaint.id).as_('count'),
            Sum(Case((complaint.state.in_(
                            ['draft', 'processing', 'resolved']), ONE),
                    else_=ZERO)).as_('open'),
            Sum(Case((complaint.state == 'closed', ONE), else_=ZERO)
                ).as_('closed'),
            Sum(Case((complaint.closing_reason == 'timeout', ONE),
                    else_=ZERO)).as_('timed_out'),
            Sum(complaint.closing_days).as_('closing_total'),
            where=where,
            group_by=[complaint.company, group])

    @classmethod
    def get_kpis(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            values = {
                'closure_percent': percent(record.closed or 0, record.count),
                'closing_days': _dec(record.closing_total / record.closed)
                if record.closed and record.closing_total is not None
                else None,
                }
            for name in names:
                result[name][record.id] = values[name]
        return result


class ComplaintCategoryStatistic(ComplaintStatisticMixin):
    "Complaints by Category"
    __name__ = 'pm.complaint.statistic.category'
    __string__ = "Complaints by Category"
    _group = 'category'

    category = fields.Many2One('pm.complaint.category', "Category")


class ComplaintHandlerStatistic(ComplaintStatisticMixin):
    "Complaints by Handler"
    __name__ = 'pm.complaint.statistic.handler'
    __string__ = "Complaints by Handler"
    _group = 'handler'

    handler = fields.Many2One('company.employee', "Handler")


class WorkOrderExcel(Report):
    "Work Orders (Excel)"
    __name__ = 'pm.work_order.excel'

    @classmethod
    def _execute(cls, records, header, data, action):
        import xlsxwriter
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        orders = records
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {'in_memory': True})
        bold = workbook.add_format({'bold': True, 'bg_color': '#DDDDDD',
                'border': 1})
        stamp = workbook.add_format({'num_format': 'yyyy-mm-dd hh:mm'})
        number = workbook.add_format({'num_format': '0.00'})

        names = ['number', 'estate', 'unit', 'location', 'kind', 'category',
            'urgency', 'source', 'state', 'technician', 'reported_at',
            'response_deadline', 'started_at', 'completion_deadline',
            'finished_at', 'response_hours', 'completion_hours',
            'response_on_time', 'completion_on_time', 'overdue',
            'satisfaction', 'material_cost', 'labour_cost', 'paid',
            'description']
        definitions = WorkOrder.fields_get(names)
        selections = {n: dict(d['selection']) for n, d in definitions.items()
            if d['type'] == 'selection'}
        yes, no = gettext('pm_maintenance.msg_yes'), gettext(
            'pm_maintenance.msg_no')

        def cell(order, name):
            value = getattr(order, name)
            if name in selections:
                return selections[name].get(value, value or '')
            if isinstance(value, bool):
                return yes if value else no
            if hasattr(value, 'rec_name'):
                return value.rec_name
            if isinstance(value, Decimal):
                return float(value)
            return value

        sheet = workbook.add_worksheet(
            gettext('pm_maintenance.msg_excel_orders'))
        for col, name in enumerate(names):
            sheet.write(0, col, definitions[name]['string'], bold)
        for row, order in enumerate(orders, 1):
            for col, name in enumerate(names):
                value = cell(order, name)
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(row, col, value, stamp)
                elif isinstance(value, float):
                    sheet.write_number(row, col, value, number)
                elif value is None:
                    sheet.write_blank(row, col, None)
                else:
                    sheet.write(row, col, value)
        sheet.freeze_panes(1, 1)
        sheet.set_column(0, len(names) - 1, 14)
        sheet.set_column(len(names) - 1, len(names) - 1, 40)

        headers = [
            gettext('pm_maintenance.msg_excel_count'),
            definitions['response_hours']['string'],
            definitions['completion_hours']['string'],
            gettext('pm_maintenance.msg_excel_sla_percent'),
            definitions['satisfaction']['string'],
            ]
        for key, title in [
                ('category', 'msg_excel_by_category'),
                ('technician', 'msg_excel_by_technician'),
                ('state', 'msg_excel_by_state')]:
            groups = {}
            for order in orders:
                groups.setdefault(cell(order, key) or '-', []).append(order)
            sheet = workbook.add_worksheet(
                gettext('pm_maintenance.' + title))
            sheet.write(0, 0, definitions[key]['string'], bold)
            for col, text in enumerate(headers, 1):
                sheet.write(0, col, text, bold)
            for row, (label, group) in enumerate(sorted(
                        groups.items(), key=lambda i: -len(i[1])), 1):
                summary = sla_summary([(o.response_hours,
                            o.completion_hours, o.response_on_time,
                            o.completion_on_time, o.satisfaction)
                        for o in group if o.state != 'cancelled'])
                sheet.write(row, 0, label)
                sheet.write_number(row, 1, len(group))
                for col, name in enumerate([
                            'response_hours', 'completion_hours',
                            'sla_percent', 'satisfaction'], 2):
                    if summary[name] is None:
                        sheet.write_blank(row, col, None)
                    else:
                        sheet.write_number(
                            row, col, float(summary[name]), number)
            sheet.set_column(0, 0, 20)
            sheet.set_column(1, len(headers), 14)
        workbook.close()
        return 'xlsx', output.getvalue()


class EquipmentFaultExcel(Report):
    "Equipment Faults (Excel)"
    __name__ = 'pm.equipment.fault_statistic.excel'

    @classmethod
    def _execute(cls, records, header, data, action):
        import xlsxwriter
        pool = Pool()
        Statistic = pool.get('pm.equipment.fault_statistic')
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {'in_memory': True})
        bold = workbook.add_format({'bold': True, 'bg_color': '#DDDDDD',
                'border': 1})
        stamp = workbook.add_format({'num_format': 'yyyy-mm-dd'})
        names = ['equipment', 'category', 'estate', 'faults', 'repair_cost',
            'last_fault']
        definitions = Statistic.fields_get(names)
        sheet = workbook.add_worksheet(
            gettext('pm_maintenance.msg_excel_faults'))
        for col, name in enumerate(names):
            sheet.write(0, col, definitions[name]['string'], bold)
        for row, record in enumerate(records, 1):
            sheet.write(row, 0, record.equipment.rec_name)
            sheet.write(row, 1, record.category.rec_name
                if record.category else '')
            sheet.write(row, 2, record.estate.rec_name)
            sheet.write_number(row, 3, record.faults)
            sheet.write_number(row, 4, float(record.repair_cost or 0))
            if record.last_fault:
                sheet.write_datetime(row, 5, record.last_fault, stamp)
        sheet.set_column(0, 2, 22)
        sheet.set_column(3, 5, 14)
        workbook.close()
        return 'xlsx', output.getvalue()


class EnvironmentQualityExcel(Report):
    "Weekly Environment Quality (Excel)"
    __name__ = 'pm.environment.quality.excel'

    @classmethod
    def _execute(cls, records, header, data, action):
        import xlsxwriter
        pool = Pool()
        Quality = pool.get('pm.environment.quality')
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {'in_memory': True})
        bold = workbook.add_format({'bold': True, 'bg_color': '#DDDDDD',
                'border': 1})
        day = workbook.add_format({'num_format': 'yyyy-mm-dd'})
        names = ['week', 'area', 'crew', 'kind', 'tasks', 'tasks_done',
            'tasks_missed', 'done_rate', 'inspections', 'score', 'score_min']
        definitions = Quality.fields_get(names)
        kinds = dict(definitions['kind']['selection'])
        sheet = workbook.add_worksheet(
            gettext('pm_maintenance.msg_excel_quality'))
        for col, name in enumerate(names):
            sheet.write(0, col, definitions[name]['string'], bold)
        for row, record in enumerate(records, 1):
            sheet.write_datetime(row, 0, dt.datetime.combine(
                    record.week, dt.time()), day)
            sheet.write(row, 1, record.area.rec_name)
            sheet.write(row, 2, record.crew.rec_name if record.crew else '')
            sheet.write(row, 3, kinds.get(record.kind, record.kind or ''))
            for col, name in enumerate(names[4:], 4):
                value = getattr(record, name)
                if value is None:
                    sheet.write_blank(row, col, None)
                else:
                    sheet.write_number(row, col, float(value))
        sheet.set_column(0, 3, 18)
        sheet.set_column(4, len(names) - 1, 12)
        workbook.close()
        return 'xlsx', output.getvalue()

