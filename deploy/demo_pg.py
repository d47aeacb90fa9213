#!/usr/bin/env python3
# This file is part of the pm suite (物业管理系统). See README.md.
"""The demo in the production shape on this machine (`make demo-pg`).

    .venv/bin/python deploy/demo_pg.py [--database pm_demo] [--scale 1.0]
        [--pg-port 5433] [--web 127.0.0.1:8000] [--workers 2] [--stop]

1. starts a PostgreSQL server of the machine's Debian package in var/pg/
   (initdb the first time; 127.0.0.1:--pg-port, trust authentication on
   loopback only; it keeps running after this script: `--stop` stops it),
2. builds the demo database there unless it exists (trytond-admin --all,
   every addon, demo/load.py at --scale),
3. writes var/pg/trytond.conf from deploy/trytond.conf (the production
   configuration with local paths: file store var/filestore/, sao var/sao/),
4. runs gunicorn (--workers trytond processes) on --web, trytond-worker
   (after deploy/requeue_tasks.py) and trytond-cron until Ctrl-C.
"""
import argparse
import configparser
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'scripts'))
sys.path.insert(0, str(ROOT))

from pgcluster import _as_postgres, _bin  # noqa: E402

VAR = ROOT / 'var'
PGDIR = VAR / 'pg'
BIN = Path(sys.executable).parent


def pg_env(port):
    return dict(os.environ, PGHOST='127.0.0.1', PGPORT=str(port),
        PGUSER='postgres')


def pg_running(port):
    return subprocess.run([_bin('pg_isready'), '-h', '127.0.0.1', '-p',
            str(port)], stdout=subprocess.DEVNULL).returncode == 0


def start_pg(port):
    data = PGDIR / 'data'
    PGDIR.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(PGDIR, 'postgres')
    if not (data / 'PG_VERSION').exists():
        print(f'== initdb {data}', flush=True)
        subprocess.run(_as_postgres([_bin('initdb'), '-D', str(data),
                    '-A', 'trust', '-U', 'postgres', '-E', 'UTF8',
                    '--locale=C.UTF-8']), check=True,
            stdout=subprocess.DEVNULL)
    if pg_running(port):
        return
    print(f'== PostgreSQL on 127.0.0.1:{port} ({data})', flush=True)
    options = [f'-k {PGDIR}', '-c listen_addresses=127.0.0.1', f'-p {port}',
        '-c max_connections=100', '-c shared_buffers=256MB']
    subprocess.run(_as_postgres([_bin('pg_ctl'), '-D', str(data), '-l',
                str(PGDIR / 'postgresql.log'), '-o', ' '.join(options), '-w',
                'start']), check=True, stdout=subprocess.DEVNULL)


def stop_pg():
    data = PGDIR / 'data'
    if data.exists():
        subprocess.run(_as_postgres([_bin('pg_ctl'), '-D', str(data), '-m',
                    'fast', 'stop']))


def write_config(port, path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / 'deploy' / 'trytond.conf')
    parser['database']['uri'] = f'postgresql://postgres@127.0.0.1:{port}/'
    parser['database']['path'] = str(VAR / 'filestore')
    parser['web']['root'] = str(VAR / 'sao')
    # no nginx in front of the demo: the clients talk to gunicorn directly
    parser['web']['num_proxies'] = '0'
    parser['password']['forbidden'] = str(
        ROOT / 'deploy' / 'forbidden-passwords.txt')
    parser['email']['uri'] = 'dummy://'
    (VAR / 'filestore').mkdir(parents=True, exist_ok=True)
    with open(path, 'w') as fp:
        fp.write('# written by deploy/demo_pg.py from deploy/trytond.conf\n')
        parser.write(fp)


def addons(only=None):
    names = sorted(p.parent.name for p in ROOT.glob('addons/*/tryton.cfg'))
    return [n for n in names if not only or n in only]


def build(database, port, scale, config, modules):
    from demo import ADMIN_PASSWORD
    exists = subprocess.run([_bin('psql'), '-XAtc',
            f"SELECT 1 FROM pg_database WHERE datname = '{database}'",
            'postgres'], env=pg_env(port), capture_output=True,
        text=True, check=True).stdout.strip()
    if exists:
        print(f'database {database} exists (drop it to rebuild: '
            f'{_bin("dropdb")} -h 127.0.0.1 -p {port} -U postgres '
            f'{database})', flush=True)
        return
    tmp = f'{database}__build'
    subprocess.run([_bin('dropdb'), '--if-exists', tmp], env=pg_env(port),
        check=True)
    subprocess.run([_bin('createdb'), '-T', 'template0', '-E', 'UTF8', tmp],
        env=pg_env(port), check=True)
    # the build uses the embedded queue (no worker yet) and the default
    # password policy: demo users have the demo's short passwords
    build_conf = PGDIR / 'build.conf'
    build_conf.write_text(f'[database]\nuri = postgresql://postgres@'
        f'127.0.0.1:{port}/\npath = {VAR / "filestore"}\n'
        '[queue]\nworker = False\n')
    with tempfile.TemporaryDirectory(prefix='pm-demo-pg-') as tmpdir:
        passfile = Path(tmpdir, 'pass')
        passfile.write_text(ADMIN_PASSWORD + '\n')
        env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_') and k not in {
                'DB_NAME', 'DB_CACHE'}}
        env.update(TRYTONPASSFILE=str(passfile), PYTHONPATH=str(ROOT))
        steps = [
            ('initialise ir/res', [str(BIN / 'trytond-admin'), '-c',
                    str(build_conf), '-d', tmp, '--all', '--email',
                    'admin@example.com', '-l', 'zh_CN']),
            ('activate the addons', [str(BIN / 'trytond-admin'), '-c',
                    str(build_conf), '-d', tmp, '-u', *modules,
                    '--activate-dependencies']),
            (f'load the demo data (scale {scale})', [sys.executable, '-m',
                    'demo.load', '-c', str(build_conf), '-d', tmp,
                    '--scale', str(scale)]),
            ]
        for title, cmd in steps:
            started = time.monotonic()
            print(f'== {title}', flush=True)
            subprocess.run(cmd, env=env, check=True, cwd=str(ROOT))
            print(f'   {time.monotonic() - started:.0f}s', flush=True)
    subprocess.run([_bin('psql'), '-XAtqc',
            f'ALTER DATABASE "{tmp}" RENAME TO "{database}"', 'postgres'],
        env=pg_env(port), check=True)
    # files written under the build name belong to the database
    built, final = VAR / 'filestore' / tmp, VAR / 'filestore' / database
    if built.exists():
        shutil.rmtree(final, ignore_errors=True)
        built.rename(final)


def serve(database, config, web, workers):
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_')}
    env.update(TRYTOND_CONFIG=str(config), TRYTOND_DATABASE_NAMES=database,
        PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, str(ROOT / 'deploy' / 'requeue_tasks.py'),
            '-c', str(config), '-d', database],
        env=dict(env, TRYTOND_APPNAME='pm-worker'), check=True)
    processes = [
        subprocess.Popen([str(BIN / 'gunicorn'), '-c',
                str(ROOT / 'deploy' / 'gunicorn.conf.py')],
            env=dict(env, TRYTOND_APPNAME='pm-web', PM_WEB_BIND=web,
                PM_WEB_WORKERS=str(workers)), start_new_session=True),
        subprocess.Popen([str(BIN / 'trytond-worker'), '-c', str(config),
                '-d', database, '-n', '1'],
            env=dict(env, TRYTOND_APPNAME='pm-worker'),
            start_new_session=True),
        subprocess.Popen([str(BIN / 'trytond-cron'), '-c', str(config),
                '-d', database],
            env=dict(env, TRYTOND_APPNAME='pm-cron'), start_new_session=True),
        ]
    print(f'\nhttp://{web}/  database {database}: {workers} web processes '
        '(gunicorn), trytond-worker, trytond-cron. Ctrl-C stops them '
        '(PostgreSQL keeps running: --stop stops it).', flush=True)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        print('a process ended: stopping the others', flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--database', default='pm_demo')
    parser.add_argument('--scale', type=float, default=1.0)
    parser.add_argument('--pg-port', type=int, default=5433)
    parser.add_argument('--web', default='127.0.0.1:8000')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--modules',
        default=os.environ.get('ADDONS', ''),
        help="addons to activate (default: $ADDONS or every addon)")
    parser.add_argument('--build-only', action='store_true')
    parser.add_argument('--stop', action='store_true',
        help="stop the PostgreSQL server of var/pg and exit")
    args = parser.parse_args(argv)
    if args.stop:
        stop_pg()
        return 0
    start_pg(args.pg_port)
    config = PGDIR / 'trytond.conf'
    write_config(args.pg_port, config)
    modules = addons(args.modules.replace(',', ' ').split() or None)
    build(args.database, args.pg_port, args.scale, config, modules)
    if not args.build_only:
        serve(args.database, config, args.web, args.workers)
    return 0


if __name__ == '__main__':
    sys.exit(main())
