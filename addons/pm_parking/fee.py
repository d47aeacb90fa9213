# This file is part of the pm suite (物业管理系统). See README.md.
"""The temporary-parking fee (临停收费).

Rules:

* a stay not longer than the free minutes costs nothing;
* a longer stay is charged from the entry by started hours (不足 1 小时按
  1 小时计): the blocks [entry, entry + 1 h), [entry + 1 h, entry + 2 h) …;
* the daily cap (每日封顶) limits the sum of the blocks that start on the
  same calendar day (local time), or in the same 24 hours from the entry.

So a car in from 20:10 to 10:20 the next morning at 5.00 an hour, capped at
30.00 a day, pays 4 blocks on the first evening (20.00) and 11 blocks on
the next day capped at 30.00: 50.00 in all.
"""
import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

CAP_MODES = [
    ('calendar_day', "Per Calendar Day"),
    ('rolling_24h', "Per 24 Hours from Entry"),
    ]

CENT = Decimal('0.01')
HOUR = dt.timedelta(hours=1)


def parking_fee(entry, exit, free_minutes, hourly_price, daily_cap=None,
        cap_mode='calendar_day'):
    """Return (amount, hours) of a stay between local datetimes.

    hours is the number of hour blocks charged before the cap.
    """
    if exit is None or entry is None or exit <= entry:
        return Decimal(0), 0
    duration = exit - entry
    if duration <= dt.timedelta(minutes=free_minutes or 0):
        return Decimal(0), 0
    hours = math.ceil(duration / HOUR)
    price = Decimal(hourly_price or 0)
    by_period = {}
    for block in range(hours):
        start = entry + block * HOUR
        if cap_mode == 'rolling_24h':
            period = block // 24
        else:
            period = start.date()
        by_period[period] = by_period.get(period, 0) + 1
    amount = Decimal(0)
    for count in by_period.values():
        period_amount = price * count
        if daily_cap:
            period_amount = min(period_amount, Decimal(daily_cap))
        amount += period_amount
    return amount.quantize(CENT, rounding=ROUND_HALF_UP), hours
