"""Chinese everywhere (issue 13): translations, sao, reports.

On a copy of the small demo database of tests/test_browser_sao.py (every
addon activated, zh_CN loaded; built once and cached, shared with that
test) and one trytond server on a free loopback port:

* every translation of every activated module (the official Tryton modules
  completed by our locale/override/zh_CN.po files, and our addons) is
  filled in zh_CN, counted by tests/zh_translation_check.py, except a short
  allow-list of strings that are the same in Chinese;
* sao's own strings are all translated in the locale it loads;
* the main forms (customer, unit, bill, receipt, work order) opened in sao
  by the zh_CN admin show no Latin word in their labels, tabs, buttons,
  column headers and selection options (field values excluded) outside an
  allow-list;
* a receipt, a bill notice, a payslip, a deposit receipt and a dunning
  notice printed to PDF by the server have their Chinese headings in the
  text extracted by pdftotext, and a CJK font embedded (pdffonts); the demo
  holds no deposit and no dunning, so these two tests create one (a draft
  decoration deposit; a dunning procedure and a dunning of an unpaid bill
  line) in their copy of the database.

Fails when chromium or sao is missing; PM_SKIP_BROWSER=1 skips it.
"""
import base64
import importlib.util
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

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demo import ADMIN_LOGIN, ADMIN_PASSWORD  # noqa: E402


def _browser_module():
    "tests/test_browser_sao.py (its demo database cache and helpers)"
    name = 'pm_test_browser_sao_helpers'
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, Path(__file__).with_name('test_browser_sao.py'))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sao_test = _browser_module()
DB = sao_test.DB
TIMEOUT = 30_000  # ms

# Strings that are the same in Chinese: (module, source). Empty zh_CN rows
# of these are not missing translations.
TRANSLATION_ALLOW = {
    ('account_statement', '#'),  # column header of the statement report
    }
# Latin words allowed in the UI of a zh_CN user: codes, units, standards
UI_ALLOW = {
    'ID', 'QR', 'PDF', 'URL', 'IBAN', 'BIC', 'SKU', 'VIES', 'UUID', 'API',
    'CNY', 'VAT', 'IP', 'XML', 'HTML', 'SIP', 'IRC', 'OK', 'kWh', 'm³',
    'PYSON', 'REST', 'ISO', 'CAPA', 'KPI', 'WiFi', 'App', 'SMS', 'GB',
    'Skype', 'Jabber',  # names of the contact mechanisms' services
    # keyboard keys in sao's tooltips (清除字段 <Del>)
    'Del', 'Ctrl', 'Shift', 'Alt', 'Enter', 'Esc', 'Tab', 'Home', 'End',
    }
FORMS = [
    ('party.party', "customer (客户)", []),
    ('pm.unit', "unit (房屋)", []),
    ('pm.bill', "bill (账单)", [('state', '=', 'posted')]),
    ('pm.receipt', "receipt (收据)", []),
    ('pm.work_order', "work order (工单)", []),
    ]
RECEIPT_HEADINGS = ['收据', '缴款人', '实收金额', '金额大写', '收款员']
BILL_NOTICE_HEADINGS = ['缴费通知单', '收费对象', '收费项目', '本期合计',
    '应缴总额', '金额大写']
DEPOSIT_HEADINGS = ['押金收据', '缴款人', '种类', '金额大写', '收款员签字']
DUNNING_HEADINGS = ['催缴通知单', '账单', '起止日期', '房屋', '缴费截止日',
    '未缴', '合计']
PAYSLIP_HEADINGS = ['工资单', '员工', '部门', '应发工资', '个人所得税',
    '实发工资']
LATIN = re.compile(r'[A-Za-z][A-Za-z\-]+')
COLLECT_JS = """(root) => {
    const texts = [];
    const push = (kind, text) => {
        text = (text || '').trim();
        if (text) texts.push([kind, text]);
    };
    root.querySelectorAll('label, th, legend, option, .nav-tabs a, '
            + 'button, .form-separator, .form-label').forEach(e => {
        if (e.closest('td') && e.tagName !== 'BUTTON') return;
        push(e.tagName.toLowerCase(), e.textContent);
    });
    root.querySelectorAll('button[title], a[title]').forEach(e => {
        if (e.closest('td')) return;
        push('title', e.getAttribute('title'));
    });
    return texts;
}"""


def latin_words(text):
    "The Latin words of a UI text, placeholders and mnemonics left out"
    text = re.sub(r'%\(\w+\)s|\$\{\w+\}', '', text)
    return [w for w in LATIN.findall(text) if w not in UI_ALLOW]


@unittest.skipIf(os.environ.get('PM_SKIP_BROWSER') == '1',
    'PM_SKIP_BROWSER=1')
class ZhCnTestCase(unittest.TestCase):
    "Chinese translations, sao locale, forms and receipt of the demo"

    @classmethod
    def setUpClass(cls):
        if not os.access(sao_test.CHROMIUM, os.X_OK):
            raise AssertionError(
                f'{sao_test.CHROMIUM} is missing: apt-get install chromium '
                'fonts-noto-cjk (or set PM_SKIP_BROWSER=1 to skip this test)')
        if not (sao_test.SAO_ROOT / 'index.html').exists():
            raise AssertionError(
                f'sao is not installed in {sao_test.SAO_ROOT}: run make sao')
        cls.workdir = tempfile.mkdtemp(prefix='pm-zh-')
        cls.server = None
        try:
            cls.db_dir = sao_test.demo_database(cls.workdir)
            cls.start_server()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_server(cls):
        port = sao_test.free_port()
        conf = Path(cls.workdir) / 'trytond.conf'
        sao_test.write_config(conf, cls.db_dir, port)
        cls.base_url = f'http://127.0.0.1:{port}/'
        cls.log_path = Path(cls.workdir) / 'trytond.log'
        trytond = Path(sys.executable).with_name('trytond')
        with open(cls.log_path, 'wb') as log:
            cls.server = subprocess.Popen(
                [str(trytond), '-c', str(conf), '-d', DB],
                stdout=log, stderr=subprocess.STDOUT,
                env=sao_test.child_env(), cwd=cls.workdir)
        deadline = time.monotonic() + 60
        while True:
            if cls.server.poll() is not None:
                raise AssertionError(f'trytond stopped:\n{cls.server_log()}')
            try:
                with urllib.request.urlopen(cls.base_url, timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(
                    f'trytond did not answer:\n{cls.server_log()}')
            time.sleep(0.2)
        cls.rpc = sao_test.JsonRpc(cls.base_url, DB)
        cls.rpc.login(ADMIN_LOGIN, ADMIN_PASSWORD, 'zh_CN')
        cls.context = cls.rpc.call('model.res.user.get_preferences', True, {})

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

    def test_translations_complete(self):
        "No zh_CN translation left empty in the activated modules"
        copy_dir = Path(self.workdir) / 'count'
        copy_dir.mkdir()
        sao_test.copy_sqlite(self.db_dir / f'{DB}.sqlite',
            copy_dir / f'{DB}.sqlite')
        conf = copy_dir / 'trytond.conf'
        sao_test.write_config(conf, copy_dir)
        proc = subprocess.run([sys.executable,
                str(ROOT / 'tests' / 'zh_translation_check.py'),
                '-c', str(conf), '-d', DB, '--json'],
            env=sao_test.child_env(), cwd=self.workdir,
            capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr[-4000:])
        result = json.loads(proc.stdout)
        self.assertEqual(result['totals'].get('party', 0) > 300, True,
            'zh_CN is not loaded in the demo database')
        for module in ['ir', 'res', 'party', 'company', 'account']:
            self.assertIn(module, result['modules'])
        missing = {}
        for module, rows in result['missing'].items():
            rows = [r for r in rows
                if (module, r[2]) not in TRANSLATION_ALLOW]
            if rows:
                missing[module] = rows
        report = '\n'.join(
            f'{module}: {len(rows)} empty, e.g. '
            + '; '.join(f'{t}:{n}: {s!r}' for t, n, s, _ in rows[:5])
            for module, rows in sorted(missing.items()))
        self.assertFalse(missing,
            f'zh_CN translations left empty:\n{report}')

    def test_sao_locale_complete(self):
        "sao's zh_CN locale (the JSON it loads) has no empty string"
        import polib
        locale = sao_test.SAO_ROOT / 'locale'
        data = json.loads((locale / 'zh_CN.json').read_text('utf-8'))
        msgids = [e.msgid for e in polib.pofile(str(locale / 'zh_CN.po'))
            if e.msgid and not e.obsolete]
        empty = [m for m in msgids
            if not (data.get(m) or [None, ''])[1]]
        self.assertEqual(empty, [],
            'sao strings without zh_CN translation (make sao applies '
            'sao-locale/zh_CN.po)')
        self.assertGreater(len(msgids), 250)
        custom = (sao_test.SAO_ROOT / 'custom.js').read_text('utf-8')
        self.assertIn("defineLocale('zh'", custom)

    def render_pdf(self, report, ids, name):
        "The report printed by the server: (text without spaces, fonts)"
        ext, content, _, _ = self.rpc.call(
            f'report.{report}.execute', ids, {}, self.context)
        self.assertEqual(ext, 'pdf', f'{report} is not printed to PDF')
        if isinstance(content, dict):
            content = base64.b64decode(content['base64'])
        elif isinstance(content, str):
            content = content.encode('latin-1')
        pdf = Path(self.workdir) / f'{name}.pdf'
        pdf.write_bytes(content)
        text = subprocess.run(['pdftotext', '-enc', 'UTF-8', str(pdf), '-'],
            capture_output=True, check=True).stdout.decode('utf-8')
        fonts = subprocess.run(['pdffonts', str(pdf)],
            capture_output=True, check=True, text=True).stdout
        return re.sub(r'\s+', '', text), fonts  # 收 据 is letter-spaced

    def assert_pdf_chinese(self, report, ids, headings, name):
        "The PDF of the report has its Chinese headings and a CJK font"
        compact, fonts = self.render_pdf(report, ids, name)
        missing = [h for h in headings if h not in compact]
        self.assertFalse(missing,
            f'{name}: headings missing from the PDF text: {missing}\n'
            f'{compact[:800]}')
        self.assertRegex(fonts, r'(?i)cjk|wenquanyi|droid ?sans ?fallback',
            f'{name}: no CJK font embedded (apt-get install '
            f'fonts-noto-cjk):\n{fonts}')

    def search_one(self, model, domain, label):
        ids = self.rpc.call(f'model.{model}.search',
            domain, 0, 1, None, self.context)
        self.assertTrue(ids, f'the demo has no {label}')
        return ids

    def test_receipt_pdf_chinese(self):
        "A receipt printed to PDF has its Chinese headings and a CJK font"
        receipts = self.search_one('pm.receipt', [], 'receipt')
        self.assert_pdf_chinese('pm.receipt', receipts, RECEIPT_HEADINGS,
            'receipt')

    def test_bill_notice_pdf_chinese(self):
        "A bill notice (缴费通知单) printed to PDF is in Chinese"
        bills = self.search_one('pm.bill', [('state', '=', 'posted')],
            'posted bill')
        self.assert_pdf_chinese('pm.bill.notice', bills,
            BILL_NOTICE_HEADINGS, 'bill_notice')

    def test_payslip_pdf_chinese(self):
        "A payslip (工资单) printed to PDF is in Chinese"
        payslips = self.search_one('pm.hr.payslip', [], 'payslip')
        self.assert_pdf_chinese('pm.hr.payslip', payslips,
            PAYSLIP_HEADINGS, 'payslip')

    def test_deposit_pdf_chinese(self):
        "A deposit receipt (押金收据) printed to PDF is in Chinese"
        # the demo holds no deposit: take one (draft) from a resident
        bills = self.search_one('pm.bill', [('state', '=', 'posted')],
            'posted bill')
        bill, = self.rpc.call('model.pm.bill.read', bills,
            ['party', 'unit'], self.context)
        currency = self.search_one('currency.currency',
            [('code', '=', 'CNY')], 'CNY currency')
        today = time.localtime()
        deposits = self.rpc.call('model.pm.deposit.create', [{
                    'company': self.context['company'],
                    'kind': 'decoration',
                    'party': bill['party'],
                    'unit': bill['unit'],
                    'currency': currency[0],
                    'amount': {'__class__': 'Decimal', 'decimal': '2000.00'},
                    'date': {'__class__': 'date', 'year': today.tm_year,
                        'month': today.tm_mon, 'day': today.tm_mday},
                    'description': '装修押金',
                    }], self.context)
        self.assert_pdf_chinese('pm.deposit', deposits,
            DEPOSIT_HEADINGS + ['贰仟元整'], 'deposit')

    def test_dunning_pdf_chinese(self):
        "A dunning notice (催缴通知单) printed to PDF is in Chinese"
        # the demo has no dunning procedure: dun one unpaid bill line
        bills = self.search_one('pm.bill', [
                ('state', '=', 'posted'),
                ('receivable_line', '!=', None),
                ('receivable_line.reconciliation', '=', None),
                ], 'unpaid posted bill')
        bill, = self.rpc.call('model.pm.bill.read', bills,
            ['receivable_line'], self.context)
        procedures = self.rpc.call('model.account.dunning.procedure.create',
            [{'name': '物业费催缴',
                    'levels': [['create', [{
                                    'sequence': 1,
                                    'pm_name': '催缴通知单',
                                    'pm_notice': '您的物业费已逾期，请尽快缴纳。',
                                    }]]],
                    }], self.context)
        levels = self.rpc.call('model.account.dunning.level.search',
            [('procedure', '=', procedures[0])], 0, 1, None, self.context)
        dunnings = self.rpc.call('model.account.dunning.create', [{
                    'company': self.context['company'],
                    'line': bill['receivable_line'],
                    'procedure': procedures[0],
                    'level': levels[0],
                    }], self.context)
        self.assert_pdf_chinese('pm.dunning.notice', dunnings,
            DUNNING_HEADINGS, 'dunning')

    def test_forms_without_english(self):
        "The main forms show no English UI word to a zh_CN user"
        from playwright.sync_api import sync_playwright

        self.assertEqual(self.context.get('language'), 'zh_CN')
        records = []
        for model, label, domain in FORMS:
            ids = self.rpc.call(f'model.{model}.search',
                domain, 0, 1, None, self.context)
            self.assertTrue(ids, f'the demo has no {label}')
            records.append((model, label, ids[0]))

        sao_test.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        found = {}
        with tempfile.TemporaryDirectory(prefix='pw-profile-') as profile, \
                sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=sao_test.CHROMIUM, headless=True,
                args=sao_test.CHROMIUM_ARGS,
                viewport={'width': 1400, 'height': 900}, locale='zh-CN')
            try:
                page = context.pages[0] if context.pages else (
                    context.new_page())
                page.set_default_timeout(TIMEOUT)
                errors = []
                page.on('pageerror', lambda error: errors.append(str(error)))
                self.login(page)
                menu = page.locator('#menu')
                found['menu'] = self.latin(page.evaluate(
                        """() => Array.from(document.querySelectorAll(
                        '#menu tbody tr td')).map(e => ['menu',
                        e.textContent.trim()])"""))
                for model, label, record_id in records:
                    del errors[:]
                    try:
                        self.open_form(page, model, record_id)
                    except Exception as exception:
                        page.screenshot(path=str(
                                sao_test.SCREENSHOTS / f'zh_{model}.png'))
                        found[label] = [
                            f'the form does not open in sao: {exception}'
                            .splitlines()[0]] + [
                            f'sao error: {e}' for e in errors] + [
                            'hint: sao 8.0 has no datetime column; list '
                            'views need widget="date" and widget="time" '
                            'on a datetime field']
                        self.close_tabs(page)
                        continue
                    shot = sao_test.SCREENSHOTS / f'zh_{model}.png'
                    page.screenshot(path=str(shot))
                    tab = page.locator('#tabcontent > .tab-pane.active')
                    texts = tab.evaluate(COLLECT_JS)
                    texts += page.evaluate("""() => Array.from(
                        document.querySelectorAll('#tablist li.active a'))
                        .map(e => ['tab', e.textContent.trim()])""")
                    self.assertGreater(len(texts), 5,
                        f'the {label} form did not open')
                    found[label] = self.latin(texts)
                    self.close_tabs(page)
                del menu
            finally:
                context.close()
        english = {k: v for k, v in found.items() if v}
        self.assertFalse(english, 'English words in the UI:\n' + '\n'.join(
                f'{label}: {words}' for label, words in english.items()))

    @staticmethod
    def latin(texts):
        words = {}
        for kind, text in texts:
            for word in latin_words(text):
                words.setdefault(word, f'{kind}: {text[:60]}')
        return sorted(words.values())

    def login(self, page):
        page.goto(f'{self.base_url}#{DB}')
        page.locator('.login-dialog input#login').fill(ADMIN_LOGIN)
        page.locator('.login-dialog button[type=submit]').click()
        password = page.locator(
            '.ask-dialog input#ask-dialog-entry[type=password]')
        password.fill(ADMIN_PASSWORD)
        password.press('Enter')
        page.locator('#menu tbody tr').first.wait_for(state='visible')

    def open_form(self, page, model, record_id):
        "Open the record in a form tab (as sao does for a #db/model/id URL)"
        # not awaited: a failing view would leave the promise pending
        page.evaluate("""([model, id]) => { Sao.Tab.create({
            model: model, res_id: id, mode: ['form', 'tree'],
            view_ids: [], name: '', domain: [], search_value: [],
            context: {}, tab_domain: []}); }""", [model, record_id])
        tab = page.locator('#tabcontent > .tab-pane.active')
        tab.locator('.form').first.wait_for(state='visible', timeout=15_000)
        # the record is loaded: some input of the form shows a value
        page.wait_for_function("""() => Array.from(document.querySelectorAll(
            '#tabcontent > .tab-pane.active .form input'))
            .some(e => e.value && e.type !== 'checkbox')""", timeout=15_000)
        page.wait_for_load_state('networkidle')

    def close_tabs(self, page):
        page.evaluate("""() => { Sao.Tab.tabs.slice().forEach(
            tab => tab.close()); }""")
        page.wait_for_function("() => Sao.Tab.tabs.length === 0")

if __name__ == '__main__':
    unittest.main()
