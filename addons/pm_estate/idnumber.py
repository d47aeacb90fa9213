# This file is part of the pm suite (物业管理系统). See README.md.
"""Chinese resident identity card numbers (GB 11643-1999): normalising,
checking, the birth date and gender they carry, and masking for display.

Shared by pm_customer (parties) and pm_hr (employees), and by every addon
that shows or imports identity numbers."""
import datetime as dt
import re
import unicodedata

__all__ = [
    'normalize_id_number', 'resident_id_check_digit', 'resident_id_error',
    'resident_id_valid', 'resident_id_birth_date', 'resident_id_gender',
    'mask_id_number']

_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK = '10X98765432'
_RESIDENT_ID_FORMAT = re.compile(r'^[0-9]{17}[0-9X]$')


def normalize_id_number(number):
    "Return the identity number without spaces, half-width and upper case"
    if not number:
        return number
    number = unicodedata.normalize('NFKC', number)
    return re.sub(r'\s', '', number).upper()


def resident_id_check_digit(number):
    "Return the GB 11643 check character of the first 17 digits of number"
    total = sum(int(c) * w for c, w in zip(number[:17], _RESIDENT_ID_WEIGHTS))
    return _RESIDENT_ID_CHECK[total % 11]


def resident_id_error(number):
    """Return why number is not a valid resident identity card number.

    The result is None for a valid number, otherwise one of 'length',
    'format', 'birth_date' or 'checksum'.
    """
    number = normalize_id_number(number or '')
    if len(number) != 18:
        return 'length'
    if not _RESIDENT_ID_FORMAT.match(number):
        return 'format'
    try:
        birth_date = dt.date(
            int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return 'birth_date'
    if birth_date.year < 1850:
        return 'birth_date'
    if number[17] != resident_id_check_digit(number):
        return 'checksum'
    return None


def resident_id_valid(number):
    "Test the length, birth date and GB 11643 check digit of a resident ID"
    return resident_id_error(number) is None


def resident_id_birth_date(number):
    "Return the birth date of a valid resident ID number, else None"
    number = normalize_id_number(number or '')
    if resident_id_valid(number):
        return dt.date(
            int(number[6:10]), int(number[10:12]), int(number[12:14]))


def resident_id_gender(number):
    "Return 'male' or 'female' from the sequence code of a resident ID"
    number = normalize_id_number(number or '')
    if resident_id_error(number):
        return None
    return 'male' if int(number[16]) % 2 else 'female'


def mask_id_number(number):
    """Return number with its middle replaced by asterisks.

    18-character resident ID numbers keep their first and last 4 characters
    (4201**********1234); shorter numbers keep less.
    """
    if not number:
        return number
    length = len(number)
    if length >= 10:
        keep = 4
    elif length >= 6:
        keep = 2
    elif length >= 3:
        keep = 1
    else:
        return '*' * length
    return number[:keep] + '*' * (length - 2 * keep) + number[-keep:]
