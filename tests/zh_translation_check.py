#!/usr/bin/env python3
"""Count the zh_CN translations left empty in a database.

    python tests/zh_translation_check.py -c trytond.conf -d DB [--json]

Used by tests/test_zh_cn.py on a copy of the demo database (every addon of
the suite activated, zh_CN loaded). Like `trytond-admin --export-
translations`, it first registers every translatable string of the
activated modules (ir.translation.set: views and reports too) and creates
the missing zh_CN rows (ir.translation.update), so that a string absent from
every .po file counts as well. Then it counts, per module, the zh_CN rows
whose value is empty or fuzzy and that no other row translates (an override
entry of another module hosts a few strings under its own name: trytond
looks translations up by name, type and source, whatever their module).
Nothing is committed.
"""
import argparse
import json
import os
import sys
from collections import defaultdict


def count(database):
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0, context={}) as transaction:
        Module = pool.get('ir.module')
        TranslationSet = pool.get('ir.translation.set', type='wizard')
        TranslationUpdate = pool.get('ir.translation.update', type='wizard')
        Lang = pool.get('ir.lang')

        session_id, _, _ = TranslationSet.create()
        TranslationSet.execute(session_id, {}, 'set_')
        TranslationSet.delete(session_id)
        lang, = Lang.search([('code', '=', 'zh_CN')])
        session_id, _, _ = TranslationUpdate.create()
        TranslationUpdate.execute(session_id, {
                'start': {'language': lang.id}}, 'update')
        TranslationUpdate.delete(session_id)

        modules = sorted(m.name for m in Module.search(
                [('state', '=', 'activated')]))
        cursor = transaction.connection.cursor()
        cursor.execute(
            "SELECT t.module, t.type, t.name, t.src, t.res_id "
            "FROM ir_translation AS t "
            "WHERE t.lang = 'zh_CN' "
            "AND (t.value IS NULL OR t.value = '' OR t.fuzzy) "
            "AND NOT EXISTS (SELECT 1 FROM ir_translation AS o "
            "WHERE o.lang = 'zh_CN' AND o.id != t.id "
            "AND o.name = t.name AND o.type = t.type "
            "AND o.res_id = t.res_id AND o.src = t.src "
            "AND o.value IS NOT NULL AND o.value != '' AND NOT o.fuzzy)")
        missing = defaultdict(list)
        for module, type_, name, src, res_id in cursor:
            if module in modules:
                missing[module].append([type_, name, src, res_id])
        cursor.execute(
            "SELECT module, COUNT(*) FROM ir_translation "
            "WHERE lang = 'zh_CN' GROUP BY module")
        totals = dict(cursor)
        transaction.rollback()
    return {
        'modules': modules,
        'totals': {m: totals.get(m, 0) for m in modules},
        'missing': dict(missing),
        }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--json', action='store_true')
    options = parser.parse_args(argv)
    os.environ['TRYTOND_CONFIG'] = options.config
    from trytond.config import update_etc
    update_etc(options.config)
    result = count(options.database)
    if options.json:
        json.dump(result, sys.stdout, ensure_ascii=False)
    else:
        for module in result['modules']:
            missing = result['missing'].get(module, [])
            print(f'{module:28} {len(missing):5} empty '
                f'of {result["totals"][module]}')
            for type_, name, src, _ in missing[:20]:
                print(f'    {type_}:{name}: {src!r}')


if __name__ == '__main__':
    main()
