# This file is part of the pm suite (物业管理系统). See README.md.
"""Import of parking spaces and vehicles from Excel (导入车位/车辆).

Like the meter readings of pm_billing: every row is validated first and
nothing is written when any row is wrong; the error names each bad row by
its number and reason.
"""
import io
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.pm_estate.mixin import id_batches
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import ParkingImportError
from .plate import normalize_plate, plate_type

SPACE_SHEET = [
    ('estate', "小区编码"),
    ('lot', "停车场编码"),
    ('number', "统一车位号"),
    ('name', "车位名称"),
    ('space_type', "车位类型"),
    ('location', "位置"),
    ('area', "面积"),
    ('ownership', "车位权属"),
    ('unit', "登记房屋"),
    ('customer', "客户"),
    ('note', "备注"),
    ]
SPACE_REQUIRED = ['lot', 'number']

VEHICLE_SHEET = [
    ('plate', "车牌号"),
    ('vehicle_type', "车辆类型"),
    ('model', "品牌型号"),
    ('colour', "颜色"),
    ('owner', "车主"),
    ('estate', "小区编码"),
    ('unit', "房屋"),
    ('spaces', "可用车位"),
    ('note', "备注"),
    ]
VEHICLE_REQUIRED = ['plate', 'owner']

SPACE_TYPE_LABELS = {
    '标准': 'standard', '标准车位': 'standard',
    '子母': 'tandem', '子母车位': 'tandem',
    '充电桩': 'charging', '充电桩车位': 'charging',
    '无障碍': 'accessible', '无障碍车位': 'accessible',
    '摩托': 'motorcycle', '摩托车位': 'motorcycle',
    }
OWNERSHIP_LABELS = {
    '产权': 'property', '已售': 'property', '产权车位': 'property',
    '租赁': 'rental', '租赁车位': 'rental',
    '公共': 'public', '公共车位': 'public',
    '临停': 'temporary', '临停车位': 'temporary',
    }
VEHICLE_TYPE_LABELS = {
    '轿车': 'car', '小汽车': 'car', 'SUV': 'suv', '越野车': 'suv',
    '面包车': 'van', '商务车': 'van', '货车': 'truck',
    '摩托车': 'motorcycle', '电动摩托车': 'motorcycle',
    }


def _text(value):
    if value is None:
        return ''
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(value, labels, keys, default):
    text = _text(value)
    if not text:
        return default
    if text in labels:
        return labels[text]
    if text.lower() in keys:
        return text.lower()
    return None


def read_sheet(data, sheet_spec, required):
    """Return the rows of the first sheet as (row number, {key: value}),
    blank rows skipped; raise when the file or a column is missing"""
    import openpyxl
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ParkingImportError(gettext('pm_parking.msg_import_not_excel'))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    if not rows:
        raise ParkingImportError(gettext('pm_parking.msg_import_empty'))
    header = [_text(c) for c in rows[0]]
    columns = {key: header.index(label) for key, label in sheet_spec
        if label in header}
    labels = dict(sheet_spec)
    for key in required:
        if key not in columns:
            raise ParkingImportError(gettext(
                    'pm_parking.msg_import_missing_column',
                    column=labels[key]))
    result = []
    for number, row in enumerate(rows[1:], start=2):
        values = {key: (row[index] if index < len(row) else None)
            for key, index in columns.items()}
        if all(_text(v) == '' for v in values.values()):
            continue
        result.append((number, values))
    return result


def template(sheet_spec, notes):
    "Return the bytes of an empty workbook with the header and the notes"
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "数据"
    sheet.append([label for _, label in sheet_spec])
    for index, _ in enumerate(sheet_spec):
        sheet.column_dimensions[chr(ord('A') + index)].width = 14
    help_ = workbook.create_sheet("说明")
    for line in notes:
        help_.append(line)
    help_.column_dimensions['A'].width = 14
    help_.column_dimensions['B'].width = 60
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def space_template():
    return template(SPACE_SHEET, [
            ["列", "说明"],
            ["小区编码", "可空；停车场编码在公司内重复时必填"],
            ["停车场编码", "必填"],
            ["统一车位号", "必填，公司内唯一"],
            ["车位类型", "标准 / 子母 / 充电桩 / 无障碍 / 摩托，空为标准"],
            ["车位权属", "产权 / 租赁 / 公共 / 临停，空为租赁；产权须填客户"],
            ["登记房屋", "房屋编号，须属于停车场所在小区"],
            ["客户", "客户编码或名称（名称须唯一）"],
            ["面积", "平方米，数字"],
            ])


def vehicle_template():
    return template(VEHICLE_SHEET, [
            ["列", "说明"],
            ["车牌号", "必填，如 粤B12345、新能源 粤AD12345、粤B12345D"],
            ["车辆类型", "轿车 / SUV / 面包车 / 货车 / 摩托车，空为轿车"],
            ["车主", "必填，客户编码或名称（名称须唯一）"],
            ["小区编码", "可空；房屋编号在公司内重复时必填"],
            ["房屋", "房屋编号"],
            ["可用车位", "统一车位号，多个用逗号分隔"],
            ])


class _Lookup:
    "Batch look-ups of the referenced records, a few queries in all"

    def __init__(self, company):
        self.pool = Pool()
        self.company = company

    def parties(self, keys):
        "Return {key: [parties]}: the party of the code, else of the name"
        Party = self.pool.get('party.party')
        by_code, by_name = {}, defaultdict(list)
        keys = sorted({k for k in keys if k})
        for sub in id_batches(keys):
            wanted = set(sub)
            for party in Party.search(['OR',
                        ('code', 'in', sub), ('name', 'in', sub)]):
                if party.code in wanted:
                    by_code[party.code] = party
                if party.name in wanted:
                    by_name[party.name].append(party)
        return {k: [by_code[k]] if k in by_code else by_name.get(k, [])
            for k in keys}

    def units(self, codes):
        "Return {code: [units]} of the company"
        Unit = self.pool.get('pm.unit')
        result = defaultdict(list)
        for sub in id_batches(sorted({c for c in codes if c})):
            for unit in Unit.search([
                        ('company', '=', self.company.id),
                        ('code', 'in', sub)]):
                result[unit.code].append(unit)
        return result

    def by_code(self, model, codes, field='code'):
        Model = self.pool.get(model)
        result = defaultdict(list)
        for sub in id_batches(sorted({c for c in codes if c})):
            for record in Model.search([
                        ('company', '=', self.company.id),
                        (field, 'in', sub)]):
                result[getattr(record, field)].append(record)
        return result


def _pick(records, estate_code):
    "Return the only record (of the estate when given), or None"
    if estate_code:
        records = [r for r in records if r.estate.code == estate_code]
    return records[0] if len(records) == 1 else None


def _party(parties, key, row, errors):
    found = parties.get(key, [])
    if not found:
        errors.append(gettext(
                'pm_parking.msg_import_row_unknown_party', row=row,
                party=key))
    elif len(found) > 1:
        errors.append(gettext(
                'pm_parking.msg_import_row_ambiguous_party', row=row,
                party=key))
    else:
        return found[0]


def _raise(errors):
    raise ParkingImportError(gettext(
            'pm_parking.msg_import_failed', count=len(errors),
            errors='\n'.join(errors[:50])))


def import_spaces(data, company):
    "Validate every row, then create the spaces; return them"
    pool = Pool()
    Space = pool.get('pm.parking.space')
    rows = read_sheet(data, SPACE_SHEET, SPACE_REQUIRED)
    lookup = _Lookup(company)
    lots = lookup.by_code(
        'pm.parking.lot', [_text(v.get('lot')) for _, v in rows])
    units = lookup.units([_text(v.get('unit')) for _, v in rows])
    parties = lookup.parties([_text(v.get('customer')) for _, v in rows])
    existing = lookup.by_code(
        'pm.parking.space', [_text(v.get('number')) for _, v in rows],
        field='number')
    errors, to_create, seen = [], [], {}
    for row, values in rows:
        estate_code = _text(values.get('estate'))
        lot_code = _text(values.get('lot'))
        number = _text(values.get('number'))
        lot = _pick(lots.get(lot_code, []), estate_code)
        if not lot:
            errors.append(gettext(
                    'pm_parking.msg_import_row_unknown_lot', row=row,
                    lot=lot_code))
            continue
        if not number:
            errors.append(gettext(
                    'pm_parking.msg_import_row_no_number', row=row))
            continue
        if number in seen:
            errors.append(gettext(
                    'pm_parking.msg_import_row_duplicate', row=row,
                    value=number, first=seen[number]))
            continue
        seen[number] = row
        if existing.get(number):
            errors.append(gettext(
                    'pm_parking.msg_import_row_space_exists', row=row,
                    number=number))
            continue
        space_type = _choice(values.get('space_type'), SPACE_TYPE_LABELS,
            {'standard', 'tandem', 'charging', 'accessible', 'motorcycle'},
            'standard')
        ownership = _choice(values.get('ownership'), OWNERSHIP_LABELS,
            {'property', 'rental', 'public', 'temporary'}, 'rental')
        if space_type is None:
            errors.append(gettext(
                    'pm_parking.msg_import_row_bad_choice', row=row,
                    column="车位类型", value=_text(values.get('space_type'))))
            continue
        if ownership is None:
            errors.append(gettext(
                    'pm_parking.msg_import_row_bad_choice', row=row,
                    column="车位权属", value=_text(values.get('ownership'))))
            continue
        area = None
        if _text(values.get('area')):
            try:
                area = Decimal(_text(values['area'])).quantize(
                    Decimal('0.01'))
                if area < 0:
                    raise ValueError
            except (InvalidOperation, ValueError):
                errors.append(gettext(
                        'pm_parking.msg_import_row_bad_number', row=row,
                        column="面积", value=_text(values['area'])))
                continue
        unit = None
        unit_code = _text(values.get('unit'))
        if unit_code:
            unit = _pick(units.get(unit_code, []), lot.estate.code)
            if not unit:
                errors.append(gettext(
                        'pm_parking.msg_import_row_unknown_unit', row=row,
                        unit=unit_code, estate=lot.estate.rec_name))
                continue
        customer = None
        customer_key = _text(values.get('customer'))
        if customer_key:
            customer = _party(parties, customer_key, row, errors)
            if not customer:
                continue
        elif ownership == 'property':
            errors.append(gettext(
                    'pm_parking.msg_import_row_property_customer', row=row,
                    number=number))
            continue
        to_create.append({
                'lot': lot.id,
                'number': number,
                'name': _text(values.get('name')) or None,
                'space_type': space_type,
                'location': _text(values.get('location')) or None,
                'area': area,
                'ownership': ownership,
                'unit': unit.id if unit else None,
                'customer': customer.id if customer else None,
                'note': _text(values.get('note')) or None,
                })
    if errors:
        _raise(errors)
    if not to_create:
        raise ParkingImportError(gettext('pm_parking.msg_import_empty'))
    return Space.create(to_create)


def import_vehicles(data, company):
    "Validate every row, then create the vehicles; return them"
    pool = Pool()
    Vehicle = pool.get('pm.vehicle')
    rows = read_sheet(data, VEHICLE_SHEET, VEHICLE_REQUIRED)
    lookup = _Lookup(company)
    plates = [normalize_plate(_text(v.get('plate'))) for _, v in rows]
    existing = lookup.by_code('pm.vehicle', plates, field='plate')
    units = lookup.units([_text(v.get('unit')) for _, v in rows])
    parties = lookup.parties([_text(v.get('owner')) for _, v in rows])
    numbers = set()
    for _, values in rows:
        numbers.update(n.strip() for n in _text(values.get('spaces'))
            .replace('，', ',').replace('、', ',').split(',') if n.strip())
    spaces = lookup.by_code('pm.parking.space', numbers, field='number')
    errors, to_create, seen = [], [], {}
    for row, values in rows:
        raw = _text(values.get('plate'))
        plate = normalize_plate(raw)
        if plate_type(plate) is None:
            errors.append(gettext(
                    'pm_parking.msg_import_row_bad_plate', row=row,
                    plate=raw))
            continue
        if plate in seen:
            errors.append(gettext(
                    'pm_parking.msg_import_row_duplicate', row=row,
                    value=plate, first=seen[plate]))
            continue
        seen[plate] = row
        if existing.get(plate):
            errors.append(gettext(
                    'pm_parking.msg_import_row_vehicle_exists', row=row,
                    plate=plate))
            continue
        vehicle_type = _choice(values.get('vehicle_type'),
            VEHICLE_TYPE_LABELS,
            {'car', 'suv', 'van', 'truck', 'motorcycle'}, 'car')
        if vehicle_type is None:
            errors.append(gettext(
                    'pm_parking.msg_import_row_bad_choice', row=row,
                    column="车辆类型",
                    value=_text(values.get('vehicle_type'))))
            continue
        owner = _party(parties, _text(values.get('owner')), row, errors)
        if not owner:
            continue
        unit = None
        unit_code = _text(values.get('unit'))
        if unit_code:
            estate_code = _text(values.get('estate'))
            unit = _pick(units.get(unit_code, []), estate_code)
            if not unit:
                errors.append(gettext(
                        'pm_parking.msg_import_row_unknown_unit', row=row,
                        unit=unit_code, estate=estate_code))
                continue
        space_ids = []
        for number in (_text(values.get('spaces')).replace('，', ',')
                .replace('、', ',').split(',')):
            number = number.strip()
            if not number:
                continue
            found = spaces.get(number)
            if not found:
                errors.append(gettext(
                        'pm_parking.msg_import_row_unknown_space', row=row,
                        number=number))
                break
            space_ids.append(found[0].id)
        else:
            to_create.append({
                    'company': company.id,
                    'plate': plate,
                    'vehicle_type': vehicle_type,
                    'model': _text(values.get('model')) or None,
                    'colour': _text(values.get('colour')) or None,
                    'owner': owner.id,
                    'unit': unit.id if unit else None,
                    'spaces': [('add', space_ids)] if space_ids else [],
                    'note': _text(values.get('note')) or None,
                    })
    if errors:
        _raise(errors)
    if not to_create:
        raise ParkingImportError(gettext('pm_parking.msg_import_empty'))
    return Vehicle.create(to_create)


IMPORT_KINDS = [
    ('space', "Parking Spaces"),
    ('vehicle', "Vehicles"),
    ]


class ImportStart(ModelView):
    __name__ = 'pm.parking.import.start'
    __string__ = "Import Parking Spaces and Vehicles"

    company = fields.Many2One('company.company', "Company", readonly=True)
    kind = fields.Selection(IMPORT_KINDS, "Import", required=True)
    file_ = fields.Binary("Excel File", required=True, filename='filename')
    filename = fields.Char("File Name")
    template = fields.Binary(
        "Template", readonly=True, filename='template_name',
        help="Download this empty workbook, fill it and import it.")
    template_name = fields.Char("Template Name", readonly=True)

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('kind')
    def on_change_kind(self):
        self.template, self.template_name = templates(self.kind)


def templates(kind):
    "Return (bytes, file name) of the template of the kind"
    if kind == 'vehicle':
        return vehicle_template(), "车辆导入模板.xlsx"
    elif kind == 'space':
        return space_template(), "车位导入模板.xlsx"
    return None, None


class Import(Wizard):
    "Import Parking Spaces and Vehicles"
    __name__ = 'pm.parking.import'

    start = StateView('pm.parking.import.start',
        'pm_parking.import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def default_start(self, fields):
        context = Transaction().context
        kind = 'vehicle' if context.get('active_model') == 'pm.vehicle' else (
            'space')
        template_, name = templates(kind)
        return {
            'company': context.get('company'),
            'kind': kind,
            'template': template_,
            'template_name': name,
            }

    def transition_import_(self):
        pool = Pool()
        Company = pool.get('company.company')
        company = self.start.company or Company(
            Transaction().context.get('company'))
        if self.start.kind == 'vehicle':
            import_vehicles(self.start.file_, company)
        else:
            import_spaces(self.start.file_, company)
        return 'end'
