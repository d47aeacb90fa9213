# This file is part of the pm suite (物业管理系统). See README.md.
"""The production shape of the suite on loopback, for tests/production/.

* `PgServer`: a throw-away PostgreSQL server of Debian's package (the
  helpers of scripts/pgcluster.py), on a random free port that stays the same
  across `restart()` (the fault tests restart it under traffic).
* `build_database(pg, name)`: a database with the production addons and the
  demo data (demo/load.py, small scale) and a few test users; built once
  and kept as a pg_dump under var/prod-cache/<hash of the addons>/, so later
  runs restore it in seconds.
* `Site`: the configuration of deploy/ (trytond.conf, gunicorn.conf.py,
  nginx/*) rewritten for loopback and temporary folders, and the processes
  of a production host: N gunicorn web processes, trytond-worker (after
  deploy/requeue_tasks.py, as pm-worker.service does), trytond-cron, nginx.
* `Client`: a small HTTP client (JSON-RPC sessions, portal cookies) that
  records status codes and latencies.
"""
import base64
import configparser
import contextlib
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / 'scripts'))
from pgcluster import _as_postgres, _bin, _free_port  # noqa: E402

VENV_BIN = Path(sys.executable).parent
DEPLOY = ROOT / 'deploy'
CACHE = ROOT / 'var' / 'prod-cache'
SCALE = float(os.environ.get('PM_PROD_SCALE', '0.05'))
ADMIN_PASSWORD = 'jinhua2026'          # demo/__init__.py ADMIN_PASSWORD
STAFF_LOGIN, STAFF_PASSWORD = 'prod_clerk', 'Clerk-物业-2026-lantern'
VICTIM_LOGIN = 'prod_victim'
PORTAL_PASSWORD = 'Resident-2026-lantern'
CHUNK_SIZE = 10                        # units per queued billing chunk


def pg_available():
    try:
        _bin('initdb')
    except RuntimeError:
        return False
    return bool(shutil.which('nginx') or Path('/usr/sbin/nginx').exists())


def registered_modules():
    return {e.name for e in entry_points(group='trytond.modules')}


def production_modules():
    if os.environ.get('PM_PROD_MODULES'):
        return os.environ['PM_PROD_MODULES'].replace(',', ' ').split()
    modules = ['pm_account_cn', 'pm_billing', 'pm_maintenance']
    if 'pm_portal' in registered_modules() and (
            ROOT / 'addons' / 'pm_portal' / 'tryton.cfg').exists():
        modules.append('pm_portal')
    return modules


def addons_hash(modules, setup=True):
    "What ends up in the database: the addons' code and data, trytond"
    digest = hashlib.sha1(' '.join(modules).encode() + str(SCALE).encode())
    for base in (ROOT / 'addons', ROOT / 'demo'):
        for path in sorted(base.glob('**/*')):
            rel = path.relative_to(ROOT)
            if (not path.is_file() or '__pycache__' in rel.parts
                    or 'tests' in rel.parts or path.suffix not in {
                        '.py', '.xml', '.cfg', '.po', '.fodt', '.odt'}):
                continue
            digest.update(str(rel).encode() + b'\0' + path.read_bytes())
    try:
        from importlib.metadata import version
        digest.update(version('trytond').encode())
    except Exception:
        pass
    if setup:
        digest.update((Path(__file__).parent / 'setup_db.py').read_bytes())
    return digest.hexdigest()[:16]


class PgServer:
    "A PostgreSQL server in /tmp/prod-pg-*, stopped and removed by close()"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='prod-pg-', dir='/tmp')
        if os.geteuid() == 0:
            shutil.chown(self.dir, 'postgres')
        self.data = os.path.join(self.dir, 'data')
        self.port = _free_port()
        subprocess.run(_as_postgres(
                [_bin('initdb'), '-D', self.data, '-A', 'trust',
                    '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8']),
            check=True, stdout=subprocess.DEVNULL)
        self.start()

    @property
    def uri(self):
        return f'postgresql://postgres@127.0.0.1:{self.port}/'

    @property
    def env(self):
        return dict(os.environ, PGHOST='127.0.0.1', PGPORT=str(self.port),
            PGUSER='postgres', PG_BINDIR=os.path.dirname(_bin('psql')))

    def start(self):
        options = [f'-k {self.dir}', '-c listen_addresses=127.0.0.1',
            f'-p {self.port}', '-c fsync=off', '-c synchronous_commit=off',
            '-c full_page_writes=off', '-c shared_buffers=128MB',
            '-c max_connections=100']
        subprocess.run(_as_postgres(
                [_bin('pg_ctl'), '-D', self.data, '-l',
                    os.path.join(self.dir, 'log'), '-o', ' '.join(options),
                    '-w', 'start']),
            check=True, stdout=subprocess.DEVNULL)

    def stop(self, mode='fast'):
        subprocess.run(_as_postgres(
                [_bin('pg_ctl'), '-D', self.data, '-m', mode, '-w', 'stop']),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def psql(self, sql, database='postgres'):
        result = subprocess.run(
            [_bin('psql'), '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', database,
                '-c', sql],
            env=self.env, capture_output=True, text=True, check=True)
        return result.stdout.strip()

    def rows(self, sql, database):
        out = self.psql(sql, database)
        return [line.split('|') for line in out.splitlines() if line]

    def close(self):
        self.stop('immediate')
        shutil.rmtree(self.dir, ignore_errors=True)


def _run(cmd, env, log, title):
    started = time.monotonic()
    with open(log, 'a') as out:
        out.write(f'== {title}\n')
        out.flush()
        subprocess.run(cmd, env=env, check=True, stdout=out,
            stderr=subprocess.STDOUT, cwd=str(ROOT))
    return time.monotonic() - started


def _restore(pg, name, dump):
    subprocess.run([_bin('pg_restore'), '-j', '2', '--no-owner',
            '-d', name, str(dump)], env=pg.env, check=True)
    pg.psql('ANALYZE', name)


def _dump(pg, name, dump):
    dump.parent.mkdir(parents=True, exist_ok=True)
    partial = dump.with_suffix('.partial')
    subprocess.run([_bin('pg_dump'), '-Fc', '-f', str(partial), name],
        env=pg.env, check=True)
    partial.rename(dump)


def build_database(pg, name, log=None):
    """Create database `name` on pg: restored from the cached dump, or built
    (trytond-admin, demo/load.py, then setup_db.py) and cached in two
    stages (the demo, then the demo with the test set-up). Returns seconds.
    """
    modules = production_modules()
    base = CACHE / f'demo-{addons_hash(modules, setup=False)}.dump'
    final = CACHE / f'prod-{addons_hash(modules)}.dump'
    log = log or os.path.join(tempfile.gettempdir(), f'prod-build-{name}.log')
    any_cache = bool(os.environ.get('PM_PROD_CACHE_ANY'))
    if any_cache and not base.exists():
        # while developing: the newest demo database, even of older addons
        # (nothing is cached from it)
        cached = sorted(CACHE.glob('demo-*.dump'),
            key=lambda p: p.stat().st_mtime)
        if cached:
            base, final = cached[-1], CACHE / 'none'
    started = time.monotonic()
    pg.psql(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8')
    if final.exists():
        _restore(pg, name, final)
        return time.monotonic() - started
    with tempfile.TemporaryDirectory(prefix='prod-build-') as tmp:
        conf = Path(tmp, 'trytond.conf')
        conf.write_text(f'[database]\nuri = {pg.uri}\npath = {tmp}/fs\n'
            '[queue]\nworker = False\n')
        passfile = Path(tmp, 'pass')
        passfile.write_text(ADMIN_PASSWORD + '\n')
        env = {k: v for k, v in os.environ.items()
            if k not in {'DB_NAME', 'DB_CACHE', 'TRYTOND_CONFIG',
                'TRYTOND_DATABASE_URI'}}
        env.update(TRYTONPASSFILE=str(passfile), PYTHONPATH=str(ROOT))
        admin = str(VENV_BIN / 'trytond-admin')
        if base.exists():
            _restore(pg, name, base)
        else:
            _run([admin, '-c', str(conf), '-d', name, '--all',
                    '--email', 'admin@example.com', '-l', 'zh_CN'],
                env, log, 'init')
            _run([admin, '-c', str(conf), '-d', name, '-u', *modules,
                    '--activate-dependencies'], env, log, 'activate')
            _run([sys.executable, '-m', 'demo.load', '-c', str(conf),
                    '-d', name, '--scale', str(SCALE)], env, log, 'demo')
            _dump(pg, name, base)
        _run([sys.executable, str(Path(__file__).parent / 'setup_db.py'),
                '-c', str(conf), '-d', name], env, log, 'setup')
    if final.name == 'none':
        return time.monotonic() - started
    _dump(pg, name, final)
    for old in CACHE.iterdir():
        if old not in {base, final}:
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink()
    return time.monotonic() - started


def _self_signed(directory):
    key, cert = os.path.join(directory, 'key.pem'), os.path.join(
        directory, 'cert.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
            '-nodes', '-keyout', key, '-out', cert, '-days', '2',
            '-subj', '/CN=localhost'],
        check=True, capture_output=True)
    return key, cert


class Site:
    "deploy/ on loopback: web processes, worker, cron and nginx"

    def __init__(self, pg, database, web=2, threads=4):
        self.pg, self.database = pg, database
        self.dir = tempfile.mkdtemp(prefix='prod-site-', dir='/tmp')
        self.filestore = os.path.join(self.dir, 'filestore')
        os.makedirs(self.filestore)
        self.web_ports = [_free_port() for _ in range(web)]
        self.threads = threads
        self.webs, self.worker, self.cron, self.nginx = [], None, None, None
        self.config = os.path.join(self.dir, 'trytond.conf')
        self.write_config()

    # configuration ---------------------------------------------------------
    def write_config(self):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(DEPLOY / 'trytond.conf')
        parser['database']['uri'] = self.pg.uri
        parser['database']['path'] = self.filestore
        parser['database']['maxconn'] = str(self.threads + 2)
        parser['web']['root'] = str(ROOT / 'var' / 'sao')
        parser['password']['forbidden'] = str(
            DEPLOY / 'forbidden-passwords.txt')
        parser['email']['uri'] = 'dummy://'
        with open(self.config, 'w') as fp:
            parser.write(fp)

    def env(self, appname):
        env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_') and k not in {
                'DB_NAME', 'DB_CACHE'}}
        env.update(TRYTOND_CONFIG=self.config,
            TRYTOND_DATABASE_NAMES=self.database, TRYTOND_APPNAME=appname,
            PYTHONPATH=str(ROOT))
        return env

    def log(self, name):
        return open(os.path.join(self.dir, f'{name}.log'), 'ab')

    # processes -------------------------------------------------------------
    def start_web(self):
        for port in self.web_ports:
            env = self.env('pm-web')
            env.update(PM_WEB_BIND=f'127.0.0.1:{port}', PM_WEB_WORKERS='1',
                PM_WEB_THREADS=str(self.threads),
                PM_WEB_ACCESS_LOG=os.path.join(self.dir, f'access-{port}.log'),
                PM_WEB_LOG_LEVEL=os.environ.get('PM_WEB_LOG_LEVEL', 'warning'),
                # no recycling: the soak measures the memory of one process
                PM_WEB_MAX_REQUESTS='0')
            if os.environ.get('PM_PROD_LOGGING_CONFIG'):
                env['TRYTOND_LOGGING_CONFIG'] = os.environ[
                    'PM_PROD_LOGGING_CONFIG']
            self.webs.append(subprocess.Popen(
                    [str(VENV_BIN / 'gunicorn'), '-c',
                        str(DEPLOY / 'gunicorn.conf.py')],
                    env=env, stdout=self.log(f'web-{port}'),
                    stderr=subprocess.STDOUT, start_new_session=True))
        for port in self.web_ports:
            self.wait_http(port)

    def wait_http(self, port, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, _, _ = request('127.0.0.1', port, 'POST', '/rpc/',
                    json.dumps({'id': 0, 'method': 'common.server.version',
                            'params': []}).encode(),
                    {'Content-Type': 'application/json'}, timeout=10)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f'web process on {port} did not start')

    def web_pids(self):
        "pid of the trytond process (gunicorn's worker) of each web port"
        pids = []
        for master in self.webs:
            children = Path(f'/proc/{master.pid}/task/{master.pid}/children')
            kids = children.read_text().split() if children.exists() else []
            pids.append(int(kids[0]) if kids else master.pid)
        return pids

    def requeue(self):
        out = subprocess.run([sys.executable,
                str(DEPLOY / 'requeue_tasks.py'), '-c', self.config,
                '-d', self.database],
            env=self.env('pm-worker'), capture_output=True, text=True,
            check=True)
        return out.stdout

    def start_worker(self, processes=1):
        requeued = self.requeue()
        self.worker = subprocess.Popen(
            [str(VENV_BIN / 'trytond-worker'), '-c', self.config,
                '-d', self.database, '-n', str(processes), '-v'],
            env=self.env('pm-worker'), stdout=self.log('worker'),
            stderr=subprocess.STDOUT, start_new_session=True)
        return requeued

    def kill_worker(self):
        "SIGKILL the worker and the task processes it forked"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def start_cron(self):
        self.cron = subprocess.Popen(
            [str(VENV_BIN / 'trytond-cron'), '-c', self.config,
                '-d', self.database],
            env=self.env('pm-cron'), stdout=self.log('cron'),
            stderr=subprocess.STDOUT, start_new_session=True)

    def start_nginx(self):
        key, cert = _self_signed(self.dir)
        self.http_port, self.https_port = _free_port(), _free_port()
        site = (DEPLOY / 'nginx' / 'pm-suite.conf').read_text()
        upstream = ''.join(f'    server 127.0.0.1:{p} max_fails=0;\n'
            for p in self.web_ports)
        site = site.replace('    server 127.0.0.1:8000 max_fails=0;\n',
            upstream)
        site = re.sub(r'\n\s*listen \[::\]:\d+[^\n]*', '', site)
        site = site.replace('listen 80;', f'listen 127.0.0.1:{self.http_port};')
        site = site.replace('listen 443 ssl http2;',
            f'listen 127.0.0.1:{self.https_port} ssl http2;')
        site = site.replace('/etc/ssl/certs/pm-suite.pem', cert)
        site = site.replace('/etc/ssl/private/pm-suite.key', key)
        site = site.replace('/opt/pm-suite/var/sao', str(ROOT / 'var' / 'sao'))
        site = site.replace('/opt/pm-suite/deploy/nginx',
            str(DEPLOY / 'nginx'))
        site = site.replace('/var/log/nginx/', self.dir + '/nginx-')
        for name, file in [('pm-security-headers.conf', 'security-headers.conf'),
                ('pm-sao-headers.conf', 'sao-headers.conf'),
                ('pm-proxy.conf', 'proxy.conf')]:
            site = site.replace(f'/etc/nginx/snippets/{name}',
                str(DEPLOY / 'nginx' / file))
        Path(self.dir, 'site.conf').write_text(site)
        temp = os.path.join(self.dir, 'nginx-temp')
        os.makedirs(temp, exist_ok=True)
        Path(self.dir, 'nginx.conf').write_text(f"""
user root;
worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/nginx-main-error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    access_log off;
    include {self.dir}/site.conf;
}}
""")
        nginx = shutil.which('nginx') or '/usr/sbin/nginx'
        check = subprocess.run([nginx, '-t', '-c', f'{self.dir}/nginx.conf'],
            capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(check.stderr)
        self.nginx = subprocess.Popen([nginx, '-c', f'{self.dir}/nginx.conf'],
            stdout=self.log('nginx'), stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                socket.create_connection(
                    ('127.0.0.1', self.https_port), timeout=1).close()
                return
            time.sleep(0.2)
        raise RuntimeError('nginx did not start')

    def stop(self):
        for process in [*self.webs, self.worker, self.cron, self.nginx]:
            if process and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.webs, self.worker, self.cron, self.nginx]:
            if process:
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def close(self, keep=False):
        self.stop()
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def read_log(self, name):
        path = Path(self.dir, f'{name}.log')
        return path.read_text(errors='replace') if path.exists() else ''


def rss_kb(pid):
    "Resident memory of a process in kB"
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
    return 0


_local = threading.local()


def request(host, port, method, path, body=None, headers=None, timeout=60,
        tls=False):
    "One HTTP request on a kept-alive connection of this thread"
    key = (host, port, tls)
    conns = getattr(_local, 'conns', None)
    if conns is None:
        conns = _local.conns = {}
    for attempt in range(2):
        conn = conns.get(key)
        if conn is None:
            if tls:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                conn = http.client.HTTPSConnection(
                    host, port, timeout=timeout, context=context)
            else:
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
            conns[key] = conn
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            if response.getheader('Connection', '').lower() == 'close':
                conn.close()
                conns.pop(key, None)
            return response.status, response.headers, data
        except (http.client.RemoteDisconnected, BrokenPipeError,
                ConnectionResetError, http.client.CannotSendRequest):
            conn.close()
            conns.pop(key, None)
            if attempt:
                raise
        except Exception:
            conn.close()
            conns.pop(key, None)
            raise


class RPCError(Exception):
    def __init__(self, error, status=200):
        super().__init__(error)
        self.error, self.status = error, status


class RPC:
    "A JSON-RPC session of a staff user on one web process (or nginx)"

    def __init__(self, port, database, login, password, tls=False):
        self.port, self.database, self.tls = port, database, tls
        self.login, self.password = login, password
        self.auth = None
        self.ids = 0

    def call(self, method, *params, auth=True):
        self.ids += 1
        headers = {'Content-Type': 'application/json'}
        if auth and self.auth:
            headers['Authorization'] = self.auth
        status, _, data = request('127.0.0.1', self.port, 'POST',
            f'/{self.database}/rpc/', json.dumps(
                {'id': self.ids, 'method': method, 'params': list(params)},
                default=str).encode(), headers, tls=self.tls)
        if status != 200:
            raise RPCError(data[:300].decode(errors='replace'), status)
        reply = json.loads(data)
        if reply.get('error'):
            raise RPCError(reply['error'])
        return reply['result']

    def connect(self):
        user_id, key = self.call('common.db.login', self.login,
            {'password': self.password}, 'en', auth=False)[:2]
        self.auth = 'Session ' + base64.b64encode(
            f'{self.login}:{user_id}:{key}'.encode()).decode()
        self.user_id = user_id
        return self

    def model(self, model, method, *args, context=None):
        return self.call(f'model.{model}.{method}', *args, context or {})


class Portal:
    "A resident's session on pm_portal (cookies kept by hand: no TLS here)"

    def __init__(self, port, database):
        self.port, self.database = port, database
        self.cookies = {}

    def url(self, path):
        return f'/{self.database}/portal{path}'

    def go(self, method, path, form=None):
        headers = {}
        if self.cookies:
            headers['Cookie'] = '; '.join(
                f'{k}={v}' for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        status, response, data = request(
            '127.0.0.1', self.port, method, self.url(path), body, headers)
        for cookie in response.get_all('Set-Cookie') or []:
            name, value = cookie.split(';', 1)[0].split('=', 1)
            if value and 'Max-Age=0' not in cookie:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return status, response, data.decode(errors='replace')

    def pay_one_bill(self):
        "Pay the first unpaid bill in the sandbox: the payment reference"
        status, _, html = self.go('GET', '/bills')
        bills = re.findall(r'name="bill" value="(\d+)"', html)
        accounts = re.findall(r'<option value="(\d+)"', html.split(
                'name="account"', 1)[-1]) if 'name="account"' in html else []
        if status != 200 or not bills or not accounts:
            return status, None
        status, headers, _ = self.go('POST', '/bills/pay', {
                'bill': bills[0], 'account': accounts[0],
                'csrf_token': self.csrf(html)})
        location = headers.get('Location', '')
        match = re.search(r'/portal(/pay/sandbox/([^/?#]+))', location)
        if status not in {302, 303} or not match:
            return status, None
        path, reference = match.groups()
        status, _, html = self.go('GET', path)
        if status != 200:
            return status, reference
        status, _, _ = self.go('POST', path, {'action': 'pay',
                'csrf_token': self.csrf(html)})
        return status, reference

    def csrf(self, html):
        match = re.search(r'name="csrf_token" value="([^"]+)"', html) or (
            re.search(r'name="csrf[^"]*" value="([^"]+)"', html))
        return match.group(1) if match else ''

    def login(self, login, password):
        status, _, html = self.go('GET', '/login')
        status, headers, html = self.go('POST', '/login', {
                'login': login, 'password': password,
                'csrf_token': self.csrf(html)})
        return status
