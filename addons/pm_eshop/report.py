# This file is part of the pm suite (物业管理系统). See README.md.
"""Shop reports: sales by merchant, category and estate, best sellers
(list + graph views with a period context) and their Excel export.

A sale counts when it is delivered (已送达) and not refunded, on the date of
its delivery; amounts are the untaxed line amounts."""
import datetime as dt
import io
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.functions import CurrentTimestamp

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard


class ReportContext(ModelView):
    __name__ = 'pm.eshop.report.context'
    __string__ = "Shop Report Context"

    from_date = fields.Date("From Date")
    to_date = fields.Date("To Date")
    shop = fields.Many2One(
        'web.shop', "Shop", domain=[('type', '=', 'pm_eshop')])

    @classmethod
    def default_from_date(cls):
        return Pool().get('ir.date').today().replace(day=1)

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()


def _sales_query(context=None):
    """Return the from-clause, the tables and the where clause of the
    delivered, not refunded order lines of the context"""
    pool = Pool()
    Sale = pool.get('sale.sale')
    Line = pool.get('sale.line')
    Product = pool.get('product.product')
    Template = pool.get('product.template')
    Unit = pool.get('pm.unit')
    context = Transaction().context if context is None else context
    sale, line = Sale.__table__(), Line.__table__()
    product, template = Product.__table__(), Template.__table__()
    unit = Unit.__table__()
    from_ = line.join(sale, condition=line.sale == sale.id
        ).join(product, condition=line.product == product.id
        ).join(template, condition=product.template == template.id
        ).join(unit, 'LEFT', condition=sale.pm_unit == unit.id)
    where = ((sale.eshop_delivered_date != Null)
        & (sale.eshop_refunded != Literal(True))
        & (line.type == 'line'))
    if context.get('from_date'):
        where &= sale.eshop_delivered_date >= dt.datetime.combine(
            context['from_date'], dt.time())
    if context.get('to_date'):
        where &= sale.eshop_delivered_date < dt.datetime.combine(
            context['to_date'] + dt.timedelta(days=1), dt.time())
    if context.get('shop'):
        where &= sale.web_shop == context['shop']
    if context.get('company'):
        where &= sale.company == context['company']
    tables = {'sale': sale, 'line': line, 'product': product,
        'template': template, 'unit': unit}
    return from_, tables, where


class SalesReportMixin(ModelSQL, ModelView):
    __slots__ = ()
    _group = None

    company = fields.Many2One('company.company', "Company")
    orders = fields.Integer("Orders")
    quantity = fields.Float("Quantity", digits=(16, 2))
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    amount = fields.Numeric("Sales", digits=(16, 2))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('amount', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _group_column(cls, tables):
        raise NotImplementedError

    @classmethod
    def _from(cls, from_, tables):
        return from_

    @classmethod
    def table_query(cls):
        from_, tables, where = _sales_query()
        from_ = cls._from(from_, tables)
        sale, line = tables['sale'], tables['line']
        group = cls._group_column(tables)
        return from_.select(
            Min(line.id).as_('id'),
            Literal(0).as_('create_uid'),
            CurrentTimestamp().as_('create_date'),
            Literal(None).as_('write_uid'),
            Literal(None).as_('write_date'),
            sale.company.as_('company'),
            group.as_(cls._group),
            Count(sale.id, distinct=True).as_('orders'),
            Sum(line.quantity).as_('quantity'),
            Sum(line.quantity * line.unit_price).as_('amount'),
            where=where,
            group_by=[sale.company, group])

    def get_currency(self, name):
        return self.company.currency.id if self.company else None


class SalesByMerchant(SalesReportMixin):
    __name__ = 'pm.eshop.report.merchant'
    __string__ = "Shop Sales by Merchant"
    _group = 'merchant'

    merchant = fields.Many2One(
        'pm.eshop.merchant', "Merchant",
        help="Empty: the property company's own products.")

    @classmethod
    def _group_column(cls, tables):
        return tables['line'].eshop_merchant


class SalesByCategory(SalesReportMixin):
    __name__ = 'pm.eshop.report.category'
    __string__ = "Shop Sales by Category"
    _group = 'category'

    category = fields.Many2One('product.category', "Category",
        context={'company': Eval('company', -1)}, depends={'company'})

    @classmethod
    def _from(cls, from_, tables):
        pool = Pool()
        TemplateCategory = pool.get('product.template-product.category')
        tc = TemplateCategory.__table__()
        tables['category'] = tc
        return from_.join(tc, 'LEFT',
            condition=tc.template == tables['template'].id)

    @classmethod
    def _group_column(cls, tables):
        return tables['category'].category


class SalesByEstate(SalesReportMixin):
    __name__ = 'pm.eshop.report.estate'
    __string__ = "Shop Sales by Estate"
    _group = 'estate'

    estate = fields.Many2One('pm.estate', "Estate")

    @classmethod
    def _group_column(cls, tables):
        return tables['unit'].estate


class BestSellers(SalesReportMixin):
    __name__ = 'pm.eshop.report.product'
    __string__ = "Shop Best Sellers"
    _group = 'product'

    product = fields.Many2One('product.product', "Product",
        context={'company': Eval('company', -1)}, depends={'company'})
    merchant = fields.Function(
        fields.Many2One('pm.eshop.merchant', "Merchant"), 'get_merchant')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('quantity', 'DESC'), ('amount', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _group_column(cls, tables):
        return tables['line'].product

    def get_merchant(self, name):
        merchant = self.product.template.eshop_merchant
        return merchant.id if merchant else None


class ExportStart(ModelView):
    __name__ = 'pm.eshop.report.export.start'
    __string__ = "Export Shop Reports"

    from_date = fields.Date("From Date", required=True)
    to_date = fields.Date("To Date", required=True)
    shop = fields.Many2One(
        'web.shop', "Shop", domain=[('type', '=', 'pm_eshop')])

    @classmethod
    def default_from_date(cls):
        return Pool().get('ir.date').today().replace(day=1)

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()


class ExportResult(ModelView):
    __name__ = 'pm.eshop.report.export.result'
    __string__ = "Export Shop Reports"

    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)


class Export(Wizard):
    "Export the shop reports of a period to an Excel workbook"
    __name__ = 'pm.eshop.report.export'
    start = StateView('pm.eshop.report.export.start',
        'pm_eshop.report_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export_', 'tryton-ok', default=True),
            ])
    export_ = StateTransition()
    result = StateView('pm.eshop.report.export.result',
        'pm_eshop.report_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_export_(self):
        context = {
            'from_date': self.start.from_date,
            'to_date': self.start.to_date,
            'shop': self.start.shop.id if self.start.shop else None,
            }
        self.result.file = workbook(context)
        self.result.filename = 'eshop-%s-%s.xlsx' % (
            self.start.from_date.isoformat(), self.start.to_date.isoformat())
        return 'result'

    def default_result(self, fields):
        return {'file': self.result.file, 'filename': self.result.filename}


SHEETS = [
    ('pm.eshop.report.merchant', 'merchant', 'msg_excel_merchant'),
    ('pm.eshop.report.category', 'category', 'msg_excel_category'),
    ('pm.eshop.report.estate', 'estate', 'msg_excel_estate'),
    ('pm.eshop.report.product', 'product', 'msg_excel_product'),
    ]


def workbook(context):
    "Return the xlsx bytes of the four shop reports for the context"
    import xlsxwriter
    pool = Pool()
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {'in_memory': True})
    bold = book.add_format({'bold': True, 'bg_color': '#DDDDDD', 'border': 1})
    money = book.add_format({'num_format': '#,##0.00'})
    none = gettext('pm_eshop.msg_excel_none')
    with Transaction().set_context(**context):
        for model, group, title in SHEETS:
            Model = pool.get(model)
            names = [group, 'orders', 'quantity', 'amount']
            definitions = Model.fields_get(names)
            sheet = book.add_worksheet(gettext('pm_eshop.%s' % title))
            for col, name in enumerate(names):
                sheet.write(0, col, definitions[name]['string'], bold)
            row = 0
            for row, record in enumerate(Model.search([]), 1):
                key = getattr(record, group)
                sheet.write(row, 0, key.rec_name if key else none)
                sheet.write_number(row, 1, record.orders or 0)
                sheet.write_number(row, 2, record.quantity or 0)
                sheet.write_number(
                    row, 3, float(record.amount or Decimal(0)), money)
            if row:
                sheet.write(row + 1, 0, gettext('pm_eshop.msg_excel_total'),
                    bold)
                sheet.write_formula(row + 1, 3, '=SUM(D2:D%d)' % (row + 1),
                    money)
            sheet.set_column(0, 0, 28)
            sheet.set_column(1, 3, 14)
    book.close()
    return output.getvalue()
