# This file is part of the pm suite (物业管理系统). See README.md.
"""Browser test of the community shop (Playwright + Debian chromium).

A database with pm_eshop and pm_portal is prepared by browser_setup.py
(restored from the scenarios' test database cache when it is there), a
trytond server serves it on a free loopback port. At 375 px wide, a
resident logs in, finds 家政保洁 in the shop, puts it in the cart, checks
out for tomorrow afternoon (下午) on the property account and sees the
order 已下单; the shop manager confirms it (JSON-RPC, as sao does) and the
resident sees 已确认, then 配送中 and 已送达 as the manager goes on.
Screenshots: var/screenshots/eshop/*.png.  PM_SKIP_BROWSER=1 skips it.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / 'var' / 'screenshots' / 'eshop'
TIMEOUT = 30_000
DB = 'eshop_browser'


def _sao():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests import test_browser_sao
    return test_browser_sao


@unittest.skipIf(os.environ.get('PM_SKIP_BROWSER') == '1',
    'PM_SKIP_BROWSER=1')
class ShopBrowserTestCase(unittest.TestCase):
    "A resident books a service and follows its status"

    @classmethod
    def setUpClass(cls):
        sao = _sao()
        if not os.access(sao.CHROMIUM, os.X_OK):
            raise AssertionError(f'{sao.CHROMIUM} is missing')
        cls.workdir = tempfile.mkdtemp(prefix='eshop-browser-')
        cls.server = None
        try:
            cls.start_server(sao)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_server(cls, sao):
        from .browser_setup import MANAGER, RESIDENT
        cls.resident, cls.manager = RESIDENT, MANAGER
        env = sao.child_env()
        env.update({
                'TRYTOND_DATABASE_URI': 'sqlite://',
                'TRYTOND_DATABASE__PATH': cls.workdir,
                'DB_NAME': DB,
                })
        if os.environ.get('DB_CACHE'):
            env['DB_CACHE'] = os.environ['DB_CACHE']
        setup = subprocess.run(
            [sys.executable, str(Path(__file__).with_name('browser_setup.py'))],
            env=env, cwd=cls.workdir, capture_output=True, text=True)
        if setup.returncode:
            raise AssertionError(setup.stdout[-2000:] + setup.stderr[-4000:])
        cls.data = json.loads(setup.stdout.strip().splitlines()[-1])
        port = sao.free_port()
        conf = Path(cls.workdir) / 'trytond.conf'
        sao.write_config(conf, cls.workdir, port)
        cls.root = f'http://127.0.0.1:{port}/'
        cls.base = f'{cls.root}{DB}/portal'
        cls.log_path = Path(cls.workdir) / 'trytond.log'
        trytond = Path(sys.executable).with_name('trytond')
        with open(cls.log_path, 'wb') as log:
            cls.server = subprocess.Popen(
                [str(trytond), '-c', str(conf), '-d', DB],
                stdout=log, stderr=subprocess.STDOUT, env=sao.child_env(),
                cwd=cls.workdir)
        deadline = time.monotonic() + 60
        while True:
            if cls.server.poll() is not None:
                raise AssertionError(f'trytond stopped:\n{cls.server_log()}')
            try:
                with urllib.request.urlopen(cls.base + '/login', timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f'no answer:\n{cls.server_log()}')
            time.sleep(0.2)

    @classmethod
    def server_log(cls):
        try:
            return cls.log_path.read_text(errors='replace')[-4000:]
        except OSError:
            return ''

    @classmethod
    def tearDownClass(cls):
        server = getattr(cls, 'server', None)
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(getattr(cls, 'workdir', ''), ignore_errors=True)

    def shot(self, page, name):
        page.screenshot(path=str(SCREENSHOTS / f'{name}.png'), full_page=True)

    def test_service_order_status(self):
        from playwright.sync_api import expect, sync_playwright
        sao = _sao()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=sao.CHROMIUM,
                headless=True, args=sao.CHROMIUM_ARGS)
            try:
                context = browser.new_context(
                    viewport={'width': 375, 'height': 812}, locale='zh-CN')
                page = context.new_page()
                page.set_default_timeout(TIMEOUT)
                try:
                    self.flow(page, expect, sao)
                except BaseException:
                    self.shot(page, 'failure')
                    raise
            finally:
                browser.close()

    def flow(self, page, expect, sao):
        base = self.base
        # the resident logs in and goes to the shop through the navigation
        page.goto(f'{base}/login')
        page.fill('input[name="login"]', self.resident[0])
        page.fill('input[name="password"]', self.resident[1])
        page.click('button[type="submit"]')
        page.wait_for_url(re.compile(r'.*/portal/?$'))
        page.click('nav.tabs a:has-text("社区商城")')
        page.wait_for_url(re.compile(r'.*/portal/shop/\d+$'))
        expect(page.locator('#products')).to_contain_text('家政保洁 2小时')
        self.shot(page, 'catalogue')
        # search, then add the service to the cart
        page.fill('#shop-search input[name="q"]', '保洁')
        page.click('#shop-search button')
        product = page.locator('article.product', has_text='家政保洁 2小时')
        product.locator('button[type="submit"]').click()
        expect(page.locator('#cart-link')).to_contain_text('1')
        page.click('#cart-link')
        expect(page.locator('#cart-total')).to_contain_text('120.00')
        # checkout: tomorrow afternoon, notes, on the property account
        option = page.locator('#slot option', has_text='下午').first
        page.select_option('#slot', option.get_attribute('value'))
        page.fill('#checkout-form textarea[name="notes"]', '下午两点后上门')
        page.check('#checkout-form input[value="account"]')
        self.shot(page, 'cart')
        page.click('#checkout-submit')
        page.wait_for_url(re.compile(r'.*/portal/shop/orders/\d+$'))
        order_id = int(page.url.rsplit('/', 1)[1])
        expect(page.locator('#order-state')).to_have_text('已下单')
        expect(page.locator('#order-slot')).to_contain_text('下午')
        self.shot(page, 'ordered')

        # the shop manager confirms it (as sao does, over JSON-RPC)
        rpc = sao.JsonRpc(self.root, DB)
        rpc.login(self.manager[0], self.manager[1], 'zh_CN')
        context = rpc.call('model.res.user.get_preferences', True, {})
        rpc.call('model.sale.sale.confirm', [order_id], context)
        page.reload()
        expect(page.locator('#order-state')).to_have_text('已确认')
        self.shot(page, 'confirmed')
        rpc.call('model.sale.sale.eshop_deliver', [order_id], context)
        page.reload()
        expect(page.locator('#order-state')).to_have_text('配送中')
        rpc.call('model.sale.sale.eshop_done', [order_id], context)
        page.reload()
        expect(page.locator('#order-state')).to_have_text('已送达')
        expect(page.locator('#rate-form')).to_be_visible()
        self.shot(page, 'delivered')
