# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from sql import Null
from sql.aggregate import Max

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, id_batches,
    search_fields, search_through)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .charge import METER_TYPES
from .exceptions import ReadingError, ReadingImportError

ALLOCATION_BASES = [
    ('chargeable_area', "Chargeable Area"),
    ('built_area', "Built Area"),
    ('equal', "Equal Shares"),
    ]

USAGE_DIGITS = (16, 2)

# Columns of the reading sheet, shared by the template and the import
SHEET_HEADER = [
    ('meter', "表具编号"),
    ('unit', "房屋"),
    ('meter_type', "类型"),
    ('previous', "上次读数"),
    ('previous_date', "上次抄表日期"),
    ('value', "本次读数"),
    ('date', "抄表日期"),
    ('rollover', "翻表(是/否)"),
    ('note', "备注"),
    ]


def _cell_date(value):
    if value is None or value == '':
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace('/', '-').replace('.', '-')
    return dt.date.fromisoformat(text)


class Meter(EstateCompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.meter'
    __string__ = "Meter"

    company = company_field()
    code = fields.Char("Code", required=True, strip=True)
    meter_type = fields.Selection(
        METER_TYPES, "Meter Type", required=True, sort=False)
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain())
    building = fields.Many2One(
        'pm.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        help="For a shared meter: its usage is allocated to this building's "
        "units; leave empty to allocate to the whole estate.")
    unit = fields.Many2One(
        'pm.unit', "Unit", ondelete='RESTRICT',
        domain=[
            ('estate', '=', Eval('estate', -1)),
            If(Eval('building'),
                ('building', '=', Eval('building', -1)), ()),
            ],
        help="Leave empty for a shared meter (公摊表).")
    shared = fields.Function(
        fields.Boolean("Shared"), 'on_change_with_shared',
        searcher='search_shared')
    allocation_basis = fields.Selection(
        ALLOCATION_BASES, "Allocation Basis",
        states={
            'invisible': Bool(Eval('unit')),
            'required': ~Eval('unit'),
            })
    rate = fields.Many2One(
        'pm.charge.rate', "Shared Rate",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('method', '=', 'shared_meter'),
            ],
        states={
            'invisible': Bool(Eval('unit')),
            'required': ~Eval('unit'),
            },
        help="The rate that prices the allocated usage (公摊水电).")
    multiplier = fields.Numeric(
        "Multiplier", digits=(16, 4), required=True,
        domain=[('multiplier', '>', 0)],
        help="Usage = (reading − previous reading) × multiplier (倍率).")
    max_value = fields.Numeric(
        "Register Capacity", digits=USAGE_DIGITS,
        help="The register restarts from zero when it reaches this value, "
        "e.g. 100000 for a five-digit register.")
    initial_value = fields.Numeric(
        "Initial Reading", digits=USAGE_DIGITS, required=True)
    install_date = fields.Date("Installation Date")
    replaces = fields.Many2One(
        'pm.meter', "Replaces",
        domain=[
            ('unit', '=', Eval('unit', -1)),
            ('meter_type', '=', Eval('meter_type')),
            ('id', '!=', Eval('id', -1)),
            ],
        states={'invisible': ~Eval('unit')},
        help="The meter this one replaced.")
    readings = fields.One2Many('pm.meter.reading', 'meter', "Readings")
    last_reading = fields.Function(
        fields.Numeric("Last Reading", digits=USAGE_DIGITS),
        'get_last_reading')
    last_date = fields.Function(
        fields.Date("Last Reading Date"), 'get_last_reading')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_code_unique', Unique(t, t.company, t.code),
                'pm_billing.msg_meter_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Equality())),
                Index(t, (t.estate, Index.Equality())),
                })
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_meter_type():
        return 'water'

    @staticmethod
    def default_multiplier():
        return Decimal(1)

    @staticmethod
    def default_initial_value():
        return Decimal(0)

    @staticmethod
    def default_allocation_basis():
        return 'chargeable_area'

    @fields.depends('unit')
    def on_change_with_shared(self, name=None):
        return not self.unit

    @classmethod
    def search_shared(cls, name, clause):
        _, operator, value = clause
        if operator == '!=':
            value = not value
        return [('unit', '=' if value else '!=', None)]

    @fields.depends('unit', '_parent_unit.estate', '_parent_unit.building')
    def on_change_unit(self):
        if self.unit:
            self.estate = self.unit.estate
            self.building = self.unit.building

    def get_rec_name(self, name):
        if self.unit:
            return f'{self.code} ({self.unit.rec_name})'
        return self.code

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['code', 'unit.code'])

    @classmethod
    def get_last_reading(cls, meters, names):
        pool = Pool()
        Reading = pool.get('pm.meter.reading')
        values = Reading.last_values([m.id for m in meters])
        result = {n: {} for n in names}
        for meter in meters:
            date, value = values.get(
                meter.id, (None, meter.initial_value))
            if 'last_reading' in result:
                result['last_reading'][meter.id] = value
            if 'last_date' in result:
                result['last_date'][meter.id] = date
        return result


class Reading(ModelSQL, ModelView):
    __name__ = 'pm.meter.reading'
    __string__ = "Meter Reading"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    meter = fields.Many2One(
        'pm.meter', "Meter", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('id', -1) >= 0})
    unit = fields.Function(
        fields.Many2One('pm.unit', "Unit"), 'on_change_with_unit',
        searcher='search_meter_field')
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"), 'on_change_with_estate',
        searcher='search_meter_field')
    meter_type = fields.Function(
        fields.Selection(METER_TYPES, "Meter Type"),
        'on_change_with_meter_type', searcher='search_meter_field')
    date = fields.Date("Date", required=True,
        states={'readonly': Eval('id', -1) >= 0})
    value = fields.Numeric("Reading", digits=USAGE_DIGITS, required=True)
    previous_value = fields.Numeric(
        "Previous Reading", digits=USAGE_DIGITS, readonly=True)
    rollover = fields.Boolean("Rollover",
        help="The register passed its maximum and restarted from zero.")
    usage = fields.Numeric("Usage", digits=USAGE_DIGITS, readonly=True)
    reader = fields.Many2One(
        'company.employee', "Reader",
        domain=[('company', '=', Eval('company', -1))])
    flagged = fields.Boolean("Flagged", readonly=True,
        help="The usage is unusually high compared with the meter's "
        "average; check it before billing.")
    flag_reason = fields.Char("Flag Reason", readonly=True)
    note = fields.Char("Note")
    bill_line = fields.Many2One(
        'pm.bill.line', "Billed on", readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('meter_date_unique', Unique(t, t.meter, t.date),
                'pm_billing.msg_reading_meter_date_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.meter, Index.Equality()),
                    (t.date, Index.Range())),
                Index(t, (t.date, Index.Range()),
                    (t.company, Index.Equality())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_rollover():
        return False

    @staticmethod
    def default_flagged():
        return False

    @fields.depends('meter', '_parent_meter.unit')
    def on_change_with_unit(self, name=None):
        return self.meter.unit if self.meter else None

    @fields.depends('meter', '_parent_meter.estate')
    def on_change_with_estate(self, name=None):
        return self.meter.estate if self.meter else None

    @fields.depends('meter', '_parent_meter.meter_type')
    def on_change_with_meter_type(self, name=None):
        return self.meter.meter_type if self.meter else None

    @classmethod
    def search_meter_field(cls, name, clause):
        return search_through('meter', name, clause)

    def get_rec_name(self, name):
        return f'{self.meter.code} @ {self.date}'

    @classmethod
    def last_values(cls, meter_ids, before=None):
        """Return {meter id: (date, value)} of the last reading
        (strictly before the date if given)"""
        table = cls.__table__()
        last = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in id_batches(meter_ids):
            where = table.meter.in_(sub_ids)
            if before:
                where &= table.date < before
            sub = table.select(
                table.meter, Max(table.date).as_('date'),
                where=where, group_by=[table.meter])
            cursor.execute(*last.join(sub, condition=(
                        (last.meter == sub.meter)
                        & (last.date == sub.date))).select(
                    last.meter, last.date, last.value))
            for meter_id, date, value in cursor:
                if isinstance(date, str):
                    date = dt.date.fromisoformat(date)
                result[meter_id] = (date, Decimal(str(value)))
        return result

    @classmethod
    def average_usages(cls, meter_ids, before, count=6):
        "Return {meter id: average usage of its last readings before date}"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in id_batches(meter_ids):
            cursor.execute(*table.select(
                    table.meter, table.usage,
                    where=table.meter.in_(sub_ids) & (table.date < before)
                    & (table.usage != Null),
                    order_by=[table.meter, table.date.desc]))
            usages = {}
            for meter_id, usage in cursor:
                values = usages.setdefault(meter_id, [])
                if len(values) < count:
                    values.append(Decimal(str(usage)))
            for meter_id, values in usages.items():
                if values:
                    result[meter_id] = sum(values) / len(values)
        return result

    @classmethod
    def compute_values(cls, values_list):
        """Fill previous_value, usage and flags of readings to create.

        Raise ReadingError with the row's index (the `_row` key when set)
        when a reading is lower than the previous one or earlier than the
        last reading.
        """
        pool = Pool()
        Meter = pool.get('pm.meter')
        Config = pool.get('pm.configuration')
        config = Config(1)
        factor = config.reading_anomaly_factor
        action = config.reading_anomaly_action
        meter_ids = list({v['meter'] for v in values_list})
        meters = {m.id: m for m in Meter.browse(meter_ids)}
        last = cls.last_values(meter_ids)
        first_date = min(v['date'] for v in values_list)
        averages = cls.average_usages(meter_ids, first_date)
        ordered = sorted(
            enumerate(values_list), key=lambda x: (x[1]['date'], x[0]))
        for index, values in ordered:
            meter = meters[values['meter']]
            row = values.pop('_row', index + 1)
            last_date, previous = last.get(
                meter.id, (None, meter.initial_value))
            date = values['date']
            value = Decimal(values['value'])
            if last_date and date <= last_date:
                raise ReadingError(gettext(
                        'pm_billing.msg_reading_not_after_last',
                        row=row, meter=meter.rec_name, date=date,
                        last_date=last_date))
            if value < previous:
                if values.get('rollover') and meter.max_value:
                    raw = meter.max_value - previous + value
                else:
                    raise ReadingError(gettext(
                            'pm_billing.msg_reading_lower',
                            row=row, meter=meter.rec_name, value=value,
                            previous=previous))
            else:
                raw = value - previous
            usage = (raw * meter.multiplier).quantize(Decimal('0.01'))
            values['previous_value'] = previous.quantize(Decimal('0.01'))
            values['usage'] = usage
            values['company'] = meter.company.id
            average = averages.get(meter.id)
            if factor and average and usage > average * factor:
                reason = gettext(
                    'pm_billing.msg_reading_anomaly',
                    row=row, meter=meter.rec_name, usage=usage,
                    average=average.quantize(Decimal('0.01')),
                    factor=factor)
                if action == 'reject':
                    raise ReadingError(reason)
                values['flagged'] = True
                values['flag_reason'] = reason[:200]
            last[meter.id] = (date, value)
        return values_list

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        to_compute = [v for v in vlist if 'usage' not in v]
        if to_compute:
            cls.compute_values(to_compute)
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, readings, values=None, external=False):
        super().check_modification(
            mode, readings, values=values, external=external)
        if mode in {'write', 'delete'}:
            cls.check_billed(readings)
            if mode == 'write' and {'value', 'rollover'} & set(values or {}):
                raise ReadingError(gettext(
                        'pm_billing.msg_reading_value_readonly',
                        reading=readings[0].rec_name))

    @classmethod
    def check_billed(cls, readings):
        for reading in readings:
            if reading.bill_line and not reading.bill_line.reversed:
                raise ReadingError(gettext(
                        'pm_billing.msg_reading_billed',
                        reading=reading.rec_name,
                        bill=reading.bill_line.bill.rec_name))


    @classmethod
    def import_xlsx(cls, data, company=None, default_date=None):
        """Validate every row of the workbook, then create all readings.

        Nothing is written when any row is wrong: the error lists every bad row
        with its number and reason.
        """
        import openpyxl
        pool = Pool()
        Meter = pool.get('pm.meter')
        try:
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise ReadingImportError(gettext(
                    'pm_billing.msg_import_not_excel'))
        sheet = workbook.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            raise ReadingImportError(gettext('pm_billing.msg_import_empty'))
        header = [str(c).strip() if c is not None else '' for c in rows[0]]
        columns = {}
        for key, label in SHEET_HEADER:
            if label in header:
                columns[key] = header.index(label)
        for key in ('meter', 'value'):
            if key not in columns:
                raise ReadingImportError(gettext(
                        'pm_billing.msg_import_missing_column',
                        column=dict(SHEET_HEADER)[key]))
        domain = []
        if company:
            domain.append(('company', '=', company.id))
        codes = set()
        parsed, errors = [], []
        for number, row in enumerate(rows[1:], start=2):
            def cell(key):
                index = columns.get(key)
                if index is None or index >= len(row):
                    return None
                return row[index]
            code = cell('meter')
            value = cell('value')
            if (code is None or str(code).strip() == '') and (
                    value is None or str(value).strip() == ''):
                continue  # blank line
            code = str(code).strip() if code is not None else ''
            if not code:
                errors.append(gettext(
                        'pm_billing.msg_import_row_no_meter', row=number))
                continue
            try:
                value = Decimal(str(value).strip())
            except (InvalidOperation, ValueError):
                errors.append(gettext(
                        'pm_billing.msg_import_row_bad_value', row=number,
                        value=value if value is not None else ''))
                continue
            try:
                date = _cell_date(cell('date')) or default_date
            except ValueError:
                errors.append(gettext(
                        'pm_billing.msg_import_row_bad_date', row=number,
                        value=cell('date')))
                continue
            if not date:
                errors.append(gettext(
                        'pm_billing.msg_import_row_no_date', row=number))
                continue
            rollover = str(cell('rollover') or '').strip() in {
                '是', 'Y', 'y', 'yes', 'Yes', '1', 'TRUE', 'True', 'true'}
            codes.add(code)
            parsed.append({
                    '_row': number, '_code': code, 'value': value,
                    'date': date, 'rollover': rollover,
                    'note': str(cell('note')) if cell('note') else None,
                    })
        meters = {}
        for sub_codes in id_batches(sorted(codes)):
            for meter in Meter.search(domain + [('code', 'in', sub_codes)]):
                meters[meter.code] = meter
        seen = set()
        for values in parsed:
            meter = meters.get(values['_code'])
            if not meter:
                errors.append(gettext(
                        'pm_billing.msg_import_row_unknown_meter',
                        row=values['_row'], meter=values['_code']))
                continue
            key = (meter.id, values['date'])
            if key in seen:
                errors.append(gettext(
                        'pm_billing.msg_import_row_duplicate',
                        row=values['_row'], meter=values['_code']))
            seen.add(key)
            values['meter'] = meter.id
        to_create = []
        if not errors:
            to_create = [{k: v for k, v in values.items() if k != '_code'}
                for values in parsed]
            # check readings row by row so that every bad row is reported
            for values in to_create:
                try:
                    cls.compute_values([dict(values)])
                except ReadingError as exception:
                    errors.append(exception.message)
        if errors:
            raise ReadingImportError(gettext(
                    'pm_billing.msg_import_failed', count=len(errors),
                    errors='\n'.join(errors[:50])))
        if not to_create:
            raise ReadingImportError(gettext('pm_billing.msg_import_empty'))
        return cls.create(to_create)

class ImportReadingsStart(ModelView):
    __name__ = 'pm.meter.reading.import.start'
    __string__ = "Import Meter Readings"

    company = fields.Many2One('company.company', "Company", readonly=True)
    file_ = fields.Binary("Excel File", required=True, filename='filename')
    filename = fields.Char("File Name")
    date = fields.Date("Default Date",
        help="Used for the rows whose date cell is empty.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')


class ImportReadings(Wizard):
    "Import Meter Readings"
    __name__ = 'pm.meter.reading.import'

    start = StateView('pm.meter.reading.import.start',
        'pm_billing.reading_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def transition_import_(self):
        pool = Pool()
        Reading = pool.get('pm.meter.reading')
        Reading.import_xlsx(
            self.start.file_, company=self.start.company,
            default_date=self.start.date)
        return 'end'




class ReadingTemplate(Report):
    "Meter Reading Sheet"
    __name__ = 'pm.meter.reading.template'

    @classmethod
    def _execute(cls, records, header, data, action):
        import openpyxl
        pool = Pool()
        Meter = pool.get('pm.meter')
        Reading = pool.get('pm.meter.reading')
        meters = records
        last = Reading.last_values([m.id for m in meters])
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "抄表"
        sheet.append([label for _, label in SHEET_HEADER])
        types = dict(Meter.fields_get(
                ['meter_type'])['meter_type']['selection'])
        for meter in meters:
            date, value = last.get(meter.id, (None, meter.initial_value))
            sheet.append([
                    meter.code,
                    meter.unit.code if meter.unit else '',
                    types.get(meter.meter_type, meter.meter_type),
                    float(value), date, None, None, None, None])
        for column, width in zip('ABCDEFGHI', (16, 14, 8, 12, 14, 12, 14,
                    12, 20)):
            sheet.column_dimensions[column].width = width
        output = io.BytesIO()
        workbook.save(output)
        return 'xlsx', output.getvalue()
