# This file is part of the pm suite (物业管理系统). See README.md.
"""Receipts 收据: money taken at the cashier desk, allocated to bills."""
from collections import defaultdict
from decimal import Decimal

from sql import Cast, Literal
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.exceptions import UserError
from trytond.modules.company import CompanyReport
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import id_batches
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction, without_check_access


class ReceiptModifyError(AccessError):
    pass


class ReceiptError(UserError):
    pass


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    receipt_sequence = fields.Many2One(
        'ir.sequence.strict', "Receipt Sequence",
        domain=[
            ('sequence_type', '=',
                Id('pm_billing', 'sequence_type_receipt')),
            ],
        help="The gap-less numbering of the receipts.")
    prepayment_account = fields.Many2One(
        'account.account', "Prepayment Account",
        domain=[('type', '!=', None), ('closed', '!=', True)],
        help="The account (with party) credited with the part of a payment "
        "that is not allocated to bills (预存款).")

    @classmethod
    def default_receipt_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('pm_billing', 'sequence_receipt')
        except KeyError:
            return None


class ReceiptSequence(ModelSQL, ModelView):
    """The gap-less receipt numbering of a company and a year: a copy of the
    configured sequence made when the year's first receipt is posted"""
    __name__ = 'pm.receipt.sequence'
    __string__ = "Receipt Sequence"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    year = fields.Integer("Year", required=True, readonly=True)
    sequence = fields.Many2One(
        'ir.sequence.strict', "Sequence", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_year_unique', Unique(t, t.company, t.year),
                'pm_billing.msg_receipt_sequence_unique'),
            ]

    @classmethod
    def get_sequence(cls, company, year, template):
        "The sequence of the company and year, created from the template"
        records = cls.search([
                ('company', '=', company.id), ('year', '=', year)])
        if records:
            return records[0].sequence
        Sequence = Pool().get('ir.sequence.strict')
        with without_check_access():
            sequence, = Sequence.copy([template], default={
                    'name': '%s %s %s' % (template.name, company.rec_name,
                        year),
                    'company': company.id,
                    'number_next_internal': 1,
                    })
            cls.create([{
                        'company': company.id, 'year': year,
                        'sequence': sequence.id}])
        return sequence


class Bill(metaclass=PoolMeta):
    __name__ = 'pm.bill'

    unpaid_amount = fields.Function(Monetary(
            "Unpaid Amount", currency='currency', digits='currency'),
        'get_unpaid_amount', searcher='search_unpaid_amount')

    @classmethod
    def unpaid_by_ids(cls, bill_ids):
        """{bill id: unpaid amount} read with SQL only (for large sets:
        no record is instantiated)"""
        pool = Pool()
        Line = pool.get('pm.receipt.line')
        Receipt = pool.get('pm.receipt')
        line = Line.__table__()
        receipt = Receipt.__table__()
        bill = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_ids in id_batches(list(bill_ids)):
            # the receipt lines of these bills only (PostgreSQL does not
            # push the bills' ids into the grouped subquery)
            paid = line.join(receipt, condition=line.receipt == receipt.id
                ).select(line.bill, Sum(line.amount).as_('paid'),
                where=receipt.state.in_(['posted', 'voided'])
                & line.bill.in_(sub_ids),
                group_by=[line.bill])
            cursor.execute(*bill.join(paid, 'LEFT',
                    condition=paid.bill == bill.id).select(
                    bill.id, bill.state, bill.amount, paid.paid,
                    where=bill.id.in_(sub_ids)))
            for bill_id, state, amount, paid_amount in cursor:
                if state != 'posted':
                    result[bill_id] = Decimal(0)
                else:
                    result[bill_id] = (Decimal(str(amount or 0))
                        - Decimal(str(paid_amount or 0))).quantize(
                        Decimal('0.01'))
        return result

    @classmethod
    def get_unpaid_amount(cls, bills, name=None):
        "Amount of the posted bills that no posted receipt pays"
        pool = Pool()
        Line = pool.get('pm.receipt.line')
        Receipt = pool.get('pm.receipt')
        line = Line.__table__()
        receipt = Receipt.__table__()
        cursor = Transaction().connection.cursor()
        paid = defaultdict(Decimal)
        for sub_ids in id_batches([b.id for b in bills]):
            cursor.execute(*line.join(
                    receipt, condition=line.receipt == receipt.id
                    ).select(line.bill, Sum(line.amount),
                    where=line.bill.in_(sub_ids)
                    & receipt.state.in_(['posted', 'voided']),
                    group_by=[line.bill]))
            for bill_id, amount in cursor:
                paid[bill_id] = Decimal(str(amount or 0))
        result = {}
        for bill in bills:
            if bill.state != 'posted':
                result[bill.id] = Decimal(0)
            else:
                result[bill.id] = bill.currency.round(
                    (bill.amount or 0) - paid[bill.id])
        return result

    @classmethod
    def search_unpaid_amount(cls, name, clause):
        pool = Pool()
        Line = pool.get('pm.receipt.line')
        Receipt = pool.get('pm.receipt')
        bill = cls.__table__()
        line = Line.__table__()
        receipt = Receipt.__table__()
        _, operator, value = clause
        Operator = fields.SQL_OPERATORS[operator]
        paid = line.join(receipt, condition=line.receipt == receipt.id
            ).select(line.bill, Sum(line.amount).as_('paid'),
            where=receipt.state.in_(['posted', 'voided']),
            group_by=[line.bill])
        query = bill.join(paid, 'LEFT', condition=paid.bill == bill.id
            ).select(bill.id,
            where=(bill.state == 'posted')
            & Operator(
                Cast(bill.amount - Coalesce(paid.paid, 0), 'NUMERIC'),
                Cast(Literal(str(Decimal(str(value or 0)))), 'NUMERIC')))
        return [('id', 'in', query)]

    @classmethod
    def _check_no_receipt(cls, bills):
        "Refuse to change bills that receipts (partly) pay"
        pool = Pool()
        Line = pool.get('pm.receipt.line')
        for bill in bills:
            if bill.state != 'posted':
                continue
            if bill.unpaid_amount != bill.amount:
                line = Line.search([('bill', '=', bill.id)], limit=1)[0]
                raise ReceiptError(gettext(
                        'pm_billing.msg_bill_paid_by_receipt',
                        bill=bill.rec_name,
                        receipt=line.receipt.rec_name))

    @classmethod
    def cancel(cls, bills):
        cls._check_no_receipt(bills)
        super().cancel(bills)

    @classmethod
    def issue_invoice(cls, bills):
        cls._check_no_receipt(bills)
        super().issue_invoice(bills)

    @classmethod
    def unpaid_bills(cls, party, unit=None, bills=None):
        "The posted bills of the party still to pay, oldest first"
        domain = [
            ('party', '=', party.id),
            ('state', '=', 'posted'),
            ]
        if unit:
            domain.append(('unit', '=', unit.id))
        if bills is not None:
            domain.append(('id', 'in', [b.id for b in bills]))
        bills = cls.search(domain, order=[
                ('due_date', 'ASC NULLS FIRST'), ('date_start', 'ASC'),
                ('id', 'ASC')])
        unpaid = cls.get_unpaid_amount(bills)
        return [b for b in bills if unpaid[b.id] > 0]


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.receipt']


class MoveLine(metaclass=PoolMeta):
    __name__ = 'account.move.line'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.receipt', 'pm.receipt.line']


class Receipt(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.receipt'
    __string__ = "Receipt"
    _rec_name = 'number'

    _states = {'readonly': Eval('state') != 'draft'}

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    party = fields.Many2One(
        'party.party', "Payer", required=True, states=_states,
        context={'company': Eval('company', -1)}, depends={'company'})
    unit = fields.Many2One('pm.unit', "Unit", states=_states)
    date = fields.Date("Date", required=True, states=_states)
    method = fields.Many2One(
        'pm.payment.method', "Payment Method", required=True,
        domain=[('company', '=', Eval('company', -1))], states=_states)
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, states=_states)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        states=_states)
    prepayment = Monetary(
        "Prepayment", currency='currency', digits='currency', readonly=True,
        help="The part of the amount not allocated to bills (预存款).")
    cashier = fields.Many2One(
        'res.user', "Cashier", required=True, readonly=True)
    lines = fields.One2Many(
        'pm.receipt.line', 'receipt', "Lines", states=_states)
    move = fields.Many2One(
        'account.move', "Move", readonly=True, ondelete='RESTRICT')
    voids = fields.Many2One(
        'pm.receipt', "Voids", readonly=True, ondelete='RESTRICT',
        help="The receipt this reversal receipt voids.")
    voided_by = fields.Many2One(
        'pm.receipt', "Voided by", readonly=True, ondelete='RESTRICT')
    amount_words = fields.Function(
        fields.Char("Amount in Words"), 'get_amount_words')
    kind = fields.Selection([
            ('payment', "Payment"),
            ('refund', "Refund"),
            ], "Kind", required=True, states=_states,
        help="A refund pays back part of the prepayment (negative amount).")
    prepayment_item = fields.Many2One(
        'pm.charge.item', "Prepayment for", states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="Earmark the prepayment for this charge item: it is applied "
        "only to bills with this item.")
    reason = fields.Text(
        "Reason", states=_states,
        help="Required for waivers, discounts and refunds.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ('voided', "Voided"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Equality())),
                Index(t, (t.number, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('date', 'DESC'), ('number', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'posted'),
            ('posted', 'voided'),
            }
        cls._buttons.update({
                'post': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'void': {
                    'invisible': ((Eval('state') != 'posted')
                        | Eval('voids')),
                    'icon': 'tryton-cancel',
                    'depends': ['state', 'voids'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            return Company(company).currency.id

    @staticmethod
    def default_cashier():
        return Transaction().user

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @staticmethod
    def default_prepayment():
        return Decimal(0)

    @staticmethod
    def default_kind():
        return 'payment'

    def get_rec_name(self, name):
        return self.number or str(self.id)

    def get_amount_words(self, name):
        from .words import amount_in_words
        return amount_in_words(self.amount or Decimal(0))

    @classmethod
    def check_modification(cls, mode, receipts, values=None, external=False):
        super().check_modification(
            mode, receipts, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and external):
            for receipt in receipts:
                if receipt.state != 'draft':
                    raise ReceiptModifyError(gettext(
                            'pm_billing.msg_receipt_modify_posted',
                            receipt=receipt.rec_name))

    @classmethod
    def copy(cls, receipts, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'move', 'voids', 'voided_by']:
            default.setdefault(name, None)
        default.setdefault('prepayment', Decimal(0))
        default.setdefault('cashier', Transaction().user)
        return super().copy(receipts, default=default)

    @classmethod
    def validate_fields(cls, receipts, field_names):
        super().validate_fields(receipts, field_names)
        for receipt in receipts:
            if receipt.state != 'draft' or receipt.amount is None:
                continue
            if receipt.kind == 'refund':
                if receipt.amount >= 0 or receipt.lines:
                    raise ReceiptError(gettext(
                            'pm_billing.msg_receipt_refund_negative',
                            receipt=receipt.rec_name))
            elif receipt.amount <= 0:
                raise ReceiptError(gettext(
                        'pm_billing.msg_receipt_amount_positive',
                        receipt=receipt.rec_name))

    @classmethod
    def allocate(cls, amount, bills, unpaid):
        """Spread amount on the bills in their order; return the list of
        (bill, amount) and the remainder"""
        allocation = []
        for bill in bills:
            if amount <= 0:
                break
            part = min(amount, unpaid[bill.id])
            if part > 0:
                allocation.append((bill, part))
                amount -= part
        return allocation, amount

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, receipts):
        pool = Pool()
        Bill = pool.get('pm.bill')
        Line = pool.get('pm.receipt.line')
        Config = pool.get('pm.configuration')
        config = Config(1)
        receipts = [r for r in receipts if r.state == 'draft']
        if not receipts:
            return
        bills = {l.bill for r in receipts for l in r.lines}
        parties = {r.party for r in receipts if not r.lines}
        candidates = list(bills)
        for party in parties:
            candidates += Bill.search([
                    ('party', '=', party.id), ('state', '=', 'posted')])
        # Lock the bills being paid so that two cashiers cannot allocate
        # the same unpaid amount
        if candidates:
            Bill.lock(candidates)
        to_save = []
        # what the receipts of this batch already allocate
        allocated = defaultdict(Decimal)

        def unpaid_amounts(bills):
            unpaid = Bill.get_unpaid_amount(bills)
            return {i: a - allocated[i] for i, a in unpaid.items()}

        cls._check_post(receipts)
        for receipt in receipts:
            if receipt.kind == 'refund':
                receipt.prepayment = receipt.amount
                receipt.cashier = Transaction().user
                to_save.append(receipt)
                continue
            if receipt.amount is None or receipt.amount <= 0:
                raise ReceiptError(gettext(
                        'pm_billing.msg_receipt_amount_positive',
                        receipt=receipt.rec_name))
            if receipt.lines:
                lines = list(receipt.lines)
            elif receipt.prepayment_item:
                # an earmarked prepayment pays no bill now
                lines = []
            else:
                bills = Bill.unpaid_bills(receipt.party, receipt.unit)
                unpaid = unpaid_amounts(bills)
                allocation, _ = cls.allocate(receipt.amount, bills, unpaid)
                lines = [Line(receipt=receipt, bill=b, amount=a)
                    for b, a in allocation]
            if len({l.bill for l in lines}) != len(lines):
                raise ReceiptError(gettext(
                        'pm_billing.msg_receipt_bill_twice',
                        receipt=receipt.rec_name))
            unpaid = unpaid_amounts([l.bill for l in lines])
            total = Decimal(0)
            for line in lines:
                bill = line.bill
                if (bill.party != receipt.party
                        or bill.company != receipt.company):
                    raise ReceiptError(gettext(
                            'pm_billing.msg_receipt_bill_party',
                            bill=bill.rec_name, party=receipt.party.rec_name))
                if bill.state != 'posted':
                    raise ReceiptError(gettext(
                            'pm_billing.msg_receipt_bill_not_posted',
                            bill=bill.rec_name))
                if line.amount is None or line.amount <= 0:
                    raise ReceiptError(gettext(
                            'pm_billing.msg_receipt_amount_positive',
                            receipt=receipt.rec_name))
                if line.amount > unpaid[bill.id]:
                    raise ReceiptError(gettext(
                            'pm_billing.msg_receipt_over_allocated',
                            bill=bill.rec_name, amount=line.amount,
                            unpaid=unpaid[bill.id]))
                unpaid[bill.id] -= line.amount
                allocated[bill.id] += line.amount
                total += line.amount
            if total > receipt.amount:
                raise ReceiptError(gettext(
                        'pm_billing.msg_receipt_lines_exceed',
                        receipt=receipt.rec_name))
            receipt.lines = lines
            receipt.prepayment = receipt.amount - total
            if receipt.prepayment and not config.prepayment_account:
                raise ReceiptError(gettext(
                        'pm_billing.msg_receipt_no_prepayment_account'))
            receipt.cashier = Transaction().user
            to_save.append(receipt)
        cls.save(to_save)
        cls._set_number(receipts)
        cls._post_moves(receipts)
        cls._reconcile_bills({l.bill for r in receipts for l in r.lines})

    @classmethod
    def _check_post(cls, receipts):
        "Check the receipts can be posted (extended by prepayment rules)"
        pass

    @classmethod
    def _set_number(cls, receipts):
        pool = Pool()
        Config = pool.get('pm.configuration')
        config = Config(1)
        if not config.receipt_sequence:
            raise ReceiptError(gettext('pm_billing.msg_receipt_no_sequence'))
        by_key = defaultdict(list)
        for receipt in receipts:
            by_key[(receipt.company, receipt.date)].append(receipt)
        Sequence = pool.get('pm.receipt.sequence')
        for (company, date), c_receipts in sorted(
                by_key.items(), key=lambda i: (i[0][0].id, i[0][1])):
            sequence = Sequence.get_sequence(
                company, date.year, config.receipt_sequence)
            with Transaction().set_context(date=date, company=company.id):
                numbers = list(sequence.get_many(len(c_receipts)))
            for receipt, number in zip(c_receipts, numbers):
                receipt.number = number
        cls.save(receipts)

    def _move_lines(self):
        "The lines of the receipt's move (negative amounts for a reversal)"
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        Config = pool.get('pm.configuration')
        config = Config(1)

        def line(account, amount, party=None, origin=None):
            return MoveLine(
                account=account, party=party,
                debit=amount if amount > 0 else Decimal(0),
                credit=-amount if amount < 0 else Decimal(0),
                description=self.number, origin=origin or self)
        account = self.method.account
        lines = [line(account, self.amount,
                party=self.party if account.party_required else None)]
        for rline in self.lines:
            lines.append(line(
                    rline.bill.receivable_line.account, -rline.amount,
                    party=self.party, origin=rline))
        if self.prepayment:
            lines.append(line(
                    config.prepayment_account, -self.prepayment,
                    party=self.party))
        return lines

    @classmethod
    def _post_moves(cls, receipts):
        pool = Pool()
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        Line = pool.get('pm.receipt.line')
        moves = []
        for receipt in receipts:
            period = Period.find(receipt.company, date=receipt.date)
            moves.append(Move(
                    company=receipt.company, journal=receipt.method.journal,
                    period=period, date=receipt.date, origin=receipt,
                    description=receipt.number,
                    lines=receipt._move_lines()))
        Move.save(moves)
        Move.post(moves)
        to_save = []
        for receipt, move in zip(receipts, moves):
            receipt.move = move
            for mline in move.lines:
                if isinstance(mline.origin, Line):
                    mline.origin.move_line = mline
                    to_save.append(mline.origin)
        cls.save(receipts)
        Line.save(to_save)

    @classmethod
    def _reconcile_bills(cls, bills):
        """Reconcile the receivable line of each bill fully paid with the
        open lines of the receipts paying it"""
        pool = Pool()
        Line = pool.get('pm.receipt.line')
        MoveLine = pool.get('account.move.line')
        to_reconcile = []
        for bill in bills:
            receivable = bill.receivable_line
            if not receivable or receivable.reconciliation:
                continue
            lines = Line.search([
                    ('bill', '=', bill.id),
                    ('move_line', '!=', None),
                    ])
            mlines = [l.move_line for l in lines
                if not l.move_line.reconciliation]
            balance = receivable.debit - receivable.credit + sum(
                (m.debit - m.credit for m in mlines), Decimal(0))
            if mlines and bill.currency.is_zero(balance):
                to_reconcile.append([receivable] + mlines)
        if to_reconcile:
            MoveLine.reconcile(*to_reconcile)

    @classmethod
    @ModelView.button
    @Workflow.transition('voided')
    def void(cls, receipts):
        """Post a reversal receipt for each receipt: the bills it paid are
        unpaid again"""
        pool = Pool()
        Line = pool.get('pm.receipt.line')
        Reconciliation = pool.get('account.move.reconciliation')
        MoveLine = pool.get('account.move.line')
        Date = pool.get('ir.date')
        Bill = pool.get('pm.bill')
        for receipt in receipts:
            if receipt.voids:
                raise ReceiptError(gettext(
                        'pm_billing.msg_receipt_void_reversal',
                        receipt=receipt.rec_name))
        Bill.lock([l.bill for r in receipts for l in r.lines])
        reversals = []
        for receipt in receipts:
            with Transaction().set_context(company=receipt.company.id):
                today = Date.today()
            reversals.append(cls(
                    company=receipt.company, party=receipt.party,
                    unit=receipt.unit, date=max(today, receipt.date),
                    method=receipt.method, currency=receipt.currency,
                    amount=-receipt.amount, prepayment=-receipt.prepayment,
                    kind=receipt.kind,
                    prepayment_item=receipt.prepayment_item,
                    cashier=Transaction().user, voids=receipt,
                    state='posted',
                    lines=[Line(bill=l.bill, amount=-l.amount)
                        for l in receipt.lines]))
        cls.save(reversals)
        # Undo the reconciliations of the bills paid by the receipts
        reconciliations = {l.move_line.reconciliation
            for r in receipts for l in r.lines
            if l.move_line and l.move_line.reconciliation}
        if reconciliations:
            Reconciliation.delete(list(reconciliations))
        cls._set_number(reversals)
        cls._post_moves(reversals)
        to_reconcile = []
        for receipt, reversal in zip(receipts, reversals):
            receipt.voided_by = reversal
            reverse_lines = {l.bill: l.move_line for l in reversal.lines}
            pairs = [(l.move_line, reverse_lines[l.bill])
                for l in receipt.lines]
            prepayments = [
                [l for l in m.lines if l.party and l.origin == m.origin]
                for m in [receipt.move, reversal.move]]
            pairs += list(zip(*prepayments))
            for original, reverse in pairs:
                if (original.account.reconcile
                        and not original.reconciliation
                        and not reverse.reconciliation):
                    to_reconcile.append([original, reverse])
        cls.save(receipts)
        if to_reconcile:
            MoveLine.reconcile(*to_reconcile)
        # Payments of other receipts may still settle some bills
        cls._reconcile_bills({l.bill for r in receipts for l in r.lines})


class ReceiptLine(ModelSQL, ModelView):
    __name__ = 'pm.receipt.line'
    __string__ = "Receipt Line"

    receipt = fields.Many2One(
        'pm.receipt', "Receipt", required=True, ondelete='CASCADE')
    bill = fields.Many2One(
        'pm.bill', "Bill", required=True, ondelete='RESTRICT',
        domain=[('state', '=', 'posted')])
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    move_line = fields.Many2One(
        'account.move.line', "Move Line", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('receipt')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.bill, Index.Equality())),
                Index(t, (t.receipt, Index.Equality())),
                })

    @fields.depends('receipt', '_parent_receipt.currency')
    def on_change_with_currency(self, name=None):
        return self.receipt.currency if self.receipt else None

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('move_line', None)
        return super().copy(lines, default=default)

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'delete', 'write'} and external:
            for line in lines:
                if line.receipt.state != 'draft':
                    raise ReceiptModifyError(gettext(
                            'pm_billing.msg_receipt_modify_posted',
                            receipt=line.receipt.rec_name))


class ReceiptReport(CompanyReport):
    "Receipt"
    __name__ = 'pm.receipt'

    @classmethod
    def get_context(cls, records, header, data):
        from .words import amount_in_words
        context = super().get_context(records, header, data)
        context['words'] = amount_in_words
        return context
