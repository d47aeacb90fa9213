# This file is part of the pm suite (物业管理系统). See README.md.
"""Payment providers of the portal: the sandbox, Alipay and WeChat Pay.

Pure protocol code (no pool): request signing and notification
verification as published by the providers.

* Sandbox 沙箱: a payment page of the portal itself; on confirmation it
  posts an asynchronous notification to the callback, signed with
  HMAC-SHA256 (key: the provider account's secret).
* Alipay 支付宝 (open API, RSA2): the parameters except `sign` are sorted,
  joined as k=v&k=v and signed with SHA256withRSA (PKCS#1 v1.5) by the
  merchant's private key; notifications are verified the same way
  (without `sign` and `sign_type`) with Alipay's public key.
* WeChat Pay 微信支付 API v3: requests carry `Authorization:
  WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,
  serial_no=…` where signature signs "METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n";
  notifications (and responses) are verified on
  "TIMESTAMP\\nNONCE\\nBODY\\n" with the platform public key from the
  `Wechatpay-*` headers, and their resource is decrypted with
  AEAD_AES_256_GCM and the API v3 key.
"""
import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import urllib.parse
import urllib.request
from decimal import Decimal

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

logger = logging.getLogger(__name__)

#: notifications older than this are replays (WeChat Pay headers)
MAX_SKEW = 300


class NotificationError(Exception):
    "The notification is not valid: rejected and logged"


def cents(amount):
    return int((Decimal(amount) * 100).quantize(Decimal(1)))


def yuan(amount):
    return str(Decimal(amount).quantize(Decimal('0.01')))


def load_private_key(pem):
    return serialization.load_pem_private_key(
        pem.encode('ascii') if isinstance(pem, str) else pem, password=None)


def load_public_key(pem):
    data = pem.encode('ascii') if isinstance(pem, str) else pem
    if b'BEGIN CERTIFICATE' in data:
        from cryptography import x509
        return x509.load_pem_x509_certificate(data).public_key()
    if b'BEGIN' not in data:
        # Alipay publishes its key as bare base64
        data = (b'-----BEGIN PUBLIC KEY-----\n' + data.strip()
            + b'\n-----END PUBLIC KEY-----\n')
    return serialization.load_pem_public_key(data)


def rsa_sign(private_pem, message):
    key = load_private_key(private_pem)
    signature = key.sign(
        message.encode('utf-8'), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode('ascii')


def rsa_verify(public_pem, message, signature):
    try:
        key = load_public_key(public_pem)
        key.verify(base64.b64decode(signature or ''),
            message.encode('utf-8'), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def http_post(url, body, headers, timeout=10):
    "The transport (replaced by the simulator in the tests)"
    request = urllib.request.Request(
        url, data=body.encode('utf-8') if isinstance(body, str) else body,
        headers=headers, method='POST')
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return (response.status, dict(response.headers),
            response.read().decode('utf-8'))


class Provider:
    "An adapter: built from a pm.portal.provider record"
    name = None
    transport = staticmethod(http_post)

    def __init__(self, account):
        self.account = account

    def start(self, payment, notify_url, return_url):
        "The URL of the provider's payment page for the payment"
        raise NotImplementedError

    def verify(self, headers, body, form):
        """Check a notification; return dict reference, amount (Decimal),
        provider_reference, event (an id for the log), paid (bool).
        Raise NotificationError."""
        raise NotImplementedError

    def acknowledge(self, ok, message=''):
        "The (status, content type, body) answered to the notification"
        raise NotImplementedError

    def refund(self, payment, amount, refund_reference):
        "Refund through the provider; return its refund reference"
        raise NotImplementedError


class Sandbox(Provider):
    name = 'sandbox'
    #: delivers the notification (a thread posting to the callback,
    #: replaced in the tests)
    deliver_delay = 0.3

    def sign(self, data):
        message = '&'.join(f'{k}={data[k]}' for k in sorted(data)
            if k != 'sign' and data[k] not in (None, ''))
        return hmac.new(self.account.secret.encode('utf-8'),
            message.encode('utf-8'), hashlib.sha256).hexdigest()

    def start(self, payment, notify_url, return_url):
        # the sandbox's page is part of the portal
        return None

    def notification(self, payment, status='SUCCESS', trade_no=None):
        data = {
            'out_trade_no': payment.reference,
            'total_amount': yuan(payment.amount),
            'trade_no': trade_no or 'SB' + secrets.token_hex(8).upper(),
            'trade_status': status,
            'notify_id': secrets.token_hex(12),
            'timestamp': str(int(time.time())),
            }
        data['sign'] = self.sign(data)
        return data

    def deliver(self, notify_url, data):
        "Post the notification asynchronously, retried like a real provider"
        def run():
            body = urllib.parse.urlencode(data)
            # real providers retry for hours; the sandbox for about a minute
            for attempt in range(9):
                time.sleep(self.deliver_delay * (2 ** min(attempt, 6)))
                try:
                    status, _, text = self.transport(notify_url, body, {
                            'Content-Type':
                            'application/x-www-form-urlencoded'})
                    if status == 200 and text.strip() == 'success':
                        return
                except Exception:
                    logger.info("sandbox notification to %s failed",
                        notify_url, exc_info=True)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def verify(self, headers, body, form):
        data = dict(form)
        sign = data.pop('sign', '')
        if not sign:
            raise NotificationError('unsigned')
        expected = self.sign(data)
        if not hmac.compare_digest(sign, expected):
            raise NotificationError('bad signature')
        try:
            amount = Decimal(data['total_amount'])
        except Exception:
            raise NotificationError('bad amount')
        return {
            'reference': data.get('out_trade_no'),
            'amount': amount,
            'provider_reference': data.get('trade_no'),
            'event': data.get('notify_id'),
            'paid': data.get('trade_status') == 'SUCCESS',
            }

    def acknowledge(self, ok, message=''):
        return (200 if ok else 400, 'text/plain',
            'success' if ok else 'fail')

    def refund(self, payment, amount, refund_reference):
        return 'SBR' + secrets.token_hex(8).upper()


class Alipay(Provider):
    name = 'alipay'
    default_gateway = 'https://openapi.alipay.com/gateway.do'

    @staticmethod
    def content(params):
        return '&'.join(f'{k}={params[k]}' for k in sorted(params)
            if k not in {'sign'} and params[k] not in (None, ''))

    def _params(self, method, biz_content, **extra):
        params = {
            'app_id': self.account.app_id,
            'method': method,
            'format': 'JSON',
            'charset': 'utf-8',
            'sign_type': 'RSA2',
            'timestamp': dt.datetime.now().strftime('%Y-%m-%d %H:%M:%S'),
            'version': '1.0',
            'biz_content': json.dumps(
                biz_content, ensure_ascii=False, separators=(',', ':')),
            }
        params.update({k: v for k, v in extra.items() if v})
        params['sign'] = rsa_sign(
            self.account.private_key, self.content(params))
        return params

    @property
    def gateway(self):
        return self.account.gateway_url or self.default_gateway

    def start(self, payment, notify_url, return_url):
        params = self._params('alipay.trade.wap.pay', {
                'out_trade_no': payment.reference,
                'total_amount': yuan(payment.amount),
                'subject': (payment.description or payment.reference)[:128],
                'product_code': 'QUICK_WAP_WAY',
                }, notify_url=notify_url, return_url=return_url)
        return self.gateway + '?' + urllib.parse.urlencode(params)

    def verify(self, headers, body, form):
        data = dict(form)
        sign = data.pop('sign', '')
        sign_type = data.pop('sign_type', '')
        if not sign:
            raise NotificationError('unsigned')
        if sign_type != 'RSA2':
            raise NotificationError('sign_type %s' % sign_type)
        if not rsa_verify(
                self.account.provider_public_key, self.content(data), sign):
            raise NotificationError('bad signature')
        if data.get('app_id') != self.account.app_id:
            raise NotificationError('app_id')
        try:
            amount = Decimal(data['total_amount'])
        except Exception:
            raise NotificationError('bad amount')
        return {
            'reference': data.get('out_trade_no'),
            'amount': amount,
            'provider_reference': data.get('trade_no'),
            'event': data.get('notify_id'),
            'paid': data.get('trade_status') in {
                'TRADE_SUCCESS', 'TRADE_FINISHED'},
            }

    def acknowledge(self, ok, message=''):
        return (200, 'text/plain', 'success' if ok else 'fail')

    def call(self, method, biz_content):
        "A synchronous open API call; the response's signature is checked"
        params = self._params(method, biz_content)
        status, headers, text = self.transport(
            self.gateway, urllib.parse.urlencode(params),
            {'Content-Type':
                'application/x-www-form-urlencoded;charset=utf-8'})
        node = method.replace('.', '_') + '_response'
        data = json.loads(text)
        # the signed content is the exact JSON text of the response node
        start = text.index(f'"{node}"') + len(node) + 2
        start = text.index('{', start)
        depth, end = 0, start
        for end in range(start, len(text)):
            if text[end] == '{':
                depth += 1
            elif text[end] == '}':
                depth -= 1
                if not depth:
                    break
        raw = text[start:end + 1]
        if not rsa_verify(
                self.account.provider_public_key, raw, data.get('sign')):
            raise NotificationError('bad response signature')
        result = data[node]
        if result.get('code') != '10000':
            raise NotificationError(
                '%s %s' % (result.get('sub_code'), result.get('sub_msg')))
        return result

    def refund(self, payment, amount, refund_reference):
        result = self.call('alipay.trade.refund', {
                'out_trade_no': payment.reference,
                'refund_amount': yuan(amount),
                'out_request_no': refund_reference,
                })
        return result.get('trade_no') or refund_reference


class WechatPay(Provider):
    name = 'wechat'
    default_gateway = 'https://api.mch.weixin.qq.com'

    @property
    def gateway(self):
        return (self.account.gateway_url or self.default_gateway).rstrip('/')

    def authorization(self, method, path, body, timestamp=None, nonce=None):
        timestamp = str(timestamp or int(time.time()))
        nonce = nonce or secrets.token_hex(16).upper()
        message = f'{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n'
        signature = rsa_sign(self.account.private_key, message)
        return ('WECHATPAY2-SHA256-RSA2048 '
            f'mchid="{self.account.merchant_id}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{timestamp}",'
            f'serial_no="{self.account.serial_no}"')

    def check_signature(self, headers, body):
        headers = {k.lower(): v for k, v in headers.items()}
        timestamp = headers.get('wechatpay-timestamp', '')
        nonce = headers.get('wechatpay-nonce', '')
        signature = headers.get('wechatpay-signature', '')
        serial = headers.get('wechatpay-serial', '')
        if not signature or not timestamp or not nonce:
            raise NotificationError('unsigned')
        if (self.account.platform_serial
                and serial != self.account.platform_serial):
            raise NotificationError('unknown platform serial %s' % serial)
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            raise NotificationError('bad timestamp')
        if skew > MAX_SKEW:
            raise NotificationError('timestamp too old (replay)')
        if not rsa_verify(self.account.provider_public_key,
                f'{timestamp}\n{nonce}\n{body}\n', signature):
            raise NotificationError('bad signature')

    def request(self, method, path, payload):
        body = json.dumps(payload, ensure_ascii=False, separators=(',', ':'))
        status, headers, text = self.transport(self.gateway + path, body, {
                'Authorization': self.authorization(method, path, body),
                'Content-Type': 'application/json',
                'Accept': 'application/json',
                'Wechatpay-Serial': self.account.platform_serial or '',
                })
        self.check_signature(headers, text)
        if status >= 300:
            raise NotificationError('HTTP %s %s' % (status, text[:200]))
        return json.loads(text) if text else {}

    def start(self, payment, notify_url, return_url):
        result = self.request('POST', '/v3/pay/transactions/h5', {
                'appid': self.account.app_id,
                'mchid': self.account.merchant_id,
                'description': (payment.description or payment.reference
                    )[:127],
                'out_trade_no': payment.reference,
                'notify_url': notify_url,
                'amount': {'total': cents(payment.amount), 'currency': 'CNY'},
                'scene_info': {
                    'payer_client_ip': '127.0.0.1',
                    'h5_info': {'type': 'Wap'},
                    },
                })
        url = result['h5_url']
        if return_url:
            url += '&redirect_url=' + urllib.parse.quote(return_url, safe='')
        return url

    def decrypt(self, resource):
        if resource.get('algorithm') != 'AEAD_AES_256_GCM':
            raise NotificationError('algorithm')
        try:
            aes = AESGCM(self.account.api_v3_key.encode('utf-8'))
            plain = aes.decrypt(
                resource['nonce'].encode('utf-8'),
                base64.b64decode(resource['ciphertext']),
                (resource.get('associated_data') or '').encode('utf-8'))
        except (InvalidTag, KeyError, ValueError):
            raise NotificationError('cannot decrypt resource')
        return json.loads(plain)

    def verify(self, headers, body, form):
        self.check_signature(headers, body)
        try:
            event = json.loads(body)
        except ValueError:
            raise NotificationError('bad JSON')
        transaction = self.decrypt(event.get('resource') or {})
        if (transaction.get('mchid') != self.account.merchant_id
                or transaction.get('appid') != self.account.app_id):
            raise NotificationError('merchant')
        amount = transaction.get('amount') or {}
        return {
            'reference': transaction.get('out_trade_no'),
            'amount': (Decimal(amount.get('total', 0)) / 100).quantize(
                Decimal('0.01')),
            'provider_reference': transaction.get('transaction_id'),
            'event': event.get('id'),
            'paid': (event.get('event_type') == 'TRANSACTION.SUCCESS'
                and transaction.get('trade_state') == 'SUCCESS'),
            }

    def acknowledge(self, ok, message=''):
        if ok:
            return (200, 'application/json', '{"code":"SUCCESS"}')
        return (400, 'application/json', json.dumps(
                {'code': 'FAIL', 'message': message or 'invalid'}))

    def refund(self, payment, amount, refund_reference):
        result = self.request('POST', '/v3/refund/domestic/refunds', {
                'out_trade_no': payment.reference,
                'out_refund_no': refund_reference,
                'amount': {
                    'refund': cents(amount),
                    'total': cents(payment.amount),
                    'currency': 'CNY',
                    },
                })
        if result.get('status') not in {'SUCCESS', 'PROCESSING'}:
            raise NotificationError('refund %s' % result.get('status'))
        return result.get('refund_id') or refund_reference


PROVIDERS = {p.name: p for p in [Sandbox, Alipay, WechatPay]}
