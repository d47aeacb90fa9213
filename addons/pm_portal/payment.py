# This file is part of the pm suite (物业管理系统). See README.md.
"""Online payments 在线支付 of the portal (see API.md §5)."""
import datetime as dt
import logging
import secrets
from decimal import Decimal

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .providers import PROVIDERS, NotificationError
from .web import PortalError

logger = logging.getLogger(__name__)

PROVIDER_KINDS = [
    ('sandbox', "Sandbox"),
    ('alipay', "Alipay"),
    ('wechat', "WeChat Pay"),
    ]


class ProviderAccount(DeactivableMixin, ModelSQL, ModelView):
    "Online payment channel 在线支付渠道 of a company"
    __name__ = 'pm.portal.provider'
    __string__ = "Online Payment Channel"
    _portal_channels = Cache(
        'pm.portal.provider.portal_channels', context=False)

    company = fields.Many2One('company.company', "Company", required=True)
    name = fields.Char("Name", required=True, translate=True)
    provider = fields.Selection(PROVIDER_KINDS, "Provider", required=True)
    sequence = fields.Integer("Sequence")
    payment_method = fields.Many2One(
        'pm.payment.method', "Payment Method", required=True,
        domain=[('company', '=', Eval('company', -1))],
        help="The method of the receipts of bills paid through the channel "
        "(its journal and clearing account).")
    app_id = fields.Char("App ID", help="Alipay app_id or WeChat appid.")
    merchant_id = fields.Char("Merchant ID", help="WeChat Pay mchid.")
    serial_no = fields.Char(
        "Certificate Serial", help="WeChat Pay: the merchant certificate's "
        "serial number.")
    platform_serial = fields.Char(
        "Platform Certificate Serial",
        help="WeChat Pay: the serial of the platform certificate whose "
        "public key verifies the notifications.")
    private_key = fields.Text(
        "Merchant Private Key", help="PEM (PKCS#8) RSA private key.")
    provider_public_key = fields.Text(
        "Provider Public Key",
        help="Alipay public key or WeChat Pay platform certificate/key (PEM).")
    api_v3_key = fields.Char("API v3 Key", strip=False,
        help="WeChat Pay: the 32 characters key decrypting notifications.")
    secret = fields.Char("Sandbox Secret", strip=False,
        help="Sandbox: the HMAC key of its notifications.")
    gateway_url = fields.Char("Gateway URL",
        help="Leave empty for the provider's production gateway.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('sequence', 'ASC NULLS LAST'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_secret(cls):
        return secrets.token_hex(16)

    def adapter(self):
        return PROVIDERS[self.provider](self)

    @classmethod
    def portal_channels(cls, company_id):
        """[{'id', 'name'}] of the company's active channels in the
        context's language, cached (every bills page lists them)"""
        key = (company_id, Transaction().language)
        result = cls._portal_channels.get(key)
        if result is None:
            result = [{'id': r['id'], 'name': r['name']}
                for r in cls.search_read([('company', '=', company_id)],
                    fields_names=['name'])]
            cls._portal_channels.set(key, result)
        return result

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        cls._portal_channels.clear()

    @classmethod
    def for_company(cls, company, provider=None):
        domain = [('company', '=', company.id)]
        if provider:
            domain.append(('provider', '=', provider))
        return cls.search(domain)


class Payment(Workflow, ModelSQL, ModelView):
    "Online payment 在线支付"
    __name__ = 'pm.portal.payment'
    __string__ = "Online Payment"
    _rec_name = 'reference'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Payer", required=True, readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    web_user = fields.Many2One('web.user', "Web User", readonly=True)
    provider = fields.Selection(
        PROVIDER_KINDS, "Provider", required=True, readonly=True)
    account = fields.Many2One(
        'pm.portal.provider', "Channel", readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        readonly=True)
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, readonly=True)
    reference = fields.Char(
        "Reference", readonly=True,
        help="The out_trade_no sent to the provider (unique).")
    description = fields.Char("Description", readonly=True)
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True)
    bills = fields.Many2Many(
        'pm.portal.payment-pm.bill', 'payment', 'bill', "Bills",
        readonly=True)
    receipt = fields.Many2One('pm.receipt', "Receipt", readonly=True)
    return_path = fields.Char("Return Path", readonly=True)
    paid_date = fields.DateTime("Paid at", readonly=True)
    provider_reference = fields.Char("Provider Reference", readonly=True)
    refunded_amount = Monetary(
        "Refunded Amount", currency='currency', digits='currency',
        readonly=True)
    refund_reference = fields.Char("Refund Reference", readonly=True)
    notifications = fields.One2Many(
        'pm.portal.payment.notification', 'payment', "Notifications",
        readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('paid', "Paid"),
            ('failed', "Failed"),
            ('refunded', "Refunded"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('reference_unique', Unique(t, t.reference),
                'pm_portal.msg_payment_reference_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.reference, Index.Equality())),
                Index(t, (t.party, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('pending', 'paid'),
            ('pending', 'failed'),
            ('paid', 'refunded'),
            }
        cls._buttons.update({
                'refund_button': {
                    'invisible': Eval('state') != 'paid',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                'fail': {
                    'invisible': Eval('state') != 'pending',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_refunded_amount(cls):
        return Decimal(0)

    @classmethod
    def _get_origin(cls):
        "Models whose records can be paid online (extend with super())"
        return ['pm.bill']

    @classmethod
    def get_origin(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        models = cls._get_origin()
        return [(None, '')] + [
            (m, IrModel.get_name(m)) for m in models]

    @classmethod
    def new_reference(cls):
        "An out_trade_no: date + random (unique, ≤ 32 characters)"
        return 'PM' + dt.datetime.now().strftime('%Y%m%d%H%M%S') + (
            secrets.token_hex(6).upper())

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Account = pool.get('pm.portal.provider')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values.setdefault('reference', cls.new_reference())
            if not values.get('account') and values.get('company'):
                accounts = Account.search([
                        ('company', '=', values['company']),
                        ('provider', '=', values.get('provider')),
                        ], limit=1)
                if accounts:
                    values['account'] = accounts[0].id
        return values

    @classmethod
    def check_modification(cls, mode, payments, values=None, external=False):
        super().check_modification(
            mode, payments, values=values, external=external)
        if mode == 'create':
            for payment in payments:
                if not payment.account:
                    raise PortalError(gettext(
                            'pm_portal.msg_payment_no_channel',
                            provider=payment.provider))
                if payment.amount is None or payment.amount <= 0:
                    raise PortalError(gettext(
                            'pm_portal.msg_payment_amount'))
        if mode == 'delete':
            for payment in payments:
                if payment.state != 'pending':
                    raise PortalError(gettext(
                            'pm_portal.msg_payment_delete',
                            payment=payment.rec_name))

    def notify_url(self, base):
        return f'{base}/pay/notify/{self.provider}'

    @classmethod
    def start(cls, payments, base_url=None):
        """{payment id: URL of the provider's payment page}; base_url is
        the external URL of the portal (https://host/<db>/portal)"""
        result = {}
        base_url = base_url or Transaction().context.get('portal_base_url')
        for payment in payments:
            if payment.state != 'pending':
                raise PortalError(gettext(
                        'pm_portal.msg_payment_not_pending',
                        payment=payment.rec_name))
            adapter = payment.account.adapter()
            return_url = f'{base_url}/pay/{payment.reference}'
            url = adapter.start(
                payment, payment.notify_url(base_url), return_url)
            if url is None:  # the sandbox page of the portal
                url = f'{base_url}/pay/sandbox/{payment.reference}'
            result[payment.id] = url
        return result

    @classmethod
    def notify(cls, provider, headers, body, form, remote_addr=None):
        """Handle a provider's notification: verify, log, set paid once.
        Returns (ok, message)."""
        pool = Pool()
        Account = pool.get('pm.portal.provider')
        Notification = pool.get('pm.portal.payment.notification')
        log = {
            'provider': provider,
            'remote_addr': remote_addr,
            'headers': '\n'.join(f'{k}: {v}' for k, v in headers.items()
                if k.lower().startswith(('wechatpay', 'content-type'))),
            'body': body[:20000] if isinstance(body, str) else '',
            }
        if provider not in PROVIDERS:
            Notification.create([dict(log, provider=None,
                        result='rejected', reason='unknown provider')])
            return False, 'unknown provider'
        accounts = Account.search([('provider', '=', provider)])
        info, errors = None, []
        # several companies may have an account of the provider: the one
        # whose keys verify the notification is the right one
        for account in accounts:
            try:
                info = account.adapter().verify(headers, body, form)
            except NotificationError as e:
                errors.append(str(e))
                continue
            break
        if info is None:
            reason = '; '.join(sorted(set(errors))) or 'no channel'
            logger.warning("portal payment notification rejected "
                "(%s) from %s: %s", provider, remote_addr, reason)
            Notification.create([dict(log, result='rejected',
                        reason=reason[:200])])
            return False, reason
        payments = cls.search([
                ('reference', '=', info['reference']),
                ('provider', '=', provider),
                ('account', '=', account.id),
                ], limit=1)
        if not payments:
            Notification.create([dict(log, result='rejected',
                        event=info.get('event'),
                        reason='unknown reference')])
            return False, 'unknown reference'
        # lock, then read again: two notifications at once pay once
        cls.lock(payments)
        payment = cls(payments[0].id)
        log.update(payment=payment.id, event=info.get('event'))
        if info['amount'] != payment.amount:
            logger.warning("portal payment %s: notified amount %s != %s",
                payment.reference, info['amount'], payment.amount)
            Notification.create([dict(log, result='rejected',
                        reason='amount %s' % info['amount'])])
            return False, 'amount'
        if not info['paid']:
            Notification.create([dict(log, result='ignored',
                        reason='not paid')])
            return True, 'not paid'
        if payment.state != 'pending':
            Notification.create([dict(log, result='duplicate')])
            return True, 'duplicate'
        cls.write([payment], {
                'provider_reference': info.get('provider_reference'),
                })
        cls.paid([payment])
        Notification.create([dict(log, result='accepted')])
        return True, 'paid'

    @classmethod
    @Workflow.transition('paid')
    def paid(cls, payments):
        "Set paid (once) and tell the origins"
        payments = [p for p in payments if p.state == 'pending']
        now = dt.datetime.now()
        for payment in payments:
            payment.paid_date = now
            payment.state = 'paid'
        cls.save(payments)
        cls._pay_bills([p for p in payments if p.bills])
        by_model = {}
        for payment in payments:
            if payment.origin and payment.origin.__name__ != 'pm.bill':
                by_model.setdefault(payment.origin.__name__, []).append(
                    payment)
        pool = Pool()
        for model, model_payments in by_model.items():
            Model = pool.get(model)
            if hasattr(Model, 'portal_payment_paid'):
                Model.portal_payment_paid(model_payments)

    @classmethod
    def _pay_bills(cls, payments):
        """The bills of each payment get a posted receipt (allocated to
        their unpaid amounts; an excess becomes prepayment)"""
        pool = Pool()
        Receipt = pool.get('pm.receipt')
        Bill = pool.get('pm.bill')
        if not payments:
            return
        all_bills = [b for p in payments for b in p.bills]
        Bill.lock(all_bills)
        unpaid = Bill.get_unpaid_amount(all_bills)
        receipts = []
        today = dt.date.today()
        for payment in payments:
            bills = sorted(payment.bills,
                key=lambda b: (b.due_date or b.date_end, b.id))
            rest = payment.amount
            lines = []
            for bill in bills:
                part = min(rest, unpaid.get(bill.id, Decimal(0)))
                if part > 0 and bill.state == 'posted':
                    lines.append({'bill': bill.id, 'amount': part})
                    unpaid[bill.id] -= part
                    rest -= part
            units = {b.unit.id for b in bills}
            receipts.append(Receipt(
                    company=payment.company,
                    party=bills[0].party if bills else payment.party,
                    unit=units.pop() if len(units) == 1 else None,
                    date=today,
                    method=payment.account.payment_method,
                    currency=payment.currency,
                    amount=payment.amount,
                    reason=gettext('pm_portal.msg_receipt_reason',
                        provider=payment.provider,
                        reference=payment.reference,
                        provider_reference=payment.provider_reference or ''),
                    lines=[r for r in lines]))
        Receipt.save(receipts)
        Receipt.post(receipts)
        for payment, receipt in zip(payments, receipts):
            payment.receipt = receipt
        cls.save(payments)

    @classmethod
    @ModelView.button
    @Workflow.transition('failed')
    def fail(cls, payments):
        pass

    @classmethod
    @ModelView.button
    def refund_button(cls, payments):
        cls.refund(payments)

    @classmethod
    def refund(cls, payments, amount=None):
        """Refund through the provider (the whole amount by default), set
        'refunded' and tell the origins (portal_payment_refunded)"""
        pool = Pool()
        for payment in payments:
            if payment.state != 'paid':
                raise PortalError(gettext(
                        'pm_portal.msg_payment_refund_state',
                        payment=payment.rec_name))
            value = payment.amount if amount is None else amount
            if value <= 0 or value > payment.amount:
                raise PortalError(gettext('pm_portal.msg_payment_amount'))
            if payment.receipt:
                raise PortalError(gettext(
                        'pm_portal.msg_payment_refund_receipt',
                        payment=payment.rec_name,
                        receipt=payment.receipt.rec_name))
            reference = 'RF' + payment.reference[2:]
            try:
                provider_ref = payment.account.adapter().refund(
                    payment, value, reference)
            except NotificationError as e:
                raise PortalError(gettext(
                        'pm_portal.msg_payment_refund_failed',
                        payment=payment.rec_name, error=str(e)))
            payment.refunded_amount = value
            payment.refund_reference = provider_ref
            payment.state = 'refunded'
        cls.save(payments)
        by_model = {}
        for payment in payments:
            if payment.origin and hasattr(
                    payment.origin.__class__, 'portal_payment_refunded'):
                by_model.setdefault(payment.origin.__name__, []).append(
                    payment)
        for model, model_payments in by_model.items():
            pool.get(model).portal_payment_refunded(model_payments)

    @classmethod
    def expire(cls, hours=24):
        "Cron: pending payments older than hours fail"
        limit = dt.datetime.now() - dt.timedelta(hours=hours)
        payments = cls.search([
                ('state', '=', 'pending'),
                ('create_date', '<', limit),
                ])
        cls.fail(payments)


class PaymentBill(ModelSQL):
    "Online payment - bill"
    __name__ = 'pm.portal.payment-pm.bill'
    payment = fields.Many2One(
        'pm.portal.payment', "Payment", required=True, ondelete='CASCADE')
    bill = fields.Many2One(
        'pm.bill', "Bill", required=True, ondelete='RESTRICT')


class Notification(ModelSQL, ModelView):
    "Payment notification 支付通知 received from a provider (log)"
    __name__ = 'pm.portal.payment.notification'
    __string__ = "Payment Notification"

    payment = fields.Many2One(
        'pm.portal.payment', "Payment", readonly=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Company"), 'get_company',
        searcher='search_company')
    provider = fields.Selection(
        [(None, "")] + PROVIDER_KINDS, "Provider", readonly=True)
    event = fields.Char("Event ID", readonly=True)
    remote_addr = fields.Char("Remote Address", readonly=True)
    headers = fields.Text("Headers", readonly=True)
    body = fields.Text("Body", readonly=True)
    result = fields.Selection([
            ('accepted', "Accepted"),
            ('duplicate', "Duplicate"),
            ('ignored', "Ignored"),
            ('rejected', "Rejected"),
            ], "Result", readonly=True)
    reason = fields.Char("Reason", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'DESC')]

    def get_company(self, name):
        return self.payment.company.id if self.payment else None

    @classmethod
    def search_company(cls, name, clause):
        # the rejected notifications of no payment are shown to everyone
        return ['OR',
            ('payment', '=', None),
            ('payment.company',) + tuple(clause[1:]),
            ]

