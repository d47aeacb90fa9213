# This file is part of the pm suite (物业管理系统). See README.md.
import calendar
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import (
    Exclude, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.modules.company import CompanyReport
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import id_batches, search_fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .engine import Engine, post_bills
from .exceptions import BillingRunError, BillModifyError, BillPostError


def _tax_exclusive(amount, rate, currency):
    """Return the base that gives the tax-inclusive amount once the tax,
    rounded by the currency, is added"""
    if not rate:
        return amount
    base = currency.round(amount / (1 + rate))
    for _ in range(5):
        total = base + currency.round(base * rate)
        if total == amount:
            break
        base += currency.rounding if total < amount else -currency.rounding
    return base


class BillingRun(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.billing.run'
    __string__ = "Billing Run"

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    name = fields.Char("Name", required=True, states=_states)
    date_start = fields.Date(
        "Period Start", required=True, states=_states,
        help="The first day of the billed month.")
    date_end = fields.Date(
        "Period End", required=True, states=_states,
        domain=[('date_end', '>=', Eval('date_start', None))])
    accounting_date = fields.Date(
        "Accounting Date", states=_states,
        help="The date of the receivable moves; "
        "by default the period start.")
    estates = fields.Many2Many(
        'pm.billing.run-pm.estate', 'run', 'estate', "Estates",
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="Leave empty (with buildings) to bill every estate "
        "of the company.")
    buildings = fields.Many2Many(
        'pm.billing.run-pm.building', 'run', 'building', "Buildings",
        domain=[('company', '=', Eval('company', -1))], states=_states)
    charge_items = fields.Many2Many(
        'pm.billing.run-pm.charge.item', 'run', 'charge_item',
        "Charge Items",
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="Leave empty to bill every charge item.")
    units_total = fields.Integer("Units in Scope", readonly=True)
    units_done = fields.Integer("Units Computed", readonly=True)
    progress = fields.Function(
        fields.Float("Progress", digits=(3, 2)), 'get_progress')
    bills = fields.One2Many('pm.bill', 'run', "Bills", readonly=True)
    bill_count = fields.Function(fields.Integer("Bills"), 'get_totals')
    amount = fields.Function(
        Monetary("Amount", currency='currency', digits='currency'),
        'get_totals')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    moves = fields.Function(
        fields.Many2Many('account.move', None, None, "Moves"), 'get_moves')
    error = fields.Text("Error", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('computing', "Computing"),
            ('computed', "Computed"),
            ('posting', "Posting"),
            ('posted', "Posted"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low')),
                where=t.state.in_(['draft', 'computing', 'posting'])))
        cls._order = [('date_start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'computing'),
            ('computing', 'computed'),
            ('computed', 'computing'),
            ('computed', 'posting'),
            ('posting', 'posted'),
            ('computed', 'draft'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': ~Eval('state').in_(['draft', 'computed']),
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'post': {
                    'invisible': Eval('state') != 'computed',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['computed', 'cancelled']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @classmethod
    def default_date_start(cls):
        today = Pool().get('ir.date').today()
        return today.replace(day=1)

    @classmethod
    def default_date_end(cls):
        today = Pool().get('ir.date').today()
        return today.replace(
            day=calendar.monthrange(today.year, today.month)[1])

    @staticmethod
    def default_units_total():
        return 0

    @staticmethod
    def default_units_done():
        return 0

    @fields.depends('date_start')
    def on_change_date_start(self):
        if self.date_start:
            self.date_end = self.date_start.replace(day=calendar.monthrange(
                    self.date_start.year, self.date_start.month)[1])

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_progress(self, name):
        if not self.units_total:
            return 1.0 if self.state in {'computed', 'posted'} else 0.0
        return round(min(self.units_done / self.units_total, 1.0), 2)

    @classmethod
    def get_totals(cls, runs, names):
        pool = Pool()
        Bill = pool.get('pm.bill')
        bill = Bill.__table__()
        cursor = Transaction().connection.cursor()
        ids = [r.id for r in runs]
        result = {
            'bill_count': dict.fromkeys(ids, 0),
            'amount': dict.fromkeys(ids, Decimal(0)),
            }
        for sub_ids in id_batches(ids):
            cursor.execute(*bill.select(
                    bill.run, Count(bill.id), Sum(bill.amount),
                    where=bill.run.in_(sub_ids)
                    & (bill.state != 'cancelled'),
                    group_by=[bill.run]))
            for run_id, count, amount in cursor:
                result['bill_count'][run_id] = count
                result['amount'][run_id] = Decimal(str(amount or 0)).quantize(
                    Decimal('0.01'))
        return {n: result[n] for n in names}

    def get_moves(self, name):
        pool = Pool()
        Move = pool.get('account.move')
        return [m.id for m in Move.search([('origin', '=', str(self))])]

    @classmethod
    def validate_fields(cls, runs, field_names):
        super().validate_fields(runs, field_names)
        for run in runs:
            start, end = run.date_start, run.date_end
            if start.day != 1 or end != start.replace(
                    day=calendar.monthrange(start.year, start.month)[1]):
                raise BillingRunError(gettext(
                        'pm_billing.msg_run_month', run=run.rec_name))

    @classmethod
    def check_modification(cls, mode, runs, values=None, external=False):
        super().check_modification(
            mode, runs, values=values, external=external)
        if mode == 'delete':
            for run in runs:
                if run.state not in {'draft', 'cancelled'}:
                    raise BillModifyError(gettext(
                            'pm_billing.msg_run_delete', run=run.rec_name))

    @classmethod
    def copy(cls, runs, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('bills', None)
        default.setdefault('units_done', 0)
        default.setdefault('units_total', 0)
        default.setdefault('error', None)
        return super().copy(runs, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('computing')
    def compute(cls, runs):
        pool = Pool()
        Config = pool.get('pm.configuration')
        chunk = Config(1).billing_chunk_size or 5000
        for run in runs:
            unit_ids = Engine(run).scope_unit_ids()
            run.units_total = len(unit_ids)
            run.units_done = 0
            run.error = None
            run.save()
            chunks = [unit_ids[i:i + chunk]
                for i in range(0, len(unit_ids), chunk)] or [[]]
            for unit_chunk in chunks:
                cls.__queue__.compute_chunk(run, unit_chunk)

    @classmethod
    def compute_chunk(cls, run, unit_ids):
        "Compute the bills of a chunk of units (a queued task)"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        run = cls(run.id) if not isinstance(run, int) else cls(run)
        if run.state != 'computing':
            return
        Engine(run).compute(unit_ids)
        cursor.execute(*table.update(
                [table.units_done],
                [table.units_done + len(unit_ids)],
                where=table.id == run.id))
        # read back through SQL: the record cache knows only the old value
        cursor.execute(*table.select(
                table.units_done, table.units_total,
                where=table.id == run.id))
        done, total = cursor.fetchone()
        if done >= total:
            cls.computed([run])

    @classmethod
    @Workflow.transition('computed')
    def computed(cls, runs):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('posting')
    def post(cls, runs):
        for run in runs:
            cls.__queue__.post_queued(run)

    @classmethod
    def post_queued(cls, run):
        run = cls(run.id) if not isinstance(run, int) else cls(run)
        if run.state != 'posting':
            return
        post_bills(run)
        cls.posted([run])

    @classmethod
    @Workflow.transition('posted')
    def posted(cls, runs):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, runs):
        "Delete the draft bills so that the run can be computed again"
        pool = Pool()
        Bill = pool.get('pm.bill')
        bills = Bill.search([
                ('run', 'in', [r.id for r in runs]),
                ('state', '=', 'draft'),
                ])
        Bill.delete(bills)
        cls.write(runs, {'units_done': 0, 'units_total': 0})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, runs):
        pass


class BillingRunEstate(ModelSQL):
    __name__ = 'pm.billing.run-pm.estate'
    __string__ = "Billing Run - Estate"
    run = fields.Many2One(
        'pm.billing.run', "Run", required=True, ondelete='CASCADE')
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='CASCADE')


class BillingRunBuilding(ModelSQL):
    __name__ = 'pm.billing.run-pm.building'
    __string__ = "Billing Run - Building"
    run = fields.Many2One(
        'pm.billing.run', "Run", required=True, ondelete='CASCADE')
    building = fields.Many2One(
        'pm.building', "Building", required=True, ondelete='CASCADE')


class BillingRunChargeItem(ModelSQL):
    __name__ = 'pm.billing.run-pm.charge.item'
    __string__ = "Billing Run - Charge Item"
    run = fields.Many2One(
        'pm.billing.run', "Run", required=True, ondelete='CASCADE')
    charge_item = fields.Many2One(
        'pm.charge.item', "Charge Item", required=True, ondelete='CASCADE')


class Bill(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.bill'
    __string__ = "Bill"
    _rec_name = 'number'

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    run = fields.Many2One(
        'pm.billing.run', "Billing Run", readonly=True, ondelete='RESTRICT')
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, readonly=True,
        ondelete='RESTRICT')
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, readonly=True,
        ondelete='RESTRICT')
    building = fields.Many2One(
        'pm.building', "Building", readonly=True, ondelete='RESTRICT')
    party = fields.Many2One(
        'party.party', "Billing Party", required=True, readonly=True,
        ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'})
    date_start = fields.Date("Period Start", required=True, readonly=True)
    date_end = fields.Date("Period End", required=True, readonly=True)
    due_date = fields.Date("Due Date", readonly=True)
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    tax_amount = fields.Function(Monetary(
            "Tax Amount", currency='currency', digits='currency'),
        'get_tax_amount')
    amount_words = fields.Function(
        fields.Char("Amount in Words"), 'get_amount_words')
    lines = fields.One2Many('pm.bill.line', 'bill', "Lines", readonly=True)
    move = fields.Many2One(
        'account.move', "Move", readonly=True, ondelete='RESTRICT')
    receivable_line = fields.Many2One(
        'account.move.line', "Receivable Line", readonly=True)
    reversal_move = fields.Many2One(
        'account.move', "Reversal Move", readonly=True)
    invoice = fields.Many2One(
        'account.invoice', "Invoice", readonly=True,
        help="The customer invoice issued for this bill (VAT invoice).")
    state = fields.Selection([
            ('draft', "Draft"),
            ('posted', "Posted"),
            ('invoiced', "Invoiced"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.run, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.unit, Index.Equality()),
                    (t.date_start, Index.Range())),
                Index(t, (t.party, Index.Equality())),
                Index(t, (t.number, Index.Equality())),
                })
        cls._order = [
            ('date_start', 'DESC'), ('unit', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {
            ('posted', 'cancelled'),
            ('posted', 'invoiced'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'posted',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'issue_invoice': {
                    'invisible': Eval('state') != 'posted',
                    'icon': 'tryton-invoice',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    def get_rec_name(self, name):
        return self.number or str(self.id)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['number', 'unit.code', 'party.name'])

    @classmethod
    def get_tax_amount(cls, bills, name):
        pool = Pool()
        Line = pool.get('pm.bill.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        result = {b.id: Decimal(0) for b in bills}
        for sub_ids in id_batches(list(result)):
            cursor.execute(*line.select(
                    line.bill, Sum(line.tax_amount),
                    where=line.bill.in_(sub_ids), group_by=[line.bill]))
            for bill_id, amount in cursor:
                result[bill_id] = Decimal(str(amount or 0)).quantize(
                    Decimal('0.01'))
        return result

    def get_amount_words(self, name):
        from .words import amount_in_words
        return amount_in_words(self.amount or Decimal(0))

    @classmethod
    def update_amounts(cls, bill_ids):
        "Store the sum of the lines as the amount of the bills"
        pool = Pool()
        Line = pool.get('pm.bill.line')
        table = cls.__table__()
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in id_batches(bill_ids):
            amounts = dict.fromkeys(sub_ids, Decimal(0))
            cursor.execute(*line.select(
                    line.bill, line.amount, where=line.bill.in_(sub_ids)))
            for bill_id, amount in cursor:
                amounts[bill_id] += Decimal(str(amount or 0))
            for bill_id, amount in amounts.items():
                cursor.execute(*table.update(
                        [table.amount], [amount.quantize(Decimal('0.01'))],
                        where=table.id == bill_id))

    @classmethod
    def check_modification(cls, mode, bills, values=None, external=False):
        super().check_modification(
            mode, bills, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and external):
            for bill in bills:
                if bill.state != 'draft':
                    raise BillModifyError(gettext(
                            'pm_billing.msg_bill_modify_posted',
                            bill=bill.rec_name))

    @classmethod
    def _reverse(cls, bills, description):
        """Post a move reversing each bill's receivable, revenue and tax and
        reconcile it with the bill's receivable line; return the moves"""
        pool = Pool()
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        TaxLine = pool.get('account.tax.line')
        Period = pool.get('account.period')
        Date = pool.get('ir.date')
        moves = []
        for bill in bills:
            original = bill.receivable_line
            if original.reconciliation:
                raise BillPostError(gettext(
                        'pm_billing.msg_bill_cancel_paid',
                        bill=bill.rec_name))
            with Transaction().set_context(company=bill.company.id):
                date = Date.today()
            if date < bill.move.date:
                date = bill.move.date
            period = Period.find(bill.company, date=date)
            lines = [MoveLine(
                    account=original.account, party=bill.party,
                    debit=Decimal(0), credit=bill.amount,
                    description=bill.number, origin=str(bill))]
            revenue, taxes = {}, {}
            with Transaction().set_context(company=bill.company.id):
                for line in bill.lines:
                    account = line.charge_item.product.account_revenue_used
                    base = line.amount - (line.tax_amount or 0)
                    revenue.setdefault(account, [Decimal(0), {}])
                    revenue[account][0] += base
                    if line.tax:
                        revenue[account][1].setdefault(line.tax, Decimal(0))
                        revenue[account][1][line.tax] += base
                        taxes.setdefault(line.tax, Decimal(0))
                        taxes[line.tax] += line.tax_amount
            for account, (amount, bases) in revenue.items():
                lines.append(MoveLine(
                        account=account,
                        debit=amount if amount > 0 else Decimal(0),
                        credit=-amount if amount < 0 else Decimal(0),
                        tax_lines=[TaxLine(
                                type='base', tax=tax, amount=-base)
                            for tax, base in bases.items()]))
            for tax, amount in taxes.items():
                lines.append(MoveLine(
                        account=tax.invoice_account,
                        debit=amount if amount > 0 else Decimal(0),
                        credit=-amount if amount < 0 else Decimal(0),
                        tax_lines=[TaxLine(
                                type='tax', tax=tax, amount=-amount)]))
            moves.append(Move(
                    company=bill.company, journal=bill.move.journal,
                    period=period, date=date, origin=bill,
                    description=gettext(description, bill=bill.number),
                    lines=lines))
        Move.save(moves)
        Move.post(moves)
        for bill, move in zip(bills, moves):
            reversal = [l for l in move.lines
                if l.account == bill.receivable_line.account and l.party]
            MoveLine.reconcile([bill.receivable_line] + reversal)
            bill.reversal_move = move
        cls.save(bills)
        return moves

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, bills):
        """Reverse posted bills: a reversal move credits the receivable and
        debits revenue and tax; both receivable lines are reconciled. The
        charges can then be billed again by a new run."""
        pool = Pool()
        Line = pool.get('pm.bill.line')
        cls._reverse(bills, 'pm_billing.msg_bill_reversal_description')
        Line.write(
            [l for b in bills for l in b.lines], {'reversed': True})

    @classmethod
    @ModelView.button
    @Workflow.transition('invoiced')
    def issue_invoice(cls, bills):
        """Turn posted bills into posted customer invoices (for a VAT
        invoice 发票): the invoice takes over the receivable and the revenue,
        the bill's own entries are reversed, so nothing is counted twice."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        InvoiceLine = pool.get('account.invoice.line')
        Journal = pool.get('account.journal')
        Date = pool.get('ir.date')
        invoices = []
        for bill in bills:
            with Transaction().set_context(company=bill.company.id):
                today = Date.today()
                lines = []
                for line in bill.lines:
                    product = line.charge_item.product
                    taxes = list(product.customer_taxes_used)
                    rate = sum((t.rate or 0) for t in taxes
                        if t.type == 'percentage')
                    lines.append(InvoiceLine(
                            type='line', product=product,
                            account=product.account_revenue_used,
                            description=(
                                f'{line.charge_item.rec_name} '
                                f'{line.date_start}~{line.date_end}'),
                            quantity=1, unit=product.default_uom,
                            unit_price=_tax_exclusive(
                                line.amount, rate, bill.currency),
                            taxes=taxes, origin=line))
                journal = bill.move.journal if bill.move else None
                if not journal:
                    journal, = Journal.search(
                        [('type', '=', 'revenue')], limit=1)
                invoice = Invoice(
                    type='out', company=bill.company, party=bill.party,
                    invoice_date=max(today, bill.move.date),
                    currency=bill.currency, journal=journal,
                    description=bill.number, reference=bill.number,
                    lines=lines)
                invoice.on_change_party()
                invoice.invoice_date = max(today, bill.move.date)
            invoices.append(invoice)
        Invoice.save(invoices)
        Invoice.post(invoices)
        for bill, invoice in zip(bills, invoices):
            if invoice.total_amount != bill.amount:
                raise BillPostError(gettext(
                        'pm_billing.msg_bill_invoice_total',
                        bill=bill.rec_name, invoice=invoice.total_amount,
                        amount=bill.amount))
            bill.invoice = invoice
        cls.save(bills)
        cls._reverse(bills, 'pm_billing.msg_bill_invoiced_description')


    @property
    def payment_reference(self):
        "The reference a payer quotes: the bill number"
        return self.number

    @classmethod
    def previous_arrears(cls, bills):
        """Return {bill id: unpaid amount of the earlier posted bills of the
        same unit and party}"""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        table = cls.__table__()
        line = MoveLine.__table__()
        cursor = Transaction().connection.cursor()
        result = {b.id: Decimal(0) for b in bills}
        by_date = {}
        for bill in bills:
            by_date.setdefault(bill.date_start, []).append(bill)
        for date, date_bills in by_date.items():
            wanted = {(b.unit.id, b.party.id): b.id for b in date_bills}
            for sub_ids in id_batches(sorted({u for u, _ in wanted})):
                cursor.execute(*table.join(line,
                        condition=table.receivable_line == line.id).select(
                        table.unit, table.party,
                        Sum(line.debit - line.credit),
                        where=table.unit.in_(sub_ids)
                        & (table.state == 'posted')
                        & (table.date_start < date)
                        & (line.reconciliation == Null),
                        group_by=[table.unit, table.party]))
                for unit_id, party_id, amount in cursor:
                    bill_id = wanted.get((unit_id, party_id))
                    if bill_id:
                        result[bill_id] = Decimal(str(amount or 0)).quantize(
                            Decimal('0.01'))
        return result

class BillLine(ModelSQL, ModelView):
    __name__ = 'pm.bill.line'
    __string__ = "Bill Line"

    bill = fields.Many2One(
        'pm.bill', "Bill", required=True, ondelete='CASCADE', readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    unit = fields.Many2One('pm.unit', "Unit", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Billing Party", required=True, readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    charge_item = fields.Many2One(
        'pm.charge.item', "Charge Item", required=True, readonly=True)
    rate = fields.Many2One(
        'pm.charge.rate', "Rate", readonly=True, ondelete='RESTRICT',
        help="Empty for extra charges and contract charges.")
    date_start = fields.Date("From", required=True, readonly=True)
    date_end = fields.Date("To", required=True, readonly=True)
    quantity = fields.Numeric("Quantity", digits=(16, 4), readonly=True)
    unit_price = fields.Numeric("Unit Price", digits=(16, 4), readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    tax = fields.Many2One('account.tax', "Tax", readonly=True)
    tax_amount = Monetary(
        "Tax Amount", currency='currency', digits='currency', readonly=True,
        help="The VAT included in the amount.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    description = fields.Char("Computation", readonly=True)
    meter = fields.Many2One('pm.meter', "Meter", readonly=True)
    reading = fields.Many2One('pm.meter.reading', "Reading", readonly=True)
    key = fields.Char("Key", required=True, readonly=True)
    reversed = fields.Boolean("Reversed", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('bill')
        t = cls.__table__()
        cls._sql_constraints = [
            ('key_unique', Exclude(t, (t.key, Equal),
                    where=t.reversed == Literal(False)),
                'pm_billing.msg_bill_line_key_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.bill, Index.Equality())),
                Index(t, (t.unit, Index.Equality()),
                    (t.date_start, Index.Range())),
                Index(t, (t.rate, Index.Equality())),
                })
        cls._order = [('bill', 'ASC'), ('charge_item', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_reversed():
        return False

    @fields.depends('bill', '_parent_bill.currency')
    def on_change_with_currency(self, name=None):
        return self.bill.currency if self.bill else None


class BillNotice(CompanyReport):
    "Bill Notice"
    __name__ = 'pm.bill.notice'

    @classmethod
    def get_context(cls, records, header, data):
        from .words import amount_in_words, qr_code_png
        pool = Pool()
        Bill = pool.get('pm.bill')
        context = super().get_context(records, header, data)
        arrears = Bill.previous_arrears(records)
        context['arrears'] = arrears
        context['words'] = amount_in_words
        context['qr'] = lambda bill: (
            qr_code_png(bill.payment_reference), 'image/png')
        # the unit's activation code of the residents' portal: pm_portal
        # fills it in, the notice prints nothing without it
        context['portal_code'] = lambda bill: ''
        context['portal_url'] = ''
        return context


class BuildingBillNotice(BillNotice):
    "Bill Notices of Buildings"
    __name__ = 'pm.bill.notice.building'

    @classmethod
    def _get_records(cls, ids, model, data):
        """The posted bills of the buildings' last billed month, by unit:
        one PDF for the whole building, ready to be delivered"""
        pool = Pool()
        Bill = pool.get('pm.bill')
        bills = Bill.search([
                ('building', 'in', ids),
                ('state', 'in', ['posted', 'invoiced']),
                ], order=[('date_start', 'DESC')], limit=1)
        if not bills:
            return []
        bills = Bill.search([
                ('building', 'in', ids),
                ('state', 'in', ['posted', 'invoiced']),
                ('date_start', '=', bills[0].date_start),
                ], order=[('building', 'ASC'), ('unit', 'ASC'), ('id', 'ASC')])
        return super()._get_records([b.id for b in bills], 'pm.bill', data)
