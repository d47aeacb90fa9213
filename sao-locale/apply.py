#!/usr/bin/env python3
"""Complete sao's zh_CN translation from sao-locale/zh_CN.po.

    python sao-locale/apply.py var/sao

sao (tryton-sao 8.0.x) loads `locale/<lang>.json` (Jed format, built from
its locale/<lang>.po by po2json, fuzzy entries left out) through
Sao.i18n.setlang. This merges every translated entry of the po files of this
folder (<lang>.po) into <sao>/locale/<lang>.json and <sao>/locale/<lang>.po,
so the web client shows no English on its own buttons, menus and dialogs.
It also merges the *.js snippets of this folder into <sao>/custom.js
(moment's 'zh' locale: Chinese dates, Monday first). Run by the Makefile
`sao` target and by the production setup after
installing sao; idempotent.
"""
import json
import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent


def apply(sao_root):
    sao_root = Path(sao_root)
    count = 0
    for po_path in sorted(HERE.glob('*.po')):
        lang = po_path.stem
        entries = [e for e in polib.pofile(str(po_path))
            if e.msgid and e.msgstr and not e.obsolete
            and 'fuzzy' not in e.flags]
        json_path = sao_root / 'locale' / f'{lang}.json'
        data = json.loads(json_path.read_text(encoding='utf-8'))
        for entry in entries:
            data[entry.msgid] = [None, entry.msgstr]
        json_path.write_text(
            json.dumps(data, ensure_ascii=False, separators=(',', ':')),
            encoding='utf-8')
        sao_po_path = sao_root / 'locale' / f'{lang}.po'
        if sao_po_path.exists():
            sao_po = polib.pofile(str(sao_po_path))
            by_id = {e.msgid: e for e in sao_po}
            for entry in entries:
                target = by_id.get(entry.msgid)
                if target is None:
                    sao_po.append(polib.POEntry(
                            msgid=entry.msgid, msgstr=entry.msgstr))
                else:
                    target.msgstr = entry.msgstr
                    if 'fuzzy' in target.flags:
                        target.flags.remove('fuzzy')
            sao_po.save(str(sao_po_path))
        count += len(entries)
        print(f'sao locale {lang}: {len(entries)} entries merged '
            f'into {json_path}')
    apply_js(sao_root)
    return count


def apply_js(sao_root):
    """Put the *.js snippets of this folder into sao's custom.js (loaded by
    index.html after sao), between markers, replacing an older copy"""
    custom = Path(sao_root) / 'custom.js'
    text = custom.read_text(encoding='utf-8') if custom.exists() else ''
    for js_path in sorted(HERE.glob('*.js')):
        begin = f'/* BEGIN sao-locale/{js_path.name} */'
        end = f'/* END sao-locale/{js_path.name} */'
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            text = head.rstrip('\n') + rest.split(end, 1)[1]
        text = (text.rstrip('\n') + '\n' if text.strip() else '') + (
            f'{begin}\n{js_path.read_text(encoding="utf-8").rstrip()}\n'
            f'{end}\n')
        print(f'sao: {js_path.name} merged into {custom}')
    custom.write_text(text, encoding='utf-8')


if __name__ == '__main__':
    apply(sys.argv[1] if len(sys.argv) > 1 else 'var/sao')
