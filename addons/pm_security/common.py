# This file is part of the pm suite (物业管理系统). See README.md.
"""Helpers of the security addon: local times, codes, QR images, masking."""
import bisect
import datetime as dt
import io
import math
import re
import secrets
import unicodedata

from sql import Null

from trytond.modules.pm_customer.party import mask_id_number
from trytond.modules.pm_estate.mixin import id_batches, sql_in
from trytond.pool import Pool
from trytond.tools import timezone as tz
from trytond.transaction import Transaction

# Easy to read aloud and to type: no 0/O, 1/I/L
CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
PASS_CODE_LENGTH = 10   # 31**10 ≈ 8·10^14 codes: unguessable at the gate
TOKEN_LENGTH = 16


def new_code(length=PASS_CODE_LENGTH):
    "Return a random code drawn with the secrets module"
    return ''.join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(value, prefix=None):
    """Return the code typed or scanned: half-width, upper case, without
    spaces or dashes and without the QR prefix"""
    if not value:
        return value
    value = unicodedata.normalize('NFKC', value).strip().upper()
    if prefix and value.startswith(prefix.upper()):
        value = value[len(prefix):]
    return re.sub(r'[\s\-]', '', value)


def normalize_plate(value):
    "Return a licence plate in upper case without spaces nor separators"
    if not value:
        return value
    value = unicodedata.normalize('NFKC', value).upper()
    return re.sub(r'[\s\-·.]', '', value) or None


def normalize_phone(value):
    "Return the digits of a phone number (and a leading +)"
    if not value:
        return value
    value = unicodedata.normalize('NFKC', value).strip()
    digits = re.sub(r'[^0-9+]', '', value)
    if digits.startswith('+86'):
        digits = digits[3:]
    elif digits.startswith('0086'):
        digits = digits[4:]
    return digits or None


def qr_code_png(text, box_size=6):
    "Return a PNG image (bytes) of a QR code carrying the text"
    import qrcode
    from qrcode.image.pure import PyPNGImage
    image = qrcode.make(
        text or '', box_size=box_size, border=2, image_factory=PyPNGImage)
    output = io.BytesIO()
    image.save(output)
    return output.getvalue()


def company_timezone(company):
    if company and getattr(company, 'timezone', None):
        return tz.get_tzinfo(company.timezone)
    return tz.SERVER


def to_utc(company, date, time):
    "Return the naive UTC datetime of the local date and time of company"
    local = dt.datetime.combine(date, time).replace(
        tzinfo=company_timezone(company))
    return local.astimezone(tz.UTC).replace(tzinfo=None)


def to_local(company, value):
    "Return the naive local datetime of the naive UTC value for company"
    if value is None:
        return None
    return value.replace(tzinfo=tz.UTC).astimezone(
        company_timezone(company)).replace(tzinfo=None)


def local_date(company, value):
    "Return the local date of the naive UTC datetime value"
    return to_local(company, value).date()


def format_datetime(company, value):
    "Return the local date and time of value as text for messages"
    if value is None:
        return ''
    return to_local(company, value).strftime('%Y-%m-%d %H:%M')


def now():
    "Return the current naive UTC datetime (how Tryton stores datetimes)"
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def shift_period(company, date, start_time, end_time):
    """Return (start, end) naive UTC datetimes of a shift on date;
    a shift ending at or before its start time ends the next day"""
    start = to_utc(company, date, start_time)
    end_date = date
    if end_time <= start_time:
        end_date = date + dt.timedelta(days=1)
    end = to_utc(company, end_date, end_time)
    return start, end


def distance_m(lat1, lon1, lat2, lon2):
    "Return the great-circle distance in metres between two positions"
    if None in (lat1, lon1, lat2, lon2):
        return None
    lat1, lon1, lat2, lon2 = (
        math.radians(float(v)) for v in (lat1, lon1, lat2, lon2))
    a = (math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2)
        * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371000 * math.asin(math.sqrt(a))


def masked_numbers(Model, records, field='id_number'):
    """Return {id: masked number} read in SQL, so the full number never
    goes through an access-checked read (like pm_customer's parties)"""
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    ids = [r.id for r in records]
    result = dict.fromkeys(ids)
    column = getattr(table, field)
    for sub_ids in id_batches([i for i in ids if i >= 0]):
        cursor.execute(*table.select(table.id, column,
                where=sql_in(table.id, sub_ids) & (column != Null)))
        for record_id, number in cursor:
            result[record_id] = mask_id_number(number)
    return result


def current_occupants(unit_ids, date=None):
    "Return {unit id: set of party ids} occupying the units at the date"
    pool = Pool()
    Occupancy = pool.get('pm.occupancy')
    Unit = pool.get('pm.unit')
    occupancy = Occupancy.__table__()
    cursor = Transaction().connection.cursor()
    if date is None:
        date = Unit._state_date()
    result = {u: set() for u in unit_ids}
    for sub_ids in id_batches(list(set(unit_ids))):
        cursor.execute(*occupancy.select(occupancy.unit, occupancy.party,
                where=sql_in(occupancy.unit, sub_ids)
                & Occupancy.current_where(occupancy, date)))
        for unit_id, party_id in cursor:
            result.setdefault(unit_id, set()).add(party_id)
    return result


def user_employee():
    "Return the current employee of the user or None"
    pool = Pool()
    User = pool.get('res.user')
    user_id = Transaction().user
    if not user_id:
        return None
    user = User(user_id)
    return user.employee


def longest_increasing_subsequence(values):
    """Return the indexes (in values) of one longest strictly increasing
    subsequence; with ties the one ending with the smallest values"""
    tails, tail_index, previous = [], [], [None] * len(values)
    for i, value in enumerate(values):
        pos = bisect.bisect_left(tails, value)
        if pos == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[pos] = value
            tail_index[pos] = i
        previous[i] = tail_index[pos - 1] if pos else None
    result = []
    i = tail_index[-1] if tail_index else None
    while i is not None:
        result.append(i)
        i = previous[i]
    return result[::-1]


def evaluate_round(lines, scans, base, tolerance, final):
    """Compare the scans of a patrol round with its route.

    lines: [(key, checkpoint, cumulative minutes)] in route order
    scans: [(scan key, checkpoint, time)]
    base: the datetime the round started (or was planned to start)
    tolerance: the minutes a checkpoint may be late
    final: the round is over, unscanned checkpoints are missed

    Return {line key: (status, scan key, scan time)} where status is
    'on_time', 'late', 'out_of_order', 'missed' or 'pending'.

    The first scan of each checkpoint counts.  The checkpoints scanned in
    route order are those of the longest increasing run of route positions
    in scan order; every other scanned checkpoint is out of order.
    """
    position = {cp: i for i, (_, cp, _) in enumerate(lines)}
    first = {}
    for scan_key, checkpoint, time in sorted(
            scans, key=lambda s: (s[2], s[0])):
        if checkpoint in position:
            first.setdefault(checkpoint, (scan_key, time))
    visited = sorted(first.items(), key=lambda i: (i[1][1], i[1][0]))
    positions = [position[cp] for cp, _ in visited]
    in_order = {positions[i]
        for i in longest_increasing_subsequence(positions)}
    result = {}
    for i, (key, checkpoint, minutes) in enumerate(lines):
        if checkpoint not in first:
            result[key] = ('missed' if final else 'pending', None, None)
            continue
        scan_key, time = first[checkpoint]
        if i not in in_order:
            status = 'out_of_order'
        elif base and time > base + dt.timedelta(
                minutes=(minutes or 0) + (tolerance or 0)):
            status = 'late'
        else:
            status = 'on_time'
        result[key] = (status, scan_key, time)
    return result
