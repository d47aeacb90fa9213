#!/usr/bin/env python3
# This file is part of the pm suite (物业管理系统). See README.md.
"""Give back to the queue the tasks that a killed trytond-worker had taken.

    requeue_tasks.py -c /etc/trytond/pm.conf -d pm [--appname pm-worker]

trytond 8.0's worker marks a task `dequeued_at` (autocommit) before it runs
it, and marks it `finished_at` inside the task's own transaction. A worker
killed in the middle of a task (SIGKILL, OOM killer, power loss, a restart
with KillMode=control-group) leaves the task dequeued and never finished:
the task's transaction was rolled back with its connection, and no worker
takes the task again (the billing run would stay "computing" for ever).

pm-worker.service runs this before it starts the worker (ExecStartPre): no
worker of the database runs at that moment (one pm-worker service per
database; it runs several processes itself), so every dequeued and
unfinished task is orphaned. The script
1. ends the database sessions a dead worker may have left (application_name
   = --appname, the TRYTOND_APPNAME of the worker service), so their
   transactions are rolled back and their locks released,
2. sets `dequeued_at` back to NULL on the orphaned tasks, so the worker
   runs them again: the whole task runs once more and commits once.
It prints one line per task given back.
"""
import argparse
import os
import sys


def requeue(database_name, appname=None):
    from trytond import backend
    database = backend.Database(database_name).connect()
    connection = database.get_connection(autocommit=False)
    try:
        cursor = connection.cursor()
        if appname and backend.name == 'postgresql':
            cursor.execute(
                'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                'WHERE datname = current_database() '
                'AND application_name = %s AND pid <> pg_backend_pid()',
                (appname,))
        cursor.execute(
            'UPDATE ir_queue SET dequeued_at = NULL '
            'WHERE dequeued_at IS NOT NULL AND finished_at IS NULL '
            'RETURNING id, name')
        rows = cursor.fetchall()
        connection.commit()
    finally:
        database.put_connection(connection)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', dest='config',
        default=os.environ.get('TRYTOND_CONFIG'))
    parser.add_argument('-d', '--database', dest='databases', nargs='+',
        default=os.environ.get('TRYTOND_DATABASE_NAMES', '').split(','))
    parser.add_argument('--appname',
        default=os.environ.get('TRYTOND_APPNAME', 'pm-worker'),
        help="application_name of the worker's database sessions")
    args = parser.parse_args(argv)
    from trytond import config
    config.update_etc(args.config)
    databases = [d for d in args.databases if d]
    if not databases:
        parser.error("no database (-d or TRYTOND_DATABASE_NAMES)")
    for name in databases:
        for task_id, task_name in requeue(name, args.appname):
            print(f'{name}: task {task_id} ({task_name}) given back '
                'to the queue', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
