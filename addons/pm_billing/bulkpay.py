# This file is part of the pm suite (物业管理系统). See README.md.
"""Posting many payments at once (bank return files, 100,000 debits).

`Receipt.bulk_post(company, method, date, payments)` does what posting one
receipt per payment at the desk does — a gap-less number each, lines paying
the given bills oldest first, the rest as prepayment, the move, the
reconciliation of the bills paid in full — with a few set-based queries:
the receipts and their lines are written with COPY, one move carries a line
per receipt line (posted through Tryton, which checks it balances), and the
reconciliations are written directly. Everything is in the caller's
transaction: an interrupted import leaves nothing.
"""
from collections import defaultdict
from decimal import Decimal

from sql import Null

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from trytond.modules.pm_estate.mixin import id_batches

from .receipt import ReceiptError
from .sqlbulk import allocate_ids, audit_values, bulk_insert, bulk_update

ZERO = Decimal(0)
CENT = Decimal('0.01')


def _dec(value):
    return Decimal(str(value or 0)).quantize(CENT)


class Receipt(metaclass=PoolMeta):
    __name__ = 'pm.receipt'

    @classmethod
    def bulk_prelock(cls, company, method, date, bill_ids):
        """Take every lock bulk_post needs before any work: Tryton restarts
        the transaction to take a lock, which then costs nothing"""
        pool = Pool()
        Bill = pool.get('pm.bill')
        Config = pool.get('pm.configuration')
        Sequence = pool.get('pm.receipt.sequence')
        Period = pool.get('account.period')
        JournalPeriod = pool.get('account.journal.period')
        if bill_ids:
            Bill.lock(list(bill_ids))
        Sequence.get_sequence(
            company, date.year, Config(1).receipt_sequence).lock()
        period = Period.find(company, date=date)
        period.move_sequence_used.lock()
        if not JournalPeriod.search([
                    ('journal', '=', method.journal.id),
                    ('period', '=', period.id),
                    ], limit=1):
            JournalPeriod.lock()

    @classmethod
    def bulk_post(cls, company, method, date, payments, origin=None):
        """Post a receipt per payment {'party', 'unit', 'amount', 'bills'}
        (ids; bills paid oldest first, the rest prepaid); return the receipt
        ids in the order of the payments"""
        pool = Pool()
        Bill = pool.get('pm.bill')
        Line = pool.get('pm.receipt.line')
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        Period = pool.get('account.period')
        Config = pool.get('pm.configuration')
        Sequence = pool.get('pm.receipt.sequence')
        LateFee = pool.get('pm.late_fee')
        MonthClose = pool.get('pm.month_close')
        if not payments:
            return []
        config = Config(1)
        cursor = Transaction().connection.cursor()
        MonthClose.check_open(company.id, [date], method.rec_name)
        bill_ids = sorted({b for p in payments for b in p['bills']})
        if bill_ids:
            Bill.lock(bill_ids)
            LateFee.compute_fees(date, bill_ids)
        # the bills: state, party, order, receivable line
        bill_t = Bill.__table__()
        info = {}
        for sub_ids in id_batches(bill_ids):
            cursor.execute(*bill_t.select(
                    bill_t.id, bill_t.party, bill_t.state,
                    bill_t.receivable_line, bill_t.due_date,
                    bill_t.date_start,
                    where=bill_t.id.in_(sub_ids)))
            for row in cursor:
                info[row[0]] = row
        unpaid = Bill.unpaid_by_ids(bill_ids)
        # allocation, oldest first
        receipts, lines = [], []
        for payment in payments:
            amount = payment['amount']
            if amount is None or amount <= 0:
                raise ReceiptError(gettext(
                        'pm_billing.msg_cashier_amount_positive'))
            rest = amount
            own = []
            for bill_id in sorted(payment['bills'],
                    key=lambda b: (str(info[b][4] or ''), str(info[b][5]),
                        b)):
                _, party, state, _, _, _ = info[bill_id]
                if party != payment['party'] or state != 'posted':
                    raise ReceiptError(gettext(
                            'pm_billing.msg_receipt_bill_not_posted',
                            bill=Bill(bill_id).rec_name))
                part = min(rest, unpaid[bill_id])
                if part > 0:
                    own.append((bill_id, part))
                    unpaid[bill_id] -= part
                    rest -= part
            if rest and not config.prepayment_account:
                raise ReceiptError(gettext(
                        'pm_billing.msg_receipt_no_prepayment_account'))
            receipts.append((payment, rest))
            lines.append(own)
        # numbers, receipts and lines
        sequence = Sequence.get_sequence(
            company, date.year, config.receipt_sequence)
        with Transaction().set_context(date=date, company=company.id):
            numbers = list(sequence.get_many(len(receipts)))
        uid, now = audit_values()
        period = Period.find(company, date=date)
        move = Move(company=company, journal=method.journal, period=period,
            date=date, origin=origin, description=method.rec_name)
        move.save()
        flat_count = sum(len(own) for own in lines)
        prepaid_count = len([r for _, r in receipts if r])
        ml_ids = iter(allocate_ids(
                MoveLine._table, 1 + flat_count + prepaid_count))
        money_line = next(ml_ids)
        receipt_ids = allocate_ids(cls._table, len(receipts))
        bulk_insert(cls._table, [
                'id', 'number', 'company', 'party', 'unit', 'date',
                'method', 'currency', 'amount', 'prepayment', 'cashier',
                'kind', 'state', 'move', 'create_uid', 'create_date'],
            [(rid, number, company.id, p['party'], p.get('unit'), date,
                    method.id, company.currency.id, p['amount'], rest, uid,
                    'payment', 'posted', move.id, uid, now)
                for rid, number, (p, rest) in zip(
                    receipt_ids, numbers, receipts)])
        flat = [(rid, bill_id, part, next(ml_ids))
            for rid, own in zip(receipt_ids, lines) for bill_id, part in own]
        line_ids = allocate_ids(Line._table, len(flat))
        # the move: the money in, a receivable credit per line, prepayments
        receivable = {}
        receivable_lines = [info[b][3] for b in bill_ids if info[b][3]]
        ml_t = MoveLine.__table__()
        for sub_ids in id_batches(receivable_lines):
            cursor.execute(*ml_t.select(ml_t.id, ml_t.account,
                    where=ml_t.id.in_(sub_ids)))
            receivable.update(cursor)
        # the bills paid in full are reconciled: the lines of this move
        # are written with their reconciliation, the older ones updated
        paid = [b for b in bill_ids if unpaid[b] <= 0]
        groups = cls._reconcile_candidates(paid)
        for lid, (rid, bill_id, part, ml_id) in zip(line_ids, flat):
            if bill_id in groups:
                groups[bill_id].append((ml_id, -part))
        reconciliations = cls._create_reconciliations(
            company, date, groups.values())
        total = sum((p['amount'] for p, _ in receipts), ZERO)
        money_party = None
        if method.account.party_required and len(
                {p['party'] for p, _ in receipts}) == 1:
            money_party = receipts[0][0]['party']
        move_rows = [(money_line, move.id, method.account.id,
                money_party, total, ZERO, None, None, 'valid', uid, now,
                None)]
        for lid, (rid, bill_id, part, ml_id) in zip(line_ids, flat):
            move_rows.append((ml_id, move.id,
                    receivable[info[bill_id][3]], info[bill_id][1], ZERO,
                    part, None, f'{Line.__name__},{lid}', 'valid', uid, now,
                    reconciliations.pop(ml_id, None)))
        for rid, (payment, rest) in zip(receipt_ids, receipts):
            if rest:
                move_rows.append((next(ml_ids), move.id,
                        config.prepayment_account.id, payment['party'],
                        ZERO, rest, None, f'{cls.__name__},{rid}', 'valid',
                        uid, now, None))
        bulk_insert(MoveLine._table, [
                'id', 'move', 'account', 'party', 'debit', 'credit',
                'description', 'origin', 'state', 'create_uid',
                'create_date', 'reconciliation'], move_rows)
        # the older lines of the groups (receivable lines, part payments)
        bulk_update(MoveLine._table, 'reconciliation',
            sorted(reconciliations.items()))
        # the receipt lines once their move lines exist (foreign key)
        bulk_insert(Line._table, [
                'id', 'receipt', 'bill', 'amount', 'move_line', 'create_uid',
                'create_date'],
            [(lid, rid, bill_id, part, ml_id, uid, now)
                for lid, (rid, bill_id, part, ml_id) in zip(line_ids, flat)])
        Move.post([move])
        if bill_ids:
            LateFee.charge_paid(bill_ids)
        return receipt_ids

    @classmethod
    def bulk_reconcile(cls, company, date, bill_ids):
        """Reconcile the receivable line of each bill with the unreconciled
        move lines of the receipts paying it, when they balance"""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        groups = cls._reconcile_candidates(bill_ids)
        bulk_update(MoveLine._table, 'reconciliation', sorted(
                cls._create_reconciliations(
                    company, date, groups.values()).items()))

    @classmethod
    def _reconcile_candidates(cls, bill_ids):
        """{bill id: [(move line id, debit - credit)]} of the unreconciled
        receivable line of each bill and the receipt lines paying it"""
        pool = Pool()
        Bill = pool.get('pm.bill')
        Line = pool.get('pm.receipt.line')
        MoveLine = pool.get('account.move.line')
        cursor = Transaction().connection.cursor()
        bill_t = Bill.__table__()
        line_t = Line.__table__()
        ml_t = MoveLine.__table__()
        groups = defaultdict(list)
        for sub_ids in id_batches(list(bill_ids)):
            cursor.execute(*bill_t.join(ml_t,
                    condition=bill_t.receivable_line == ml_t.id).select(
                    bill_t.id, ml_t.id, ml_t.debit - ml_t.credit,
                    where=bill_t.id.in_(sub_ids)
                    & (ml_t.reconciliation == Null)))
            for bill_id, ml_id, balance in cursor:
                groups[bill_id].append((ml_id, _dec(balance)))
            cursor.execute(*line_t.join(ml_t,
                    condition=line_t.move_line == ml_t.id).select(
                    line_t.bill, ml_t.id, ml_t.debit - ml_t.credit,
                    where=line_t.bill.in_(sub_ids)
                    & (ml_t.reconciliation == Null)))
            for bill_id, ml_id, balance in cursor:
                groups[bill_id].append((ml_id, _dec(balance)))
        return groups

    @classmethod
    def _create_reconciliations(cls, company, date, groups):
        """Create a reconciliation for each group of (move line id, balance)
        that balances; return {move line id: reconciliation id}"""
        pool = Pool()
        Reconciliation = pool.get('account.move.reconciliation')
        AccountConfig = pool.get('account.configuration')
        groups = [[m for m, _ in g] for g in groups
            if len(g) > 1 and sum(b for _, b in g) == 0]
        if not groups:
            return {}
        with Transaction().set_context(company=company.id):
            sequence = AccountConfig(1).get_multivalue(
                'reconciliation_sequence', company=company.id)
            numbers = list(sequence.get_many(len(groups)))
        uid, now = audit_values()
        ids = allocate_ids(Reconciliation._table, len(groups))
        bulk_insert(Reconciliation._table, [
                'id', 'number', 'company', 'date', 'create_uid',
                'create_date'],
            [(i, n, company.id, date, uid, now)
                for i, n in zip(ids, numbers)])
        return {ml_id: rid for rid, group in zip(ids, groups)
            for ml_id in group}
