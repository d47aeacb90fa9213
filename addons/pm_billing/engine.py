# This file is part of the pm suite (物业管理系统). See README.md.
"""The billing engine: compute the bills of a run on sets of units.

Everything is read with a few set-based queries per chunk of units, computed
in memory, and written with `sqlbulk` — never a query per unit.

Rules (see README "Billing"):

* The charge window of a rate is the run's month for monthly rates; for
  quarterly, half-yearly and yearly rates it is the whole cycle, billed in the
  run of the cycle's first month (January, April, July, October …).
* The billing party of a day is the unit's billing party when it is one of
  the owners of that day, otherwise the owner with the largest share. A
  window is split into segments of constant billing party; every charge is
  prorated by the days of each segment.
* Metered usage is the sum of the usages of the unit's meters of the rate's
  type read inside the window; tiers apply to the month's usage, or to the
  usage accumulated since January for yearly tiers.
* A shared meter's usage is allocated to the delivered units of its building
  (or estate) by chargeable area, built area or in equal shares.
* Every line has a key unit:item:meter:window:segment that is unique among
  non-reversed lines (a database index), so a second run never adds a charge
  twice; new units and new readings add only what is missing.
"""
import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.pool import Pool
from trytond.transaction import Transaction

from trytond.modules.pm_estate.mixin import id_batches

from .charge import CYCLE_MONTHS, round_amount, tiered_amount
from .sqlbulk import (
    allocate_ids, audit_values, bulk_insert, bulk_update, bulk_update_columns)

FAR = dt.date.max
ZERO = Decimal(0)
CENT = Decimal('0.01')


def _date(value):
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _dec(value):
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def add_months(date, months):
    month = date.month - 1 + months
    year = date.year + month // 12
    month = month % 12 + 1
    day = min(date.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def month_end(date):
    return date.replace(day=calendar.monthrange(date.year, date.month)[1])


def charge_window(cycle, start):
    "Return (start, end) of the cycle window billed in the run's month"
    months = CYCLE_MONTHS[cycle]
    if (start.month - 1) % months:
        return None
    return start, month_end(add_months(start, months - 1))


def segments(window, owners, billing_party):
    """Split the window into (start, end, party) of constant billing party.

    owners: list of (party, share, start, end) overlapping the window.
    """
    ws, we = window
    bounds = {ws, we + dt.timedelta(days=1)}
    for _, _, start, end in owners:
        if ws < start <= we:
            bounds.add(start)
        if end is not None and ws <= end < we:
            bounds.add(end + dt.timedelta(days=1))
    bounds = sorted(bounds)
    result = []
    for begin, after in zip(bounds, bounds[1:]):
        current = [o for o in owners
            if o[2] <= begin and (o[3] is None or o[3] >= begin)]
        if not current:
            continue
        parties = {o[0] for o in current}
        if billing_party in parties:
            party = billing_party
        else:
            party = sorted(current, key=lambda o: (-(o[1] or 0), o[0]))[0][0]
        end = after - dt.timedelta(days=1)
        if result and result[-1][2] == party and (
                result[-1][1] + dt.timedelta(days=1)) == begin:
            result[-1] = (result[-1][0], end, party)
        else:
            result.append((begin, end, party))
    return result


def _fmt(value):
    value = _dec(value)
    text = format(value.normalize(), 'f') if value is not None else ''
    return text


class RateInfo:
    "A plain snapshot of a rate: attribute access on records is costly"
    __slots__ = (
        'id', 'item', 'name', 'method', 'unit_price', 'meter_type',
        'tier_period', 'tiers', 'rounding', 'rounding_method',
        'billing_cycle', 'due_rule', 'due_days', 'months', 'tax',
        'tax_rate', 'unit_price_text')

    def __init__(self, rate, tax):
        self.id = rate.id
        self.item = rate.charge_item.id
        self.name = rate.name
        self.method = rate.method
        self.unit_price = rate.unit_price
        self.unit_price_text = _fmt(rate.unit_price)
        self.meter_type = rate.meter_type
        self.tier_period = rate.tier_period
        self.tiers = rate.price_tiers() if rate.method == 'metered' else []
        self.rounding = rate.rounding
        self.rounding_method = rate.rounding_method
        self.billing_cycle = rate.billing_cycle
        self.due_rule = rate.due_rule
        self.due_days = rate.due_days or 0
        self.months = CYCLE_MONTHS[rate.billing_cycle]
        self.tax, self.tax_rate = tax


class Engine:
    "Compute and write the bills of one billing run"

    def __init__(self, run):
        pool = Pool()
        self.pool = pool
        self.run = run
        self.company = run.company
        self.currency = run.company.currency
        self.start = run.date_start
        self.end = run.date_end
        self.item_ids = {i.id for i in run.charge_items}
        self._rates = {}
        self._item_taxes = {}
        self._windows = {}
        self.today = pool.get('ir.date').today()
        # ids of the extra charges to bill alone (an instant run)
        self.extra_only = None

    # --- reference data -------------------------------------------------
    def rate(self, rate_id):
        "Return the RateInfo of the rate"
        if rate_id not in self._rates:
            Rate = self.pool.get('pm.charge.rate')
            rate = Rate(rate_id)
            self._rates[rate_id] = RateInfo(
                rate, self.item_tax(rate.charge_item))
        return self._rates[rate_id]

    def item_tax(self, item):
        "Return (tax id, rate) of the charge item's VAT, or (None, 0)"
        if item.id not in self._item_taxes:
            tax_id, rate = None, ZERO
            with Transaction().set_context(company=self.company.id):
                taxes = item.product.customer_taxes_used
            for tax in taxes:
                if tax.type == 'percentage' and tax.rate:
                    tax_id, rate = tax.id, tax.rate
                    break
            self._item_taxes[item.id] = (tax_id, rate)
        return self._item_taxes[item.id]

    def wanted(self, rate):
        return not self.item_ids or rate.item in self.item_ids

    def window(self, cycle):
        if cycle not in self._windows:
            self._windows[cycle] = charge_window(cycle, self.start)
        return self._windows[cycle]

    # --- scope -----------------------------------------------------------
    def scope_unit_ids(self):
        "Return the ids of the active units in the run's scope"
        Unit = self.pool.get('pm.unit')
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        where = ((unit.company == self.company.id)
            & (unit.active == Literal(True)))
        estates = [e.id for e in self.run.estates]
        buildings = [b.id for b in self.run.buildings]
        if estates and buildings:
            where &= (unit.estate.in_(estates) | unit.building.in_(buildings))
        elif estates:
            where &= unit.estate.in_(estates)
        elif buildings:
            where &= unit.building.in_(buildings)
        cursor.execute(*unit.select(unit.id, where=where, order_by=[unit.id]))
        return [i for i, in cursor]

    # --- reading the facts of a chunk ------------------------------------
    def _units(self, unit_ids):
        Unit = self.pool.get('pm.unit')
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*unit.select(
                unit.id, unit.estate, unit.building, unit.chargeable_area,
                unit.built_area, unit.billing_party, unit.delivery_date,
                where=unit.id.in_(unit_ids)))
        return {r[0]: {
                'id': r[0], 'estate': r[1], 'building': r[2],
                'chargeable_area': _dec(r[3]) or ZERO,
                'built_area': _dec(r[4]) or ZERO,
                'billing_party': r[5], 'delivery_date': _date(r[6]),
                } for r in cursor}

    def _assignments(self, unit_ids, until):
        Assignment = self.pool.get('pm.charge.assignment')
        a = Assignment.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*a.select(
                a.unit, a.rate, a.start_date, a.end_date, a.quantity,
                where=a.unit.in_(unit_ids) & (a.start_date <= until)
                & (Coalesce(a.end_date, FAR) >= self.start),
                order_by=[a.unit, a.start_date]))
        result = defaultdict(list)
        for unit_id, rate_id, start, end, quantity in cursor:
            result[unit_id].append(
                (rate_id, _date(start), _date(end), _dec(quantity)))
        return result

    def _owners(self, unit_ids, since, until):
        Occupancy = self.pool.get('pm.occupancy')
        o = Occupancy.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*o.select(
                o.unit, o.party, o.share, o.start_date, o.end_date,
                where=o.unit.in_(unit_ids) & (o.role == 'owner')
                & (o.start_date <= until)
                & (Coalesce(o.end_date, FAR) >= since)))
        result = defaultdict(list)
        for unit_id, party, share, start, end in cursor:
            result[unit_id].append(
                (party, _dec(share), _date(start), _date(end)))
        return result

    def _unit_usages(self, unit_ids, meter_type, since, until):
        """Return {unit: (usage, [reading ids])} of the unit meters of the
        type read within [since, until]"""
        Meter = self.pool.get('pm.meter')
        Reading = self.pool.get('pm.meter.reading')
        m = Meter.__table__()
        r = Reading.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*r.join(m, condition=r.meter == m.id).select(
                m.unit, r.id, r.usage,
                where=m.unit.in_(unit_ids) & (m.meter_type == meter_type)
                & (r.date >= since) & (r.date <= until)))
        result = {}
        for unit_id, reading_id, usage in cursor:
            total, readings = result.get(unit_id, (ZERO, []))
            readings.append(reading_id)
            result[unit_id] = (total + (_dec(usage) or ZERO), readings)
        return result

    def _existing_keys(self, unit_ids):
        Line = self.pool.get('pm.bill.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(
                line.key,
                where=line.unit.in_(unit_ids)
                & (line.reversed == Literal(False))
                & (line.date_start >= add_months(self.start, -12))))
        return {k.rsplit(':', 1)[0] for k, in cursor}

    # --- computing ----------------------------------------------------------
    def _due_date(self, rate, window):
        base = window[0] if rate.due_rule == 'after_start' else window[1]
        return base + dt.timedelta(days=rate.due_days or 0)

    def _split(self, amount, parts):
        """Split a rounded amount over parts (days) so that the rounded
        pieces add up to the amount exactly"""
        total = sum(parts)
        pieces, given = [], ZERO
        for i, part in enumerate(parts):
            if i == len(parts) - 1:
                pieces.append(amount - given)
            else:
                piece = (amount * part / total).quantize(CENT)
                pieces.append(piece)
                given += piece
        return pieces

    def compute(self, unit_ids):
        """Compute and write the missing lines and bills for the units.

        Return the number of lines written.
        """
        lines = []
        for sub_ids in id_batches(unit_ids):
            lines.extend(self._compute_chunk(sub_ids))
        self._write(lines)
        return len(lines)

    def _compute_chunk(self, unit_ids):
        self._chunk_ids = unit_ids
        units = self._units(unit_ids)
        horizon = month_end(add_months(self.start, 11))
        assignments = self._assignments(unit_ids, horizon)
        owners = self._owners(unit_ids, self.start, horizon)
        existing = self._existing_keys(unit_ids)
        usages = {}
        lines = []

        def segs_for(unit, window):
            key = (unit['id'], window)
            if key not in seg_cache:
                seg_cache[key] = segments(
                    window, owners.get(unit['id'], []),
                    unit['billing_party'])
            return seg_cache[key]
        seg_cache = {}

        if self.extra_only is not None:
            return self._extra_lines(units)
        for unit_id, unit in units.items():
            if not unit['delivery_date'] or unit['delivery_date'] > self.end:
                continue
            for rate_id, a_start, a_end, quantity in assignments.get(
                    unit_id, []):
                rate = self.rate(rate_id)
                if not self.wanted(rate) or rate.method == 'shared_meter':
                    continue
                window = self.window(rate.billing_cycle)
                if not window:
                    continue
                if a_start > window[1] or (a_end and a_end < window[0]):
                    continue
                lines.extend(self._charge(
                        unit, rate, window, (a_start, a_end), quantity,
                        segs_for(unit, window), existing, usages))
        lines.extend(self._shared(units, existing, segs_for))
        lines.extend(self._extra_lines(units))
        return lines

    def _extra_lines(self, units):
        "Lines of the charges of other records (extras, contracts …)"
        Item = self.pool.get('pm.charge.item')
        Line = self.pool.get('pm.bill.line')
        line_t = Line.__table__()
        cursor = Transaction().connection.cursor()
        charges = self.run.get_extra_charges(list(units))
        if self.extra_only is not None:
            wanted = {f'extra:{i}' for i in self.extra_only}
            charges = [c for c in charges if c['key'] in wanted]
        charges = [c for c in charges
            if c['unit'] in units
            and (not self.item_ids or c['charge_item'] in self.item_ids)]
        if not charges:
            return []
        billed = set()
        keys = [c['key'] for c in charges]
        for i in range(0, len(keys), 500):
            cursor.execute(*line_t.select(line_t.key,
                    where=line_t.key.in_(keys[i:i + 500])
                    & (line_t.reversed == Literal(False))))
            billed.update(k for k, in cursor)
        items = {}
        lines = []
        for charge in charges:
            if charge['key'] in billed:
                continue
            unit = units[charge['unit']]
            party = charge.get('party') or unit['billing_party']
            if not party or not charge['amount']:
                continue
            item_id = charge['charge_item']
            if item_id not in items:
                items[item_id] = self.item_tax(Item(item_id))
            tax_id, tax_rate = items[item_id]
            amount = charge['amount']
            tax_amount = ZERO
            if tax_rate:
                tax_amount = (amount * tax_rate / (1 + tax_rate)
                    ).quantize(CENT)
            billed.add(charge['key'])
            lines.append({
                    'key': charge['key'], 'unit': unit, 'party': party,
                    'charge_item': item_id, 'rate': charge.get('rate'),
                    'date_start': charge['date_start'],
                    'date_end': charge['date_end'],
                    'quantity': charge.get('quantity'),
                    'unit_price': charge.get('unit_price'),
                    'amount': amount, 'tax': tax_id,
                    'tax_amount': tax_amount,
                    'description': charge.get('description') or '',
                    'meter': None, 'reading': None,
                    'due_date': charge.get('due_date') or self.end,
                    })
        return lines

    def _line(self, unit, rate, window, seq, seg, quantity, price, amount,
            description, meter=None, reading=None, existing=()):
        prefix = '%s:%s:%s:%s' % (
            unit['id'], rate.item, meter or 0, window[0])
        if prefix in existing:
            # the charge was billed already (maybe to other segments)
            return None
        key = '%s:%s' % (prefix, seq)
        tax_amount = ZERO
        if rate.tax_rate:
            tax_amount = (amount * rate.tax_rate / (1 + rate.tax_rate)
                ).quantize(CENT)
        return {
            'key': key, 'unit': unit, 'party': seg[2],
            'charge_item': rate.item, 'rate': rate.id,
            'date_start': seg[0], 'date_end': seg[1],
            'quantity': quantity, 'unit_price': price, 'amount': amount,
            'tax': rate.tax, 'tax_amount': tax_amount,
            'description': description, 'meter': meter,
            'reading': reading, 'due_date': self._due_date(rate, window),
            }

    def _charge(self, unit, rate, window, validity, quantity, segs,
            existing, usages):
        "Lines of one assigned rate for one unit"
        a_start, a_end = validity
        window_days = (window[1] - window[0]).days + 1
        months = rate.months
        parts = []
        for start, end, party in segs:
            start_, end_ = max(start, a_start), min(end, a_end or FAR)
            if end_ >= start_:
                parts.append((start_, end_, party))
        if not parts:
            return []
        result = []
        if rate.method == 'metered':
            key = (rate.meter_type, window)
            if key not in usages:
                usages[key] = self._unit_usages(
                    self._chunk_ids, rate.meter_type, *window)
            usage, readings = usages[key].get(unit['id'], (ZERO, []))
            if not usage:
                return []
            tiers = rate.tiers
            already = ZERO
            if tiers and rate.tier_period == 'year':
                year_start = window[0].replace(month=1, day=1)
                if year_start < window[0]:
                    ytd = self._unit_usages(
                        [unit['id']], rate.meter_type, year_start,
                        window[0] - dt.timedelta(days=1))
                    already = ytd.get(unit['id'], (ZERO, []))[0]
            if tiers:
                raw, detail = tiered_amount(usage, tiers, already)
                text = ' + '.join(
                    f'{_fmt(q)}×{_fmt(p)}' for q, p in detail)
            else:
                raw = usage * rate.unit_price
                text = f'{_fmt(usage)}×{rate.unit_price_text}'
            total = round_amount(raw, rate.rounding, rate.rounding_method)
            days = [(e - s).days + 1 for s, e, _ in parts]
            pieces = self._split(total, days)
            average = (total / usage).quantize(Decimal('0.0001'))
            for seq, (seg, piece, d) in enumerate(zip(parts, pieces, days)):
                description = text
                if len(parts) > 1:
                    description += f' × {d}/{window_days}'
                line = self._line(
                    unit, rate, window, seq, seg,
                    (usage * d / sum(days)).quantize(Decimal('0.0001')),
                    average, piece, description,
                    reading=readings[-1] if readings else None,
                    existing=existing)
                if line:
                    line['readings'] = readings
                    result.append(line)
            return result
        if rate.method in {'chargeable_area', 'built_area'}:
            base = unit[rate.method]
            unit_label = '㎡'
        elif rate.method == 'quantity':
            base = quantity if quantity is not None else Decimal(1)
            unit_label = ''
        else:  # fixed, parking
            base = Decimal(1)
            unit_label = ''
        if not base:
            return []
        for seq, seg in enumerate(parts):
            days = (seg[1] - seg[0]).days + 1
            qty = base * months * days / window_days
            amount = round_amount(
                base * rate.unit_price * months * days / window_days,
                rate.rounding, rate.rounding_method)
            description = f'{base}{unit_label} × {rate.unit_price_text}'
            if months > 1:
                description += f' × {months}'
            if days != window_days:
                description += f' × {days}/{window_days}'
            line = self._line(
                unit, rate, window, seq, seg, qty.quantize(Decimal('0.0001')),
                rate.unit_price, amount, description, existing=existing)
            if line:
                result.append(line)
        return result

    def _shared(self, units, existing, segs_for):
        "Lines allocating the shared meters' usage to the units"
        Meter = self.pool.get('pm.meter')
        Unit = self.pool.get('pm.unit')
        unit_t = Unit.__table__()
        cursor = Transaction().connection.cursor()
        estates = {u['estate'] for u in units.values()}
        if not estates:
            return []
        meters = Meter.search([
                ('company', '=', self.company.id),
                ('unit', '=', None),
                ('estate', 'in', list(estates)),
                ('rate', '!=', None),
                ])
        result = []
        for meter in meters:
            rate = self.rate(meter.rate.id)
            if not self.wanted(rate):
                continue
            window = self.window(rate.billing_cycle)
            if not window:
                continue
            Reading = self.pool.get('pm.meter.reading')
            readings = Reading.search([
                    ('meter', '=', meter.id),
                    ('date', '>=', window[0]),
                    ('date', '<=', window[1]),
                    ])
            usage = sum((r.usage or ZERO) for r in readings)
            if not usage:
                continue
            where = (unit_t.active == Literal(True)) & (
                unit_t.delivery_date != Null) & (
                unit_t.delivery_date <= window[1])
            if meter.building:
                where &= unit_t.building == meter.building.id
            else:
                where &= unit_t.estate == meter.estate.id
            basis = meter.allocation_basis
            column = {
                'chargeable_area': unit_t.chargeable_area,
                'built_area': unit_t.built_area,
                }.get(basis, Literal(1))
            cursor.execute(*unit_t.select(unit_t.id, column, where=where))
            weights = {i: _dec(w) or ZERO for i, w in cursor}
            total = sum(weights.values())
            if not total:
                continue
            window_days = (window[1] - window[0]).days + 1
            for unit_id, weight in weights.items():
                unit = units.get(unit_id)
                if unit is None or not weight:
                    continue
                share = usage * weight / total
                amount = round_amount(
                    share * rate.unit_price, rate.rounding,
                    rate.rounding_method)
                if not amount:
                    continue
                segs = segs_for(unit, window)
                days = [(e - s).days + 1 for s, e, _ in segs]
                if not segs:
                    continue
                pieces = self._split(amount, days)
                for seq, (seg, piece, d) in enumerate(
                        zip(segs, pieces, days)):
                    description = (
                        f'{meter.code}: {_fmt(usage)} × '
                        f'{_fmt(weight)}/{_fmt(total)} × '
                        f'{rate.unit_price_text}')
                    if len(segs) > 1:
                        description += f' × {d}/{window_days}'
                    qty = (share * d / sum(days)).quantize(Decimal('0.0001'))
                    line = self._line(
                        unit, rate, window, seq, seg, qty, rate.unit_price,
                        piece, description, meter=meter.id,
                        reading=readings[-1].id if readings else None,
                        existing=existing)
                    if line:
                        result.append(line)
        return result

    # --- writing -------------------------------------------------------
    def _write(self, lines):
        pool = self.pool
        Bill = pool.get('pm.bill')
        Line = pool.get('pm.bill.line')
        bill_t = Bill.__table__()
        cursor = Transaction().connection.cursor()
        if not lines:
            return
        uid, now = audit_values()
        # draft bills of this run to complete
        unit_ids = list({l['unit']['id'] for l in lines})
        drafts = {}
        for sub_ids in id_batches(unit_ids):
            cursor.execute(*bill_t.select(
                    bill_t.id, bill_t.unit, bill_t.party,
                    where=(bill_t.run == self.run.id)
                    & (bill_t.state == 'draft')
                    & bill_t.unit.in_(sub_ids)))
            for bill_id, unit_id, party_id in cursor:
                drafts[(unit_id, party_id)] = bill_id
        groups = defaultdict(list)
        for line in lines:
            groups[(line['unit']['id'], line['party'])].append(line)
        new_keys = [k for k in groups if k not in drafts]
        new_set = set(new_keys)
        bill_ids = allocate_ids(Bill._table, len(new_keys))
        prefix = 'ZD' + self.start.strftime('%Y%m') + '-'
        bill_rows = []
        for key, bill_id in zip(new_keys, bill_ids):
            group = groups[key]
            unit = group[0]['unit']
            drafts[key] = bill_id
            amount = sum(l['amount'] for l in group)
            bill_rows.append((
                    bill_id, '%s%07d' % (prefix, bill_id), self.company.id,
                    self.run.id, unit['id'], unit['estate'], unit['building'],
                    key[1], self.start, self.end,
                    min(l['due_date'] for l in group), self.currency.id,
                    amount, 'draft', uid, now))
        bulk_insert(Bill._table, [
                'id', 'number', 'company', 'run', 'unit', 'estate',
                'building', 'party', 'date_start', 'date_end', 'due_date',
                'currency', 'amount', 'state', 'create_uid', 'create_date'],
            bill_rows)
        line_ids = allocate_ids(Line._table, len(lines))
        line_rows, reading_pairs = [], []
        for line_id, line in zip(line_ids, lines):
            bill_id = drafts[(line['unit']['id'], line['party'])]
            line_rows.append((
                    line_id, bill_id, self.company.id, line['unit']['id'],
                    line['party'], line['charge_item'], line['rate'],
                    line['date_start'], line['date_end'], line['quantity'],
                    line['unit_price'], line['amount'], line['tax'],
                    line['tax_amount'], line['description'][:250],
                    line['meter'], line['reading'], line['key'], False,
                    uid, now))
            for reading_id in line.get('readings') or (
                    [line['reading']] if line['reading'] else []):
                reading_pairs.append((reading_id, line_id))
        bulk_insert(Line._table, [
                'id', 'bill', 'company', 'unit', 'party', 'charge_item',
                'rate', 'date_start', 'date_end', 'quantity', 'unit_price',
                'amount', 'tax', 'tax_amount', 'description', 'meter',
                'reading', 'key', 'reversed', 'create_uid', 'create_date'],
            line_rows)
        Reading = pool.get('pm.meter.reading')
        bulk_update(Reading._table, 'bill_line', list(dict(
                    reading_pairs).items()))
        Extra = pool.get('pm.charge.extra')
        Extra.mark_billed({l['key']: i for i, l in zip(line_ids, lines)
                if l['key'].startswith('extra:')})
        # amounts of the completed draft bills
        completed = [drafts[k] for k in groups if k not in new_set]
        if completed:
            Bill.update_amounts(completed)


def post_bills(run, bills_filter=None):
    """Post the draft bills of the run into accounting, set-based.

    One move per building (a 记账凭证 per building and month), with one
    receivable line per bill (party, maturity date = due date, origin = the
    bill), and revenue, tax and tax-base lines summed per account and tax.
    Return the moves.
    """
    pool = Pool()
    Bill = pool.get('pm.bill')
    Line = pool.get('pm.bill.line')
    Move = pool.get('account.move')
    MoveLine = pool.get('account.move.line')
    TaxLine = pool.get('account.tax.line')
    Period = pool.get('account.period')
    Config = pool.get('pm.configuration')
    AccountConfig = pool.get('account.configuration')
    Item = pool.get('pm.charge.item')
    Building = pool.get('pm.building')
    Estate = pool.get('pm.estate')
    bill_t = Bill.__table__()
    line_t = Line.__table__()
    cursor = Transaction().connection.cursor()
    company = run.company
    config = Config(1)
    journal = config.billing_journal
    with Transaction().set_context(company=company.id):
        receivable = AccountConfig(1).get_multivalue(
            'default_account_receivable', company=company.id)
    date = run.accounting_date or run.date_start
    period = Period.find(company, date=date)
    # Take the lock of the move sequence first: Tryton restarts the
    # transaction to acquire it, which then costs nothing.
    period.move_sequence_used.lock()

    where = (bill_t.run == run.id) & (bill_t.state == 'draft')
    # bills per building
    cursor.execute(*bill_t.select(
            bill_t.id, bill_t.estate, bill_t.building, bill_t.party,
            bill_t.amount, bill_t.due_date, bill_t.number,
            where=where, order_by=[bill_t.estate, bill_t.building, bill_t.id]))
    bills = cursor.fetchall()
    if not bills:
        return []
    groups = defaultdict(list)
    for row in bills:
        groups[(row[1], row[2])].append(row)
    # revenue and tax per building, item and tax
    cursor.execute(*line_t.join(bill_t, condition=line_t.bill == bill_t.id
            ).select(
            bill_t.estate, bill_t.building, line_t.charge_item, line_t.tax,
            Sum(line_t.amount), Sum(line_t.tax_amount),
            where=where,
            group_by=[bill_t.estate, bill_t.building, line_t.charge_item,
                line_t.tax]))
    sums = defaultdict(list)
    item_ids = set()
    for estate, building, item, tax, amount, tax_amount in cursor:
        # SQLite sums NUMERIC as floats: the amounts are cents
        sums[(estate, building)].append(
            (item, tax, _dec(amount).quantize(CENT),
                (_dec(tax_amount) or ZERO).quantize(CENT)))
        item_ids.add(item)
    revenue_accounts = {}
    with Transaction().set_context(company=company.id):
        for item in Item.browse(list(item_ids)):
            revenue_accounts[item.id] = item.product.account_revenue_used
    Tax = pool.get('account.tax')
    tax_accounts = {}

    def tax_account(tax_id):
        if tax_id not in tax_accounts:
            tax_accounts[tax_id] = Tax(tax_id).invoice_account
        return tax_accounts[tax_id]

    names = {}
    for estate, building in groups:
        if building:
            names[(estate, building)] = Building(building).rec_name
        else:
            names[(estate, building)] = Estate(estate).rec_name
    period_label = run.date_start.strftime('%Y-%m')
    moves = Move.create([{
                'company': company.id,
                'journal': journal.id,
                'period': period.id,
                'date': date,
                'origin': str(run),
                'description': f'{period_label} {run.name} {names[key]}',
                } for key in groups])
    uid, now = audit_values()
    receivable_rows, other_rows, tax_rows, pairs = [], [], [], []
    counts = sum(len(v) for v in groups.values())
    receivable_ids = iter(allocate_ids(MoveLine._table, counts))
    for move, key in zip(moves, groups):
        for bill_id, _, _, party, amount, due_date, number in groups[key]:
            line_id = next(receivable_ids)
            receivable_rows.append((
                    line_id, move.id, receivable.id, party,
                    _dec(amount).quantize(CENT),
                    ZERO, _date(due_date), number, f'pm.bill,{bill_id}',
                    'valid', uid, now))
            pairs.append((bill_id, line_id))
        by_account = defaultdict(lambda: ZERO)
        by_tax = defaultdict(lambda: ZERO)
        base_by = defaultdict(lambda: ZERO)
        for item, tax, amount, tax_amount in sums[key]:
            account = revenue_accounts[item]
            by_account[account.id] += amount - tax_amount
            if tax:
                by_tax[tax] += tax_amount
                base_by[(account.id, tax)] += amount - tax_amount
        ids = iter(allocate_ids(
                MoveLine._table, len(by_account) + len(by_tax)))
        account_line = {}
        for account_id, amount in by_account.items():
            line_id = next(ids)
            account_line[account_id] = line_id
            other_rows.append((
                    line_id, move.id, account_id, None,
                    ZERO if amount >= 0 else -amount,
                    amount if amount >= 0 else ZERO,
                    None, None, None, 'valid', uid, now))
        for tax_id, amount in by_tax.items():
            line_id = next(ids)
            other_rows.append((
                    line_id, move.id, tax_account(tax_id).id, None,
                    ZERO if amount >= 0 else -amount,
                    amount if amount >= 0 else ZERO,
                    None, None, None, 'valid', uid, now))
            tax_rows.append((line_id, tax_id, amount, 'tax'))
        for (account_id, tax_id), amount in base_by.items():
            tax_rows.append((account_line[account_id], tax_id, amount, 'base'))
    columns = [
        'id', 'move', 'account', 'party', 'debit', 'credit',
        'maturity_date', 'description', 'origin', 'state', 'create_uid',
        'create_date']
    bulk_insert(MoveLine._table, columns, receivable_rows + other_rows)
    tax_ids = allocate_ids(TaxLine._table, len(tax_rows))
    bulk_insert(TaxLine._table, [
            'id', 'move_line', 'tax', 'amount', 'type', 'create_uid',
            'create_date'],
        [(i, *row, uid, now) for i, row in zip(tax_ids, tax_rows)])
    Move.post(moves)
    bill_move = {}
    for move, key in zip(moves, groups):
        for row in groups[key]:
            bill_move[row[0]] = move.id
    bulk_update_columns(Bill._table, ['receivable_line', 'move'], [
            (bill_id, line_id, bill_move[bill_id])
            for bill_id, line_id in pairs],
        extra={'state': 'posted', 'write_uid': uid, 'write_date': now})
    return moves
