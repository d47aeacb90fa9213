#!/usr/bin/env python3
"""Create a SQLite demo database from scratch.

    .venv/bin/python scripts/create_db.py -c trytond.conf -d pm_demo [--scale 1.0]

1. trytond-admin --all: initialise ir/res, admin password, zh_CN translatable
2. trytond-admin -u <every addon under addons/> --activate-dependencies
3. python -m demo.load: language, currency, company, users, demo data

The database is built under a temporary name and copied (SQLite backup API,
Tryton runs SQLite in WAL mode) to <path>/<name>.sqlite only when every step
succeeded, so a failed build never leaves a half-made database behind.
Run from anywhere; relative paths in the configuration are resolved from the
current directory, as trytond does.
"""
import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo import ADMIN_PASSWORD  # noqa: E402


def addons(only=None):
    "Names of the addons of the repository, checked to be registered"
    names = sorted(p.parent.name for p in ROOT.glob('addons/*/tryton.cfg'))
    if only:
        unknown = set(only) - set(names)
        if unknown:
            sys.exit(f"create_db: no such addon: {', '.join(sorted(unknown))}")
        names = [n for n in names if n in only]
    registered = {ep.name for ep in entry_points(group='trytond.modules')}
    missing = [n for n in names if n not in registered]
    if missing:
        sys.exit(f"create_db: addons not registered as Tryton modules: "
            f"{', '.join(missing)}; run `make venv` (pip install -e .)")
    return names


def db_path(config_file):
    from trytond import config
    config.update_etc(config_file)
    if not config.get('database', 'uri', '').startswith('sqlite'):
        sys.exit("create_db: only SQLite databases are built here")
    path = Path(config.get('database', 'path')).expanduser()
    if not path.is_absolute():
        # trytond would open /<path>: see trytond.conf
        sys.exit(f"create_db: [database] path must be absolute: {path}; "
            "set TRYTOND_DATABASE__PATH=$PWD/var/db")
    return path


def remove(path):
    for suffix in ('', '-wal', '-shm', '-journal'):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def copy_sqlite(src, dst):
    "Copy a SQLite database with its WAL content"
    remove(dst)
    with sqlite3.connect(src) as s, sqlite3.connect(dst) as d:
        s.backup(d)
    s.close()
    d.close()


def run(cmd, env, title):
    start = time.monotonic()
    print(f'== {title}', flush=True)
    subprocess.run(cmd, env=env, check=True, cwd=os.getcwd())
    print(f'   {time.monotonic() - start:.1f}s', flush=True)


def build(config_file, name, scale, password, languages=('zh_CN',),
        force=False, demo=True, modules=None):
    path = db_path(config_file)
    path.mkdir(parents=True, exist_ok=True)
    final = path / f'{name}.sqlite'
    if final.exists() and not force:
        print(f'{final} exists: nothing to do (use --force to rebuild)')
        return final
    tmp_name = f'{name}__build'
    tmp = path / f'{tmp_name}.sqlite'
    remove(tmp)
    tmp.touch()

    bindir = Path(sys.executable).parent
    trytond_admin = shutil.which('trytond-admin', path=str(bindir)) or (
        'trytond-admin')
    env = {k: v for k, v in os.environ.items()
        if k not in {'DB_NAME', 'DB_CACHE', 'TRYTOND_CONFIG'}}
    env['PYTHONPATH'] = os.pathsep.join(
        [str(ROOT)] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix='pm-create-db-') as tmpdir:
        passfile = Path(tmpdir, 'admin.pass')
        passfile.write_text(password + '\n')
        passfile.chmod(0o600)
        env['TRYTONPASSFILE'] = str(passfile)
        try:
            run([trytond_admin, '-c', config_file, '-d', tmp_name, '--all',
                    '--email', 'admin@example.com', '-l', *languages],
                env, 'initialise ir/res')
            modules = addons(modules)
            run([trytond_admin, '-c', config_file, '-d', tmp_name,
                    '-u', *modules, '--activate-dependencies'],
                env, f'activate {" ".join(modules)}')
            if demo:
                run([sys.executable, '-m', 'demo.load', '-c', config_file,
                        '-d', tmp_name, '--scale', str(scale)],
                    dict(env, PYTHONPATH=env['PYTHONPATH']),
                    f'load the demo data (scale {scale})')
            copy_sqlite(tmp, final)
        finally:
            remove(tmp)
    print(f'database {name} built in {time.monotonic() - started:.0f}s: '
        f'{final}')
    return final


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', default=str(ROOT / 'trytond.conf'))
    parser.add_argument('-d', '--database', default='pm_demo')
    parser.add_argument('--scale', type=float, default=1.0)
    parser.add_argument('--admin-password', default=ADMIN_PASSWORD)
    parser.add_argument('--force', action='store_true',
        help="rebuild the database when it exists")
    parser.add_argument('--no-demo', action='store_true',
        help="activate the modules only, without demo data")
    parser.add_argument('--modules', default=os.environ.get('ADDONS', ''),
        help="activate only these addons (comma or space separated; "
        "default: $ADDONS or every addon under addons/)")
    args = parser.parse_args(argv)
    modules = args.modules.replace(',', ' ').split() or None
    try:
        build(os.path.abspath(args.config), args.database, args.scale,
            args.admin_password, force=args.force, demo=not args.no_demo,
            modules=modules)
    except subprocess.CalledProcessError as e:
        sys.exit(f'create_db: failed: {" ".join(map(str, e.cmd))}')


if __name__ == '__main__':
    main()
