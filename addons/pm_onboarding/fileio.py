# This file is part of the pm suite (物业管理系统). See README.md.
"""Reading and writing the onboarding files.

Every source gives ``({sheet key: [(row, {column key: raw})]}, errors)``:
an Excel workbook (one worksheet per sheet, headers in row 1), a JSON archive
(zip: manifest.json + one <sheet>.json per sheet) or legacy DBF tables read
through a mapping (legacy.py). Errors are (sheet, row, column, reason).
"""
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

from trytond.i18n import gettext

from .sheets import NOTES, SHEET, SHEET_BY_TITLE, SHEETS, text

ARCHIVE_FORMAT = 'pm_onboarding'
ARCHIVE_VERSION = 1


def read_workbook(data):
    import openpyxl
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return {}, [(None, None, None, gettext('pm_onboarding.msg_not_excel'))]
    result, errors = {}, []
    for worksheet in workbook.worksheets:
        sheet = SHEET_BY_TITLE.get(worksheet.title.strip()) or SHEET.get(
            worksheet.title.strip())
        if not sheet:
            continue
        rows = worksheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            continue
        header = [text(c) for c in header]
        columns = {}
        for column in sheet.columns:
            if column.label in header:
                columns[column.key] = header.index(column.label)
            elif column.required:
                errors.append((sheet.key, 1, column.key,
                        gettext('pm_onboarding.msg_missing_column')))
        parsed = []
        for number, row in enumerate(rows, start=2):
            values = {key: (row[index] if index < len(row) else None)
                for key, index in columns.items()}
            if all(text(v) == '' for v in values.values()):
                continue
            parsed.append((number, values))
        result[sheet.key] = parsed
    if not result and not errors:
        errors.append((None, None, None, gettext('pm_onboarding.msg_empty')))
    return result, errors


def _save(workbook):
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _widths(worksheet, count, width=14):
    from openpyxl.utils import get_column_letter
    for index in range(count):
        worksheet.column_dimensions[get_column_letter(index + 1)].width = \
            width


def template():
    "The empty workbook: one worksheet per sheet and the notes"
    import openpyxl
    from openpyxl.styles import Font
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["工作表", "说明"])
    for line in NOTES:
        notes.append(list(line))
    notes.append([])
    notes.append(["带 * 的列必填；日期格式 2026-01-31；金额保留两位小数；"
            "空单元格不会清除系统中已有的值。"])
    notes.column_dimensions['A'].width = 14
    notes.column_dimensions['B'].width = 100
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(sheet.title)
        worksheet.append(sheet.labels)
        for cell, column in zip(worksheet[1], sheet.columns):
            if column.required:
                cell.font = Font(bold=True, color='C00000')
        _widths(worksheet, len(sheet.columns))
    return _save(workbook)


def write_workbook(data, extra=None):
    """The workbook of the rows {sheet key: [{column key: value}]} (values
    in their parsed form) and extra sheets {title: (header, rows)}"""
    import openpyxl
    workbook = openpyxl.Workbook(write_only=True)
    for sheet in SHEETS:
        if sheet.key not in data:
            continue
        worksheet = workbook.create_sheet(sheet.title)
        worksheet.append(sheet.labels)
        for values in data[sheet.key]:
            worksheet.append([_cell(c.format(values.get(c.key)))
                    for c in sheet.columns])
    for title, (header, rows) in (extra or {}).items():
        worksheet = workbook.create_sheet(title)
        worksheet.append(header)
        for row in rows:
            worksheet.append([_cell(v) for v in row])
    return _save(workbook)


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def error_report(errors):
    "The workbook listing the errors: sheet, row, column, reason"
    import openpyxl
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = gettext('pm_onboarding.msg_report_title')[:31]
    worksheet.append([
            gettext('pm_onboarding.msg_report_sheet'),
            gettext('pm_onboarding.msg_report_row'),
            gettext('pm_onboarding.msg_report_column'),
            gettext('pm_onboarding.msg_report_reason')])
    for row in describe(errors):
        worksheet.append(list(row))
    for column, width in zip('ABCD', (12, 8, 16, 80)):
        worksheet.column_dimensions[column].width = width
    return _save(workbook)


def describe(errors):
    "The errors as (sheet title, row, column label, reason)"
    result = []
    for sheet_key, row, column_key, reason in errors:
        sheet = SHEET.get(sheet_key)
        label = ''
        if sheet and column_key:
            try:
                label = sheet.column(column_key).label
            except KeyError:
                label = column_key
        result.append((sheet.title if sheet else '', row, label, reason))
    return result


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def write_archive(data, manifest, extra=None):
    "A zip of manifest.json and one JSON file per sheet"
    output = io.BytesIO()
    with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as archive:
        manifest = dict(manifest, format=ARCHIVE_FORMAT,
            version=ARCHIVE_VERSION,
            sheets=[s.key for s in SHEETS if s.key in data])
        archive.writestr('manifest.json', json.dumps(
                manifest, ensure_ascii=False, indent=1,
                default=_json_value))
        for key, rows in data.items():
            archive.writestr(f'{key}.json', json.dumps(
                    [{k: _json_value(v) for k, v in row.items()}
                        for row in rows],
                    ensure_ascii=False, indent=0))
        for name, rows in (extra or {}).items():
            archive.writestr(f'history/{name}.json', json.dumps(
                    rows, ensure_ascii=False, indent=0, default=_json_value))
    return output.getvalue()


def read_archive(data):
    "Return (rows, errors, manifest) of an archive written by write_archive"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read('manifest.json'))
        if manifest.get('format') != ARCHIVE_FORMAT:
            raise ValueError
    except Exception:
        return {}, [(None, None, None,
                gettext('pm_onboarding.msg_not_archive'))], {}
    result = {}
    for key in manifest.get('sheets', []):
        if key not in SHEET:
            continue
        rows = json.loads(archive.read(f'{key}.json'))
        result[key] = [(number, row)
            for number, row in enumerate(rows, start=2)]
    return result, [], manifest

