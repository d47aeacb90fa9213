#!/usr/bin/env python3
# This file is part of the pm suite (物业管理系统). See README.md.
"""Benchmark of the residents' portal on PostgreSQL.

    .venv/bin/python bench/portal.py [--units 100000] [--clients 20]
        [--seconds 20] [--server gunicorn|trytond] [--workers N]

Builds the 100,000-unit dataset of bench/billing.py (estates, units,
owners, four charges, a posted November billing run: one bill per unit)
on a throw-away PostgreSQL server (or PM_PG_URI) with pm_portal activated,
gives N residents (different parties) a web user and a portal session,
starts the web server on 127.0.0.1 — as in production, gunicorn with
deploy/gunicorn.conf.py (--workers trytond processes, default 2 × cores + 1,
4 threads each), or trytond's own single-process server (--server trytond)
— and then, in the same run:

* bills: N concurrent clients (keep-alive connections), each logged in as
  its resident, load /portal/bills for a bounded time;
* floor: the same clients load /portal/ping, the server's cheapest route
  (no session, no query);

and prints requests/s and p50/p95/p99 latency of both, with the goal:
p95 of the bills page under 100 ms and at least a third of the floor's
throughput.
"""
import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'scripts'))

import billing  # noqa: E402
from billing import in_transaction, log  # noqa: E402
from pgcluster import pg_cluster  # noqa: E402

# the dataset of bench/billing.py, in a database (and template) of its own
# with pm_portal activated instead of pm_billing alone
DATABASE = billing.DATABASE = 'pm_bench_portal'
_admin = billing.admin


def _portal_admin(config_file, *args):
    _admin(config_file,
        *('pm_portal' if a == 'pm_billing' else a for a in args))


billing.admin = _portal_admin

PORTS = range(8100, 8120)  # the portal's loopback ports


def free_port():
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise RuntimeError('no free port in 8100-8119')


def residents(company, count):
    """Web users and sessions for the billing parties of the first `count`
    billed units (each a different party); return the session keys"""
    from trytond.pool import Pool
    pool = Pool(DATABASE)
    Bill = pool.get('pm.bill')
    WebUser = pool.get('web.user')
    Session = pool.get('web.user.session')
    bills = Bill.search([('state', '=', 'posted')], limit=count * 3,
        order=[('id', 'ASC')])
    parties = []
    for bill in bills:
        if bill.party not in parties:
            parties.append(bill.party)
        if len(parties) == count:
            break
    users = WebUser.create([{
                'email': f'bench{i}@example.com', 'party': p.id,
                'portal_company': company,
                } for i, p in enumerate(parties)])
    return [Session.add(u) for u in users]


def load(port, path, sessions, seconds):
    """Each session in its own thread GETs path on a keep-alive connection
    for `seconds`; return (requests, elapsed, sorted latencies, errors)"""
    latencies, errors = [], []
    lock = threading.Lock()
    start_at = time.perf_counter() + 0.5
    stop_at = start_at + seconds

    def client(key):
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
        headers = {'Cookie': f'pm_portal={key}'} if key else {}
        mine, bad = [], 0
        while time.perf_counter() < start_at:
            time.sleep(0.001)
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                break
            try:
                conn.request('GET', path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(
                    '127.0.0.1', port, timeout=30)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    threads = [threading.Thread(target=client, args=(k,)) for k in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = seconds
    latencies.sort()
    return len(latencies), elapsed, latencies, sum(errors)


def percentile(values, p):
    if not values:
        return float('nan')
    index = min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))
    return values[index]


def report(name, result):
    count, elapsed, latencies, errors = result
    rps = count / elapsed
    log(f"{name:<6} {rps:8.1f} req/s  p50 {percentile(latencies, 50) * 1000:7.1f}"
        f" ms  p95 {percentile(latencies, 95) * 1000:7.1f} ms  p99 "
        f"{percentile(latencies, 99) * 1000:7.1f} ms  ({count} requests, "
        f"{errors} errors)")
    return rps, percentile(latencies, 95)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--units', type=int, default=100_000)
    parser.add_argument('--clients', type=int, default=20)
    parser.add_argument('--seconds', type=float, default=20)
    parser.add_argument('--server', choices=['gunicorn', 'trytond'],
        default='gunicorn')
    parser.add_argument('--workers', type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn's trytond processes")
    args = parser.parse_args()
    with pg_cluster() as uri, tempfile.TemporaryDirectory() as tmp:
        company, _, _ = billing.prepare(uri, tmp, args.units)
        config_file = os.path.join(tmp, 'trytond.conf')
        t0 = time.perf_counter()
        compute, post, _ = billing.bench_run(company)
        log(f"billing run: {args.units} bills computed and posted in "
            f"{compute + post:.0f} s")
        sessions = in_transaction(residents, company, args.clients,
            context={'company': company})
        with open(config_file, 'a') as fp:
            fp.write('\n[web]\nlisten = 127.0.0.1:%d\n' % free_port())
        port = int(open(config_file).read().rsplit(':', 1)[1])
        bin_ = os.path.dirname(sys.executable)
        env = dict(os.environ, TRYTOND_LOGGING_LEVEL='40')
        if args.server == 'gunicorn':
            env.update(TRYTOND_CONFIG=config_file,
                TRYTOND_DATABASE_NAMES=DATABASE,
                PM_WEB_BIND=f'127.0.0.1:{port}',
                PM_WEB_WORKERS=str(args.workers),
                # no recycling of the processes during the short run
                PM_WEB_MAX_REQUESTS='0',
                PM_WEB_ACCESS_LOG='/dev/null', PM_WEB_LOG_LEVEL='warning')
            command = [os.path.join(bin_, 'gunicorn'), '-c',
                os.path.join(os.path.dirname(HERE), 'deploy',
                    'gunicorn.conf.py')]
        else:
            command = [os.path.join(bin_, 'trytond'), '-c', config_file,
                '-d', DATABASE]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=env)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    conn = http.client.HTTPConnection('127.0.0.1', port,
                        timeout=5)
                    conn.request('GET', f'/{DATABASE}/portal/ping')
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError('trytond did not start')
                time.sleep(0.3)
            log(f"setup {time.perf_counter() - t0:.0f} s; server on port "
                f"{port}; {len(sessions)} residents")
            # warm up: one page per resident (pool caches, plans)
            load(port, f'/{DATABASE}/portal/bills', sessions, 2)
            bills = load(port, f'/{DATABASE}/portal/bills', sessions,
                args.seconds)
            floor = load(port, f'/{DATABASE}/portal/ping',
                [None] * len(sessions), args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        log("")
        server_name = (f"gunicorn, {args.workers} trytond processes"
            if args.server == 'gunicorn' else "trytond's own server")
        log(f"{args.units} units, {len(sessions)} concurrent clients, "
            f"{args.seconds:.0f} s each, {server_name}, "
            f"{os.cpu_count()} cores")
        bills_rps, bills_p95 = report('bills', bills)
        floor_rps, _ = report('floor', floor)
        log(f"bills / floor throughput  {bills_rps / floor_rps:.2f} "
            f"(goal >= 0.33)")
        log(f"bills p95                 {bills_p95 * 1000:.1f} ms "
            f"(goal < 100 ms)")


if __name__ == '__main__':
    main()
