# This file is part of the pm suite (物业管理系统). See README.md.
"""Set-based reads and writes for the onboarding import.

`sql_create` writes already validated rows of a model with one id allocation
and one COPY (PostgreSQL) or executemany (SQLite), filling the model's
defaults once; `read_columns` reads stored columns of many records with one
query per batch of ids. Neither instantiates a record per row.
"""
import datetime as dt
from decimal import Decimal

from trytond.model import fields
from trytond.modules.pm_billing.sqlbulk import (
    allocate_ids, audit_values, bulk_insert)
from trytond.modules.pm_estate.mixin import id_batches
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access

_SKIP = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date'}


def stored_fields(Model):
    return [name for name, field in Model._fields.items()
        if name not in _SKIP
        and not isinstance(field, (fields.Function, fields.One2Many,
                fields.Many2Many, fields.MultiValue))
        and getattr(field, 'sql_type', None) is not None]


def sql_create(Model, vlist):
    "Insert the values (dicts of stored fields); return the new ids"
    if not vlist:
        return []
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    with check_access():
        ModelAccess.check(Model.__name__, 'create')
    names = stored_fields(Model)
    used = set()
    for values in vlist:
        used.update(values)
    defaults = Model.default_get(
        names, with_rec_name=False)
    columns = [n for n in names if n in used or defaults.get(n) is not None]
    ids = allocate_ids(Model._table, len(vlist))
    uid, now = audit_values()
    rows = []
    for id_, values in zip(ids, vlist):
        rows.append((id_, *(values.get(n, defaults.get(n)) for n in columns),
                uid, now))
    bulk_insert(Model._table, ['id', *columns, 'create_uid', 'create_date'],
        rows)
    return ids


def normalize(value):
    "A value read by SQL in the form the parsers give"
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str) and len(value) == 10 and value[4] == '-' \
            and value[7] == '-':
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value
    return value


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    if isinstance(a, (Decimal, int)) and isinstance(b, (Decimal, int, float)):
        return Decimal(str(a)) == Decimal(str(b))
    return normalize(a) == normalize(b)


def read_columns(Model, ids, names):
    "Return {id: {name: value}} of the stored columns"
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    result = {}
    for sub_ids in id_batches(ids):
        cursor.execute(*table.select(
                table.id, *(getattr(table, n) for n in names),
                where=table.id.in_(sub_ids)))
        for row in cursor:
            result[row[0]] = {n: normalize(v) for n, v in zip(names, row[1:])}
    return result

