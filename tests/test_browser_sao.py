"""Browser test: log into the sao web client and open the unit list.

Builds a small demo database (scripts/create_db.py --scale 0.05) once and
caches it under var/test-cache/, keyed by a hash of the addons, demo/ and
scripts/ sources; starts `trytond -c <temp conf> -d <db>` on a free loopback
port; drives Debian's /usr/bin/chromium through Playwright; clicks the menu
物业管理 → 房产资源 → 房屋 (labels read from the database, in zh_CN) and checks
that the list shows the translated column headers and the demo unit codes.
A screenshot is saved as var/screenshots/sao_unit_list.png.

Fails when chromium or sao is missing; PM_SKIP_BROWSER=1 skips it.
Its database has every addon, or only those of $ADDONS when `make test
ADDONS="pm_estate tests"` restricts them.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demo import ADMIN_LOGIN, ADMIN_PASSWORD  # noqa: E402

CHROMIUM = os.environ.get('PM_CHROMIUM', '/usr/bin/chromium')
SAO_ROOT = Path(os.environ.get('PM_SAO_ROOT', ROOT / 'var' / 'sao'))
CACHE_DIR = ROOT / 'var' / 'test-cache'
SCREENSHOTS = ROOT / 'var' / 'screenshots'
DB = 'pm_browser'
SCALE = '0.05'
CHROMIUM_ARGS = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']
TIMEOUT = 30_000  # ms


def sources_hash(modules=None):
    "Hash of everything the demo database depends on"
    digest = hashlib.sha1()
    files = []
    addons = [f'addons/{m}/**/*' for m in modules] if modules else [
        'addons/**/*']
    for pattern in addons + ['demo/**/*.py', 'scripts/create_db.py']:
        files.extend(p for p in ROOT.glob(pattern)
            if p.is_file() and '__pycache__' not in p.parts
            and p.suffix not in {'.pyc', '.orig', '.rej'})
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    import trytond
    digest.update(trytond.__version__.encode())
    digest.update(SCALE.encode())
    return digest.hexdigest()[:16]


def copy_sqlite(src, dst):
    for suffix in ('', '-wal', '-shm'):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    src_conn, dst_conn = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        src_conn.backup(dst_conn)
    finally:
        src_conn.close()
        dst_conn.close()


def write_config(path, db_dir, port=8000):
    path.write_text(f"""[database]
uri = sqlite://
path = {db_dir}

[web]
listen = 127.0.0.1:{port}
root = {SAO_ROOT}

[session]
timeout = 3600

[password]
length = 8
""")


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def child_env():
    "The environment of trytond children: no test-runner settings"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_')
        and k not in {'DB_NAME', 'DB_CACHE', 'ADDONS', 'TESTS'}}
    env['PYTHONPATH'] = str(ROOT)
    return env


def selected_addons():
    "The addons of $ADDONS (`make test ADDONS=...`), or [] for all"
    names = {p.parent.name for p in ROOT.glob('addons/*/tryton.cfg')}
    selected = os.environ.get('ADDONS', '').replace(',', ' ').split()
    return sorted(n for n in selected if n in names)


def demo_database(workdir):
    "Return the path of a fresh copy of the small demo database"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    modules = selected_addons()
    cached = CACHE_DIR / f'{DB}-{sources_hash(modules)}.sqlite'
    if not cached.exists():
        build_dir = Path(tempfile.mkdtemp(prefix='pm-build-', dir=workdir))
        conf = build_dir / 'trytond.conf'
        write_config(conf, build_dir)
        cmd = [sys.executable, str(ROOT / 'scripts' / 'create_db.py'),
            '-c', str(conf), '-d', DB, '--scale', SCALE]
        if modules:
            cmd += ['--modules', ','.join(modules)]
        proc = subprocess.run(cmd, env=child_env(), cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode:
            raise AssertionError(
                f'building the demo database failed:\n{proc.stdout[-4000:]}')
        for old in CACHE_DIR.glob(f'{DB}-*.sqlite'):
            old.unlink()
        tmp = cached.with_suffix('.tmp')
        copy_sqlite(build_dir / f'{DB}.sqlite', tmp)
        tmp.rename(cached)
        shutil.rmtree(build_dir, ignore_errors=True)
    db_dir = Path(workdir) / 'db'
    db_dir.mkdir()
    copy_sqlite(cached, db_dir / f'{DB}.sqlite')
    return db_dir


class JsonRpc:
    "Minimal JSON-RPC client of trytond 8.0 (/<db>/rpc/)"

    def __init__(self, base_url, database):
        self.url = f'{base_url}{database}/rpc/'
        self.auth = None
        self.id = 0

    def call(self, method, *params):
        self.id += 1
        headers = {'Content-Type': 'application/json'}
        if self.auth:
            headers['Authorization'] = self.auth
        request = urllib.request.Request(self.url, method='POST',
            headers=headers,
            data=json.dumps(
                {'id': self.id, 'method': method, 'params': params}).encode())
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.load(response)
        if answer.get('error'):
            raise AssertionError(f'{method}: {answer["error"]}')
        return answer['result']

    def login(self, login, password, language):
        user_id, session, _ = self.call(
            'common.db.login', login, {'password': password}, language)
        token = base64.b64encode(
            f'{login}:{user_id}:{session}'.encode()).decode()
        self.auth = f'Session {token}'
        return user_id


@unittest.skipIf(os.environ.get('PM_SKIP_BROWSER') == '1',
    'PM_SKIP_BROWSER=1')
class SaoBrowserTestCase(unittest.TestCase):
    "The sao web client shows the demo units in Chinese"

    @classmethod
    def setUpClass(cls):
        if not os.access(CHROMIUM, os.X_OK):
            raise AssertionError(
                f'{CHROMIUM} is missing: apt-get install chromium '
                'fonts-noto-cjk (or set PM_SKIP_BROWSER=1 to skip this test)')
        if not (SAO_ROOT / 'index.html').exists():
            raise AssertionError(
                f'sao is not installed in {SAO_ROOT}: run `make sao`')
        cls.workdir = tempfile.mkdtemp(prefix='pm-browser-')
        cls.server = None
        try:
            cls.start_server()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_server(cls):
        db_dir = demo_database(cls.workdir)
        port = free_port()
        conf = Path(cls.workdir) / 'trytond.conf'
        write_config(conf, db_dir, port)
        cls.base_url = f'http://127.0.0.1:{port}/'
        cls.log_path = Path(cls.workdir) / 'trytond.log'
        trytond = Path(sys.executable).with_name('trytond')
        with open(cls.log_path, 'wb') as log:
            cls.server = subprocess.Popen(
                [str(trytond), '-c', str(conf), '-d', DB],
                stdout=log, stderr=subprocess.STDOUT, env=child_env(),
                cwd=cls.workdir)
        deadline = time.monotonic() + 60
        while True:
            if cls.server.poll() is not None:
                raise AssertionError(
                    f'trytond stopped:\n{cls.server_log()}')
            try:
                with urllib.request.urlopen(cls.base_url, timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(
                    f'trytond did not answer on {cls.base_url}:\n'
                    f'{cls.server_log()}')
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

    def expected(self):
        "Labels and codes as the server gives them to a zh_CN user"
        rpc = JsonRpc(self.base_url, DB)
        rpc.login(ADMIN_LOGIN, ADMIN_PASSWORD, 'zh_CN')
        context = rpc.call('model.res.user.get_preferences', True, {})
        self.assertEqual(context.get('language'), 'zh_CN',
            'the demo admin must use Chinese')
        fields = rpc.call('model.pm.unit.fields_get',
            ['code', 'built_area'], context)
        labels = [fields['code']['string'], fields['built_area']['string']]
        menu_ids = [rpc.call('model.ir.model.data.get_id', 'pm_estate', xml_id,
                context) for xml_id in ['menu_pm', 'menu_estates',
                'menu_unit_form']]
        menus = {m['id']: m['name'] for m in rpc.call(
                'model.ir.ui.menu.read', menu_ids, ['name'], context)}
        menu_path = [menus[i] for i in menu_ids]
        units = rpc.call('model.pm.unit.search_read', [], 0, 3, None,
            ['code'], context)
        codes = [u['code'] for u in units]
        self.assertEqual(len(codes), 3, 'the demo has no unit')
        return labels, menu_path, codes

    def po_translations(self):
        "zh_CN msgstr of pm.unit's code and built_area in the addon's .po"
        po = ROOT / 'addons' / 'pm_estate' / 'locale' / 'zh_CN.po'
        result = {}
        if not po.exists():
            return result
        text = po.read_text(encoding='utf-8')
        for field in ['code', 'built_area']:
            match = re.search(
                r'msgctxt "field:pm\.unit,%s:"\s*\nmsgid "[^"]*"\s*\n'
                r'msgstr "([^"]*)"' % field, text)
            if match and match.group(1):
                result[field] = match.group(1)
        return result

    def test_unit_list_in_chinese(self):
        "Log in, open 物业管理 / 房产资源 / 房屋 and read the list"
        from playwright.sync_api import expect, sync_playwright

        labels, menu_path, codes = self.expected()
        po = self.po_translations()
        for field, label in zip(['code', 'built_area'], labels):
            if field in po:
                self.assertEqual(label, po[field],
                    f'the database does not use the .po label of {field}')

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / 'sao_unit_list.png'
        with tempfile.TemporaryDirectory(prefix='pw-profile-') as profile, \
                sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True,
                args=CHROMIUM_ARGS, viewport={'width': 1400, 'height': 900},
                locale='zh-CN')
            try:
                page = context.pages[0] if context.pages else (
                    context.new_page())
                page.set_default_timeout(TIMEOUT)
                try:
                    self.browse(page, labels, menu_path, codes, expect)
                finally:
                    page.screenshot(path=str(shot))
            finally:
                context.close()

    def browse(self, page, labels, menu_path, codes, expect):
        page.goto(f'{self.base_url}#{DB}')
        page.locator('.login-dialog input#login').fill(ADMIN_LOGIN)
        page.locator('.login-dialog button[type=submit]').click()
        password = page.locator(
            '.ask-dialog input#ask-dialog-entry[type=password]')
        password.fill(ADMIN_PASSWORD)
        password.press('Enter')

        menu = page.locator('#menu')
        wizard = page.locator('#tabcontent button[title="Cancel"]')
        first_row = menu.locator('tbody tr').first
        first_row.or_(wizard).first.wait_for(state='visible')
        self.assertFalse(wizard.is_visible(),
            'the module configuration wizard is still open in the demo')

        def row(text):
            return menu.locator('tbody tr').filter(
                has=page.locator(f'div.column-char[title="{text}"]')).first

        *folders, leaf = menu_path
        for folder in folders:
            row(folder).locator('.expander').click()
        row(leaf).locator('div.column-char').click()

        tab = page.locator('#tabcontent .tab-pane.active')
        header = tab.locator('table thead').first
        for label in labels:
            expect(header).to_contain_text(label)
        body = tab.locator('table tbody').first
        for code in codes:
            expect(body.locator('td', has_text=code).first).to_be_visible()


if __name__ == '__main__':
    unittest.main()
