# This file is part of the pm suite (物业管理系统). See README.md.
"""Collection reports: the daily cash report 收费日报, the collection
overview 收费情况总览 with the collection rate 收缴率, the arrears aging
欠费账龄, a party's statement of account 对账单, and their Excel export.

The reports are SQL views (table_query) computed by the database, so they
stay fast on 100,000 units; their list and graph views come with an Excel
export built with xlsxwriter.
"""
import datetime as dt
import io
from decimal import Decimal

from sql import Literal
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import CurrentTimestamp

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import Report
from trytond.rpc import RPC
from trytond.transaction import Transaction

ZERO = Decimal(0)
CENT = Decimal('0.01')

AGING_BUCKETS = [
    ('age_0_30', 0, 30),
    ('age_31_90', 31, 90),
    ('age_91_180', 91, 180),
    ('age_181_365', 181, 365),
    ('age_over_365', 366, None),
    ]


def _audit_columns():
    return [
        Literal(0).as_('create_uid'),
        CurrentTimestamp().as_('create_date'),
        Literal(None).as_('write_uid'),
        Literal(None).as_('write_date'),
        ]


def _paid_query():
    "bill → amount paid by posted receipts (and their reversals)"
    pool = Pool()
    Line = pool.get('pm.receipt.line')
    Receipt = pool.get('pm.receipt')
    line = Line.__table__()
    receipt = Receipt.__table__()
    return line.join(receipt, condition=line.receipt == receipt.id).select(
        line.bill, Sum(line.amount).as_('paid'),
        where=receipt.state.in_(['posted', 'voided']),
        group_by=[line.bill])


def _dec(value):
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT)


class ReportContext(ModelView):
    __name__ = 'pm.collection.report.context'
    __string__ = "Collection Report Context"

    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date("From Date")
    to_date = fields.Date("To Date")
    date = fields.Date("As of", help="The day the arrears are aged on.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_from_date(cls):
        return Transaction().context.get('from_date')

    @classmethod
    def default_to_date(cls):
        return Transaction().context.get('to_date')


class XlsxMixin:
    """Report models whose list can be exported to Excel by
    `pm.report.xlsx`; their sums are rounded to cents (SQLite sums
    NUMERIC as floats)"""
    __slots__ = ()
    _xlsx_fields = []

    @classmethod
    def read(cls, ids, fields_names):
        rows = super().read(ids, fields_names)
        money = [n for n in fields_names
            if n in cls._fields and cls._fields[n]._type == 'numeric'
            and not hasattr(cls._fields[n], 'getter')]
        for row in rows:
            for name in money:
                if row.get(name) is not None:
                    row[name] = Decimal(str(row[name])).quantize(CENT)
        return rows

    @classmethod
    def xlsx_rows(cls, records):
        return [[getattr(r, f) for f in cls._xlsx_fields] for r in records]


class DailyCollection(XlsxMixin, ModelSQL, ModelView):
    __name__ = 'pm.collection.daily'
    __string__ = "Daily Collection Report"
    _xlsx_fields = ['date', 'cashier', 'method', 'receipts', 'amount',
        'prepayment', 'first_number', 'last_number']

    company = fields.Many2One('company.company', "Company")
    date = fields.Date("Date")
    cashier = fields.Many2One('res.user', "Cashier")
    method = fields.Many2One('pm.payment.method', "Payment Method")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    receipts = fields.Integer("Receipts")
    amount = Monetary("Amount", currency='currency', digits='currency')
    prepayment = Monetary(
        "Prepayment", currency='currency', digits='currency')
    first_number = fields.Char("First Number")
    last_number = fields.Char("Last Number")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('cashier', 'ASC'),
            ('method', 'ASC'), ('id', 'ASC')]

    def get_currency(self, name):
        return self.company.currency.id if self.company else None

    @classmethod
    def table_query(cls):
        pool = Pool()
        Receipt = pool.get('pm.receipt')
        receipt = Receipt.__table__()
        context = Transaction().context
        where = receipt.state.in_(['posted', 'voided'])
        if context.get('company'):
            where &= receipt.company == context['company']
        if context.get('from_date'):
            where &= receipt.date >= context['from_date']
        if context.get('to_date'):
            where &= receipt.date <= context['to_date']
        return receipt.select(
            Min(receipt.id).as_('id'), *_audit_columns(),
            receipt.company, receipt.date, receipt.cashier, receipt.method,
            Count(receipt.id).as_('receipts'),
            Sum(receipt.amount).as_('amount'),
            Sum(receipt.prepayment).as_('prepayment'),
            Min(receipt.number).as_('first_number'),
            Max(receipt.number).as_('last_number'),
            where=where,
            group_by=[receipt.company, receipt.date, receipt.cashier,
                receipt.method])


class CollectionOverview(XlsxMixin, ModelSQL, ModelView):
    __name__ = 'pm.collection.overview'
    __string__ = "Collection Overview"
    _xlsx_fields = ['period', 'estate', 'building', 'charge_item', 'billed',
        'collected', 'outstanding', 'rate']

    company = fields.Many2One('company.company', "Company")
    period = fields.Date("Period")
    estate = fields.Many2One('pm.estate', "Estate")
    building = fields.Many2One('pm.building', "Building")
    charge_item = fields.Many2One('pm.charge.item', "Charge Item")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    billed = Monetary("Billed", currency='currency', digits='currency')
    collected = Monetary(
        "Collected", currency='currency', digits='currency')
    outstanding = fields.Function(Monetary(
            "Outstanding", currency='currency', digits='currency'),
        'get_outstanding')
    rate = fields.Function(
        fields.Numeric("Collection Rate (%)", digits=(16, 2)), 'get_rate')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('period', 'DESC'), ('estate', 'ASC'),
            ('building', 'ASC'), ('charge_item', 'ASC'), ('id', 'ASC')]

    def get_currency(self, name):
        return self.company.currency.id if self.company else None

    def get_outstanding(self, name):
        return _dec(self.billed) - _dec(self.collected)

    def get_rate(self, name):
        billed = _dec(self.billed)
        if not billed:
            return None
        return (_dec(self.collected) * 100 / billed).quantize(CENT)

    @classmethod
    def table_query(cls):
        pool = Pool()
        Bill = pool.get('pm.bill')
        BillLine = pool.get('pm.bill.line')
        bill = Bill.__table__()
        line = BillLine.__table__()
        paid = _paid_query()
        context = Transaction().context
        where = (bill.state == 'posted') & (bill.amount != 0)
        if context.get('company'):
            where &= bill.company == context['company']
        if context.get('from_date'):
            where &= bill.date_start >= context['from_date']
        if context.get('to_date'):
            where &= bill.date_start <= context['to_date']
        return (line
            .join(bill, condition=line.bill == bill.id)
            .join(paid, 'LEFT', condition=paid.bill == bill.id)
            .select(
                Min(line.id).as_('id'), *_audit_columns(),
                bill.company, bill.date_start.as_('period'), bill.estate,
                bill.building, line.charge_item,
                Sum(line.amount).as_('billed'),
                Sum(line.amount * Coalesce(paid.paid, 0) / bill.amount
                    ).as_('collected'),
                where=where,
                group_by=[bill.company, bill.date_start, bill.estate,
                    bill.building, line.charge_item]))


class ArrearsAging(XlsxMixin, ModelSQL, ModelView):
    __name__ = 'pm.arrears.aging'
    __string__ = "Arrears Aging"
    _xlsx_fields = ['estate', 'unit', 'party', 'bills', 'oldest_due_date',
        'total'] + [b[0] for b in AGING_BUCKETS]

    company = fields.Many2One('company.company', "Company")
    estate = fields.Many2One('pm.estate', "Estate")
    unit = fields.Many2One('pm.unit', "Unit")
    party = fields.Many2One('party.party', "Party",
        context={'company': Eval('company', -1)}, depends={'company'})
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    bills = fields.Integer("Unpaid Bills")
    oldest_due_date = fields.Date("Oldest Due Date")
    total = Monetary("Arrears", currency='currency', digits='currency')
    age_0_30 = Monetary("0–30 Days", currency='currency', digits='currency')
    age_31_90 = Monetary("31–90 Days", currency='currency', digits='currency')
    age_91_180 = Monetary(
        "91–180 Days", currency='currency', digits='currency')
    age_181_365 = Monetary(
        "181–365 Days", currency='currency', digits='currency')
    age_over_365 = Monetary(
        "Over 365 Days", currency='currency', digits='currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('total', 'DESC'), ('unit', 'ASC'), ('id', 'ASC')]

    def get_currency(self, name):
        return self.company.currency.id if self.company else None

    @classmethod
    def table_query(cls):
        pool = Pool()
        Bill = pool.get('pm.bill')
        Date = pool.get('ir.date')
        bill = Bill.__table__()
        paid = _paid_query()
        context = Transaction().context
        date = context.get('date') or Date.today()
        if isinstance(date, str):
            date = dt.date.fromisoformat(date)
        unpaid = bill.amount - Coalesce(paid.paid, 0)
        where = ((bill.state == 'posted') & (unpaid > 0)
            & (bill.due_date <= date))
        if context.get('company'):
            where &= bill.company == context['company']
        buckets = []
        for name, low, high in AGING_BUCKETS:
            # overdue by low…high days: due between date-high and date-low
            condition = bill.due_date <= date - dt.timedelta(days=low)
            if high is not None:
                condition &= bill.due_date >= date - dt.timedelta(days=high)
            buckets.append(
                Sum(Case((condition, unpaid), else_=0)).as_(name))
        return (bill
            .join(paid, 'LEFT', condition=paid.bill == bill.id)
            .select(
                Min(bill.id).as_('id'), *_audit_columns(),
                bill.company, bill.estate, bill.unit, bill.party,
                Count(bill.id).as_('bills'),
                Min(bill.due_date).as_('oldest_due_date'),
                Sum(unpaid).as_('total'), *buckets,
                where=where,
                group_by=[bill.company, bill.estate, bill.unit, bill.party]))


class XlsxReport(Report):
    "Excel export of the selected rows of a report list"
    __name__ = 'pm.report.xlsx'

    @classmethod
    def execute(cls, ids, data):
        import xlsxwriter
        pool = Pool()
        model = data.get('model') if data else None
        model = model or Transaction().context.get('active_model')
        Model = pool.get(model)
        pool.get('ir.model.access').check(model, 'read')
        records = Model.browse(ids)
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {'in_memory': True})
        sheet = workbook.add_worksheet(Model.__string__[:31])
        bold = workbook.add_format({'bold': True, 'bg_color': '#DDEBF7'})
        money = workbook.add_format({'num_format': '#,##0.00'})
        date_format = workbook.add_format({'num_format': 'yyyy-mm-dd'})
        names = Model._xlsx_fields
        for col, name in enumerate(names):
            sheet.write(0, col, Model._fields[name].string, bold)
            sheet.set_column(col, col, 16)
        for row, values in enumerate(Model.xlsx_rows(records), 1):
            for col, value in enumerate(values):
                if hasattr(value, 'rec_name'):
                    sheet.write(row, col, value.rec_name)
                elif isinstance(value, Decimal):
                    sheet.write_number(row, col, float(value), money)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(row, col,
                        dt.datetime.combine(value, dt.time()), date_format)
                elif value is None:
                    sheet.write_blank(row, col, None)
                else:
                    sheet.write(row, col, value)
        sheet.freeze_panes(1, 0)
        workbook.close()
        return ('xlsx', output.getvalue(), False, Model.__string__)


class StatementOfAccount(Report):
    "Statement of Account"
    __name__ = 'pm.party.statement'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Bill = pool.get('pm.bill')
        Receipt = pool.get('pm.receipt')
        from .words import amount_in_words
        context = super().get_context(records, header, data)
        statements = {}
        for party in records:
            bills = Bill.search([
                    ('party', '=', party.id),
                    ('state', '=', 'posted'),
                    ], order=[('date_start', 'ASC'), ('id', 'ASC')])
            unpaid = Bill.get_unpaid_amount(bills)
            receipts = Receipt.search([
                    ('party', '=', party.id),
                    ('state', 'in', ['posted', 'voided']),
                    ], order=[('date', 'ASC'), ('id', 'ASC')])
            balances = Receipt.prepayment_balances([party.id])
            statements[party.id] = {
                'bills': [(b, unpaid[b.id]) for b in bills],
                'billed': sum((b.amount for b in bills), ZERO),
                'unpaid': sum(unpaid.values(), ZERO),
                'receipts': receipts,
                'received': sum((r.amount for r in receipts), ZERO),
                'prepayment': sum(
                    (v for v in balances.values() if v > 0), ZERO),
                }
        context['statements'] = statements
        context['today'] = pool.get('ir.date').today()
        company_id = Transaction().context.get('company')
        context['company'] = (pool.get('company.company')(company_id)
            if company_id is not None and company_id >= 0 else None)
        context['words'] = amount_in_words
        return context


class Bill(metaclass=PoolMeta):
    __name__ = 'pm.bill'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__['iso_kpis'] = RPC()

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        """Quality indicators of the bills of the months between the dates
        (company in context): the collection rate 收缴率 and the arrears"""
        from trytond.i18n import gettext
        bill = cls.__table__()
        paid = _paid_query()
        cursor = Transaction().connection.cursor()
        where = bill.state == 'posted'
        company = Transaction().context.get('company')
        if company:
            where &= bill.company == company
        if date_from:
            where &= bill.date_start >= date_from
        if date_to:
            where &= bill.date_start <= date_to
        cursor.execute(*bill.join(paid, 'LEFT',
                condition=paid.bill == bill.id).select(
                Count(bill.id), Sum(bill.amount), Sum(Coalesce(paid.paid, 0)),
                where=where))
        count, billed, collected = cursor.fetchone()
        billed, collected = _dec(billed), _dec(collected)
        rate = (collected * 100 / billed).quantize(CENT) if billed else None
        return [{
                'code': 'collection_rate',
                'name': gettext('pm_billing.msg_kpi_collection_rate'),
                'value': rate, 'unit': '%', 'count': count or 0,
                }, {
                'code': 'arrears',
                'name': gettext('pm_billing.msg_kpi_arrears'),
                'value': billed - collected, 'unit': '', 'count': count or 0,
                }]
