# This file is part of the pm suite (物业管理系统). See README.md.
"""Pinyin search of employees (员工拼音检索).

An employee's name is its party's name: the stored key is the party's
`pinyin` (pm_estate/pinyin.py, recomputed whenever the party's name is
written), so renaming the person updates the employee's key with no second
copy to keep in sync. `company.employee` searches its rec_name through
`party.rec_name`, which matches the key (`zs` / `zhangsan` find 张三); the
`pinyin` field here exposes the key for domains and sorting.
"""
from trytond.model import fields
from trytond.pool import Pool, PoolMeta


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    pinyin = fields.Function(fields.Char(
            "Pinyin",
            help="The full pinyin and the initials of the employee's name."),
        'get_pinyin', searcher='search_pinyin')

    def get_pinyin(self, name):
        return self.party.pinyin if self.party else None

    @classmethod
    def search_pinyin(cls, name, clause):
        return [('party.pinyin',) + tuple(clause[1:])]

    @staticmethod
    def order_pinyin(tables):
        pool = Pool()
        Party = pool.get('party.party')
        table, _ = tables[None]
        if 'party' not in tables:
            party = Party.__table__()
            tables['party'] = {
                None: (party, table.party == party.id),
                }
        else:
            party, _ = tables['party'][None]
        return [party.pinyin]
