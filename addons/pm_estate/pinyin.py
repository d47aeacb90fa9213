# This file is part of the pm suite (物业管理系统). See README.md.
"""Pinyin search keys (拼音检索) for Chinese names.

A stored `pinyin` key holds the full pinyin and the initials of a record's
name, e.g. 张三 → "zhangsan zs", 丽景苑 → "lijingyuan ljy", so that staff
typing `zs`, `zhangsan` or `ljy` find the record through its rec_name search
(and the portal's staff pages, which search the same way). The key is
computed by pypinyin in `preprocess_values` whenever the name is written
(create, write, import), filled for existing rows when the module is
updated, and used to sort names in pinyin order (Chinese dictionary order)
on SQLite and PostgreSQL alike.
"""
import re
import unicodedata

from sql import Null

from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

try:
    from pypinyin import Style, lazy_pinyin
except ImportError:  # pragma: no cover - requirements.txt installs it
    lazy_pinyin = Style = None

# Surnames whose reading differs from the most common reading of the
# character (曾 zēng not céng, 单 shàn not dān …): a person's name gets a
# second key with the surname reading
SURNAMES = {
    '曾': 'zeng', '单': 'shan', '解': 'xie', '仇': 'qiu', '朴': 'piao',
    '区': 'ou', '查': 'zha', '缪': 'miao', '乐': 'yue', '翟': 'zhai',
    '盖': 'ge', '覃': 'qin', '种': 'chong', '秘': 'bi', '尉': 'yu',
    '召': 'shao', '繁': 'po', '员': 'yun', '万': 'wan', '燕': 'yan',
    '沈': 'shen', '长': 'chang', '重': 'chong', '折': 'she', '黑': 'he',
    }
_KEEP = re.compile(r'[^0-9a-z]+')


def _clean(text):
    return _KEEP.sub('', unicodedata.normalize('NFKC', text).lower())


def pinyin_key(name):
    """The search key of a name: full pinyin and initials, space separated
    (and again with the surname reading when it differs), lowercase ASCII.
    '' when the name is empty."""
    if not name or lazy_pinyin is None:
        return ''
    name = unicodedata.normalize('NFKC', name).strip()
    syllables = lazy_pinyin(name, errors='default')
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors='default')
    full, short = _clean(''.join(syllables)), _clean(''.join(initials))
    keys = [full, short]
    surname = SURNAMES.get(name[0])
    if surname and syllables and syllables[0] != surname:
        keys = [
            _clean(surname + ''.join(syllables[1:])),
            _clean(surname[0] + ''.join(initials[1:]))] + keys
    seen = []
    for key in keys:
        if key and key not in seen:
            seen.append(key)
    return ' '.join(seen)


def pinyin_operand(operand):
    """The pinyin to search for a rec_name operand, or None when the operand
    is not pinyin (Chinese characters, digits only, empty)"""
    if not isinstance(operand, str):
        return None
    text = operand.replace('%', '').replace('_', '').strip().lower()
    text = re.sub(r'[\s\'-]+', '', text)
    if not re.fullmatch(r'[a-z0-9]*[a-z][a-z0-9]*', text):
        return None
    return text


def pinyin_clause(operand, path='pinyin'):
    "The domain clause matching the pinyin key at path, or None"
    text = pinyin_operand(operand)
    if text is None:
        return None
    return (path, 'ilike', f'%{text}%')


def add_pinyin(domain, clause, paths=('pinyin',)):
    """Extend a search_rec_name domain with the pinyin clauses (positive
    like operators only; other operators keep the domain as is)"""
    _, operator, operand, *_ = clause
    if operator not in {'like', 'ilike'}:
        return domain
    clauses = [c for c in (pinyin_clause(operand, p) for p in paths) if c]
    if not clauses:
        return domain
    if domain and domain[0] == 'OR':
        return list(domain) + clauses
    return ['OR', domain] + clauses


class PinyinMixin:
    """A stored `pinyin` key computed from `_pinyin_source` (default 'name')"""
    __slots__ = ()
    _pinyin_source = 'name'
    pinyin = fields.Char(
        "Pinyin", readonly=True,
        help="The full pinyin and the initials of the name, "
        "for searching by pinyin (e.g. zs or zhangsan for 张三).")

    @classmethod
    def __register__(cls, module_name):
        super().__register__(module_name)
        cls._pinyin_fill()

    @classmethod
    def _pinyin_fill(cls):
        "Compute the missing keys of existing rows (module update)"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        source = getattr(table, cls._pinyin_source)
        cursor.execute(*table.select(table.id, source,
                where=(table.pinyin == Null) & (source != Null)))
        rows = cursor.fetchall()
        for chunk in grouped_slice(rows, 500):
            for id_, name in chunk:
                cursor.execute(*table.update(
                        [table.pinyin], [pinyin_key(name)],
                        where=table.id == id_))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if cls._pinyin_source in values:
            values = values.copy()
            values['pinyin'] = pinyin_key(values[cls._pinyin_source])
        return values


class Estate(PinyinMixin, metaclass=PoolMeta):
    __name__ = 'pm.estate'

    @classmethod
    def search_rec_name(cls, name, clause):
        return add_pinyin(super().search_rec_name(name, clause), clause)


class Building(PinyinMixin, metaclass=PoolMeta):
    __name__ = 'pm.building'

    @classmethod
    def search_rec_name(cls, name, clause):
        # 丽景苑 3栋: the building's own key or its estate's
        return add_pinyin(super().search_rec_name(name, clause), clause,
            paths=('pinyin', 'estate.pinyin'))


class Unit(PinyinMixin, metaclass=PoolMeta):
    __name__ = 'pm.unit'

    @classmethod
    def search_rec_name(cls, name, clause):
        # the unit's name, or `ljy 3-101`: the estate's pinyin and the code
        domain = super().search_rec_name(name, clause)
        _, operator, operand, *extra = clause
        domain = add_pinyin(domain, clause)
        if (operator in {'like', 'ilike'} and isinstance(operand, str)
                and len(operand.strip('% ').split()) == 2):
            first, code = operand.strip('% ').split()
            estate = pinyin_clause(first, 'estate.pinyin')
            if estate:
                domain = ['OR', domain, [
                        estate, ('code', operator, f'%{code}%', *extra)]]
        return domain


class Party(PinyinMixin, metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # names in pinyin order (Chinese dictionary order), not code points
        if ('name', 'ASC') in cls._order:
            cls._order.insert(
                cls._order.index(('name', 'ASC')), ('pinyin', 'ASC'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return add_pinyin(super().search_rec_name(name, clause), clause)
