#!/usr/bin/env python3
"""List the tree (list) view columns that sao 8.0 cannot draw.

    .venv/bin/python tests/tree_view_check.py [--json] [addon ...]

sao builds a list column from the field's `widget` attribute, or else from
the field's type, through Sao.View.TreeXMLViewParser.WIDGETS; 8.0 has no
column for `datetime` nor `timestamp` fields, so a list view showing one
without a widget fails in sao ("ColumnFactory is not a constructor") and the
whole tab (or the form embedding the list) never opens. Tryton's own views
show a datetime in a list as two columns:
    <field name="x" widget="date"/> <field name="x" widget="time"/>

No database is needed: the ir.ui.view records are read from the XML files
each module's tryton.cfg loads (inherited views resolved through their
parent, in core modules too), and the field types from the classes
registered by every installed module, set up in a pool of their own (an
in-memory SQLite transaction, nothing is written).

Prints one line per problem (or JSON) and exits with 1 when there is one.
Default: every addon under addons/.
"""
import argparse
import configparser
import json
import os
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
# Sao.View.TreeXMLViewParser.WIDGETS of tryton-sao 8.0
SAO_TREE_WIDGETS = {
    'binary', 'boolean', 'callto', 'char', 'date', 'dict', 'email', 'float',
    'image', 'integer', 'many2many', 'many2one', 'numeric', 'one2many',
    'one2one', 'progressbar', 'reference', 'selection', 'multiselection',
    'sip', 'text', 'time', 'timedelta', 'url',
    }


def module_path(name):
    if name in {'ir', 'res'}:
        import trytond
        return Path(trytond.__file__).parent / name
    import importlib
    return Path(importlib.import_module(
            f'trytond.modules.{name}').__file__).parent


def module_xml_files(name):
    path = module_path(name)
    config = configparser.ConfigParser()
    config.read(path / 'tryton.cfg')
    files = config.get('tryton', 'xml', fallback='').split()
    return path, [path / f for f in files]


def read_views(modules):
    "{module.xml_id: view dict} of the ir.ui.view records of the modules"
    views = {}
    for module in modules:
        path, files = module_xml_files(module)
        for xml_file in files:
            if not xml_file.exists():
                continue
            tree = etree.parse(str(xml_file))
            for record in tree.iter('record'):
                if record.get('model') != 'ir.ui.view':
                    continue
                view = {'module': module, 'file': xml_file, 'path': path}
                for field in record.iter('field'):
                    fname = field.get('name')
                    if fname == 'inherit':
                        ref = field.get('ref')
                        if not ref:
                            continue
                        view['inherit'] = (
                            ref if '.' in ref else f'{module}.{ref}')
                    elif fname == 'arch':
                        view['arch'] = etree.tostring(
                            field[0]) if len(field) else field.text
                    elif fname in {'model', 'type', 'name'}:
                        view[fname] = (field.text or '').strip()
                views[f"{module}.{record.get('id')}"] = view
    return views


def view_arch(view):
    if view.get('arch'):
        return etree.fromstring(view['arch'])
    name = view.get('name')
    if not name:
        return None
    arch_file = view['path'] / 'view' / f'{name}.xml'
    if not arch_file.exists():
        return None
    return etree.parse(str(arch_file)).getroot()


def resolve(views, xml_id, key):
    seen = set()
    while xml_id in views and xml_id not in seen:
        seen.add(xml_id)
        view = views[xml_id]
        if view.get(key):
            return view[key]
        if key == 'type':
            arch = view_arch(view)
            if arch is not None and arch.tag in {
                    'tree', 'form', 'graph', 'calendar', 'board',
                    'list-form'}:
                return arch.tag
        xml_id = view.get('inherit')
    return None


def shown_fields(arch, inherited):
    "The <field> elements the view shows as columns"
    for field in arch.iter('field'):
        if inherited and field.get('position'):
            continue  # a locator of an inherited view
        if field.getparent() is not None and any(
                a.tag == 'field' for a in field.iterancestors()):
            continue  # a field inside a field (its own sub-view)
        yield field


def setup_pool():
    os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
    from trytond.modules import create_graph, get_modules
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool.start()
    modules = set(get_modules())
    graph = create_graph(modules)
    pool = Pool(':memory:')
    classes = {}
    for node in graph:
        for type_, lst in pool.fill(node.name, modules).items():
            classes.setdefault(type_, []).extend(lst)
    with Transaction().start(':memory:', 0, _nocache=True):
        pool.setup(classes)
        pool.setup_mixin()
    return pool, [node.name for node in graph]


def problems(addons=None):
    "[(module, view xml id, view name, model, field, type, widget)]"
    pool, graph = setup_pool()
    views = read_views(graph)
    if addons is None:
        addons = {p.parent.name for p in (ROOT / 'addons').glob(
                '*/tryton.cfg')}
    found = []
    for xml_id, view in sorted(views.items()):
        if view['module'] not in addons:
            continue
        if resolve(views, xml_id, 'type') != 'tree':
            continue
        model = resolve(views, xml_id, 'model')
        arch = view_arch(view)
        if not model or arch is None:
            continue
        try:
            Model = pool.get(model)
        except KeyError:
            continue  # a model of a module not installed
        for field in shown_fields(arch, bool(view.get('inherit'))):
            name = field.get('name')
            mfield = Model._fields.get(name)
            if mfield is None:
                continue
            ftype = mfield._type
            widget = field.get('widget') or ftype
            if widget not in SAO_TREE_WIDGETS:
                found.append((view['module'], xml_id,
                        view.get('name') or '(inline)', model, name,
                        ftype, field.get('widget')))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--json', action='store_true')
    parser.add_argument('addons', nargs='*')
    args = parser.parse_args()
    found = problems(set(args.addons) or None)
    if args.json:
        print(json.dumps(found))
    else:
        for module, xml_id, name, model, fname, ftype, widget in found:
            print(f'{module}: view/{name}.xml ({model}): field {fname} '
                f'({ftype}) widget={widget}')
        print(f'{len(found)} column(s) sao cannot draw', file=sys.stderr)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
