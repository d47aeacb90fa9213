# This file is part of the pm suite (物业管理系统). See README.md.
"""The onboarding import: validate every row, then write set-based.

`Importer(company, date, batch).run(data)` takes
``{sheet key: [(row number, {column key: raw value})]}`` (from Excel, a
legacy DBF mapping or a JSON archive), checks every row of every sheet and
records every problem as (sheet, row, column, reason). When there is any
problem nothing is written. Otherwise each sheet is written in dependency
order: existing records are matched by their codes (natural keys); a record
whose values are all equal is left alone, changed columns are written (an
empty cell never clears a value), new records are created in one batch.

Opening balances 期初 are posted into accounting against the account of the
configured opening payment method (期初建账):

* arrears 期初欠费 become posted bills without billing run (one line per
  charge item, key ``opening:<unit>:<item>:<start>``) whose receivable
  lines are debited against the opening account, so they are in the arrears
  aging and the receivables of the balance sheet;
* prepayments 期初预存 are receipts of the opening method without bills
  (debit the opening account, credit the prepayment account) — the
  prepayment buckets of pm_billing;
* deposits held 期初押金 are `pm.deposit` records received with the opening
  method (debit the opening account, credit the deposit liability).

A changed opening amount is never an edit of posted entries: the old item is
reversed (bill reversed, receipt voided, deposit refunded to the opening
account) and the new amount posted.
"""
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.modules.pm_billing.sqlbulk import (
    allocate_ids, audit_values, bulk_insert, bulk_update_columns)
from trytond.modules.pm_customer.party import (
    is_valid_mobile, normalize_id_number, normalize_mobile,
    resident_id_error, resident_id_gender)
from trytond.modules.pm_estate.mixin import id_batches
from trytond.modules.pm_parking.plate import normalize_plate, plate_type
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access

from .bulk import read_columns, same, sql_create
from .sheets import SHEET, SHEETS, CellError

ZERO = Decimal(0)
CENT = Decimal('0.01')
HUNDRED = Decimal(100)


class _New:
    "Placeholder id of a record the import creates"
    def __repr__(self):
        return 'NEW'


NEW = _New()


class Ref:
    __slots__ = ('kind', 'key')

    def __init__(self, kind, key):
        self.kind = kind
        self.key = key


def _dec(value):
    return Decimal(str(value or 0)).quantize(CENT)


class Plan:
    def __init__(self):
        self.create = []     # (key, values)
        self.update = []     # (id, changes)
        self.unchanged = 0
        self.extra = {}


class Importer:

    def __init__(self, company, date, batch=None):
        self.pool = Pool()
        self.company = company
        self.date = date
        self.batch = batch
        self.errors = []
        self.refs = defaultdict(dict)
        self.plans = {}
        self.stats = {}
        self.units = {}         # unit id -> (estate, building, billing party)

    # --- entry points ----------------------------------------------------
    def run(self, data):
        "Validate, then write when there is no error; return True if written"
        self.validate(data)
        if self.errors:
            return False
        self.apply()
        return True

    def error(self, sheet, row, column, reason):
        self.errors.append((sheet, row, column, reason))

    # --- validation ------------------------------------------------------
    def prelock(self, data):
        """Take the locks posting the opening balances needs before any
        work: Tryton restarts the transaction to take a lock"""
        if not any(data.get(k) for k in ['arrears', 'prepayment', 'deposit']):
            return
        pool = self.pool
        Config = pool.get('pm.configuration')
        Receipt = pool.get('pm.receipt')
        Period = pool.get('account.period')
        method = Config(1).opening_method
        if not method:
            return
        periods = Period.search([
                ('company', '=', self.company.id),
                ('start_date', '<=', self.date),
                ('end_date', '>=', self.date),
                ('type', '=', 'standard'),
                ('state', '=', 'open'),
                ], limit=1)
        if not periods:
            self.error(None, None, None, gettext(
                    'pm_onboarding.msg_no_period', date=self.date))
            return
        period, = periods
        period.move_sequence_used.lock()
        if data.get('prepayment'):
            Receipt.bulk_prelock(self.company, method, self.date, [])

    def validate(self, data):
        self.prelock(data)
        parsed = {}
        for sheet in SHEETS:
            rows = []
            for number, raw in data.get(sheet.key, []):
                values, ok = {}, True
                for column in sheet.columns:
                    if column.key not in raw:
                        if column.required:
                            self.error(sheet.key, number, column.key,
                                gettext('pm_onboarding.msg_required'))
                            ok = False
                        continue
                    try:
                        value = column.parse(raw[column.key])
                    except CellError as exception:
                        self.error(sheet.key, number, column.key,
                            exception.args[0])
                        ok = False
                        continue
                    if value is None and column.required:
                        self.error(sheet.key, number, column.key,
                            gettext('pm_onboarding.msg_required'))
                        ok = False
                    values[column.key] = value
                if ok:
                    rows.append((number, values))
            parsed[sheet.key] = rows
        self._load_refs(parsed)
        self._reserve_keys(data)
        for sheet in SHEETS:
            plan = self.plans[sheet.key] = Plan()
            getattr(self, '_plan_' + sheet.key)(parsed[sheet.key], plan)
        return not self.errors

    def _reserve_keys(self, data):
        """Know the codes of every row of the master sheets, even of wrong
        rows: a reference to a wrong row is not reported again"""
        from .sheets import text
        keys = {
            'estate': ('estate', ['code']),
            'building': ('building', ['estate', 'code']),
            'unit': ('unit', ['estate', 'code']),
            'customer': ('party', ['code']),
            'lot': ('lot', ['estate', 'code']),
            'space': ('space', ['number']),
            }
        for sheet, (kind, names) in keys.items():
            for _, raw in data.get(sheet, []):
                key = tuple(text(raw.get(n)) for n in names)
                if not all(key):
                    continue
                key = key[0] if len(key) == 1 else key
                self.refs[kind].setdefault(key, NEW)

    def _ref(self, sheet, row, column, kind, key, required=True):
        "Return a Ref to the record of the key, None (and an error) if unknown"
        if key is None or (isinstance(key, tuple) and None in key):
            return None
        if key in self.refs[kind]:
            return Ref(kind, key)
        if required:
            shown = key[-1] if isinstance(key, tuple) else key
            self.error(sheet, row, column, gettext(
                    'pm_onboarding.msg_unknown_%s' % kind, code=shown))
        return None

    def _id(self, value):
        if isinstance(value, Ref):
            return self.refs[value.kind][value.key]
        return value

    def _materialize(self, values):
        return {k: self._id(v) for k, v in values.items()}

    def _duplicate(self, sheet, row, key, seen):
        if key in seen:
            self.error(sheet, row, None, gettext(
                    'pm_onboarding.msg_duplicate', row=seen[key]))
            return True
        seen[key] = row
        return False

    def _load_refs(self, parsed):
        pool = self.pool
        cursor = Transaction().connection.cursor()
        company = self.company.id
        codes = defaultdict(set)
        for key, rows in parsed.items():
            for _, values in rows:
                if values.get('estate'):
                    codes['estate'].add(values['estate'])
                for name in ['customer', 'owner']:
                    if values.get(name):
                        codes['party'].add(values[name])
                if key == 'customer':
                    codes['party'].add(values['code'])
                if key == 'estate':
                    codes['estate'].add(values['code'])
                if key in {'unit', 'occupancy', 'space', 'vehicle', 'meter',
                        'assignment', 'arrears', 'prepayment', 'deposit'}:
                    unit = values.get('code' if key == 'unit' else 'unit')
                    if unit:
                        codes['unit'].add(unit)
                if key == 'space':
                    codes['space'].add(values['number'])
                if key == 'vehicle':
                    codes['vehicle'].add(normalize_plate(values['plate']))
                    for number in self._space_numbers(values.get('spaces')):
                        codes['space'].add(number)
                if key == 'meter':
                    codes['meter'].add(values['code'])
        Estate = pool.get('pm.estate')
        table = Estate.__table__()
        estate_codes = {}
        for sub in id_batches(sorted(codes['estate'])):
            cursor.execute(*table.select(table.id, table.code,
                    where=(table.company == company) & table.code.in_(sub)))
            for id_, code in cursor:
                self.refs['estate'][code] = id_
                estate_codes[id_] = code
        estate_ids = list(estate_codes)
        for kind, model in [('building', 'pm.building'),
                ('lot', 'pm.parking.lot')]:
            table = pool.get(model).__table__()
            for sub in id_batches(estate_ids):
                cursor.execute(*table.select(table.id, table.estate,
                        table.code, where=table.estate.in_(sub)))
                for id_, estate, code in cursor:
                    self.refs[kind][(estate_codes[estate], code)] = id_
        Unit = pool.get('pm.unit')
        table = Unit.__table__()
        for sub in id_batches(sorted(codes['unit'])):
            cursor.execute(*table.select(table.id, table.estate, table.code,
                    table.building, table.billing_party,
                    where=(table.company == company) & table.code.in_(sub)))
            for id_, estate, code, building, party in cursor:
                if estate in estate_codes:
                    self.refs['unit'][(estate_codes[estate], code)] = id_
                    self.units[id_] = (estate, building, party)
        Party = pool.get('party.party')
        table = Party.__table__()
        for sub in id_batches(sorted(codes['party'])):
            cursor.execute(*table.select(table.id, table.code,
                    where=table.code.in_(sub)))
            for id_, code in cursor:
                self.refs['party'][code] = id_
        for kind, model, field in [
                ('space', 'pm.parking.space', 'number'),
                ('vehicle', 'pm.vehicle', 'plate'),
                ('meter', 'pm.meter', 'code')]:
            table = pool.get(model).__table__()
            column = getattr(table, field)
            for sub in id_batches(sorted(codes[kind])):
                cursor.execute(*table.select(table.id, column,
                        where=(table.company == company) & column.in_(sub)))
                for id_, code in cursor:
                    self.refs[kind][code] = id_
        Item = pool.get('pm.charge.item')
        table = Item.__table__()
        cursor.execute(*table.select(table.id, table.code,
                where=table.company == company))
        item_codes = {}
        for id_, code in cursor:
            self.refs['item'][code] = id_
            item_codes[id_] = code
        Rate = pool.get('pm.charge.rate')
        table = Rate.__table__()
        cursor.execute(*table.select(table.id, table.charge_item, table.name,
                table.method, where=table.company == company))
        self.rate_methods = {}
        names = defaultdict(list)
        for id_, item, name, method in cursor:
            self.refs['rate'][(item_codes.get(item), name)] = id_
            self.rate_methods[id_] = method
            names[name].append(id_)
        for name, ids in names.items():
            if len(ids) == 1:
                self.refs['rate_name'][name] = ids[0]

    @staticmethod
    def _space_numbers(text):
        if not text:
            return []
        return [n.strip() for n in text.replace('，', ',').replace(
                    '、', ',').split(',') if n.strip()]

    def _plan(self, sheet, plan, Model, kind, items, fixed=None):
        """Split (row, key, values) into creates, updates and unchanged
        records and register the new keys"""
        existing = {key: self.refs[kind][key] for _, key, _ in items
            if self.refs[kind].get(key, NEW) is not NEW}
        names = sorted({n for _, _, values in items for n in values
                if n in Model._fields and not n.startswith('_')})
        current = read_columns(Model, list(existing.values()), names)
        for row, key, values in items:
            if key in existing:
                id_ = existing[key]
                old = current.get(id_, {})
                changes = {n: v for n, v in values.items()
                    if n in old and v is not None
                    and not same(self._id(v), old[n])}
                if changes:
                    plan.update.append((id_, changes))
                else:
                    plan.unchanged += 1
            else:
                self.refs[kind][key] = NEW
                plan.create.append((key, dict(fixed or {}, **values)))

    # --- master data -----------------------------------------------------
    def _plan_estate(self, rows, plan):
        items, seen = [], {}
        for row, v in rows:
            if self._duplicate('estate', row, v['code'], seen):
                continue
            if v.get('land_area') is not None and v['land_area'] < 0:
                self.error('estate', row, 'land_area',
                    gettext('pm_onboarding.msg_negative'))
                continue
            items.append((row, v['code'], {k: v[k] for k in v}))
        self._plan('estate', plan, self.pool.get('pm.estate'), 'estate',
            items, fixed={'company': self.company.id})

    def _plan_building(self, rows, plan):
        items, seen = [], {}
        for row, v in rows:
            estate = self._ref('building', row, 'estate', 'estate',
                v['estate'])
            key = (v['estate'], v['code'])
            if not estate or self._duplicate('building', row, key, seen):
                continue
            bad = False
            for name in ['floors_above', 'floors_below', 'entrances',
                    'elevators']:
                if v.get(name) is not None and v[name] < 0:
                    self.error('building', row, name,
                        gettext('pm_onboarding.msg_negative'))
                    bad = True
            if bad:
                continue
            values = {k: v[k] for k in v if k != 'estate'}
            values['estate'] = estate
            if not values.get('name') and 'name' in values:
                values['name'] = None
            items.append((row, key, values))
        for _, key, values in items:
            if self.refs['building'].get(key, NEW) is NEW and not values.get(
                    'name'):
                values['name'] = key[1]
        self._plan('building', plan, self.pool.get('pm.building'),
            'building', items, fixed={'company': self.company.id})

    def _plan_unit(self, rows, plan):
        items, seen = [], {}
        for row, v in rows:
            estate = self._ref('unit', row, 'estate', 'estate', v['estate'])
            key = (v['estate'], v['code'])
            if not estate or self._duplicate('unit', row, key, seen):
                continue
            building = None
            if v.get('building'):
                building = self._ref('unit', row, 'building', 'building',
                    (v['estate'], v['building']))
                if not building:
                    continue
            bad = False
            for name in ['built_area', 'inner_area', 'chargeable_area']:
                if v.get(name) is not None and v[name] < 0:
                    self.error('unit', row, name,
                        gettext('pm_onboarding.msg_negative'))
                    bad = True
            if (v.get('built_area') is not None
                    and v.get('inner_area') is not None
                    and v['inner_area'] > v['built_area']):
                self.error('unit', row, 'inner_area',
                    gettext('pm_onboarding.msg_inner_area'))
                bad = True
            if bad:
                continue
            values = {k: v[k] for k in v if k not in {'estate', 'building'}}
            values['estate'] = estate
            if 'building' in v:
                values['building'] = building
            items.append((row, key, values))
        self._plan('unit', plan, self.pool.get('pm.unit'), 'unit', items,
            fixed={'company': self.company.id})
        for key, values in plan.create:
            if values.get('chargeable_area') is None:
                values['chargeable_area'] = values.get('built_area')
            values.setdefault('usage', 'residential')
            if values.get('usage') is None:
                values['usage'] = 'residential'

    def _plan_customer(self, rows, plan):
        pool = self.pool
        FieldAccess = pool.get('ir.model.field.access')
        # wizards run without access checks: check the user's field access
        with check_access():
            may_id = FieldAccess.check(
                'party.party', ['id_number'], 'write', raise_exception=False)
        items, seen = [], {}
        mobiles = {}
        for row, v in rows:
            if self._duplicate('customer', row, v['code'], seen):
                continue
            values = {k: v[k] for k in v if k not in {'mobile'}}
            if v.get('id_number'):
                if not may_id:
                    self.error('customer', row, 'id_number',
                        gettext('pm_onboarding.msg_id_number_access'))
                    continue
                number = normalize_id_number(v['id_number'])
                values['id_number'] = number
                id_type = v.get('id_type') or 'resident_id'
                values['id_type'] = id_type
                if id_type == 'resident_id' and resident_id_error(number):
                    self.error('customer', row, 'id_number',
                        gettext('pm_onboarding.msg_id_number'))
                    continue
            if v.get('mobile'):
                mobile = normalize_mobile(v['mobile'])
                if not is_valid_mobile(mobile):
                    self.error('customer', row, 'mobile', gettext(
                            'pm_onboarding.msg_mobile', value=v['mobile']))
                    continue
                mobiles[v['code']] = mobile
            items.append((row, v['code'], values))
        # the same identity number twice in the file
        numbers = {}
        for row, key, values in items:
            if values.get('id_number'):
                number = (values.get('id_type'), values['id_number'])
                if number in numbers:
                    self.error('customer', row, 'id_number', gettext(
                            'pm_onboarding.msg_duplicate',
                            row=numbers[number]))
                numbers[number] = row
        self._plan('customer', plan, pool.get('party.party'), 'party',
            items)
        plan.extra['mobiles'] = mobiles
        for key, values in plan.create:
            values.setdefault('customer_type', 'person')
            if values.get('customer_type') is None:
                values['customer_type'] = 'person'

    def _existing_occupancies(self, unit_ids):
        Occupancy = self.pool.get('pm.occupancy')
        table = Occupancy.__table__()
        cursor = Transaction().connection.cursor()
        rows = defaultdict(list)
        for sub in id_batches([u for u in unit_ids if u is not NEW]):
            cursor.execute(*table.select(table.id, table.unit, table.party,
                    table.role, table.share, table.start_date,
                    table.end_date, where=table.unit.in_(sub)))
            for id_, unit, party, role, share, start, end in cursor:
                rows[unit].append({'id': id_, 'party': party, 'role': role,
                        'share': Decimal(str(share or 0)),
                        'start_date': read_date(start),
                        'end_date': read_date(end)})
        return rows

    def _plan_occupancy(self, rows, plan):
        items, seen = [], {}
        Occupancy = self.pool.get('pm.occupancy')
        billing = {}
        for row, v in rows:
            unit = self._ref('occupancy', row, 'unit', 'unit',
                (v['estate'], v['unit']))
            party = self._ref('occupancy', row, 'customer', 'party',
                v['customer'])
            if not unit or not party:
                continue
            key = (v['estate'], v['unit'], v['customer'], v['role'],
                v['start_date'])
            if self._duplicate('occupancy', row, key, seen):
                continue
            if v.get('end_date') and v['end_date'] < v['start_date']:
                self.error('occupancy', row, 'end_date',
                    gettext('pm_onboarding.msg_end_before_start'))
                continue
            share = v.get('share')
            if v['role'] == 'owner':
                if share is None:
                    share = HUNDRED
                if not (ZERO < share <= HUNDRED):
                    self.error('occupancy', row, 'share',
                        gettext('pm_onboarding.msg_share'))
                    continue
            else:
                share = None
            owner = None
            if v['role'] == 'family':
                if not v.get('relation'):
                    self.error('occupancy', row, 'relation',
                        gettext('pm_onboarding.msg_required'))
                    continue
                if v.get('owner'):
                    owner = self._ref('occupancy', row, 'owner', 'party',
                        v['owner'])
                    if not owner:
                        continue
            values = {
                'unit': unit, 'party': party, 'role': v['role'],
                'share': share, 'start_date': v['start_date'],
                'end_date': v.get('end_date'),
                'relation': v.get('relation') if v['role'] == 'family'
                else None,
                'owner': owner,
                }
            if v.get('billing') and v['role'] == 'owner':
                billing[(v['estate'], v['unit'])] = v['customer']
            items.append((row, key, values))
        # periods: one role at a time per party, owners' shares ≤ 100 %
        unit_ids = {self.refs['unit'][(k[0], k[1])] for _, k, _ in items}
        existing = self._existing_occupancies(unit_ids)
        party_codes = {id_: code for code, id_ in self.refs['party'].items()
            if id_ is not NEW}
        unit_codes = {id_: key for key, id_ in self.refs['unit'].items()
            if id_ is not NEW}
        for unit_id, olds in existing.items():
            for old in olds:
                code = party_codes.get(old['party'])
                if code:
                    self.refs['occupancy'][(*unit_codes[unit_id], code,
                            old['role'], old['start_date'])] = old['id']
        by_unit = defaultdict(list)
        for row, key, values in items:
            by_unit[(key[0], key[1])].append((row, key, values))
        for unit_key, unit_items in by_unit.items():
            unit_id = self.refs['unit'][unit_key]
            file_parties = {}
            merged = []
            for row, key, values in unit_items:
                merged.append({'row': row, 'party': key[2], 'role': key[3],
                        'share': values['share'] or ZERO,
                        'start_date': values['start_date'],
                        'end_date': values['end_date']})
                file_parties[(key[2], key[3], key[4])] = row
            for old in existing.get(unit_id, []):
                party = party_codes.get(old['party'], old['party'])
                if (party, old['role'], old['start_date']) \
                        not in file_parties:
                    merged.append(dict(old, party=party, row=None))
            self._check_periods(merged, Occupancy)
        self._plan('occupancy', plan, Occupancy, 'occupancy', items,
            fixed={'company': self.company.id})
        plan.extra['billing'] = billing

    def _check_periods(self, rows, Occupancy):
        def overlap(a, b):
            return ((a['end_date'] is None or a['end_date'] >= b['start_date'])
                and (b['end_date'] is None
                    or b['end_date'] >= a['start_date']))
        groups = defaultdict(list)
        for r in rows:
            groups[(r['party'], r['role'])].append(r)
        for group in groups.values():
            group.sort(key=lambda r: r['start_date'])
            for a, b in zip(group, group[1:]):
                if overlap(a, b) and (a['row'] or b['row']):
                    self.error('occupancy', b['row'] or a['row'],
                        'start_date',
                        gettext('pm_onboarding.msg_occupancy_overlap'))
        owners = [r for r in rows if r['role'] == 'owner']
        for date in sorted({r['start_date'] for r in owners}):
            current = [r for r in owners
                if Occupancy.is_current(r['start_date'], r['end_date'], date)]
            if sum(r['share'] for r in current) > HUNDRED:
                row = max((r['row'] for r in current if r['row']),
                    default=None)
                if row:
                    self.error('occupancy', row, 'share',
                        gettext('pm_onboarding.msg_share_total'))
                    break

    # --- parking ---------------------------------------------------------
    def _plan_lot(self, rows, plan):
        items, seen = [], {}
        for row, v in rows:
            estate = self._ref('lot', row, 'estate', 'estate', v['estate'])
            key = (v['estate'], v['code'])
            if not estate or self._duplicate('lot', row, key, seen):
                continue
            if v.get('capacity') is not None and v['capacity'] < 0:
                self.error('lot', row, 'capacity',
                    gettext('pm_onboarding.msg_negative'))
                continue
            values = {k: v[k] for k in v if k != 'estate'}
            values['estate'] = estate
            items.append((row, key, values))
        self._plan('lot', plan, self.pool.get('pm.parking.lot'), 'lot',
            items)
        for _, values in plan.create:
            values['lot_type'] = values.get('lot_type') or 'underground'
            values['capacity'] = values.get('capacity') or 0

    def _plan_space(self, rows, plan):
        items, seen = [], {}
        for row, v in rows:
            lot = self._ref('space', row, 'lot', 'lot',
                (v['estate'], v['lot']))
            if not lot or self._duplicate('space', row, v['number'], seen):
                continue
            unit = customer = None
            if v.get('unit'):
                unit = self._ref('space', row, 'unit', 'unit',
                    (v['estate'], v['unit']))
                if not unit:
                    continue
            if v.get('customer'):
                customer = self._ref('space', row, 'customer', 'party',
                    v['customer'])
                if not customer:
                    continue
            elif v.get('ownership') == 'property':
                self.error('space', row, 'customer',
                    gettext('pm_onboarding.msg_property_customer'))
                continue
            if v.get('area') is not None and v['area'] < 0:
                self.error('space', row, 'area',
                    gettext('pm_onboarding.msg_negative'))
                continue
            values = {k: v[k] for k in v
                if k not in {'estate', 'lot', 'unit', 'customer'}}
            values.update(lot=lot, unit=unit, customer=customer)
            items.append((row, v['number'], values))
        self._plan('space', plan, self.pool.get('pm.parking.space'),
            'space', items)
        for _, values in plan.create:
            values['space_type'] = values.get('space_type') or 'standard'
            values['ownership'] = values.get('ownership') or 'rental'

    def _plan_vehicle(self, rows, plan):
        items, seen = [], {}
        spaces = {}
        for row, v in rows:
            plate = normalize_plate(v['plate'])
            if plate_type(plate) is None:
                self.error('vehicle', row, 'plate', gettext(
                        'pm_onboarding.msg_plate', value=v['plate']))
                continue
            if self._duplicate('vehicle', row, plate, seen):
                continue
            owner = self._ref('vehicle', row, 'owner', 'party', v['owner'])
            if not owner:
                continue
            unit = None
            if v.get('unit'):
                unit = self._ref('vehicle', row, 'unit', 'unit',
                    (v.get('estate'), v['unit']))
                if not unit:
                    if not v.get('estate'):
                        self.error('vehicle', row, 'estate',
                            gettext('pm_onboarding.msg_required'))
                    continue
            space_refs = []
            for number in self._space_numbers(v.get('spaces')):
                ref = self._ref('vehicle', row, 'spaces', 'space', number)
                if ref:
                    space_refs.append(ref)
            values = {k: v[k] for k in ['vehicle_type', 'model', 'colour']
                if k in v}
            values.update(plate=plate, owner=owner, unit=unit)
            spaces[plate] = space_refs
            items.append((row, plate, values))
        self._plan('vehicle', plan, self.pool.get('pm.vehicle'), 'vehicle',
            items, fixed={'company': self.company.id})
        for _, values in plan.create:
            values['vehicle_type'] = values.get('vehicle_type') or 'car'
        plan.extra['spaces'] = spaces
        # spaces of existing vehicles: the file's spaces are added
        Link = self.pool.get('pm.vehicle-pm.parking.space')
        link = Link.__table__()
        cursor = Transaction().connection.cursor()
        vehicles = {self.refs['vehicle'][p]: p for p in spaces
            if self.refs['vehicle'].get(p, NEW) is not NEW}
        linked = defaultdict(set)
        for sub in id_batches(sorted(vehicles)):
            cursor.execute(*link.select(link.vehicle, link.space,
                    where=link.vehicle.in_(sub)))
            for vehicle, space in cursor:
                linked[vehicle].add(space)
        updated = {id_: changes for id_, changes in plan.update}
        for vehicle, plate in vehicles.items():
            wanted = [r for r in spaces[plate]
                if self._id(r) not in linked[vehicle]]
            if not wanted:
                continue
            if vehicle not in updated:
                plan.unchanged -= 1
                updated[vehicle] = {}
                plan.update.append((vehicle, updated[vehicle]))
            updated[vehicle]['_spaces'] = wanted

    # --- billing ---------------------------------------------------------
    def _plan_meter(self, rows, plan):
        items, seen = [], {}
        for row, v in rows:
            estate = self._ref('meter', row, 'estate', 'estate', v['estate'])
            if not estate or self._duplicate('meter', row, v['code'], seen):
                continue
            unit = building = rate = None
            if v.get('unit'):
                unit = self._ref('meter', row, 'unit', 'unit',
                    (v['estate'], v['unit']))
                if not unit:
                    continue
            if v.get('building'):
                building = self._ref('meter', row, 'building', 'building',
                    (v['estate'], v['building']))
                if not building:
                    continue
            if not unit:
                if not v.get('rate'):
                    self.error('meter', row, 'rate',
                        gettext('pm_onboarding.msg_shared_meter_rate'))
                    continue
                rate = self._ref('meter', row, 'rate', 'rate_name',
                    v['rate'])
                if not rate:
                    continue
                if self.rate_methods.get(self._id(rate)) != 'shared_meter':
                    self.error('meter', row, 'rate',
                        gettext('pm_onboarding.msg_shared_meter_rate'))
                    continue
            bad = False
            for name in ['multiplier', 'max_value', 'opening_value']:
                if v.get(name) is not None and v[name] < 0:
                    self.error('meter', row, name,
                        gettext('pm_onboarding.msg_negative'))
                    bad = True
            if v.get('multiplier') is not None and v['multiplier'] == 0:
                self.error('meter', row, 'multiplier',
                    gettext('pm_onboarding.msg_positive'))
                bad = True
            if bad:
                continue
            values = {
                'code': v['code'], 'meter_type': v['meter_type'],
                'estate': estate, 'unit': unit, 'building': building,
                'rate': rate, 'multiplier': v.get('multiplier'),
                'max_value': v.get('max_value'),
                'allocation_basis': v.get('allocation_basis'),
                'initial_value': v.get('opening_value'),
                'install_date': v.get('opening_date'),
                }
            items.append((row, v['code'], values))
        self._plan('meter', plan, self.pool.get('pm.meter'), 'meter', items,
            fixed={'company': self.company.id})
        for _, values in plan.create:
            if values.get('multiplier') is None:
                values['multiplier'] = Decimal(1)
            if values.get('initial_value') is None:
                values['initial_value'] = ZERO
            if values.get('unit') is None and not values.get(
                    'allocation_basis'):
                values['allocation_basis'] = 'chargeable_area'

    def _plan_assignment(self, rows, plan):
        pool = self.pool
        Assignment = pool.get('pm.charge.assignment')
        items, seen = [], {}
        for row, v in rows:
            unit = self._ref('assignment', row, 'unit', 'unit',
                (v['estate'], v['unit']))
            item = self._ref('assignment', row, 'charge_item', 'item',
                v['charge_item'])
            if not unit or not item:
                continue
            rate = self._ref('assignment', row, 'rate', 'rate',
                (v['charge_item'], v['rate']))
            if not rate:
                continue
            if v.get('end_date') and v['end_date'] < v['start_date']:
                self.error('assignment', row, 'end_date',
                    gettext('pm_onboarding.msg_end_before_start'))
                continue
            if v.get('quantity') is not None and v['quantity'] < 0:
                self.error('assignment', row, 'quantity',
                    gettext('pm_onboarding.msg_negative'))
                continue
            key = (v['estate'], v['unit'], v['charge_item'], v['rate'],
                v['start_date'])
            if self._duplicate('assignment', row, key, seen):
                continue
            values = {'unit': unit, 'rate': rate, 'charge_item': item,
                'start_date': v['start_date'], 'end_date': v.get('end_date'),
                'quantity': v.get('quantity')}
            items.append((row, key, values))
        # existing assignments of the units: matched by key, and overlaps
        table = Assignment.__table__()
        cursor = Transaction().connection.cursor()
        unit_ids = sorted({self.refs['unit'][(k[0], k[1])]
                for _, k, _ in items} - {NEW}, key=int)
        rate_keys = {id_: key for key, id_ in self.refs['rate'].items()}
        existing = defaultdict(list)
        for sub in id_batches(unit_ids):
            cursor.execute(*table.select(table.id, table.unit, table.rate,
                    table.charge_item, table.start_date, table.end_date,
                    where=table.unit.in_(sub)))
            for id_, unit, rate, item, start, end in cursor:
                existing[unit].append((id_, rate, item, read_date(start),
                        read_date(end)))
        unit_keys = {}
        for key, id_ in self.refs['unit'].items():
            unit_keys[id_] = key
        for unit_id, records in existing.items():
            estate_code, unit_code = unit_keys[unit_id]
            for id_, rate, item, start, end in records:
                item_code, rate_name = rate_keys.get(rate, (None, None))
                self.refs['assignment'][(estate_code, unit_code, item_code,
                        rate_name, start)] = id_
        by_unit_item = defaultdict(list)
        file_keys = set()
        for row, key, values in items:
            unit_id = self.refs['unit'][(key[0], key[1])]
            by_unit_item[(key[0], key[1], key[2])].append(
                (row, values['start_date'], values['end_date']))
            file_keys.add(key)
        for unit_id, records in existing.items():
            estate_code, unit_code = unit_keys[unit_id]
            for id_, rate, item, start, end in records:
                item_code, rate_name = rate_keys.get(rate, (None, None))
                key = (estate_code, unit_code, item_code, rate_name, start)
                group = (estate_code, unit_code, item_code)
                if key not in file_keys and group in by_unit_item:
                    by_unit_item[group].append((None, start, end))
        far = None
        for group in by_unit_item.values():
            group.sort(key=lambda r: r[1])
            for a, b in zip(group, group[1:]):
                if (a[2] is far or a[2] >= b[1]) and (a[0] or b[0]):
                    self.error('assignment', b[0] or a[0], 'start_date',
                        gettext('pm_onboarding.msg_assignment_overlap'))
        self._plan('assignment', plan, Assignment, 'assignment', items,
            fixed={'company': self.company.id})

    # --- opening balances ------------------------------------------------
    def _opening_method(self, sheet, row):
        if not hasattr(self, '_method'):
            Config = self.pool.get('pm.configuration')
            self._method = Config(1).opening_method
        method = self._method
        if not method:
            if not getattr(self, '_method_error', False):
                self._method_error = True
                self.error(sheet, row, None,
                    gettext('pm_onboarding.msg_no_opening_method'))
        return method

    def _billing_parties(self, rows):
        """Prepare the default billing party of the units of the rows: the
        owner marked as billing party in the file, the unit's billing party,
        or its only current owner (file and database)"""
        occupancy = self.plans.get('occupancy')
        self._billing = dict(occupancy.extra.get('billing', {})) \
            if occupancy else {}
        self._owners = defaultdict(set)
        if occupancy:
            for key, values in occupancy.create:
                if key[3] == 'owner' and not values['end_date']:
                    self._owners[key[:2]].add(key[2])
        unit_ids = {}
        for _, v in rows:
            unit_id = self.refs['unit'].get((v['estate'], v['unit']))
            if unit_id is not None and unit_id is not NEW and not (
                    self.units.get(unit_id, (None, None, None))[2]):
                unit_ids[unit_id] = (v['estate'], v['unit'])
        for unit_id, olds in self._existing_occupancies(
                list(unit_ids)).items():
            for old in olds:
                if old['role'] == 'owner' and (old['end_date'] is None
                        or old['end_date'] >= self.date):
                    self._owners[unit_ids[unit_id]].add(old['party'])

    def _billing_party(self, estate_code, unit_code):
        "The customer Ref or id billed by default for a unit"
        key = (estate_code, unit_code)
        if key in self._billing:
            return Ref('party', self._billing[key])
        unit_id = self.refs['unit'].get(key)
        if unit_id is not NEW and unit_id in self.units \
                and self.units[unit_id][2]:
            return self.units[unit_id][2]
        owners = self._owners.get(key, set())
        if len(owners) == 1:
            owner, = owners
            return Ref('party', owner) if isinstance(owner, str) else owner

    def _plan_arrears(self, rows, plan):
        items, seen = [], {}
        self._billing_parties(rows)
        for row, v in rows:
            if not self._opening_method('arrears', row):
                return
            unit = self._ref('arrears', row, 'unit', 'unit',
                (v['estate'], v['unit']))
            item = self._ref('arrears', row, 'charge_item', 'item',
                v['charge_item'])
            if not unit or not item:
                continue
            key = (v['estate'], v['unit'], v['charge_item'], v['date_start'])
            if self._duplicate('arrears', row, key, seen):
                continue
            if v['date_end'] < v['date_start']:
                self.error('arrears', row, 'date_end',
                    gettext('pm_onboarding.msg_end_before_start'))
                continue
            if v['amount'] <= 0:
                self.error('arrears', row, 'amount',
                    gettext('pm_onboarding.msg_positive'))
                continue
            if v.get('customer'):
                party = self._ref('arrears', row, 'customer', 'party',
                    v['customer'])
                if not party:
                    continue
            else:
                party = self._billing_party(v['estate'], v['unit'])
                if party is None:
                    self.error('arrears', row, 'customer',
                        gettext('pm_onboarding.msg_no_billing_party'))
                    continue
            items.append((row, key, {
                        'unit': unit, 'charge_item': item, 'party': party,
                        'date_start': v['date_start'],
                        'date_end': v['date_end'],
                        'due_date': v.get('due_date') or v['date_end'],
                        'amount': v['amount']}))
        # existing opening lines: key opening:<unit>:<item>:<start>
        pool = self.pool
        Line = pool.get('pm.bill.line')
        Bill = pool.get('pm.bill')
        line = Line.__table__()
        bill = Bill.__table__()
        cursor = Transaction().connection.cursor()
        keys = {}
        for row, key, values in items:
            unit_id, item_id = self._id(values['unit']), self._id(
                values['charge_item'])
            if unit_id is not NEW:
                keys[opening_key(unit_id, item_id, key[3])] = (row, key,
                    values)
        found = {}
        for sub in id_batches(sorted(keys)):
            cursor.execute(*line.join(bill,
                    condition=line.bill == bill.id).select(
                    line.key, line.bill, line.amount, bill.party,
                    where=line.key.in_(sub) & (line.reversed == False)))  # noqa: E712
            for key, bill_id, amount, party in cursor:
                found[key] = (bill_id, _dec(amount), party)
        to_reverse = set()
        for row, key, values in items:
            unit_id = self._id(values['unit'])
            lkey = opening_key(unit_id, self._id(values['charge_item']),
                key[3]) if unit_id is not NEW else None
            if lkey in found:
                bill_id, amount, party = found[lkey]
                if amount == values['amount'] and party == self._id(
                        values['party']):
                    plan.unchanged += 1
                    continue
                plan.update.append((bill_id, values))
                to_reverse.add(bill_id)
            else:
                plan.create.append((key, values))
        if to_reverse:
            unpaid = Bill.unpaid_by_ids(sorted(to_reverse))
            amounts = read_columns(Bill, sorted(to_reverse), ['amount'])
            for bill_id, values in plan.update:
                if unpaid[bill_id] != _dec(amounts[bill_id]['amount']):
                    self.error('arrears', None, 'amount', gettext(
                            'pm_onboarding.msg_opening_paid',
                            bill=Bill(bill_id).rec_name))
        plan.extra['reverse'] = sorted(to_reverse)

    def _plan_prepayment(self, rows, plan):
        items, seen = [], {}
        method = None
        for row, v in rows:
            method = self._opening_method('prepayment', row)
            if not method:
                return
            unit = self._ref('prepayment', row, 'unit', 'unit',
                (v['estate'], v['unit']))
            party = self._ref('prepayment', row, 'customer', 'party',
                v['customer'])
            item = None
            if v.get('charge_item'):
                item = self._ref('prepayment', row, 'charge_item', 'item',
                    v['charge_item'])
                if not item:
                    continue
            if not unit or not party:
                continue
            key = (v['estate'], v['unit'], v['customer'], v.get(
                    'charge_item'))
            if self._duplicate('prepayment', row, key, seen):
                continue
            if v['amount'] <= 0:
                self.error('prepayment', row, 'amount',
                    gettext('pm_onboarding.msg_positive'))
                continue
            items.append((row, key, {'unit': unit, 'party': party,
                        'item': item, 'amount': v['amount']}))
        if not items:
            return
        existing = self._opening_receipts(method,
            {self._id(i[2]['party']) for i in items} - {NEW})
        for row, key, values in items:
            bucket = (self._id(values['party']), self._id(values['unit']),
                self._id(values['item']))
            if bucket in existing:
                ids, amount = existing[bucket]
                if amount == values['amount']:
                    plan.unchanged += 1
                    continue
                plan.update.append((ids, values))
            else:
                plan.create.append((key, values))

    def _opening_receipts(self, method, party_ids):
        "{(party, unit, item): ([receipt ids], amount)} of the opening method"
        Receipt = self.pool.get('pm.receipt')
        table = Receipt.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub in id_batches(sorted(party_ids)):
            cursor.execute(*table.select(table.id, table.party, table.unit,
                    table.prepayment_item, table.amount,
                    where=table.party.in_(sub)
                    & (table.method == method.id)
                    & (table.state == 'posted') & (table.voids == None)  # noqa: E711
                    & (table.company == self.company.id)))
            for id_, party, unit, item, amount in cursor:
                ids, total = result.get((party, unit, item), ([], ZERO))
                result[(party, unit, item)] = (ids + [id_],
                    total + _dec(amount))
        return result

    def _plan_deposit(self, rows, plan):
        items, seen = [], {}
        for row, v in rows:
            if not self._opening_method('deposit', row):
                return
            party = self._ref('deposit', row, 'customer', 'party',
                v['customer'])
            unit = None
            if v.get('unit'):
                unit = self._ref('deposit', row, 'unit', 'unit',
                    (v['estate'], v['unit']))
                if not unit:
                    continue
            else:
                self._ref('deposit', row, 'estate', 'estate', v['estate'])
            if not party:
                continue
            key = (v['estate'], v.get('unit'), v['customer'], v['kind'],
                v.get('reference'))
            if self._duplicate('deposit', row, key, seen):
                continue
            if v['amount'] <= 0:
                self.error('deposit', row, 'amount',
                    gettext('pm_onboarding.msg_positive'))
                continue
            items.append((row, key, {'unit': unit, 'party': party,
                        'kind': v['kind'], 'amount': v['amount'],
                        'date': self.date,
                        'description': v.get('reference')}))
        if not items:
            return
        Deposit = self.pool.get('pm.deposit')
        table = Deposit.__table__()
        cursor = Transaction().connection.cursor()
        existing = {}
        party_ids = sorted({self._id(i[2]['party']) for i in items} - {NEW},
            key=int)
        for sub in id_batches(party_ids):
            cursor.execute(*table.select(table.id, table.party, table.unit,
                    table.kind, table.description, table.amount,
                    where=table.party.in_(sub) & (table.state == 'held')
                    & table.origin.like('pm.onboarding.batch,%')
                    & (table.company == self.company.id)))
            for id_, party, unit, kind, description, amount in cursor:
                existing[(party, unit, kind, description or None)] = (
                    id_, _dec(amount))
        for row, key, values in items:
            dkey = (self._id(values['party']), self._id(values['unit']),
                values['kind'], values['description'])
            if dkey in existing:
                id_, amount = existing[dkey]
                if amount == values['amount']:
                    plan.unchanged += 1
                    continue
                plan.update.append((id_, values))
            else:
                plan.create.append((key, values))

    # --- writing ---------------------------------------------------------
    def apply(self):
        for sheet in SHEETS:
            plan = self.plans[sheet.key]
            getattr(self, '_apply_' + sheet.key)(plan)
            self.stats[sheet.key] = (
                len(plan.create), len(plan.update), plan.unchanged)

    def _register(self, kind, plan, ids):
        for (key, _), id_ in zip(plan.create, ids):
            self.refs[kind][key] = int(id_)

    def _write(self, Model, plan):
        to_write = []
        for id_, changes in plan.update:
            to_write.extend([[Model(id_)], self._materialize(changes)])
        if to_write:
            Model.write(*to_write)

    def _apply_orm(self, model, kind, plan):
        Model = self.pool.get(model)
        records = Model.create(
            [self._materialize(v) for _, v in plan.create])
        self._register(kind, plan, [r.id for r in records])
        self._write(Model, plan)
        return records

    def _apply_sql(self, model, kind, plan):
        Model = self.pool.get(model)
        ids = sql_create(Model,
            [self._materialize(v) for _, v in plan.create])
        self._register(kind, plan, ids)
        self._write(Model, plan)
        return ids

    def _apply_estate(self, plan):
        self._apply_orm('pm.estate', 'estate', plan)

    def _apply_building(self, plan):
        self._apply_orm('pm.building', 'building', plan)

    def _apply_unit(self, plan):
        ids = self._apply_sql('pm.unit', 'unit', plan)
        for id_, (_, values) in zip(ids, plan.create):
            self.units[id_] = (self._id(values['estate']),
                self._id(values.get('building')), None)

    def _apply_customer(self, plan):
        pool = self.pool
        Mechanism = pool.get('party.contact_mechanism')
        for _, values in plan.create:
            code = values['code']
            values['code_alnum'] = ''.join(
                c for c in code if c.isalnum())
            digits = ''.join(c for c in code if c.isdigit())[-18:]
            values['code_digit'] = int(digits) if digits else None
            if (values.get('id_type') == 'resident_id'
                    and values.get('id_number') and not values.get('gender')
                    and values.get('customer_type') == 'person'):
                values['gender'] = resident_id_gender(values['id_number'])
        self._apply_sql('party.party', 'party', plan)
        mobiles = plan.extra.get('mobiles', {})
        if mobiles:
            table = Mechanism.__table__()
            cursor = Transaction().connection.cursor()
            ids = {code: self.refs['party'][code] for code in mobiles}
            have = set()
            for sub in id_batches(sorted(set(ids.values()))):
                cursor.execute(*table.select(table.party, table.value,
                        where=table.party.in_(sub)
                        & (table.type == 'mobile')))
                have.update(cursor)
            sample = Mechanism(type='mobile')
            to_create = []
            for code, mobile in mobiles.items():
                if (ids[code], mobile) in have:
                    continue
                to_create.append({'party': ids[code], 'type': 'mobile',
                        'value': mobile,
                        'value_compact': sample.format_value_compact(
                            value=mobile, type_='mobile'),
                        'active': True, 'sequence': 10})
            sql_create(Mechanism, to_create)

    def _apply_occupancy(self, plan):
        pool = self.pool
        Unit = pool.get('pm.unit')
        self._apply_sql('pm.occupancy', 'occupancy', plan)
        billing = plan.extra.get('billing', {})
        to_write = []
        for unit_key, party_code in billing.items():
            unit_id = self.refs['unit'][unit_key]
            party_id = self.refs['party'][party_code]
            if self.units.get(unit_id, (None, None, None))[2] != party_id:
                to_write.append((unit_id, party_id))
        if to_write:
            bulk_update_columns(Unit._table, ['billing_party'], to_write)
            for unit_id, party_id in to_write:
                estate, building, _ = self.units.get(
                    unit_id, (None, None, None))
                self.units[unit_id] = (estate, building, party_id)
        unit_ids = sorted({self._id(v['unit']) for _, v in plan.create})
        if unit_ids:
            # the only current owner bills units without billing party
            table = Unit.__table__()
            cursor = Transaction().connection.cursor()
            without = []
            for sub in id_batches(unit_ids):
                cursor.execute(*table.select(table.id, table.estate,
                        table.building, table.billing_party,
                        where=table.id.in_(sub)))
                for id_, estate, building, party in cursor:
                    self.units[id_] = (estate, building, party)
                    if not party:
                        without.append(id_)
            owners = Unit.current_owners(without, self.date)
            pairs = [(u, owners[u][0][0]) for u in without
                if len(owners.get(u, [])) == 1]
            bulk_update_columns(Unit._table, ['billing_party'], pairs)
            for unit_id, party_id in pairs:
                estate, building, _ = self.units[unit_id]
                self.units[unit_id] = (estate, building, party_id)

    def _apply_lot(self, plan):
        self._apply_orm('pm.parking.lot', 'lot', plan)

    def _apply_space(self, plan):
        self._apply_orm('pm.parking.space', 'space', plan)

    def _apply_vehicle(self, plan):
        pool = self.pool
        Vehicle = pool.get('pm.vehicle')
        spaces = plan.extra.get('spaces', {})
        vlist = []
        for key, values in plan.create:
            values = self._materialize(values)
            space_ids = [self._id(r) for r in spaces.get(key, [])]
            if space_ids:
                values['spaces'] = [('add', space_ids)]
            vlist.append(values)
        records = Vehicle.create(vlist)
        self._register('vehicle', plan, [r.id for r in records])
        to_write = []
        for id_, changes in plan.update:
            changes = dict(changes)
            wanted = changes.pop('_spaces', [])
            values = self._materialize(changes)
            if wanted:
                values['spaces'] = [('add', [self._id(r) for r in wanted])]
            to_write.extend([[Vehicle(id_)], values])
        if to_write:
            Vehicle.write(*to_write)

    def _apply_meter(self, plan):
        self._apply_sql('pm.meter', 'meter', plan)

    def _apply_assignment(self, plan):
        self._apply_sql('pm.charge.assignment', 'assignment', plan)

    def _apply_arrears(self, plan):
        if plan.extra.get('reverse'):
            self._reverse_bills(plan.extra['reverse'])
        items = [self._materialize(v) for _, v in plan.create] + [
            self._materialize(v) for _, v in plan.update]
        if items:
            post_opening_bills(self.company, self.date, items, self.batch,
                self.units)

    def _apply_prepayment(self, plan):
        pool = self.pool
        Receipt = pool.get('pm.receipt')
        Config = pool.get('pm.configuration')
        if not plan.create and not plan.update:
            return
        method = Config(1).opening_method
        if plan.update:
            Receipt.void(Receipt.browse(
                    [i for ids, _ in plan.update for i in ids]))
        payments = [self._materialize(v) for _, v in plan.create] + [
            self._materialize(v) for _, v in plan.update]
        Receipt.bulk_prelock(self.company, method, self.date, [])
        ids = Receipt.bulk_post(self.company, method, self.date, [{
                    'party': p['party'], 'unit': p['unit'],
                    'amount': p['amount'], 'bills': []} for p in payments],
            origin=self.batch)
        earmarked = [(id_, p['item']) for id_, p in zip(ids, payments)
            if p['item']]
        if earmarked:
            bulk_update_columns(Receipt._table, ['prepayment_item'],
                earmarked)

    def _apply_deposit(self, plan):
        pool = self.pool
        Deposit = pool.get('pm.deposit')
        Config = pool.get('pm.configuration')
        if not plan.create and not plan.update:
            return
        method = Config(1).opening_method
        if plan.update:
            for id_, _ in plan.update:
                deposit = Deposit(id_)
                Deposit.settle([deposit], refund=deposit.amount,
                    forfeit=ZERO, reason=gettext(
                        'pm_onboarding.msg_opening_correction'),
                    method=method)
        values = [self._materialize(v) for _, v in plan.create] + [
            self._materialize(v) for _, v in plan.update]
        deposits = Deposit.create([dict(v, company=self.company.id,
                    method=method.id, currency=self.company.currency.id,
                    origin=str(self.batch) if self.batch else None)
                for v in values])
        Deposit.receive(deposits)

    def _reverse_bills(self, bill_ids):
        "Reverse opening bills against the opening account"
        pool = self.pool
        Bill = pool.get('pm.bill')
        Line = pool.get('pm.bill.line')
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        Config = pool.get('pm.configuration')
        method = Config(1).opening_method
        bills = Bill.browse(bill_ids)
        moves = []
        for bill in bills:
            date = max(self.date, bill.move.date)
            moves.append(Move(
                    company=bill.company, journal=method.journal,
                    period=Period.find(bill.company, date=date), date=date,
                    origin=bill,
                    description=gettext(
                        'pm_onboarding.msg_opening_correction'),
                    lines=[
                        MoveLine(account=bill.receivable_line.account,
                            party=bill.party, debit=ZERO,
                            credit=bill.amount, origin=str(bill)),
                        MoveLine(account=method.account, debit=bill.amount,
                            credit=ZERO),
                        ]))
        Move.save(moves)
        Move.post(moves)
        for bill, move in zip(bills, moves):
            reversal = [l for l in move.lines
                if l.account == bill.receivable_line.account]
            MoveLine.reconcile([bill.receivable_line] + reversal)
        uid, now = audit_values()
        bulk_update_columns(Bill._table, ['reversal_move'],
            [(b.id, m.id) for b, m in zip(bills, moves)],
            extra={'state': 'cancelled', 'write_uid': uid,
                'write_date': now})
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.update([line.reversed], [True],
                where=line.bill.in_(bill_ids)))


def read_date(value):
    from .bulk import normalize
    return normalize(value)


def opening_key(unit_id, item_id, date_start):
    return f'opening:{unit_id}:{item_id}:{date_start.isoformat()}'


def post_opening_bills(company, date, items, batch, units):
    """Write and post the opening arrears as bills, set-based.

    items: dicts with unit, charge_item, party, date_start, date_end,
    due_date, amount (ids and values). One bill per unit, party, period and
    due date with one line per charge item; one move per estate debiting
    each bill's receivable and crediting the opening account."""
    pool = Pool()
    Bill = pool.get('pm.bill')
    Line = pool.get('pm.bill.line')
    Move = pool.get('account.move')
    MoveLine = pool.get('account.move.line')
    Period = pool.get('account.period')
    Config = pool.get('pm.configuration')
    AccountConfig = pool.get('account.configuration')
    Estate = pool.get('pm.estate')
    Unit = pool.get('pm.unit')
    method = Config(1).opening_method
    with Transaction().set_context(company=company.id):
        receivable = AccountConfig(1).get_multivalue(
            'default_account_receivable', company=company.id)
    period = Period.find(company, date=date)
    period.move_sequence_used.lock()
    missing = sorted({i['unit'] for i in items} - set(units))
    if missing:
        for values in read_columns(Unit, missing,
                ['estate', 'building', 'billing_party']).items():
            id_, row = values
            units[id_] = (row['estate'], row['building'],
                row['billing_party'])
    groups = defaultdict(list)
    for item in items:
        groups[(item['unit'], item['party'], item['date_start'],
                item['date_end'], item['due_date'])].append(item)
    keys = list(groups)
    bill_ids = allocate_ids(Bill._table, len(keys))
    uid, now = audit_values()
    bill_rows, line_rows = [], []
    line_ids = iter(allocate_ids(Line._table, len(items)))
    by_estate = defaultdict(list)
    for bill_id, key in zip(bill_ids, keys):
        unit, party, start, end, due = key
        estate, building, _ = units[unit]
        amount = sum((i['amount'] for i in groups[key]), ZERO)
        bill_rows.append((bill_id, 'QC%08d' % bill_id, company.id, None,
                unit, estate, building, party, start, end, due,
                company.currency.id, amount, 'draft', uid, now))
        by_estate[estate].append((bill_id, party, amount, due))
        for item in groups[key]:
            line_rows.append((next(line_ids), bill_id, company.id, unit,
                    party, item['charge_item'], None, start, end,
                    Decimal(1), item['amount'], item['amount'], None, ZERO,
                    '期初欠费', None, None,
                    opening_key(unit, item['charge_item'], start), False,
                    uid, now))
    bulk_insert(Bill._table, [
            'id', 'number', 'company', 'run', 'unit', 'estate', 'building',
            'party', 'date_start', 'date_end', 'due_date', 'currency',
            'amount', 'state', 'create_uid', 'create_date'], bill_rows)
    bulk_insert(Line._table, [
            'id', 'bill', 'company', 'unit', 'party', 'charge_item', 'rate',
            'date_start', 'date_end', 'quantity', 'unit_price', 'amount',
            'tax', 'tax_amount', 'description', 'meter', 'reading', 'key',
            'reversed', 'create_uid', 'create_date'], line_rows)
    estates = {e.id: e for e in Estate.browse(list(by_estate))}
    description = gettext('pm_onboarding.msg_opening_arrears_move')
    moves = Move.create([{
                'company': company.id,
                'journal': method.journal.id,
                'period': period.id,
                'date': date,
                'origin': str(batch) if batch else None,
                'description': f'{description} {estates[e].rec_name}',
                } for e in by_estate])
    rows, pairs = [], []
    count = sum(len(v) for v in by_estate.values()) + len(by_estate)
    ml_ids = iter(allocate_ids(MoveLine._table, count))
    for move, estate in zip(moves, by_estate):
        total = ZERO
        for bill_id, party, amount, due in by_estate[estate]:
            line_id = next(ml_ids)
            rows.append((line_id, move.id, receivable.id, party, amount,
                    ZERO, due, 'QC%08d' % bill_id, f'pm.bill,{bill_id}',
                    'valid', uid, now))
            pairs.append((bill_id, line_id, move.id))
            total += amount
        rows.append((next(ml_ids), move.id, method.account.id, None, ZERO,
                total, None, description, None, 'valid', uid, now))
    bulk_insert(MoveLine._table, [
            'id', 'move', 'account', 'party', 'debit', 'credit',
            'maturity_date', 'description', 'origin', 'state', 'create_uid',
            'create_date'], rows)
    Move.post(moves)
    bulk_update_columns(Bill._table, ['receivable_line', 'move'],
        pairs, extra={'state': 'posted', 'write_uid': uid,
            'write_date': now})
    return bill_ids


SHEET_KEYS = [s.key for s in SHEETS]
assert set(SHEET_KEYS) == set(SHEET)
