# This file is part of the pm suite (物业管理系统). See README.md.
"""Legacy FoxPro tables (.dbf) read through a mapping file.

Software of the FoxPro era (思源 6.0 was built on Visual FoxPro 6.0) keeps
its data in dBase/FoxPro tables, usually in GBK. The tables are read with
dbfread (https://pypi.org/project/dbfread/) and mapped to the onboarding
sheets by a TOML configuration::

    encoding = "gbk"                 # default for every table

    [[table]]
    file = "FANGWU.DBF"              # a member of the uploaded zip
    sheet = "unit"                   # the onboarding sheet (sheets.py keys)
    where = { ZT = "1" }             # optional: keep rows with these values
    [table.columns]                  # our column key = legacy field name
    code = "FWBH"
    built_area = "JZMJ"
    [table.constants]                # fixed values
    estate = "JH"
    [table.values.usage]             # legacy value -> our value or label
    "1" = "住宅"

The rows then go through the same validation and import as an Excel file;
errors name the sheet and the row of the legacy table.
"""
import io
import os
import tempfile
import tomllib
import zipfile

from trytond.i18n import gettext

from .sheets import SHEET, text


def read_mapping(config):
    "Parse the mapping; return (mapping, errors)"
    try:
        mapping = tomllib.loads(config or '')
    except tomllib.TOMLDecodeError as exception:
        return None, [(None, None, None, gettext(
                    'pm_onboarding.msg_mapping_invalid',
                    error=str(exception)))]
    errors = []
    tables = mapping.get('table')
    if not isinstance(tables, list) or not tables:
        errors.append((None, None, None, gettext(
                    'pm_onboarding.msg_mapping_invalid',
                    error='[[table]]')))
        return None, errors
    for table in tables:
        sheet = SHEET.get(table.get('sheet'))
        if not sheet or not table.get('file'):
            errors.append((None, None, None, gettext(
                        'pm_onboarding.msg_mapping_invalid',
                        error=str(table.get('sheet') or table.get('file')))))
            continue
        known = {c.key for c in sheet.columns}
        for key in list(table.get('columns', {})) + list(
                table.get('constants', {})):
            if key not in known:
                errors.append((sheet.key, None, key, gettext(
                            'pm_onboarding.msg_mapping_column',
                            column=key)))
    return mapping, errors


def read_tables(data, config):
    """Read the DBF tables of the zip (or of a single .dbf when the mapping
    has one table) as onboarding rows; return (rows, errors)"""
    from dbfread import DBF
    mapping, errors = read_mapping(config)
    if errors:
        return {}, errors
    default_encoding = mapping.get('encoding', 'gbk')
    result = {}
    with tempfile.TemporaryDirectory(prefix='pm-onboarding-') as folder:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = {}
                for member in archive.namelist():
                    base = os.path.basename(member)
                    if not base:
                        continue
                    path = os.path.join(folder, base)
                    with open(path, 'wb') as file_:
                        file_.write(archive.read(member))
                    names[base.upper()] = path
        except zipfile.BadZipFile:
            if len(mapping['table']) != 1:
                return {}, [(None, None, None,
                        gettext('pm_onboarding.msg_dbf_zip'))]
            base = os.path.basename(mapping['table'][0]['file'])
            path = os.path.join(folder, base)
            with open(path, 'wb') as file_:
                file_.write(data)
            names = {base.upper(): path}
        for table in mapping['table']:
            sheet = SHEET[table['sheet']]
            path = names.get(os.path.basename(table['file']).upper())
            if not path:
                errors.append((sheet.key, None, None, gettext(
                            'pm_onboarding.msg_dbf_missing',
                            file=table['file'])))
                continue
            columns = table.get('columns', {})
            constants = table.get('constants', {})
            translations = table.get('values', {})
            where = table.get('where', {})
            try:
                records = DBF(path,
                    encoding=table.get('encoding', default_encoding),
                    char_decode_errors='strict', lowernames=False,
                    ignore_missing_memofile=True)
                fields = {f.upper() for f in records.field_names}
                missing = [f for f in columns.values()
                    if f.upper() not in fields]
                if missing:
                    errors.append((sheet.key, 1, None, gettext(
                                'pm_onboarding.msg_dbf_field',
                                file=table['file'],
                                field=', '.join(missing))))
                    continue
                rows = result.setdefault(sheet.key, [])
                # row numbers are the record numbers of the legacy table
                for number, record in enumerate(records, start=1):
                    record = {k.upper(): v for k, v in record.items()}
                    if any(text(record.get(f.upper())) != text(v)
                            for f, v in where.items()):
                        continue
                    values = {}
                    for key, field in columns.items():
                        value = record.get(field.upper())
                        if isinstance(value, str):
                            value = value.strip()
                        table_values = translations.get(key)
                        if table_values and text(value) in table_values:
                            value = table_values[text(value)]
                        values[key] = value
                    for key, value in constants.items():
                        values.setdefault(key, value)
                    if all(text(v) == '' for v in values.values()):
                        continue
                    rows.append((number, values))
            except UnicodeDecodeError as exception:
                errors.append((sheet.key, None, None, gettext(
                            'pm_onboarding.msg_dbf_encoding',
                            file=table['file'], error=str(exception))))
            except Exception as exception:
                errors.append((sheet.key, None, None, gettext(
                            'pm_onboarding.msg_dbf_invalid',
                            file=table['file'], error=str(exception))))
    return result, errors


def write_dbf(path, fields, records, encoding='gbk'):
    """Write a dBase III table (used by the tests and to make samples).

    fields: [(name, type, length, decimals)] with type C (text), N (number),
    D (date) or L (logical); records: lists of values."""
    import datetime as dt
    import struct
    today = dt.date.today()
    header_length = 32 + 32 * len(fields) + 1
    record_length = 1 + sum(f[2] for f in fields)
    with open(path, 'wb') as file_:
        file_.write(struct.pack('<BBBBIHH20x', 0x03, today.year - 1900,
                today.month, today.day, len(records), header_length,
                record_length))
        for name, type_, length, decimals in fields:
            file_.write(struct.pack('<11sc4xBB14x',
                    name.encode('ascii'), type_.encode('ascii'), length,
                    decimals))
        file_.write(b'\r')
        for record in records:
            file_.write(b' ')
            for (name, type_, length, decimals), value in zip(
                    fields, record):
                if value is None:
                    raw = b''
                elif type_ == 'C':
                    raw = str(value).encode(encoding)
                elif type_ == 'N':
                    raw = (f'{value:.{decimals}f}' if decimals
                        else str(int(value))).encode('ascii').rjust(length)
                elif type_ == 'D':
                    raw = value.strftime('%Y%m%d').encode('ascii')
                elif type_ == 'L':
                    raw = b'T' if value else b'F'
                else:
                    raise ValueError(type_)
                if len(raw) > length:
                    raise ValueError(f'{name}: {value!r} too long')
                file_.write(raw.ljust(length, b' '))
        file_.write(b'\x1a')
