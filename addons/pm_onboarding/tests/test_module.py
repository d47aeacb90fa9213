# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
import os
import tempfile
import unittest
from decimal import Decimal

from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase

from ..legacy import write_dbf
from ..sheets import SHEET, SHEETS, CellError


class OnboardingRulesTestCase(unittest.TestCase):
    "Pure parsing rules of the onboarding sheets"

    def test_parsers(self):
        unit = SHEET['unit']
        self.assertEqual(unit.column('built_area').parse('1,234.5'),
            Decimal('1234.50'))
        self.assertEqual(unit.column('floor').parse(15.0), 15)
        self.assertEqual(unit.column('usage').parse('商铺'), 'shop')
        self.assertEqual(unit.column('usage').parse('shop'), 'shop')
        self.assertEqual(unit.column('delivery_date').parse('2020/1/5'),
            dt.date(2020, 1, 5))
        self.assertEqual(unit.column('delivery_date').parse('20200105'),
            dt.date(2020, 1, 5))
        self.assertEqual(unit.column('delivery_date').parse('2020年1月5日'),
            dt.date(2020, 1, 5))
        for column, value in [('floor', '1.5'), ('built_area', 'abc'),
                ('usage', '别墅'), ('delivery_date', '2020-13-01')]:
            with self.assertRaises(CellError):
                unit.column(column).parse(value)
        occupancy = SHEET['occupancy']
        self.assertIs(occupancy.column('billing').parse('是'), True)
        self.assertIs(occupancy.column('billing').parse('否'), False)

    def test_format_roundtrip(self):
        "Every exported value parses back to itself"
        for sheet in SHEETS:
            for column in sheet.columns:
                if column.kind == 'choice':
                    for value, *_ in column.choices:
                        self.assertEqual(
                            column.parse(column.format(value)), value)

    def test_unique_labels(self):
        titles = [s.title for s in SHEETS]
        self.assertEqual(len(titles), len(set(titles)))
        for sheet in SHEETS:
            self.assertEqual(len(sheet.labels), len(set(sheet.labels)))

    def test_dbf_gbk(self):
        "A dBase table written in GBK is read back by dbfread"
        from dbfread import DBF
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, 'FW.DBF')
            write_dbf(path, [('FWBH', 'C', 12, 0), ('MC', 'C', 20, 0),
                    ('JZMJ', 'N', 10, 2), ('RQ', 'D', 8, 0)],
                [['1-101', "翠湖花园一号", Decimal('89.5'),
                        dt.date(2020, 1, 5)]])
            with open(path, 'rb') as file_:
                self.assertIn("翠湖花园".encode('gbk'), file_.read())
            record, = DBF(path, encoding='gbk')
            self.assertEqual(record['MC'], "翠湖花园一号")
            self.assertEqual(record['JZMJ'], 89.5)
            self.assertEqual(record['RQ'], dt.date(2020, 1, 5))

    def test_translations_complete(self):
        "Every string of the addon has its Chinese translation"
        import polib
        path = os.path.join(os.path.dirname(__file__), '..', 'locale',
            'zh_CN.po')
        entries = polib.pofile(path)
        self.assertGreater(len(entries), 100)
        missing = [e.msgid for e in entries if not e.msgstr]
        self.assertEqual(missing, [])
        self.assertEqual([e.msgid for e in entries.fuzzy_entries()], [])


class OnboardingTestCase(CompanyTestMixin, ModuleTestCase):
    "Test pm_onboarding module"
    module = 'pm_onboarding'


del ModuleTestCase
