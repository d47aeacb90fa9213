# This file is part of the pm suite (物业管理系统). See README.md.
"""Deposits 押金: decoration, keys, lease, parking deposits.

Taken at the desk (method account / deposit liability, with the party),
held, then settled once: refunded, forfeited in part with a reason (other
income), or both. Every step is a posted move; a deposit is never edited
once taken.
"""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.exceptions import UserError
from trytond.modules.company import CompanyReport
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

KINDS = [
    ('decoration', "Decoration Deposit"),
    ('key', "Key Deposit"),
    ('lease', "Lease Deposit"),
    ('parking', "Parking Deposit"),
    ('other', "Other Deposit"),
    ]


class DepositError(UserError):
    pass


class DepositModifyError(AccessError):
    pass


class Configuration(metaclass=PoolMeta):
    __name__ = 'pm.configuration'

    deposit_sequence = fields.Many2One(
        'ir.sequence.strict', "Deposit Sequence",
        domain=[
            ('sequence_type', '=',
                Id('pm_billing', 'sequence_type_deposit')),
            ])
    deposit_account = fields.Many2One(
        'account.account', "Deposit Account",
        domain=[('type', '!=', None), ('closed', '!=', True)],
        help="The liability account (with party) holding the deposits "
        "(其他应付款—押金).")
    deposit_forfeit_account = fields.Many2One(
        'account.account', "Deposit Forfeit Account",
        domain=[('type', '!=', None), ('closed', '!=', True)],
        help="The income account credited with forfeited deposits.")

    @classmethod
    def default_deposit_sequence(cls):
        ModelData = Pool().get('ir.model.data')
        try:
            return ModelData.get_id('pm_billing', 'sequence_deposit')
        except KeyError:
            return None


class Deposit(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.deposit'
    __string__ = "Deposit"
    _rec_name = 'number'

    _states = {'readonly': Eval('state') != 'draft'}

    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    kind = fields.Selection(KINDS, "Kind", required=True, states=_states)
    kind_string = kind.translated('kind')
    party = fields.Many2One(
        'party.party', "Payer", required=True, states=_states,
        context={'company': Eval('company', -1)}, depends={'company'})
    unit = fields.Many2One(
        'pm.unit', "Unit", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    date = fields.Date("Date", required=True, states=_states)
    method = fields.Many2One(
        'pm.payment.method', "Payment Method", states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            },
        domain=[('company', '=', Eval('company', -1))])
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, states=_states)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        states=_states)
    description = fields.Char("Description", states=_states)
    origin = fields.Reference(
        "Origin", selection='get_origin', states=_states)
    cashier = fields.Many2One('res.user', "Cashier", readonly=True)
    receive_move = fields.Many2One(
        'account.move', "Receipt Move", readonly=True, ondelete='RESTRICT')
    settle_date = fields.Date("Settlement Date", readonly=True)
    settle_method = fields.Many2One(
        'pm.payment.method', "Refund Method", readonly=True)
    refunded_amount = Monetary(
        "Refunded", currency='currency', digits='currency', readonly=True)
    forfeited_amount = Monetary(
        "Forfeited", currency='currency', digits='currency', readonly=True)
    settle_reason = fields.Text("Settlement Reason", readonly=True)
    settled_by = fields.Many2One('res.user', "Settled by", readonly=True)
    settle_move = fields.Many2One(
        'account.move', "Settlement Move", readonly=True,
        ondelete='RESTRICT')
    amount_words = fields.Function(
        fields.Char("Amount in Words"), 'get_amount_words')
    state = fields.Selection([
            ('draft', "Draft"),
            ('held', "Held"),
            ('settled', "Settled"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Equality())),
                Index(t, (t.unit, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'held'),
            ('draft', 'cancelled'),
            ('held', 'settled'),
            }
        cls._buttons.update({
                'receive': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'settle_wizard': {
                    'invisible': Eval('state') != 'held',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_kind():
        return 'decoration'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_currency(cls):
        Company = Pool().get('company.company')
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            return Company(company).currency.id

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return self.number or '(%s)' % self.id

    def get_amount_words(self, name):
        from .words import amount_in_words
        return amount_in_words(self.amount or Decimal(0))

    @classmethod
    def _get_origin(cls):
        "Models that can be the origin of a deposit"
        return ['pm.lease', 'pm.decoration']

    @classmethod
    def get_origin(cls):
        IrModel = Pool().get('ir.model')
        records = IrModel.search([('name', 'in', cls._get_origin())])
        return [(None, '')] + [(m.name, m.string) for m in records]

    @classmethod
    def validate_fields(cls, deposits, field_names):
        super().validate_fields(deposits, field_names)
        for deposit in deposits:
            if deposit.amount is not None and deposit.amount <= 0:
                raise DepositError(gettext(
                        'pm_billing.msg_deposit_amount_positive',
                        deposit=deposit.rec_name))

    @classmethod
    def check_modification(cls, mode, deposits, values=None, external=False):
        super().check_modification(
            mode, deposits, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and external):
            for deposit in deposits:
                if deposit.state not in {'draft', 'cancelled'} or (
                        mode == 'delete' and deposit.number):
                    raise DepositModifyError(gettext(
                            'pm_billing.msg_deposit_modify',
                            deposit=deposit.rec_name))

    @classmethod
    def copy(cls, deposits, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'receive_move', 'settle_move', 'settle_date',
                'settle_method', 'refunded_amount', 'forfeited_amount',
                'settle_reason', 'settled_by', 'cashier']:
            default.setdefault(name, None)
        return super().copy(deposits, default=default)

    @classmethod
    def _config_accounts(cls, forfeit=False):
        Config = Pool().get('pm.configuration')
        config = Config(1)
        if not config.deposit_account or (
                forfeit and not config.deposit_forfeit_account):
            raise DepositError(gettext('pm_billing.msg_deposit_no_account'))
        return config

    @classmethod
    def _move(cls, deposit, date, journal, description, lines):
        pool = Pool()
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        return Move(
            company=deposit.company, journal=journal,
            period=Period.find(deposit.company, date=date), date=date,
            origin=deposit, description=description, lines=lines)

    @classmethod
    def _line(cls, account, amount, party=None, description=None):
        MoveLine = Pool().get('account.move.line')
        return MoveLine(
            account=account, party=party if account.party_required else None,
            debit=amount if amount > 0 else Decimal(0),
            credit=-amount if amount < 0 else Decimal(0),
            description=description)

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def receive(cls, deposits):
        "Take the deposits: number them and post method / deposit account"
        pool = Pool()
        Move = pool.get('account.move')
        config = cls._config_accounts()
        for deposit in deposits:
            if not deposit.method:
                raise DepositError(gettext(
                        'pm_billing.msg_deposit_no_method',
                        deposit=deposit.rec_name))
        if not config.deposit_sequence:
            raise DepositError(gettext('pm_billing.msg_deposit_no_sequence'))
        for deposit in sorted(deposits, key=lambda d: (d.date, d.id)):
            with Transaction().set_context(
                    date=deposit.date, company=deposit.company.id):
                deposit.number = config.deposit_sequence.get()
            deposit.cashier = Transaction().user
        moves = []
        for deposit in deposits:
            text = gettext('pm_billing.msg_deposit_receive_description',
                number=deposit.number, kind=deposit.kind_string)
            moves.append(cls._move(deposit, deposit.date,
                    deposit.method.journal, text, [
                        cls._line(deposit.method.account, deposit.amount,
                            description=text),
                        cls._line(config.deposit_account, -deposit.amount,
                            party=deposit.party, description=text),
                        ]))
        Move.save(moves)
        Move.post(moves)
        for deposit, move in zip(deposits, moves):
            deposit.receive_move = move
        cls.save(deposits)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, deposits):
        pass

    @classmethod
    @ModelView.button_action('pm_billing.wizard_deposit_settle')
    def settle_wizard(cls, deposits):
        pass

    @classmethod
    @Workflow.transition('settled')
    def settle(cls, deposits, refund=None, forfeit=Decimal(0), reason=None,
            method=None, date=None):
        """Settle the held deposits: refund `refund` (by default the amount
        less the forfeit) through `method` (by default the method it was
        taken with) and forfeit `forfeit` to other income; a forfeit needs a
        reason. Posts one move per deposit."""
        pool = Pool()
        Move = pool.get('account.move')
        Date = pool.get('ir.date')
        forfeit = forfeit or Decimal(0)
        config = cls._config_accounts(forfeit=bool(forfeit))
        moves = []
        for deposit in deposits:
            if deposit.state != 'held':
                raise DepositError(gettext(
                        'pm_billing.msg_deposit_not_held',
                        deposit=deposit.rec_name))
            d_refund = deposit.amount - forfeit if refund is None else refund
            if forfeit < 0 or d_refund < 0 \
                    or d_refund + forfeit != deposit.amount:
                raise DepositError(gettext(
                        'pm_billing.msg_deposit_settle_total',
                        deposit=deposit.rec_name, amount=deposit.amount,
                        refund=d_refund, forfeit=forfeit))
            if forfeit and not (reason or '').strip():
                raise DepositError(gettext(
                        'pm_billing.msg_deposit_forfeit_reason',
                        deposit=deposit.rec_name))
            with Transaction().set_context(company=deposit.company.id):
                s_date = date or Date.today()
            s_method = method or deposit.method
            text = gettext('pm_billing.msg_deposit_settle_description',
                number=deposit.number, kind=deposit.kind_string)
            lines = [cls._line(config.deposit_account, deposit.amount,
                    party=deposit.party, description=text)]
            if d_refund:
                lines.append(cls._line(s_method.account, -d_refund,
                        description=text))
            if forfeit:
                lines.append(cls._line(config.deposit_forfeit_account,
                        -forfeit, description=text))
            moves.append(cls._move(
                    deposit, s_date, s_method.journal, text, lines))
            deposit.settle_date = s_date
            deposit.settle_method = s_method if d_refund else None
            deposit.refunded_amount = d_refund
            deposit.forfeited_amount = forfeit
            deposit.settle_reason = reason
            deposit.settled_by = Transaction().user
        Move.save(moves)
        Move.post(moves)
        for deposit, move in zip(deposits, moves):
            deposit.settle_move = move
            deposit.state = 'settled'
        cls.save(deposits)
        cls._reconcile(deposits)

    @classmethod
    def _reconcile(cls, deposits):
        "Reconcile the deposit account lines of the settled deposits"
        MoveLine = Pool().get('account.move.line')
        config = cls._config_accounts()
        groups = []
        for deposit in deposits:
            lines = [l for m in [deposit.receive_move, deposit.settle_move]
                for l in m.lines
                if l.account == config.deposit_account
                and not l.reconciliation]
            if len(lines) == 2 and config.deposit_account.reconcile:
                groups.append(lines)
        if groups:
            MoveLine.reconcile(*groups)


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['pm.deposit']


class SettleStart(ModelView):
    __name__ = 'pm.deposit.settle.start'
    __string__ = "Settle Deposit"

    deposit = fields.Many2One('pm.deposit', "Deposit", readonly=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    forfeit = Monetary(
        "Forfeit", currency='currency', digits='currency', required=True,
        domain=[('forfeit', '>=', 0), ('forfeit', '<=', Eval('amount', 0))])
    refund = Monetary(
        "Refund", currency='currency', digits='currency', readonly=True)
    method = fields.Many2One(
        'pm.payment.method', "Refund Method", required=True)
    reason = fields.Text(
        "Reason", states={'required': Eval('forfeit', 0) > 0})

    @fields.depends('amount', 'forfeit')
    def on_change_with_refund(self):
        if self.amount is not None:
            return self.amount - (self.forfeit or 0)


class Settle(Wizard):
    __name__ = 'pm.deposit.settle'
    __string__ = "Settle Deposit"

    start = StateView('pm.deposit.settle.start',
        'pm_billing.deposit_settle_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Settle", 'settle', 'tryton-ok', default=True),
            ])
    settle = StateTransition()

    def default_start(self, fields):
        deposit = self.record
        return {
            'deposit': deposit.id,
            'currency': deposit.currency.id,
            'amount': deposit.amount,
            'forfeit': Decimal(0),
            'refund': deposit.amount,
            'method': deposit.method.id if deposit.method else None,
            }

    def transition_settle(self):
        self.model.settle([self.record], forfeit=self.start.forfeit,
            reason=self.start.reason, method=self.start.method)
        return 'end'


class DepositReport(CompanyReport):
    "Deposit Receipt"
    __name__ = 'pm.deposit'

    @classmethod
    def get_context(cls, records, header, data):
        from .words import amount_in_words
        context = super().get_context(records, header, data)
        context['words'] = amount_in_words
        return context
