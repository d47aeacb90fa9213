# This file is part of the pm suite (物业管理系统). See README.md.
"""Browser test of the residents' portal (Playwright + Debian chromium).

In a copy of the small demo database (built by scripts/create_db.py for
pm_portal, pm_vote, pm_security and pm_parking, cached under
var/test-cache/ like tests/test_browser_sao.py) a trytond server serves the
portal on a free loopback port. At 375 px wide, a resident activates an
account with the code of the bill notice, sees the right unpaid total,
pays it through the sandbox provider (redirect, asynchronous signed
notification) and sees the receipt; reports a repair with a photo; a
technician accepts, starts and finishes it on the staff pages; the
resident rates it; the owner votes and the live tally changes.
Screenshots: var/screenshots/portal/*.png.

PM_SKIP_BROWSER=1 skips it.
"""
import io
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
SCREENSHOTS = ROOT / 'var' / 'screenshots' / 'portal'
MODULES = ['pm_account_cn', 'pm_portal', 'pm_vote', 'pm_security',
    'pm_parking']
#: the cached database's name (not the sao test's: each keeps its cache)
DB = 'pm_portal_browser'
TIMEOUT = 30_000
PHONE, PASSWORD = '13700000077', 'browser2026'


def _sao():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests import test_browser_sao
    return test_browser_sao


@unittest.skipIf(os.environ.get('PM_SKIP_BROWSER') == '1',
    'PM_SKIP_BROWSER=1')
class PortalBrowserTestCase(unittest.TestCase):
    "The whole resident's and technician's flow in chromium at 375 px"

    @classmethod
    def setUpClass(cls):
        sao = _sao()
        if not os.access(sao.CHROMIUM, os.X_OK):
            raise AssertionError(f'{sao.CHROMIUM} is missing')
        cls.workdir = tempfile.mkdtemp(prefix='portal-browser-')
        cls.server = None
        try:
            cls.start_server(sao)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_server(cls, sao):
        saved = os.environ.get('ADDONS'), sao.DB
        os.environ['ADDONS'] = ' '.join(MODULES)
        sao.DB = DB
        try:
            db_dir = sao.demo_database(cls.workdir)
        finally:
            if saved[0] is None:
                del os.environ['ADDONS']
            else:
                os.environ['ADDONS'] = saved[0]
            sao.DB = saved[1]
        port = sao.free_port()
        conf = Path(cls.workdir) / 'trytond.conf'
        sao.write_config(conf, db_dir, port)
        setup = subprocess.run(
            [sys.executable, str(Path(__file__).with_name('browser_setup.py')),
                str(conf), DB],
            env=sao.child_env(), cwd=cls.workdir, capture_output=True,
            text=True)
        if setup.returncode:
            raise AssertionError(setup.stdout[-2000:] + setup.stderr[-4000:])
        cls.data = json.loads(setup.stdout.strip().splitlines()[-1])
        cls.base = f'http://127.0.0.1:{port}/{DB}/portal'
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
                with urllib.request.urlopen(cls.base + '/ping', timeout=5) as r:
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

    def test_resident_and_technician(self):
        from playwright.sync_api import expect, sync_playwright
        sao = _sao()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=sao.CHROMIUM,
                headless=True, args=sao.CHROMIUM_ARGS)
            try:
                phone = {'viewport': {'width': 375, 'height': 812},
                    'locale': 'zh-CN', 'device_scale_factor': 1}
                resident = browser.new_context(**phone)
                technician = browser.new_context(**phone)
                page = resident.new_page()
                page.set_default_timeout(TIMEOUT)
                tech = technician.new_page()
                tech.set_default_timeout(TIMEOUT)
                try:
                    self.flow(page, tech, expect)
                except BaseException:
                    self.shot(page, 'failure-resident')
                    self.shot(tech, 'failure-technician')
                    raise
            finally:
                browser.close()

    def flow(self, page, tech, expect):
        data, base = self.data, self.base
        # activation with the code of the bill notice
        page.goto(base + '/bills')
        expect(page).to_have_url(re.compile(r'/portal/login\?next='))
        self.shot(page, '01-login')
        page.goto(base + '/activate')
        page.fill('input[name=code]', data['code'])
        page.fill('input[name=phone]', PHONE)
        page.fill('input[name=password]', PASSWORD)
        page.fill('input[name=password2]', PASSWORD)
        self.shot(page, '02-activate')
        page.click('button[type=submit]')
        expect(page.locator('h1.greeting')).to_contain_text(data['party'])
        self.shot(page, '03-home')
        # the mobile layout: the tab bar is at the bottom of the screen
        box = page.locator('nav.tabs').bounding_box()
        self.assertGreater(box['y'], 700)
        self.assertLessEqual(box['width'], 375)
        width = page.evaluate('document.documentElement.scrollWidth')
        self.assertLessEqual(width, 375, 'no horizontal scrolling at 375 px')

        # logout and login again with the phone
        page.click('header form button')
        expect(page).to_have_url(re.compile(r'/portal/login'))
        page.fill('input[name=login]', PHONE)
        page.fill('input[name=password]', PASSWORD)
        page.click('button[type=submit]')
        expect(page.locator('h1.greeting')).to_be_visible()

        # the right bill total, paid through the sandbox
        page.goto(base + '/bills')
        unpaid = '¥{:,}'.format(__import__('decimal').Decimal(data['unpaid']))
        expect(page.locator('#total-due')).to_have_text(unpaid)
        self.shot(page, '04-bills')
        page.click('#pay')
        expect(page).to_have_url(re.compile(r'/portal/pay/sandbox/PM'))
        self.shot(page, '05-sandbox')
        page.click('#sandbox-pay')
        expect(page.locator('#payment-state')).to_have_text(
            '支付成功', timeout=60_000)
        receipt = page.locator('#receipt-number').inner_text()
        self.shot(page, '06-paid')
        page.goto(base + '/bills')
        expect(page.locator('#total-due')).to_have_text('¥0.00')
        page.goto(base + '/receipts')
        expect(page.locator('#receipts')).to_contain_text(receipt)
        self.shot(page, '07-receipts')

        # a repair with a photo
        page.goto(base + '/repairs/new')
        page.fill('textarea[name=description]', '厨房水龙头漏水，关不紧')
        page.fill('input[name=location]', '厨房')
        page.set_input_files('input[name=photos]', files=[{
                    'name': 'leak.png', 'mimeType': 'image/png',
                    'buffer': _png()}])
        self.shot(page, '08-repair-new')
        page.click('#repair-submit')
        expect(page.locator('#repair-state')).to_have_text('待受理')
        expect(page.locator('.photos img')).to_have_count(1)
        number = page.locator('h1').inner_text().split()[-1]
        repair_url = page.url
        self.shot(page, '09-repair')

        # the technician completes it
        login, password = data['technician']
        tech.goto(base + '/login')
        tech.fill('input[name=login]', login)
        tech.fill('input[name=password]', password)
        tech.click('button[type=submit]')
        expect(tech).to_have_url(re.compile(r'/portal/staff$'))
        tech.goto(base + '/staff/orders')
        tech.click(f'text={number}')
        tech.click('#order-accept')
        expect(tech.locator('#order-state')).to_have_text('已派工')
        tech.click('#order-start')
        expect(tech.locator('#order-state')).to_have_text('处理中')
        tech.fill('textarea[name=work_done]', '更换水龙头阀芯')
        tech.fill('input[name=labour_hours]', '1')
        tech.set_input_files('input[name=photos]', files=[{
                    'name': 'done.png', 'mimeType': 'image/png',
                    'buffer': _png()}])
        self.shot(tech, '10-staff-order')
        tech.click('#order-finish')
        expect(tech).to_have_url(re.compile(r'/portal/staff/orders$'))
        self.shot(tech, '11-staff-queue')

        # the resident rates it
        page.goto(repair_url)
        expect(page.locator('#repair-state')).to_have_text('回访')
        page.click('#repair-rate')
        expect(page.locator('#repair-state')).to_have_text('已完成')
        self.shot(page, '12-repair-rated')

        # notices and activities
        page.goto(base + '/notices')
        self.shot(page, '13-notices')
        page.goto(base + '/activities')
        self.shot(page, '14-activities')

        # the owner votes: the tally changes
        if data.get('motion'):
            page.goto(base + '/votes/%d' % data['motion'])
            before = int(page.locator('#tally-participating').inner_text())
            page.check('input[name=choice][value=yes]')
            page.locator('button[id^=vote-cast-]').first.click()
            expect(page.locator('#tally-participating')).to_have_text(
                str(before + 1))
            self.shot(page, '15-vote')


def _png():
    import png
    buf = io.BytesIO()
    png.Writer(8, 8, greyscale=True).write(buf, [[128] * 8] * 8)
    return buf.getvalue()
