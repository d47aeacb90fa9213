# This file is part of the pm suite (物业管理系统). See README.md.
"""Export of all the data of one estate (小区数据导出).

The master data and the open items are written in the sheets of the import,
so the export imports again (into another company or database) with the same
counts and balances: open bills become opening arrears per unit, charge item
and period, prepayment balances opening prepayments and held deposits
opening deposits. The history (every bill and receipt) is added for
reference in extra sheets; it is not imported again.
"""
from collections import defaultdict
from decimal import Decimal

from trytond.modules.pm_estate.mixin import id_batches
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access

from .bulk import normalize

ZERO = Decimal(0)
CENT = Decimal('0.01')


def _dec(value):
    return Decimal(str(value or 0)).quantize(CENT)


def _select(table, columns, where, order_by=None):
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(*columns, where=where,
            order_by=order_by or [table.id]))
    return [tuple(normalize(v) for v in row) for row in cursor]


def _in(table, column, ids, columns):
    result = []
    for sub in id_batches(sorted(ids)):
        result.extend(_select(table, columns, column.in_(sub)))
    return result


def export_estate(estate):
    """Return (data, history, manifest) of the estate: data in the import
    sheets, history rows, counts and balances"""
    pool = Pool()
    Building = pool.get('pm.building')
    Unit = pool.get('pm.unit')
    Party = pool.get('party.party')
    Mechanism = pool.get('party.contact_mechanism')
    Occupancy = pool.get('pm.occupancy')
    Lot = pool.get('pm.parking.lot')
    Space = pool.get('pm.parking.space')
    Vehicle = pool.get('pm.vehicle')
    VehicleSpace = pool.get('pm.vehicle-pm.parking.space')
    Meter = pool.get('pm.meter')
    Reading = pool.get('pm.meter.reading')
    Rate = pool.get('pm.charge.rate')
    Item = pool.get('pm.charge.item')
    Assignment = pool.get('pm.charge.assignment')
    Bill = pool.get('pm.bill')
    BillLine = pool.get('pm.bill.line')
    Receipt = pool.get('pm.receipt')
    Method = pool.get('pm.payment.method')
    Deposit = pool.get('pm.deposit')
    FieldAccess = pool.get('ir.model.field.access')
    data, history = {}, {}
    code = estate.code
    data['estate'] = [{
            'code': code, 'name': estate.name, 'province': estate.province,
            'city': estate.city, 'district': estate.district,
            'street': estate.street, 'developer': estate.developer,
            'phone': estate.phone, 'delivery_date': estate.delivery_date,
            'land_area': estate.land_area}]
    t = Building.__table__()
    buildings = {}
    data['building'] = []
    for row in _select(t, [t.id, t.code, t.name, t.building_type,
                t.floors_above, t.floors_below, t.entrances, t.elevators],
            t.estate == estate.id, [t.code]):
        buildings[row[0]] = row[1]
        data['building'].append(dict(zip(['estate', 'code', 'name',
                        'building_type', 'floors_above', 'floors_below',
                        'entrances', 'elevators'], (code,) + row[1:])))
    t = Unit.__table__()
    units = {}
    data['unit'] = []
    for row in _select(t, [t.id, t.code, t.building, t.entrance, t.floor,
                t.room, t.usage, t.built_area, t.inner_area,
                t.chargeable_area, t.layout, t.delivery_date],
            t.estate == estate.id, [t.code]):
        units[row[0]] = row[1]
        values = dict(zip(['code', 'building', 'entrance', 'floor', 'room',
                    'usage', 'built_area', 'inner_area', 'chargeable_area',
                    'layout', 'delivery_date'], row[1:]))
        values['building'] = buildings.get(values['building'])
        values['estate'] = code
        data['unit'].append(values)
    unit_ids = list(units)
    parties = set()
    # occupancies (the whole history)
    t = Occupancy.__table__()
    occupancies = _in(t, t.unit, unit_ids, [t.unit, t.party, t.role,
            t.share, t.start_date, t.end_date, t.relation, t.owner])
    for row in occupancies:
        parties.add(row[1])
        if row[7]:
            parties.add(row[7])
    t = Unit.__table__()
    billing = dict(r for r in _in(t, t.id, unit_ids,
            [t.id, t.billing_party]) if r[1])
    parties.update(billing.values())
    # parking
    t = Lot.__table__()
    lots = {}
    data['lot'] = []
    for row in _select(t, [t.id, t.code, t.name, t.lot_type, t.capacity],
            t.estate == estate.id, [t.code]):
        lots[row[0]] = row[1]
        data['lot'].append(dict(zip(['code', 'name', 'lot_type',
                        'capacity'], row[1:]), estate=code))
    t = Space.__table__()
    spaces = {}
    space_rows = _in(t, t.lot, list(lots), [t.id, t.lot, t.number, t.name,
            t.space_type, t.ownership, t.location, t.area, t.unit,
            t.customer])
    for row in space_rows:
        spaces[row[0]] = row[2]
        if row[9]:
            parties.add(row[9])
    t = Vehicle.__table__()
    vs = VehicleSpace.__table__()
    links = _in(vs, vs.space, list(spaces), [vs.vehicle, vs.space])
    vehicle_ids = {v for v, _ in links}
    vehicle_ids.update(r[0] for r in _in(t, t.unit, unit_ids, [t.id]))
    vehicle_rows = _in(t, t.id, vehicle_ids, [t.id, t.plate,
            t.vehicle_type, t.model, t.colour, t.owner, t.unit])
    for row in vehicle_rows:
        parties.add(row[5])
    # open items
    paid = defaultdict(lambda: ZERO)
    t = Bill.__table__()
    bills = _select(t, [t.id, t.number, t.unit, t.party, t.date_start,
            t.date_end, t.due_date, t.amount, t.state],
        t.estate == estate.id, [t.date_start, t.id])
    rl = pool.get('pm.receipt.line').__table__()
    r = Receipt.__table__()
    bill_ids = [b[0] for b in bills]
    cursor = Transaction().connection.cursor()
    for sub in id_batches(bill_ids):
        cursor.execute(*rl.join(r, condition=rl.receipt == r.id).select(
                rl.bill, rl.amount,
                where=rl.bill.in_(sub) & r.state.in_(['posted', 'voided'])))
        for bill_id, amount in cursor:
            paid[bill_id] += _dec(amount)
    open_bills = {b[0]: b for b in bills
        if b[8] == 'posted' and _dec(b[7]) - paid[b[0]] > 0}
    t = BillLine.__table__()
    lines = _in(t, t.bill, list(open_bills), [t.bill, t.id, t.charge_item,
            t.amount, t.date_start])
    lines.sort(key=lambda l: (l[0], l[1]))
    t = Item.__table__()
    items = dict(_select(t, [t.id, t.code],
            t.company == estate.company.id))
    arrears = defaultdict(lambda: ZERO)
    arrears_info = {}
    remaining = {b: paid[b] for b in open_bills}
    for bill_id, _, item, amount, start in lines:
        amount = _dec(amount)
        used = min(remaining[bill_id], amount)
        remaining[bill_id] -= used
        amount -= used
        if amount <= 0:
            continue
        bill = open_bills[bill_id]
        key = (bill[2], item, start, bill[3])
        arrears[key] += amount
        arrears_info[key] = bill
        parties.add(bill[3])
    # prepayment balances of the parties, for the estate's units
    r = Receipt.__table__()
    payers = {row[0] for row in _in(r, r.unit, unit_ids, [r.party])}
    balances = {k: v for k, v in Receipt.prepayment_balances(
            payers).items() if k[1] in units and v > 0}
    parties.update(k[0] for k in balances)
    d = Deposit.__table__()
    deposits = _in(d, d.unit, unit_ids, [d.id, d.number, d.party, d.unit,
            d.kind, d.amount, d.date, d.description, d.state])
    deposits = [row for row in deposits if row[8] == 'held']
    parties.update(row[2] for row in deposits)
    # customers
    with check_access():
        may_id = FieldAccess.check(
            'party.party', ['id_number'], 'read', raise_exception=False)
    t = Party.__table__()
    party_rows = _in(t, t.id, parties, [t.id, t.code, t.name,
            t.customer_type, t.gender, t.id_type, t.id_number])
    party_codes = {row[0]: row[1] for row in party_rows}
    m = Mechanism.__table__()
    m_rows = []
    for sub in id_batches(sorted(parties)):
        m_rows.extend(_select(m, [m.party, m.value],
                m.party.in_(sub) & (m.type == 'mobile'), [m.party, m.id]))
    mobiles = {}
    for party, value in m_rows:
        mobiles.setdefault(party, value)
    data['customer'] = []
    for id_, pcode, name, ctype, gender, id_type, id_number in sorted(
            party_rows, key=lambda r: r[1] or ''):
        data['customer'].append({'code': pcode, 'name': name,
                'customer_type': ctype, 'gender': gender,
                'id_type': id_type if (may_id or not id_number) else None,
                'id_number': id_number if may_id else None,
                'mobile': mobiles.get(id_)})
    data['occupancy'] = []
    for unit, party, role, share, start, end, relation, owner in sorted(
            occupancies, key=lambda r: (units[r[0]], r[4], r[2],
                party_codes[r[1]])):
        data['occupancy'].append({'estate': code, 'unit': units[unit],
                'customer': party_codes[party], 'role': role,
                'share': share, 'start_date': start, 'end_date': end,
                'relation': relation,
                'owner': party_codes.get(owner) if owner else None,
                'billing': (True if role == 'owner'
                    and billing.get(unit) == party and (
                        end is None) else None)})
    data['space'] = []
    for (id_, lot, number, name, stype, ownership, location, area, unit,
            customer) in space_rows:
        data['space'].append({'estate': code, 'lot': lots[lot],
                'number': number, 'name': name, 'space_type': stype,
                'ownership': ownership, 'location': location, 'area': area,
                'unit': units.get(unit), 'customer': party_codes.get(
                    customer)})
    vehicle_spaces = defaultdict(list)
    for vehicle, space in links:
        vehicle_spaces[vehicle].append(spaces[space])
    data['vehicle'] = []
    for id_, plate, vtype, model, colour, owner, unit in vehicle_rows:
        data['vehicle'].append({'plate': plate, 'vehicle_type': vtype,
                'model': model, 'colour': colour,
                'owner': party_codes[owner],
                'estate': code if unit in units else None,
                'unit': units.get(unit),
                'spaces': ','.join(sorted(vehicle_spaces.get(id_, [])))})
    # meters with their last reading as opening reading
    t = Meter.__table__()
    rate_t = Rate.__table__()
    rates = {row[0]: (row[1], row[2]) for row in _select(rate_t,
            [rate_t.id, rate_t.name, rate_t.charge_item],
            rate_t.company == estate.company.id)}
    meter_rows = _select(t, [t.id, t.code, t.meter_type, t.unit, t.building,
            t.allocation_basis, t.rate, t.multiplier, t.max_value,
            t.initial_value, t.install_date], t.estate == estate.id,
        [t.code])
    last = Reading.last_values([row[0] for row in meter_rows])
    data['meter'] = []
    for (id_, mcode, mtype, unit, building, basis, rate, multiplier,
            max_value, initial, install) in meter_rows:
        date, value = last.get(id_, (install, initial))
        data['meter'].append({'estate': code, 'code': mcode,
                'meter_type': mtype, 'unit': units.get(unit),
                'building': buildings.get(building),
                'allocation_basis': basis if not unit else None,
                'rate': rates[rate][0] if rate else None,
                'multiplier': multiplier, 'max_value': max_value,
                'opening_value': normalize(value),
                'opening_date': normalize(date)})
    t = Assignment.__table__()
    data['assignment'] = []
    for unit, rate, start, end, quantity in sorted(_in(t, t.unit, unit_ids,
                [t.unit, t.rate, t.start_date, t.end_date, t.quantity]),
            key=lambda r: (units[r[0]], r[2])):
        name, item = rates[rate]
        data['assignment'].append({'estate': code, 'unit': units[unit],
                'charge_item': items[item], 'rate': name,
                'start_date': start, 'end_date': end, 'quantity': quantity})
    data['arrears'] = []
    for key in sorted(arrears, key=lambda k: (units[k[0]], items[k[1]],
                k[2])):
        unit, item, start, party = key
        bill = arrears_info[key]
        data['arrears'].append({'estate': code, 'unit': units[unit],
                'charge_item': items[item], 'date_start': start,
                'date_end': bill[5], 'due_date': bill[6],
                'amount': arrears[key], 'customer': party_codes[party]})
    data['prepayment'] = []
    for (party, unit, item), amount in sorted(balances.items(),
            key=lambda i: (units[i[0][1]], party_codes[i[0][0]],
                items.get(i[0][2], ''))):
        data['prepayment'].append({'estate': code, 'unit': units[unit],
                'customer': party_codes[party],
                'charge_item': items.get(item), 'amount': amount})
    data['deposit'] = []
    for (id_, number, party, unit, kind, amount, date, description,
            _) in deposits:
        data['deposit'].append({'estate': code, 'unit': units.get(unit),
                'customer': party_codes[party], 'kind': kind,
                'reference': description or number,
                'amount': _dec(amount)})
    # history, for reference
    history['bills'] = [{'number': b[1], 'unit': units.get(b[2]),
            'customer': party_codes.get(b[3]), 'date_start': b[4],
            'date_end': b[5], 'due_date': b[6], 'amount': _dec(b[7]),
            'paid': paid[b[0]], 'state': b[8]} for b in bills]
    r = Receipt.__table__()
    method_t = Method.__table__()
    methods = dict(_select(method_t, [method_t.id, method_t.name],
            method_t.company == estate.company.id))
    history['receipts'] = [{'number': row[0], 'date': row[1],
            'customer': party_codes.get(row[2]), 'unit': units.get(row[3]),
            'method': methods.get(row[4]), 'amount': _dec(row[5]),
            'prepayment': _dec(row[6]), 'state': row[7]}
        for row in _in(r, r.unit, unit_ids, [r.number, r.date, r.party,
                r.unit, r.method, r.amount, r.prepayment, r.state])]
    manifest = {
        'company': estate.company.rec_name,
        'estate': code,
        'estate_name': estate.name,
        'counts': {key: len(rows) for key, rows in data.items()},
        'balances': balances_of(data),
        }
    return data, history, manifest


def balances_of(data):
    "The totals of the open items of exported data"
    return {key: str(sum((Decimal(str(r['amount'])) for r in data.get(
                        key, [])), ZERO).quantize(CENT))
        for key in ['arrears', 'prepayment', 'deposit']}


HISTORY_SHEETS = {
    'bills': ("历史账单", [
            ('number', "账单号"), ('unit', "房屋编号"), ('customer', "客户编码"),
            ('date_start', "费用起始日期"), ('date_end', "费用截止日期"),
            ('due_date', "应缴日期"), ('amount', "金额"), ('paid', "已收"),
            ('state', "状态")]),
    'receipts': ("收款记录", [
            ('number', "收据号"), ('date', "日期"), ('customer', "客户编码"),
            ('unit', "房屋编号"), ('method', "收款方式"), ('amount', "金额"),
            ('prepayment', "预存"), ('state', "状态")]),
    }


def history_sheets(history):
    "{title: (header, rows)} of the history for the workbook"
    result = {}
    for key, (title, columns) in HISTORY_SHEETS.items():
        result[title] = ([label for _, label in columns],
            [[row.get(k) for k, _ in columns] for row in history.get(key, [])])
    return result
