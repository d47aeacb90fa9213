# This file is part of the pm suite (物业管理系统). See README.md.
"""Bank direct debit 银行托收/划款.

* A mandate 托收协议 authorises the collection of a party's bills (of one
  unit or all) from a bank account.
* A layout describes a bank's files: CSV (with a delimiter) or fixed-width
  fields, GBK or UTF-8; export fields (reference, account number, holder,
  amount …) and return fields (reference, amount, status, reason) with the
  status values that mean success.
* A collection batch gathers the unpaid bills due by a date for every active
  mandate (a line per mandate), exports the file, and imports the bank's
  return file: every row is validated first (nothing is written when one
  is wrong, the error names the rows); the successful debits are posted as
  receipts allocated oldest first as at the desk, the failures keep the
  bank's reason. The import runs in one transaction (a killed import
  leaves nothing) and importing the same file again changes nothing.
"""
import csv
import hashlib
import io
import re
from decimal import Decimal, InvalidOperation

from collections import defaultdict

from sql import Literal
from sql.aggregate import Count, Sum

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields,
    sequence_ordered)
from trytond.exceptions import UserError
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import id_batches
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .sqlbulk import (
    allocate_ids, audit_values, bulk_insert, bulk_update_columns)

ZERO = Decimal(0)
CENT = Decimal('0.01')

EXPORT_FIELDS = [
    ('reference', "Reference"),
    ('account_number', "Account Number"),
    ('holder', "Account Holder"),
    ('bank_name', "Bank"),
    ('amount', "Amount (yuan)"),
    ('amount_cents', "Amount (fen)"),
    ('party', "Party"),
    ('unit', "Unit"),
    ('date', "Collection Date"),
    ('constant', "Constant"),
    ]
RETURN_FIELDS = [
    ('reference', "Reference"),
    ('amount', "Amount (yuan)"),
    ('amount_cents', "Amount (fen)"),
    ('status', "Status"),
    ('reason', "Reason"),
    ('ignore', "Ignore"),
    ]


class DirectDebitError(UserError):
    pass


class Mandate(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.bank.mandate'
    __string__ = "Direct Debit Mandate"

    company = fields.Many2One('company.company', "Company", required=True)
    reference = fields.Char("Reference", required=True)
    party = fields.Many2One(
        'party.party', "Party", required=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    unit = fields.Many2One(
        'pm.unit', "Unit", domain=[('company', '=', Eval('company', -1))],
        help="Only this unit's bills; empty for all the party's bills.")
    bank_name = fields.Char("Bank", required=True)
    account_number = fields.Char("Account Number", required=True)
    holder = fields.Char("Account Holder", required=True)
    signed_date = fields.Date("Signed on")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('reference_unique', Unique(t, t.company, t.reference),
                'pm_billing.msg_mandate_reference_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.party, Index.Equality())))

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return '%s %s' % (self.reference, self.party.rec_name)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('account_number'):
            values['account_number'] = re.sub(
                r'[\s-]', '', values['account_number'])
        return values

    @classmethod
    def validate_fields(cls, mandates, field_names):
        super().validate_fields(mandates, field_names)
        for mandate in mandates:
            if not re.fullmatch(r'\d{8,30}', mandate.account_number or ''):
                raise DirectDebitError(gettext(
                        'pm_billing.msg_mandate_account_number',
                        mandate=mandate.rec_name))


class Layout(ModelSQL, ModelView):
    __name__ = 'pm.bank.layout'
    __string__ = "Bank File Layout"

    name = fields.Char("Name", required=True)
    format = fields.Selection([
            ('csv', "CSV"),
            ('fixed', "Fixed Width"),
            ], "Format", required=True)
    encoding = fields.Selection([
            ('gbk', "GBK"),
            ('utf-8', "UTF-8"),
            ], "Encoding", required=True)
    delimiter = fields.Char(
        "Delimiter", size=1, states={
            'invisible': Eval('format') != 'csv',
            'required': Eval('format') == 'csv',
            })
    header = fields.Boolean(
        "Header Row", help="The files have a first row of column titles.")
    fields_ = fields.One2Many(
        'pm.bank.layout.field', 'layout', "Export Fields",
        filter=[('direction', '=', 'export')])
    return_fields = fields.One2Many(
        'pm.bank.layout.field', 'layout', "Return Fields",
        filter=[('direction', '=', 'return')],
        context={'layout_direction': 'return'})
    success_values = fields.Char(
        "Success Statuses", required=True,
        help="Comma-separated status values of a successful debit.")
    method = fields.Many2One(
        'pm.payment.method', "Payment Method", required=True,
        domain=[('kind', '=', 'money')],
        help="The method of the receipts of successful debits.")

    @staticmethod
    def default_format():
        return 'csv'

    @staticmethod
    def default_encoding():
        return 'gbk'

    @staticmethod
    def default_delimiter():
        return ','

    @staticmethod
    def default_header():
        return True

    @staticmethod
    def default_success_values():
        return '0000'

    # --- writing --------------------------------------------------------
    def _value(self, field, line, date):
        "The text of a field for a line (a dict of export_rows)"
        amount = line['amount']
        values = {
            'reference': line['reference'],
            'account_number': line['account_number'],
            'holder': line['holder'],
            'bank_name': line['bank_name'],
            'amount': '%.2f' % amount,
            'amount_cents': str(int((amount * 100).to_integral_value())),
            'party': line['party'],
            'unit': line['unit'] or '',
            'date': date.strftime('%Y%m%d'),
            'constant': field.constant or '',
            }
        return values[field.name]

    def render(self, lines, date):
        "Return the bytes of the collection file"
        fields_ = sorted(self.fields_, key=lambda f: f.sequence or 0)
        rows = []
        if self.header:
            rows.append([f.title or f.name_string for f in fields_])
        for line in lines:
            rows.append([self._value(f, line, date) for f in fields_])
        if self.format == 'csv':
            out = io.StringIO()
            writer = csv.writer(
                out, delimiter=self.delimiter or ',', lineterminator='\r\n')
            writer.writerows(rows)
            text = out.getvalue()
        else:
            text = ''.join(''.join(
                        f.pad(value, self.encoding)
                        for f, value in zip(fields_, row)) + '\r\n'
                for row in rows)
        return text.encode(self.encoding)

    # --- reading --------------------------------------------------------
    def parse(self, data):
        """Return [(row number, {name: value})] of the return file, or raise
        listing the rows that cannot be read"""
        try:
            text = data.decode(self.encoding)
        except UnicodeDecodeError:
            raise DirectDebitError(gettext(
                    'pm_billing.msg_return_encoding',
                    encoding=self.encoding))
        fields_ = sorted(self.return_fields, key=lambda f: f.sequence or 0)
        lines = text.splitlines()
        if self.format == 'csv':
            rows = list(csv.reader(lines, delimiter=self.delimiter or ','))
        else:
            rows = []
            for line in lines:
                raw = line.encode(self.encoding)
                row, pos = [], 0
                for field in fields_:
                    row.append(raw[pos:pos + (field.width or 0)].decode(
                            self.encoding, errors='replace'))
                    pos += field.width or 0
                rows.append(row)
        result = []
        start = 1 if self.header else 0
        for number, row in enumerate(rows[start:], start + 1):
            if not any(c.strip() for c in row):
                continue
            values = {}
            for field, value in zip(fields_, row):
                if field.name != 'ignore':
                    values[field.name] = value.strip()
            result.append((number, values))
        return result


class LayoutField(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.bank.layout.field'
    __string__ = "Bank File Layout Field"
    _rec_name = 'title'

    layout = fields.Many2One(
        'pm.bank.layout', "Layout", required=True, ondelete='CASCADE')
    direction = fields.Selection([
            ('export', "Export"),
            ('return', "Return"),
            ], "Direction", required=True)
    name = fields.Selection('get_names', "Field", required=True)
    name_string = name.translated('name')
    title = fields.Char("Column Title")
    width = fields.Integer(
        "Width", help="The width in bytes of a fixed-width field.")
    align = fields.Selection([
            ('left', "Left"),
            ('right', "Right"),
            ], "Align", required=True)
    fill = fields.Char("Fill", size=1)
    constant = fields.Char(
        "Constant", states={'invisible': Eval('name') != 'constant'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('layout')

    @staticmethod
    def default_direction():
        return Transaction().context.get('layout_direction', 'export')

    @staticmethod
    def default_align():
        return 'left'

    @staticmethod
    def default_fill():
        return ' '

    def get_rec_name(self, name):
        return self.title or self.name_string

    @classmethod
    def get_names(cls):
        seen, result = set(), []
        for key, string in EXPORT_FIELDS + RETURN_FIELDS:
            if key not in seen:
                seen.add(key)
                result.append((key, string))
        return result

    def pad(self, value, encoding):
        "The value padded to the field's width in bytes of the encoding"
        width = self.width or 0
        raw = value.encode(encoding)
        if len(raw) > width:
            raise DirectDebitError(gettext(
                    'pm_billing.msg_layout_value_too_long',
                    value=value, field=self.name_string, width=width))
        fill = (self.fill or ' ').encode(encoding)
        padding = fill * (width - len(raw))
        raw = raw + padding if self.align == 'left' else padding + raw
        return raw.decode(encoding)


class Collection(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.bank.collection'
    __string__ = "Direct Debit Collection"

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    number = fields.Char("Number", required=True, states=_states)
    layout = fields.Many2One(
        'pm.bank.layout', "Layout", required=True, states=_states)
    due_date = fields.Date(
        "Bills Due by", required=True, states=_states,
        help="Collect the unpaid bills due on or before this date.")
    date = fields.Date("Collection Date", required=True, states=_states)
    lines = fields.One2Many(
        'pm.bank.collection.line', 'collection', "Lines", readonly=True)
    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)
    imports = fields.One2Many(
        'pm.bank.collection.import', 'collection', "Return Files",
        readonly=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    amount = fields.Function(Monetary(
            "Amount", currency='currency', digits='currency'), 'get_totals')
    paid_amount = fields.Function(Monetary(
            "Collected", currency='currency', digits='currency'),
        'get_totals')
    failed_count = fields.Function(fields.Integer("Failed"), 'get_totals')
    state = fields.Selection([
            ('draft', "Draft"),
            ('exported', "Exported"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('number_unique', Unique(t, t.company, t.number),
                'pm_billing.msg_collection_number_unique'),
            ]
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'exported'),
            ('exported', 'draft'),
            ('exported', 'done'),
            }
        cls._buttons.update({
                'generate': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'export': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-export',
                    'depends': ['state'],
                    },
                'import_return': {
                    'invisible': Eval('state') != 'exported',
                    'icon': 'tryton-import',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_due_date(cls):
        return Pool().get('ir.date').today()

    def get_currency(self, name):
        return self.company.currency.id

    @classmethod
    def get_totals(cls, collections, names):
        "Amounts and failures of the lines, summed by the database"
        pool = Pool()
        Line = pool.get('pm.bank.collection.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: {c.id: ZERO for c in collections} for n in names}
        if 'failed_count' in result:
            result['failed_count'] = {c.id: 0 for c in collections}
        for sub_ids in id_batches([c.id for c in collections]):
            cursor.execute(*line.select(
                    line.collection, line.state, Sum(line.amount),
                    Count(line.id),
                    where=line.collection.in_(sub_ids),
                    group_by=[line.collection, line.state]))
            for collection, state, amount, count in cursor:
                amount = Decimal(str(amount or 0)).quantize(CENT)
                if 'amount' in result:
                    result['amount'][collection] += amount
                if 'paid_amount' in result and state == 'paid':
                    result['paid_amount'][collection] += amount
                if 'failed_count' in result and state == 'failed':
                    result['failed_count'][collection] += count
        return result

    def get_rec_name(self, name):
        return self.number

    @classmethod
    @ModelView.button
    def generate(cls, collections):
        """(Re)create the lines: per active mandate, the unpaid bills of its
        party (and unit) due by the date (set-based: a few queries)"""
        pool = Pool()
        Line = pool.get('pm.bank.collection.line')
        LineBill = pool.get('pm.bank.collection.line-pm.bill')
        Mandate = pool.get('pm.bank.mandate')
        Bill = pool.get('pm.bill')
        cursor = Transaction().connection.cursor()
        mandate_t = Mandate.__table__()
        bill_t = Bill.__table__()
        for collection in collections:
            Line.delete(list(collection.lines))
            cursor.execute(*mandate_t.select(
                    mandate_t.id, mandate_t.party, mandate_t.unit,
                    where=(mandate_t.company == collection.company.id)
                    & (mandate_t.active == Literal(True)),
                    order_by=[mandate_t.reference, mandate_t.id]))
            mandates = cursor.fetchall()
            parties = sorted({m[1] for m in mandates})
            bills = defaultdict(list)
            for sub_ids in id_batches(parties):
                cursor.execute(*bill_t.select(
                        bill_t.id, bill_t.party, bill_t.unit,
                        where=bill_t.party.in_(sub_ids)
                        & (bill_t.state == 'posted')
                        & (bill_t.company == collection.company.id)
                        & (bill_t.due_date <= collection.due_date)))
                for bill_id, party, unit in cursor:
                    bills[party].append((bill_id, unit))
            unpaid = Bill.unpaid_by_ids(
                [b for v in bills.values() for b, _ in v])
            rows, links = [], []
            for mandate_id, party, unit in mandates:
                own = [b for b, u in bills.get(party, [])
                    if (unit is None or u == unit) and unpaid[b] > 0]
                if not own:
                    continue
                rows.append((mandate_id, party, unit, '%s-%04d' % (
                            collection.number, len(rows) + 1),
                        sum((unpaid[b] for b in own), ZERO)))
                links.append(own)
            uid, now = audit_values()
            line_ids = allocate_ids(Line._table, len(rows))
            bulk_insert(Line._table, [
                    'id', 'collection', 'mandate', 'party', 'unit',
                    'reference', 'amount', 'state', 'create_uid',
                    'create_date'],
                [(i, collection.id, *row, 'pending', uid, now)
                    for i, row in zip(line_ids, rows)])
            pairs = [(i, b) for i, own in zip(line_ids, links) for b in own]
            bulk_insert(LineBill._table, [
                    'id', 'line', 'bill', 'create_uid', 'create_date'],
                [(j, i, b, uid, now) for j, (i, b) in zip(
                        allocate_ids(LineBill._table, len(pairs)), pairs)])

    @classmethod
    @ModelView.button
    @Workflow.transition('exported')
    def export(cls, collections):
        for collection in collections:
            rows = collection.export_rows()
            if not rows:
                raise DirectDebitError(gettext(
                        'pm_billing.msg_collection_empty',
                        collection=collection.rec_name))
            collection.file = collection.layout.render(rows, collection.date)
            ext = 'csv' if collection.layout.format == 'csv' else 'txt'
            collection.filename = '%s.%s' % (collection.number, ext)
        cls.save(collections)

    def export_rows(self):
        "The lines to export as dicts, read with one query"
        pool = Pool()
        Line = pool.get('pm.bank.collection.line')
        Mandate = pool.get('pm.bank.mandate')
        Party = pool.get('party.party')
        Unit = pool.get('pm.unit')
        line = Line.__table__()
        mandate = Mandate.__table__()
        party = Party.__table__()
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*line
            .join(mandate, condition=line.mandate == mandate.id)
            .join(party, condition=line.party == party.id)
            .join(unit, 'LEFT', condition=line.unit == unit.id)
            .select(line.reference, mandate.account_number, mandate.holder,
                mandate.bank_name, line.amount, party.name, unit.code,
                where=line.collection == self.id,
                order_by=[line.reference]))
        keys = ['reference', 'account_number', 'holder', 'bank_name',
            'amount', 'party', 'unit']
        rows = []
        for row in cursor:
            values = dict(zip(keys, row))
            values['amount'] = Decimal(str(values['amount'])).quantize(CENT)
            rows.append(values)
        return rows

    @classmethod
    @ModelView.button_action('pm_billing.wizard_collection_import')
    def import_return(cls, collections):
        pass

    @classmethod
    @Workflow.transition('done')
    def done(cls, collections):
        pass

    def import_return_file(self, data, filename=None):
        """Import the bank's return file: validate every row, then post the
        successful debits and record the failures. Return (paid, failed,
        already) counts; a file imported before changes nothing."""
        pool = Pool()
        Import = pool.get('pm.bank.collection.import')
        Line = pool.get('pm.bank.collection.line')
        Receipt = pool.get('pm.receipt')
        digest = hashlib.sha256(data).hexdigest()
        if Import.search([
                    ('collection', '=', self.id), ('digest', '=', digest)]):
            return 0, 0, len(self.lines)
        # lock the collection: two imports of it run one after the other
        type(self).lock([self])
        cursor = Transaction().connection.cursor()
        line_t = Line.__table__()
        LineBill = pool.get('pm.bank.collection.line-pm.bill')
        link_t = LineBill.__table__()
        cursor.execute(*link_t.join(line_t,
                condition=link_t.line == line_t.id).select(link_t.bill,
                where=(line_t.collection == self.id)
                & (line_t.state == 'pending')))
        Receipt.bulk_prelock(self.company, self.layout.method, self.date,
            [b for b, in cursor])
        rows = self.layout.parse(data)
        cursor.execute(*line_t.select(
                line_t.id, line_t.reference, line_t.amount, line_t.state,
                line_t.party, line_t.unit,
                where=line_t.collection == self.id))
        by_reference = {r[1]: {
                'id': r[0], 'amount': Decimal(str(r[2])).quantize(CENT),
                'state': r[3], 'party': r[4], 'unit': r[5]}
            for r in cursor}
        success = {v.strip() for v in self.layout.success_values.split(',')}
        errors, results = [], []
        for number, values in rows:
            reference = values.get('reference', '')
            line = by_reference.get(reference)
            if not line:
                errors.append(gettext(
                        'pm_billing.msg_return_row_reference',
                        row=number, reference=reference))
                continue
            try:
                if 'amount_cents' in values:
                    amount = Decimal(values['amount_cents']) / 100
                else:
                    amount = Decimal(values.get('amount', ''))
            except InvalidOperation:
                errors.append(gettext(
                        'pm_billing.msg_return_row_amount',
                        row=number, value=values.get('amount')
                        or values.get('amount_cents')))
                continue
            if amount.quantize(CENT) != line['amount']:
                errors.append(gettext(
                        'pm_billing.msg_return_row_amount_differs',
                        row=number, amount=amount, expected=line['amount']))
                continue
            status = values.get('status', '')
            results.append((line, status in success, status,
                    values.get('reason', '')))
        if errors:
            raise DirectDebitError(gettext(
                    'pm_billing.msg_return_rows',
                    errors='\n'.join(errors[:50])))
        paid, failed, already = [], [], 0
        for line, ok, status, reason in results:
            if line['state'] != 'pending':
                already += 1
            elif ok:
                paid.append(line)
            else:
                failed.append((line, reason or status))
        bills = defaultdict(list)
        for sub_ids in id_batches([l['id'] for l in paid]):
            cursor.execute(*link_t.select(link_t.line, link_t.bill,
                    where=link_t.line.in_(sub_ids)))
            for line_id, bill_id in cursor:
                bills[line_id].append(bill_id)
        receipt_ids = Receipt.bulk_post(
            self.company, self.layout.method, self.date, [{
                    'party': l['party'], 'unit': l['unit'],
                    'amount': l['amount'], 'bills': bills[l['id']],
                    } for l in paid], origin=self)
        uid, now = audit_values()
        bulk_update_columns(Line._table, ['receipt'], [
                (l['id'], r) for l, r in zip(paid, receipt_ids)],
            extra={'state': 'paid', 'write_uid': uid, 'write_date': now})
        by_reason = defaultdict(list)
        for line, reason in failed:
            by_reason[reason].append(line['id'])
        for reason, ids in by_reason.items():
            Line.write(Line.browse(ids), {
                    'state': 'failed', 'reason': reason})
        Import.create([{
                    'collection': self.id, 'digest': digest,
                    'filename': filename, 'paid': len(paid),
                    'failed': len(failed), 'rows': len(results),
                    }])
        cursor.execute(*line_t.select(line_t.id,
                where=(line_t.collection == self.id)
                & (line_t.state == 'pending'), limit=1))
        if not cursor.fetchone():
            type(self).done([self])
        return len(paid), len(failed), already


class CollectionLine(ModelSQL, ModelView):
    __name__ = 'pm.bank.collection.line'
    __string__ = "Direct Debit Line"

    collection = fields.Many2One(
        'pm.bank.collection', "Collection", required=True,
        ondelete='CASCADE', readonly=True)
    mandate = fields.Many2One(
        'pm.bank.mandate', "Mandate", required=True, readonly=True)
    party = fields.Many2One('party.party', "Party", readonly=True)
    unit = fields.Many2One('pm.unit', "Unit", readonly=True)
    reference = fields.Char("Reference", readonly=True)
    amount = fields.Numeric("Amount", digits=(16, 2), readonly=True)
    bills = fields.Many2Many(
        'pm.bank.collection.line-pm.bill', 'line', 'bill', "Bills",
        readonly=True)
    state = fields.Selection([
            ('pending', "Pending"),
            ('paid', "Paid"),
            ('failed', "Failed"),
            ], "State", readonly=True, required=True)
    reason = fields.Char("Bank's Reason", readonly=True)
    receipt = fields.Many2One('pm.receipt', "Receipt", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('collection')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.reference, Index.Equality())))

    @staticmethod
    def default_state():
        return 'pending'


class CollectionLineBill(ModelSQL):
    __name__ = 'pm.bank.collection.line-pm.bill'
    __string__ = "Direct Debit Line - Bill"
    line = fields.Many2One(
        'pm.bank.collection.line', "Line", required=True, ondelete='CASCADE')
    bill = fields.Many2One(
        'pm.bill', "Bill", required=True, ondelete='CASCADE')


class CollectionImport(ModelSQL, ModelView):
    __name__ = 'pm.bank.collection.import'
    __string__ = "Direct Debit Return File"

    collection = fields.Many2One(
        'pm.bank.collection', "Collection", required=True,
        ondelete='CASCADE', readonly=True)
    digest = fields.Char("SHA-256", readonly=True)
    filename = fields.Char("File Name", readonly=True)
    rows = fields.Integer("Rows", readonly=True)
    paid = fields.Integer("Paid", readonly=True)
    failed = fields.Integer("Failed", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('collection')
        t = cls.__table__()
        cls._sql_constraints = [
            ('digest_unique', Unique(t, t.collection, t.digest),
                'pm_billing.msg_return_imported'),
            ]


class ImportStart(ModelView):
    __name__ = 'pm.bank.collection.import.start'
    __string__ = "Import Return File"

    file = fields.Binary("Return File", required=True, filename='filename')
    filename = fields.Char("File Name")


class ImportDone(ModelView):
    __name__ = 'pm.bank.collection.import.done'
    __string__ = "Return File Imported"

    paid = fields.Integer("Paid", readonly=True)
    failed = fields.Integer("Failed", readonly=True)
    already = fields.Integer("Already Imported", readonly=True)


class Import(Wizard):
    __name__ = 'pm.bank.collection.import_return'
    __string__ = "Import Return File"

    start = StateView('pm.bank.collection.import.start',
        'pm_billing.collection_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    done = StateView('pm.bank.collection.import.done',
        'pm_billing.collection_import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        self.result = self.record.import_return_file(
            self.start.file, self.start.filename)
        return 'done'

    def default_done(self, fields):
        paid, failed, already = getattr(self, 'result', (0, 0, 0))
        return {'paid': paid, 'failed': failed, 'already': already}
