# This file is part of the pm suite (物业管理系统). See README.md.
"""Set-based writes for the hot paths of billing.

The ORM creates a few hundred records per second; a billing run of 100,000
units writes about a million rows. These helpers allocate ids in one query
and write rows with PostgreSQL's COPY (or executemany on SQLite), so that
the cost per row is that of the database, not of the ORM.
"""
import datetime as dt
import weakref

from trytond import backend
from trytond.transaction import Transaction


def is_postgresql():
    return backend.name == 'postgresql'


def allocate_ids(table_name, count):
    "Return `count` new ids for the table"
    if count <= 0:
        return []
    cursor = Transaction().connection.cursor()
    if is_postgresql():
        cursor.execute(
            'SELECT nextval(%s) FROM generate_series(1, %s)',
            (f'"{table_name}_id_seq"', count))
        return [i for i, in cursor]
    # SQLite has one writer at a time: ids above the table's maximum and
    # above those already handed out in this transaction are free.
    connection = Transaction().connection
    given = _sqlite_allocated.setdefault(connection, {})
    cursor.execute(f'SELECT MAX(id) FROM "{table_name}"')
    start = max(cursor.fetchone()[0] or 0, given.get(table_name, 0)) + 1
    given[table_name] = start + count - 1
    return list(range(start, start + count))


_sqlite_allocated = weakref.WeakKeyDictionary()


def audit_values():
    "Return (create_uid, create_date) for rows written directly"
    return Transaction().user, dt.datetime.now()


# a table that grew by this many rows in one insert is analysed at once
ANALYZE_ROWS = 5000


def bulk_insert(table_name, columns, rows):
    "Insert rows (tuples in the order of columns) into the table"
    rows = rows if isinstance(rows, (list, tuple)) else list(rows)
    if not rows:
        return
    cursor = Transaction().connection.cursor()
    quoted = ', '.join(f'"{c}"' for c in columns)
    if is_postgresql():
        with cursor.copy(
                f'COPY "{table_name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        if len(rows) >= ANALYZE_ROWS:
            # The foreign-key checks of the next inserts (e.g. move lines
            # referencing these reconciliations) are planned with the
            # table's statistics: a table believed empty is scanned
            # sequentially for every referencing row, quadratic at 100k.
            cursor.execute(f'ANALYZE "{table_name}"')
    else:
        marks = ', '.join('?' for _ in columns)
        cursor.executemany(
            f'INSERT INTO "{table_name}" ({quoted}) VALUES ({marks})', rows)


def bulk_update(table_name, column, pairs, key='id'):
    "Set column = value for the (key value, value) pairs"
    bulk_update_columns(table_name, [column], pairs, key=key)


def bulk_update_columns(table_name, columns, rows, key='id', extra=None):
    """Set the columns for the rows (key value, value1, value2 …) and the
    constant values of `extra` ({column: value}) in one statement"""
    if not rows:
        return
    extra = extra or {}
    cursor = Transaction().connection.cursor()
    if is_postgresql():
        names = [f'v{i}' for i in range(len(columns))]
        cursor.execute('DROP TABLE IF EXISTS "pm_bulk_update"')
        cursor.execute(
            'CREATE TEMPORARY TABLE "pm_bulk_update" (k INTEGER, '
            + ', '.join(f'{n} INTEGER' for n in names) + ') ON COMMIT DROP')
        with cursor.copy(
                'COPY "pm_bulk_update" (k, ' + ', '.join(names)
                + ') FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        # without statistics the planner may join the rows one by one
        cursor.execute('ANALYZE "pm_bulk_update"')
        assignments = [f'"{c}" = u.{n}' for c, n in zip(columns, names)]
        assignments += [f'"{c}" = %s' for c in extra]
        cursor.execute(
            f'UPDATE "{table_name}" SET ' + ', '.join(assignments)
            + ' FROM "pm_bulk_update" AS u '
            f'WHERE "{table_name}"."{key}" = u.k', list(extra.values()))
    else:
        assignments = [f'"{c}" = ?' for c in list(columns) + list(extra)]
        cursor.executemany(
            f'UPDATE "{table_name}" SET ' + ', '.join(assignments)
            + f' WHERE "{key}" = ?',
            [(*row[1:], *extra.values(), row[0]) for row in rows])
