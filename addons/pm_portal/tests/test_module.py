# This file is part of the pm suite (物业管理系统). See README.md.
import json
import time
import unittest
import urllib.parse
from decimal import Decimal
from types import SimpleNamespace

from trytond.modules.company.tests import CompanyTestMixin
from trytond.modules.pm_portal import providers
from trytond.modules.pm_portal.providers import (
    Alipay, NotificationError, Sandbox, WechatPay)
from trytond.tests.test_tryton import ModuleTestCase

from .simulator import Simulator


def _payment(reference='PM2026TEST0001', amount=Decimal('123.45')):
    return SimpleNamespace(reference=reference, amount=amount,
        description='物业费 2026年11月')


class ProviderTestCase(unittest.TestCase):
    "Signing and verification against the local simulator (test keys)"

    @classmethod
    def setUpClass(cls):
        cls.sim = Simulator()

    def account(self, provider):
        return SimpleNamespace(**dict({
                    'merchant_id': None, 'serial_no': None,
                    'platform_serial': None, 'api_v3_key': None,
                    'secret': None},
                **self.sim.account_values(provider)))

    def adapter(self, cls, provider):
        adapter = cls(self.account(provider))
        adapter.transport = self.sim.transport
        return adapter

    def test_alipay_start_signed(self):
        adapter = self.adapter(Alipay, 'alipay')
        url = adapter.start(_payment(), 'https://h/n', 'https://h/r')
        parts = urllib.parse.urlsplit(url)
        params = dict(urllib.parse.parse_qsl(parts.query))
        self.assertEqual(params['method'], 'alipay.trade.wap.pay')
        self.assertEqual(params['sign_type'], 'RSA2')
        biz = json.loads(params['biz_content'])
        self.assertEqual(biz['total_amount'], '123.45')
        sign = params.pop('sign')
        self.assertTrue(providers.rsa_verify(
                self.sim.merchant_public, Alipay.content(params), sign))
        params['notify_url'] = 'https://evil/n'
        self.assertFalse(providers.rsa_verify(
                self.sim.merchant_public, Alipay.content(params), sign))

    def test_alipay_notification(self):
        adapter = self.adapter(Alipay, 'alipay')
        data = self.sim.alipay_notification('PM1', Decimal('88.00'))
        info = adapter.verify({}, '', data)
        self.assertEqual((info['reference'], info['amount'], info['paid']),
            ('PM1', Decimal('88.00'), True))
        tampered = dict(data, total_amount='0.01')
        with self.assertRaises(NotificationError):
            adapter.verify({}, '', tampered)
        unsigned = self.sim.alipay_notification('PM1', 88, sign=False)
        with self.assertRaises(NotificationError):
            adapter.verify({}, '', unsigned)
        other = Simulator()  # signed by another key
        with self.assertRaises(NotificationError):
            adapter.verify({}, '', other.alipay_notification('PM1', 88))

    def test_alipay_refund(self):
        adapter = self.adapter(Alipay, 'alipay')
        ref = adapter.refund(_payment(), Decimal('20.00'), 'RF1')
        self.assertTrue(ref.startswith('ALIREFUND'))
        self.assertEqual(self.sim.refunds[-1]['refund_amount'], '20.00')

    def test_wechat_start_and_refund(self):
        adapter = self.adapter(WechatPay, 'wechat')
        url = adapter.start(_payment(), 'https://h/n', 'https://h/r')
        self.assertIn('prepay_id=wx', url)
        self.assertIn('redirect_url=https%3A%2F%2Fh%2Fr', url)
        _, body, headers = self.sim.requests[-1]
        self.assertEqual(json.loads(body)['amount'], {
                'total': 12345, 'currency': 'CNY'})
        self.assertTrue(headers['Authorization'].startswith(
                'WECHATPAY2-SHA256-RSA2048 mchid="1900000001"'))
        ref = adapter.refund(_payment(), Decimal('123.45'), 'RF2')
        self.assertTrue(ref.startswith('WXREFUND'))
        # a merchant key the gateway does not know is refused
        wrong = self.adapter(WechatPay, 'wechat')
        wrong.account.private_key = Simulator().merchant_private
        with self.assertRaises(NotificationError):
            wrong.start(_payment(), 'https://h/n', 'https://h/r')

    def test_wechat_notification(self):
        adapter = self.adapter(WechatPay, 'wechat')
        headers, body = self.sim.wechat_notification('PM2', Decimal('10.50'))
        info = adapter.verify(headers, body, {})
        self.assertEqual((info['reference'], info['amount'], info['paid']),
            ('PM2', Decimal('10.50'), True))
        # tampered body
        with self.assertRaises(NotificationError):
            adapter.verify(headers, body.replace('"id"', '"id "'), {})
        # unsigned
        with self.assertRaises(NotificationError):
            adapter.verify({'Content-Type': 'application/json'}, body, {})
        # replayed after 10 minutes
        old_headers, old_body = self.sim.wechat_notification(
            'PM2', 10, timestamp=int(time.time()) - 600)
        with self.assertRaises(NotificationError):
            adapter.verify(old_headers, old_body, {})
        # encrypted with another API v3 key
        adapter.account.api_v3_key = 'x' * 32
        with self.assertRaises(NotificationError):
            adapter.verify(headers, body, {})

    def test_sandbox(self):
        account = SimpleNamespace(secret='s3cret')
        adapter = Sandbox(account)
        data = adapter.notification(_payment())
        self.assertTrue(adapter.verify({}, '', data)['paid'])
        with self.assertRaises(NotificationError):
            adapter.verify({}, '', dict(data, total_amount='1.00'))
        with self.assertRaises(NotificationError):
            adapter.verify({}, '', {k: v for k, v in data.items()
                    if k != 'sign'})
        self.assertEqual(providers.cents(Decimal('0.1')), 10)
        self.assertEqual(providers.yuan(Decimal('5')), '5.00')


class PmPortalTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_portal module"
    module = 'pm_portal'
    extras = ['pm_security', 'pm_parking', 'pm_vote']

    @property
    def _skip_company_rule(self):
        # web users are the identities of residents and staff across the
        # companies (the e-shop's customers too): the portal restricts
        # every page to the web user's party or employee itself
        return super()._skip_company_rule | {('web.user', 'portal_company')}


del ModuleTestCase
