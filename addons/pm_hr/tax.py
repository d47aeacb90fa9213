# This file is part of the pm suite (物业管理系统). See README.md.
"""Individual income tax (个人所得税) withheld on wages by the cumulative
method (累计预扣法, 国家税务总局公告2018年第61号).

Each month the employer computes, from the first month of the year (or of
the employment in the year) to the current month::

    cumulative taxable = Σ income − 5,000 × months − Σ employee social
                         insurance and housing fund − Σ special additional
                         deductions (专项附加扣除) − Σ other deductions
    cumulative tax     = cumulative taxable × rate − quick deduction
                         (annual table of 综合所得 below)
    withheld this month = cumulative tax − tax withheld in earlier months

A negative result is not refunded during the year: nothing is withheld.
These functions are pure so that they can be unit-tested with the worked
examples of the tax administration.
"""
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal('0.01')
#: 基本减除费用: 5,000 yuan a month (60,000 a year)
MONTHLY_BASIC_DEDUCTION = Decimal(5000)
#: 个人所得税预扣率表一 (居民个人工资、薪金所得预扣预缴适用):
#: (upper bound of the cumulative taxable income, rate, quick deduction)
ANNUAL_BRACKETS = [
    (Decimal(36000), Decimal('0.03'), Decimal(0)),
    (Decimal(144000), Decimal('0.10'), Decimal(2520)),
    (Decimal(300000), Decimal('0.20'), Decimal(16920)),
    (Decimal(420000), Decimal('0.25'), Decimal(31920)),
    (Decimal(660000), Decimal('0.30'), Decimal(52920)),
    (Decimal(960000), Decimal('0.35'), Decimal(85920)),
    (None, Decimal('0.45'), Decimal(181920)),
    ]


def round_cents(amount):
    "Round amount to the cent, halves away from zero (四舍五入)"
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def bracket(taxable):
    "Return (rate, quick deduction) of the cumulative taxable income"
    for limit, rate, quick in ANNUAL_BRACKETS:
        if limit is None or taxable <= limit:
            return rate, quick


def cumulative_taxable(
        income, months, insurance, special=Decimal(0), other=Decimal(0)):
    """Return the cumulative taxable income (累计预扣预缴应纳税所得额),
    never below zero.

    income: cumulative income (累计收入), months: number of months of
    employment with this employer in the year (for the 5,000 basic
    deduction), insurance: cumulative employee social insurance and housing
    fund (累计专项扣除), special: cumulative special additional deductions
    (累计专项附加扣除), other: other cumulative deductions (累计依法确定的
    其他扣除, e.g. enterprise annuity)."""
    taxable = (Decimal(income) - MONTHLY_BASIC_DEDUCTION * months
        - Decimal(insurance) - Decimal(special) - Decimal(other))
    return max(round_cents(taxable), Decimal('0.00'))


def cumulative_tax(taxable):
    "Return the tax due on the cumulative taxable income, rounded to cents"
    taxable = Decimal(taxable)
    if taxable <= 0:
        return Decimal('0.00')
    rate, quick = bracket(taxable)
    return max(round_cents(taxable * rate - quick), Decimal('0.00'))


def withholding(taxable, withheld_before):
    "Return the tax to withhold this month (本期应预扣预缴税额)"
    return max(cumulative_tax(taxable) - Decimal(withheld_before),
        Decimal('0.00'))


def withholding_schedule(months):
    """Return the tax withheld each month of a year.

    months is a list of (income, insurance, special deductions) per month;
    the result is a list of dicts with the cumulative figures."""
    result = []
    total_income = total_insurance = total_special = Decimal(0)
    withheld = Decimal(0)
    for number, (income, insurance, special) in enumerate(months, 1):
        total_income += Decimal(income)
        total_insurance += Decimal(insurance)
        total_special += Decimal(special)
        taxable = cumulative_taxable(
            total_income, number, total_insurance, total_special)
        rate, quick = bracket(taxable)
        tax = withholding(taxable, withheld)
        result.append({
                'month': number,
                'cumulative_taxable': taxable,
                'rate': rate,
                'quick_deduction': quick,
                'cumulative_tax': cumulative_tax(taxable),
                'withheld_before': withheld,
                'tax': tax,
                })
        withheld += tax
    return result


def contribution(base, rate, base_min=None, base_max=None):
    """Return (base used, amount) of a social insurance or housing fund
    contribution: the base is held between the floor and the ceiling of
    the contribution base (缴费基数上下限) and the amount rounded to cents"""
    base = Decimal(base or 0)
    if base_min is not None and base < base_min:
        base = Decimal(base_min)
    if base_max is not None and base_max and base > base_max:
        base = Decimal(base_max)
    return base, round_cents(base * Decimal(rate or 0))
