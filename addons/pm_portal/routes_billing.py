# This file is part of the pm suite (物业管理系统). See README.md.
"""Bills, receipts and online payment pages."""
import datetime as dt
import logging
from decimal import Decimal

from sql import Column, Literal, Union
from sql.aggregate import Sum

from werkzeug.wrappers import Response

from trytond.i18n import gettext
from trytond.transaction import Transaction

from .web import PortalError, cached_sql, portal_route

logger = logging.getLogger(__name__)

BILL_STATES = ['posted', 'invoiced']


def _report(portal, report_name, record, filename):
    Report = portal.pool.get(report_name, type='report')
    ext, content, _, _ = Report.execute([record.id], {})
    if isinstance(content, str):
        content = content.encode('utf-8')
    mimetype = 'application/pdf' if ext == 'pdf' else (
        'application/octet-stream')
    response = Response(bytes(content), mimetype=mimetype)
    response.headers['Content-Disposition'] = (
        f'inline; filename="{filename}.{ext}"')
    return response


def _my_bill(portal, bill_id):
    return portal.get('pm.bill', bill_id, [
            ('party', '=', portal.party.id),
            ('state', 'in', BILL_STATES),
            ])


def providers_of(portal, company):
    "The company's active payment channels as {id, name} (for the forms)"
    Account = portal.pool.get('pm.portal.provider')
    return Account.portal_channels(company.id) if company else []


class BillRow:
    "A bill of the list pages, read in SQL (no record)"
    __slots__ = ('id', 'number', 'date_start', 'amount', 'state',
        'unit_code', 'unpaid')

    def __init__(self, row):
        (self.id, self.number, self.date_start, amount, self.state,
            self.unit_code, paid) = row
        self.amount = Decimal(str(amount or 0)).quantize(Decimal('0.01'))
        if isinstance(self.date_start, str):  # SQLite
            self.date_start = dt.date.fromisoformat(self.date_start)
        self.unpaid = (self.amount - Decimal(str(paid or 0)).quantize(
                Decimal('0.01'))) if self.state == 'posted' else Decimal(0)


def bill_rows(portal, offset, limit):
    """The party's bills for the bills page, with unit code and unpaid
    amount, in one query: (this page of its posted and invoiced bills,
    newest first; its posted bills with something to pay, oldest first)"""
    pool = portal.pool
    Bill = pool.get('pm.bill')
    Unit = pool.get('pm.unit')
    Line = pool.get('pm.receipt.line')
    Receipt = pool.get('pm.receipt')
    columns = ['kind', 'id', 'number', 'date_start', 'amount', 'state',
        'unit_code', 'paid']

    def build(party_id):
        line = Line.__table__()
        receipt = Receipt.__table__()
        paid_bill = Bill.__table__()
        paid = line.join(receipt, condition=line.receipt == receipt.id
            ).join(paid_bill, condition=line.bill == paid_bill.id
            ).select(line.bill, Sum(line.amount).as_('paid'),
            where=receipt.state.in_(['posted', 'voided'])
            & (paid_bill.party == party_id),
            group_by=[line.bill])

        def rows(kind, states, direction, **kwargs):
            bill = Bill.__table__()
            unit = Unit.__table__()
            query = bill.join(unit, condition=bill.unit == unit.id
                ).join(paid, 'LEFT', condition=paid.bill == bill.id
                ).select(Literal(kind).as_('kind'), bill.id, bill.number,
                bill.date_start, bill.amount, bill.state,
                unit.code.as_('unit_code'), paid.paid.as_('paid'),
                where=(bill.party == party_id) & bill.state.in_(states),
                order_by=[direction(bill.date_start), direction(bill.id)],
                **kwargs)
            return query.select(*[Column(query, c) for c in columns])
        return Union(
            rows('page', BILL_STATES, lambda c: c.desc,
                offset=offset, limit=limit),
            rows('posted', ['posted'], lambda c: c.asc), all_=True)

    cursor = Transaction().connection.cursor()
    cursor.execute(*cached_sql(('bill_rows', offset, limit), build,
            portal.party.id))
    page, posted = [], []
    for row in cursor:
        (page if row[0] == 'page' else posted).append(BillRow(row[1:]))
    # the order of a UNION's rows is not guaranteed
    page.sort(key=lambda b: (b.date_start, b.id), reverse=True)
    posted.sort(key=lambda b: (b.date_start, b.id))
    return page, [b for b in posted if b.unpaid > 0]


@portal_route('/bills')
def bills(request, portal):
    try:
        page = max(int(request.args.get('page', 1)), 1)
    except ValueError:
        page = 1
    size = 24
    # the whole debt, not only this page's: the posted bills not paid
    records, due = bill_rows(portal, (page - 1) * size, size + 1)
    more = len(records) > size
    records = records[:size]
    total_due = sum((b.unpaid for b in due), Decimal(0))
    return portal.render('pm_portal/bills.html', bills=records, due=due,
        total_due=total_due, page=page, more=more,
        providers=providers_of(portal, portal.company), title='账单缴费')


@portal_route('/bills/<int:bill_id>')
def bill(request, portal, bill_id):
    pool = portal.pool
    Bill = pool.get('pm.bill')
    record = _my_bill(portal, bill_id)
    unpaid = Bill.unpaid_by_ids([record.id])[record.id]
    arrears = Bill.previous_arrears([record])[record.id]
    return portal.render('pm_portal/bill.html', bill=record, unpaid=unpaid,
        arrears=arrears, providers=providers_of(portal, record.company),
        title='账单 %s' % record.number)


@portal_route('/bills/<int:bill_id>/notice.pdf')
def bill_notice(request, portal, bill_id):
    record = _my_bill(portal, bill_id)
    return _report(portal, 'pm.bill.notice', record, record.number)


@portal_route('/receipts')
def receipts(request, portal):
    pool = portal.pool
    Receipt = pool.get('pm.receipt')
    records = Receipt.search([
            ('party', '=', portal.party.id),
            ('state', 'in', ['posted', 'voided']),
            ], order=[('date', 'DESC'), ('id', 'DESC')], limit=100)
    return portal.render('pm_portal/receipts.html', receipts=records,
        title='缴费记录')


@portal_route('/receipts/<int:receipt_id>.pdf')
def receipt_pdf(request, portal, receipt_id):
    record = portal.get('pm.receipt', receipt_id, [
            ('party', '=', portal.party.id),
            ('state', 'in', ['posted', 'voided']),
            ])
    return _report(portal, 'pm.receipt', record, record.number)


@portal_route('/bills/pay', methods=['POST'])
def pay(request, portal):
    pool = portal.pool
    Bill = pool.get('pm.bill')
    Payment = pool.get('pm.portal.payment')
    Account = pool.get('pm.portal.provider')
    ids = request.form.getlist('bill')
    if not ids:
        raise PortalError(gettext('pm_portal.msg_pay_no_bill'))
    records = [_my_bill(portal, i) for i in ids]
    records = [b for b in records if b.state == 'posted']
    unpaid = Bill.unpaid_by_ids([b.id for b in records])
    records = [b for b in records if unpaid[b.id] > 0]
    if not records:
        raise PortalError(gettext('pm_portal.msg_pay_no_bill'))
    company = records[0].company
    account = portal.get('pm.portal.provider', request.form.get('account'),
        [('company', '=', company.id)])
    if any(b.company != company for b in records):
        raise PortalError(gettext('pm_portal.msg_pay_no_bill'))
    amount = sum((unpaid[b.id] for b in records), Decimal(0))
    payment, = Payment.create([{
                'company': company.id,
                'party': portal.party.id,
                'web_user': portal.web_user.id,
                'provider': account.provider,
                'account': account.id,
                'amount': amount,
                'currency': records[0].currency.id,
                'description': '物业费 ' + '、'.join(
                    b.number for b in records)[:100],
                'bills': [('add', [b.id for b in records])],
                'origin': str(records[0]) if len(records) == 1 else None,
                'return_path': '/bills',
                }])
    del Account
    url = Payment.start([payment], portal.base_url)[payment.id]
    return portal.redirect_external(url)


def _my_payment(portal, reference):
    Payment = portal.pool.get('pm.portal.payment')
    payments = Payment.search([
            ('reference', '=', reference),
            ('party', '=', portal.party.id),
            ], limit=1)
    if not payments:
        portal.not_found()
    return payments[0]


@portal_route('/pay/<reference>')
def payment_status(request, portal, reference):
    payment = _my_payment(portal, reference)
    return portal.render('pm_portal/payment.html', payment=payment,
        title='支付结果')


@portal_route('/pay/sandbox/<reference>', methods=['GET', 'POST'])
def sandbox(request, portal, reference):
    """The sandbox provider's payment page (a real provider's page is on
    its site): confirming sends the signed notification asynchronously"""
    payment = _my_payment(portal, reference)
    if payment.provider != 'sandbox' or payment.state != 'pending':
        return portal.redirect(f'/pay/{payment.reference}')
    if request.method == 'POST':
        adapter = payment.account.adapter()
        status = 'SUCCESS' if request.form.get('action') == 'pay' else (
            'CLOSED')
        data = adapter.notification(payment, status=status)
        adapter.deliver(payment.notify_url(portal.base_url), data)
        return portal.redirect(f'/pay/{payment.reference}')
    return portal.render('pm_portal/sandbox.html', payment=payment,
        title='沙箱支付')


@portal_route('/pay/notify/<provider>', methods=['POST'], login=False,
    csrf=False)
def notify(request, portal, provider):
    "The providers' asynchronous notifications (server to server, signed)"
    pool = portal.pool
    Payment = pool.get('pm.portal.payment')
    from .providers import PROVIDERS
    body = request.get_data(as_text=True)
    form = request.form.to_dict() if request.mimetype == (
        'application/x-www-form-urlencoded') else {}
    ok, message = Payment.notify(provider, dict(request.headers), body, form,
        remote_addr=request.remote_addr)
    adapter = PROVIDERS.get(provider)
    if adapter is None:
        return Response('unknown provider', status=404)
    status, content_type, text = adapter.acknowledge(None, ok, message)
    return Response(text, status=status, content_type=content_type)


__all__ = ['Transaction', 'logger']
