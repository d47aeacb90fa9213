# This file is part of the pm suite (物业管理系统). See README.md.
"""Start a throw-away PostgreSQL server from Debian's postgresql package.

Used by the benchmarks and by the tests of the PostgreSQL paths:

    with pg_cluster() as uri:        # postgresql://postgres@127.0.0.1:PORT/
        ...

Set PM_PG_URI to use a server you already run instead.
"""
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time


def _bin(name):
    found = sorted(glob.glob(f'/usr/lib/postgresql/*/bin/{name}'))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: apt-get install postgresql")
    return found[-1]


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _as_postgres(args):
    if os.geteuid() == 0:
        return ['su', 'postgres', '-c', ' '.join(
                f"'{a}'" if ' ' in a else a for a in args)]
    return args


@contextlib.contextmanager
def pg_cluster(settings=None):
    "Yield the URI of a new PostgreSQL server; stop and remove it after"
    if os.environ.get('PM_PG_URI'):
        yield os.environ['PM_PG_URI']
        return
    directory = tempfile.mkdtemp(prefix='pm-pg-')
    if os.geteuid() == 0:
        shutil.chown(directory, 'postgres')
    data = os.path.join(directory, 'data')
    port = _free_port()
    subprocess.run(_as_postgres(
            [_bin('initdb'), '-D', data, '-A', 'trust', '-U', 'postgres',
                '-E', 'UTF8', '--locale=C.UTF-8']),
        check=True, stdout=subprocess.DEVNULL)
    options = [
        f'-k {directory}', '-c listen_addresses=127.0.0.1', f'-p {port}',
        '-c fsync=off', '-c synchronous_commit=off',
        '-c full_page_writes=off', '-c shared_buffers=512MB',
        '-c max_connections=100']
    for key, value in (settings or {}).items():
        options.append(f'-c {key}={value}')
    subprocess.run(_as_postgres(
            [_bin('pg_ctl'), '-D', data, '-l', os.path.join(directory, 'log'),
                '-o', ' '.join(options), '-w', 'start']),
        check=True, stdout=subprocess.DEVNULL)
    try:
        uri = f'postgresql://postgres@127.0.0.1:{port}/'
        for _ in range(50):
            if subprocess.run(
                    [_bin('pg_isready'), '-h', '127.0.0.1', '-p', str(port)],
                    stdout=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.1)
        yield uri
    finally:
        subprocess.run(_as_postgres(
                [_bin('pg_ctl'), '-D', data, '-m', 'immediate', 'stop']),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(directory, ignore_errors=True)
