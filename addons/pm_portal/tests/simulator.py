# This file is part of the pm suite (物业管理系统). See README.md.
"""A local simulator of the Alipay and WeChat Pay gateways for the tests.

It holds the provider's key pair (generated per test) and the merchant's
public key: it checks the merchant's request signatures, answers signed
responses and produces signed (and, for WeChat Pay, encrypted)
notifications, as the published protocols describe."""
import base64
import json
import secrets
import time
import urllib.parse

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from trytond.modules.pm_portal.providers import (
    Alipay, cents, rsa_sign, rsa_verify, yuan)

from .tools import rsa_keys

__all__ = ['Simulator']


class Simulator:

    def __init__(self):
        self.merchant_private, self.merchant_public = rsa_keys()
        self.provider_private, self.provider_public = rsa_keys()
        self.api_v3_key = secrets.token_hex(16)  # 32 characters
        self.app_id = '2021000000000001'
        self.mchid = '1900000001'
        self.serial = 'MERCHANTSERIAL01'
        self.platform_serial = 'PLATFORMSERIAL01'
        self.requests = []
        self.refunds = []

    def account_values(self, provider):
        values = {
            'provider': provider,
            'app_id': self.app_id if provider == 'alipay' else 'wx0001',
            'private_key': self.merchant_private,
            'provider_public_key': self.provider_public,
            'gateway_url': ('https://alipay.simulator/gateway.do'
                if provider == 'alipay' else 'https://wechat.simulator'),
            }
        if provider == 'wechat':
            values.update({
                    'merchant_id': self.mchid,
                    'serial_no': self.serial,
                    'platform_serial': self.platform_serial,
                    'api_v3_key': self.api_v3_key,
                    })
        return values

    # -- the gateways
    def transport(self, url, body, headers):
        self.requests.append((url, body, headers))
        if 'alipay' in url:
            return self._alipay(url, body, headers)
        return self._wechat(url, body, headers)

    def _alipay(self, url, body, headers):
        params = dict(urllib.parse.parse_qsl(body))
        sign = params.pop('sign', '')
        if not rsa_verify(self.merchant_public, Alipay.content(params), sign):
            return 200, {}, json.dumps({'error_response': {
                        'code': '40002', 'sub_code': 'isv.invalid-signature'}})
        biz = json.loads(params['biz_content'])
        node = params['method'].replace('.', '_') + '_response'
        result = {'code': '10000', 'msg': 'Success',
            'out_trade_no': biz['out_trade_no'],
            'refund_fee': biz.get('refund_amount'),
            'trade_no': 'ALIREFUND' + secrets.token_hex(4)}
        self.refunds.append(biz)
        raw = json.dumps(result, separators=(',', ':'))
        text = '{"%s":%s,"sign":"%s"}' % (
            node, raw, rsa_sign(self.provider_private, raw))
        return 200, {}, text

    def _wechat_headers(self, body, timestamp=None):
        timestamp = str(timestamp or int(time.time()))
        nonce = secrets.token_hex(16)
        return {
            'Wechatpay-Timestamp': timestamp,
            'Wechatpay-Nonce': nonce,
            'Wechatpay-Serial': self.platform_serial,
            'Wechatpay-Signature': rsa_sign(self.provider_private,
                f'{timestamp}\n{nonce}\n{body}\n'),
            'Content-Type': 'application/json',
            }

    def _wechat(self, url, body, headers):
        path = urllib.parse.urlsplit(url).path
        auth = headers['Authorization']
        assert auth.startswith('WECHATPAY2-SHA256-RSA2048 ')
        fields = dict(part.split('=', 1) for part in
            auth[len('WECHATPAY2-SHA256-RSA2048 '):].split(','))
        fields = {k: v.strip('"') for k, v in fields.items()}
        message = (f"POST\n{path}\n{fields['timestamp']}\n"
            f"{fields['nonce_str']}\n{body}\n")
        if (fields['mchid'] != self.mchid or fields['serial_no'] != self.serial
                or not rsa_verify(
                    self.merchant_public, message, fields['signature'])):
            text = json.dumps({'code': 'SIGN_ERROR', 'message': 'bad sign'})
            return 401, self._wechat_headers(text), text
        payload = json.loads(body)
        if path == '/v3/pay/transactions/h5':
            result = {'h5_url': 'https://wx.tenpay.com/cgi-bin/mmpayweb-bin/'
                'checkmweb?prepay_id=wx%s&package=1' % secrets.token_hex(8)}
        else:
            self.refunds.append(payload)
            result = {'refund_id': 'WXREFUND' + secrets.token_hex(4),
                'status': 'SUCCESS'}
        text = json.dumps(result)
        return 200, self._wechat_headers(text), text

    # -- notifications
    def alipay_notification(self, reference, amount, status='TRADE_SUCCESS',
            trade_no=None, sign=True):
        data = {
            'notify_time': time.strftime('%Y-%m-%d %H:%M:%S'),
            'notify_type': 'trade_status_sync',
            'notify_id': secrets.token_hex(10),
            'app_id': self.app_id,
            'charset': 'utf-8',
            'version': '1.0',
            'trade_no': trade_no or '2026' + secrets.token_hex(8),
            'out_trade_no': reference,
            'total_amount': yuan(amount),
            'trade_status': status,
            }
        if sign:
            # notifications are signed without sign and sign_type
            signature = rsa_sign(self.provider_private, Alipay.content(data))
            data['sign_type'] = 'RSA2'
            data['sign'] = signature
        return data

    def wechat_notification(self, reference, amount, state='SUCCESS',
            timestamp=None, transaction_id=None):
        transaction = {
            'mchid': self.mchid, 'appid': 'wx0001',
            'out_trade_no': reference,
            'transaction_id': transaction_id or '4200' + secrets.token_hex(8),
            'trade_state': state,
            'amount': {'total': cents(amount), 'payer_total': cents(amount),
                'currency': 'CNY'},
            }
        nonce = secrets.token_hex(6)
        associated = 'transaction'
        ciphertext = AESGCM(self.api_v3_key.encode()).encrypt(
            nonce.encode(), json.dumps(transaction).encode(),
            associated.encode())
        event = {
            'id': secrets.token_hex(8),
            'create_time': time.strftime('%Y-%m-%dT%H:%M:%S+08:00'),
            'resource_type': 'encrypt-resource',
            'event_type': 'TRANSACTION.SUCCESS',
            'summary': '支付成功',
            'resource': {
                'algorithm': 'AEAD_AES_256_GCM',
                'ciphertext': base64.b64encode(ciphertext).decode(),
                'associated_data': associated,
                'original_type': 'transaction',
                'nonce': nonce,
                },
            }
        body = json.dumps(event)
        return self._wechat_headers(body, timestamp=timestamp), body
