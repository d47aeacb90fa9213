# This file is part of the pm suite (物业管理系统). See README.md.
"""The starter library (标准文件库): the documents of data/*.md.

Each file is one controlled document written for a property-management
company: a header between two ``---`` lines, then the body in Markdown::

    ---
    code: QP-8.5-01
    title: 报修处理程序
    type: procedure
    department: 客服中心
    review_months: 12
    evidence: pm.work_order | 报修工单
    evidence: pm.complaint | 相关投诉 | [('state', '!=', 'cancelled')]
    ---
    # 报修处理程序
    ...

``evidence`` lines name the models whose records are the quality records of
the procedure, with a label and an optional domain.
"""
import ast
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / 'data'

DOCUMENT_TYPES = {
    'manual', 'procedure', 'instruction', 'form', 'external', 'company',
    'regulation'}


class LibraryFormatError(ValueError):
    pass


def parse_domain(text):
    """Return the domain (a list) written in text, or raise ValueError.

    Only Python literals are accepted (ast.literal_eval): no names, no calls.
    """
    text = (text or '').strip()
    if not text:
        return []
    try:
        domain = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exception:
        raise ValueError(str(exception)) from exception
    if isinstance(domain, tuple):
        domain = [domain]
    if not isinstance(domain, list):
        raise ValueError("a domain is a list")
    _check_domain(domain)
    return domain


def _check_domain(domain):
    for clause in domain:
        if clause in ('AND', 'OR'):
            continue
        if isinstance(clause, list):
            _check_domain(clause)
        elif (isinstance(clause, tuple) and 3 <= len(clause) <= 4
                and isinstance(clause[0], str)
                and isinstance(clause[1], str)):
            continue
        else:
            raise ValueError(f"invalid clause: {clause!r}")


def parse_document(text, name='?'):
    """Return the document described by text as a dictionary:
    code, title, type, department, review_months, evidences
    [(model, label, domain text)], body"""
    lines = text.splitlines()
    if not lines or lines[0].strip() != '---':
        raise LibraryFormatError(f"{name}: the header must start with ---")
    try:
        end = next(i for i, l in enumerate(lines[1:], 1) if l.strip() == '---')
    except StopIteration:
        raise LibraryFormatError(f"{name}: the header must end with ---")
    document = {
        'department': None,
        'review_months': 12,
        'evidences': [],
        }
    for line in lines[1:end]:
        if not line.strip():
            continue
        key, sep, value = line.partition(':')
        if not sep:
            raise LibraryFormatError(f"{name}: invalid header line {line!r}")
        key, value = key.strip(), value.strip()
        if key == 'evidence':
            parts = [p.strip() for p in value.split('|', 2)]
            model = parts[0]
            label = parts[1] if len(parts) > 1 and parts[1] else model
            domain = parts[2] if len(parts) > 2 else ''
            parse_domain(domain)
            document['evidences'].append((model, label, domain))
        elif key == 'review_months':
            document['review_months'] = int(value)
        elif key in {'code', 'title', 'type', 'department'}:
            document[key] = value or None
        else:
            raise LibraryFormatError(f"{name}: unknown header key {key!r}")
    for key in ['code', 'title', 'type']:
        if not document.get(key):
            raise LibraryFormatError(f"{name}: {key} is missing")
    if document['type'] not in DOCUMENT_TYPES:
        raise LibraryFormatError(
            f"{name}: unknown type {document['type']!r}")
    document['body'] = '\n'.join(lines[end + 1:]).strip() + '\n'
    return document


def sort_key(code):
    "Order codes as a document list does: QM, QP by clause, WI, QR, EX …"
    prefixes = ['QM', 'QP', 'WI', 'QR', 'EX', 'CD', 'RG']
    prefix, _, rest = code.partition('-')
    rank = prefixes.index(prefix) if prefix in prefixes else len(prefixes)
    parts = []
    for part in rest.replace('.', '-').split('-'):
        parts.append((0, int(part), '') if part.isdigit() else (1, 0, part))
    return (rank, parts)


def starter_documents(directory=DATA_DIR):
    "Return the parsed documents of the starter library, in code order"
    documents = [
        parse_document(path.read_text(encoding='utf-8'), path.name)
        for path in sorted(Path(directory).glob('*.md'))]
    codes = [d['code'] for d in documents]
    duplicates = {c for c in codes if codes.count(c) > 1}
    if duplicates:
        raise LibraryFormatError(
            f"duplicate codes: {', '.join(sorted(duplicates))}")
    return sorted(documents, key=lambda d: sort_key(d['code']))
