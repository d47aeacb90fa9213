# gunicorn configuration of the pm suite's web processes (trytond's WSGI app).
#
#   TRYTOND_CONFIG=/etc/trytond/pm.conf TRYTOND_DATABASE_NAMES=pm \
#       /opt/pm-suite/.venv/bin/gunicorn -c /opt/pm-suite/deploy/gunicorn.conf.py
#
# Each worker is a separate trytond process with its own pool and caches;
# they share nothing but PostgreSQL (caches are invalidated across processes
# through PostgreSQL's LISTEN/NOTIFY, [cache] clean_timeout = 0). Tune with
# the environment (pm-trytond.service / /etc/trytond/pm.env):
#   PM_WEB_BIND      address nginx proxies to            (127.0.0.1:8000)
#   PM_WEB_WORKERS   trytond processes                   (2 × cores + 1)
#   PM_WEB_THREADS   requests served at once per process (4)
import multiprocessing
import os

wsgi_app = 'trytond.application:app'
bind = os.environ.get('PM_WEB_BIND', '127.0.0.1:8000').split(',')
workers = int(os.environ.get(
        'PM_WEB_WORKERS', 2 * multiprocessing.cpu_count() + 1))
# threads: a request waiting on PostgreSQL (or on the login throttling
# delay) does not block the whole process
worker_class = 'gthread'
threads = int(os.environ.get('PM_WEB_THREADS', 4))
# the pool is loaded in each worker (TRYTOND_DATABASE_NAMES), not in the
# master: trytond refuses to initialise with threads running, and a fresh
# worker after max_requests must load its own pool anyway
preload_app = False
# recycle a process after this many requests (bounds slow memory growth)
max_requests = int(os.environ.get('PM_WEB_MAX_REQUESTS', 5000))
max_requests_jitter = max_requests // 10
# a request longer than [request] timeout is killed with its worker
timeout = 150
graceful_timeout = 30
keepalive = 5
# nginx is on the same host: trust its X-Forwarded-* headers (trytond's
# [web] num_proxies = 1 reads them)
forwarded_allow_ips = '127.0.0.1'
proxy_allow_ips = '127.0.0.1'
# logs go to journald through stdout/stderr unless files are given
accesslog = os.environ.get('PM_WEB_ACCESS_LOG', '-')
errorlog = os.environ.get('PM_WEB_ERROR_LOG', '-')
access_log_format = (
    '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" pid=%(p)s')
loglevel = os.environ.get('PM_WEB_LOG_LEVEL', 'info')
proc_name = 'pm-trytond'
