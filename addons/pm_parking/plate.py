# This file is part of the pm suite (物业管理系统). See README.md.
"""Chinese vehicle number plates (机动车号牌, GA 36-2018).

A plate is a province abbreviation (省份简称), the letter of the issuing
authority (发牌机关代号, A-Z without I and O) and then:

* ordinary plates (普通号牌): 5 letters or digits, never I or O;
* new-energy plates (新能源号牌), 6 characters: small vehicles have D (pure
  electric) or F (other new energy) first, then a letter or digit and 4
  digits (京AD12345, 沪AF1A234); large vehicles have 5 digits and then D or
  F (粤B12345D);
* special plates: 4 letters or digits followed by 警 (police), 学 (driving
  school), 挂 (trailer), or 港 / 澳 (Hong Kong / Macao vehicles crossing
  into Guangdong, always 粤Z).
"""
import re

PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼'
_LETTER = 'A-HJ-NP-Z'
_CHAR = _LETTER + '0-9'

_ORDINARY = re.compile(rf'^[{PROVINCES}][{_LETTER}][{_CHAR}]{{5}}$')
_NEW_ENERGY = re.compile(
    rf'^[{PROVINCES}][{_LETTER}]'
    rf'(?:[DF][{_CHAR}][0-9]{{4}}|[0-9]{{5}}[DF])$')
_SPECIAL = re.compile(
    rf'^[{PROVINCES}][{_LETTER}][{_CHAR}]{{4}}([警学挂港澳])$')

PLATE_TYPES = [
    ('ordinary', "Ordinary"),
    ('new_energy', "New Energy"),
    ('police', "Police"),
    ('coach', "Driving School"),
    ('trailer', "Trailer"),
    ('hong_kong', "Hong Kong"),
    ('macao', "Macao"),
    ]
_SUFFIX_TYPES = {
    '警': 'police', '学': 'coach', '挂': 'trailer',
    '港': 'hong_kong', '澳': 'macao',
    }
_SEPARATORS = re.compile(r'[\s·•・.\-_]+')


def normalize_plate(plate):
    "Return the plate in upper case without spaces nor separators"
    if plate is None:
        return None
    return _SEPARATORS.sub('', str(plate)).upper()


def plate_type(plate):
    "Return the type of a normalized plate, or None when it is not valid"
    if not plate:
        return None
    if _NEW_ENERGY.match(plate):
        return 'new_energy'
    if _ORDINARY.match(plate):
        return 'ordinary'
    match = _SPECIAL.match(plate)
    if match:
        suffix = match.group(1)
        if suffix in '港澳' and not plate.startswith('粤Z'):
            return None
        return _SUFFIX_TYPES[suffix]
    return None


def is_valid_plate(plate):
    return plate_type(normalize_plate(plate)) is not None
