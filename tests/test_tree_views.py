"""Every list (tree) view of every addon can be drawn by sao 8.0.

sao 8.0 has no list column for `datetime` or `timestamp` fields: a list view
showing one without `widget="date"` / `widget="time"` breaks the whole tab in
sao ("ColumnFactory is not a constructor"), and a form embedding that list
never opens. tests/tree_view_check.py reads the ir.ui.view records of every
addons/*/ module from their XML files and the field types from the
registered classes (no database; ~10 s), in a process of its own so that
its pool does not meet the test databases' pools.
"""
import json
import os
import subprocess
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class TreeViewsTestCase(unittest.TestCase):
    "List views show no column sao cannot draw"
    longMessage = False

    def test_no_datetime_column_without_widget(self):
        "No datetime/timestamp list column without a date/time widget"
        env = dict(os.environ, TRYTOND_DATABASE_URI='sqlite://')
        env.pop('TRYTOND_CONFIG', None)
        proc = subprocess.run(
            [sys.executable, str(ROOT / 'tests' / 'tree_view_check.py'),
                '--json'],
            env=env, cwd=str(ROOT), capture_output=True, text=True,
            timeout=300)
        self.assertIn(proc.returncode, {0, 1}, proc.stderr[-4000:])
        found = json.loads(proc.stdout)
        report = '\n'.join(
            f'{module}/view/{name}.xml ({model}): {field} ({ftype}), '
            f'widget={widget}'
            for module, _, name, model, field, ftype, widget in found)
        self.assertFalse(found,
            'list columns sao 8.0 cannot draw (show a datetime as '
            '<field name="x" widget="date"/><field name="x" '
            'widget="time"/>):\n' + report)

    def test_checker_finds_a_bare_datetime(self):
        "The checker flags a datetime column without widget (self-test)"
        sys.path.insert(0, str(ROOT / 'tests'))
        try:
            import tree_view_check
        finally:
            sys.path.remove(str(ROOT / 'tests'))
        from lxml import etree
        arch = etree.fromstring(
            '<data><xpath expr="/tree" position="inside">'
            '<field name="a"/></xpath>'
            '<field name="b" position="after"/></data>')
        self.assertEqual(
            [f.get('name') for f in tree_view_check.shown_fields(
                    arch, True)], ['a'])
        self.assertNotIn('datetime', tree_view_check.SAO_TREE_WIDGETS)
        self.assertNotIn('timestamp', tree_view_check.SAO_TREE_WIDGETS)
        sao = ROOT / 'var' / 'sao' / 'dist' / 'tryton-sao.js'
        if sao.exists():
            # the list of widgets is the one of the installed sao
            import re
            text = sao.read_text('utf-8', errors='replace')
            block = text.split('TreeXMLViewParser.WIDGETS = {', 1)[1]
            block = block.split('};', 1)[0]
            widgets = set(re.findall(r"'([a-z0-9_]+)'\s*:", block))
            self.assertEqual(widgets, tree_view_check.SAO_TREE_WIDGETS)


if __name__ == '__main__':
    unittest.main()
