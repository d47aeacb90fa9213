# This file is part of the pm suite (物业管理系统). See README.md.
"""Bills, receipts and online payment pages."""
import logging
from decimal import Decimal

from werkzeug.wrappers import Response

from trytond.i18n import gettext
from trytond.transaction import Transaction

from .web import PortalError, portal_route

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
    Account = portal.pool.get('pm.portal.provider')
    return Account.search([('company', '=', company.id)]) if company else []


@portal_route('/bills')
def bills(request, portal):
    pool = portal.pool
    Bill = pool.get('pm.bill')
    try:
        page = max(int(request.args.get('page', 1)), 1)
    except ValueError:
        page = 1
    size = 24
    records = Bill.search([
            ('party', '=', portal.party.id),
            ('state', 'in', BILL_STATES),
            ], order=[('date_start', 'DESC'), ('id', 'DESC')],
        offset=(page - 1) * size, limit=size + 1)
    more = len(records) > size
    records = records[:size]
    # the whole debt, not only this page's: the posted bills, their unpaid
    # amounts read with the page's in one query
    posted = Bill.search([
            ('party', '=', portal.party.id),
            ('state', '=', 'posted'),
            ], order=[('date_start', 'ASC'), ('id', 'ASC')])
    unpaid = Bill.unpaid_by_ids({b.id for b in records + posted})
    due = [b for b in posted if unpaid[b.id] > 0]
    due_amounts = unpaid
    total_due = sum((unpaid[b.id] for b in due), Decimal(0))
    return portal.render('pm_portal/bills.html', bills=records,
        unpaid=unpaid, due=due, due_amounts=due_amounts,
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
