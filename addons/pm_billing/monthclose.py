# This file is part of the pm suite (物业管理系统). See README.md.
"""Month close 月结.

Closing a month closes the accounting period (Tryton refuses any move in
it) and locks the readings, billing runs, receipts and deposits dated in
it: corrections after the close are adjustments in an open month. Only the
property administrators may reopen a month, with a reason; every close and
reopening is logged (who, when, why).
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.exceptions import UserError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction


class MonthClosedError(UserError):
    pass


class MonthClose(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.month_close'
    __string__ = "Month Close"

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={'readonly': Eval('state') != 'open'})
    period = fields.Many2One(
        'account.period', "Period", required=True,
        domain=[('company', '=', Eval('company', -1)),
            ('type', '=', 'standard')],
        states={'readonly': Eval('state') != 'open'})
    start_date = fields.Date("Start Date", readonly=True)
    end_date = fields.Date("End Date", readonly=True)
    reopen_reason = fields.Text(
        "Reopening Reason", states={'invisible': Eval('state') != 'closed'},
        help="Required to reopen the month.")
    logs = fields.One2Many(
        'pm.month_close.log', 'month_close', "Log", readonly=True)
    state = fields.Selection([
            ('open', "Open"),
            ('closed', "Closed"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('period_unique', Unique(t, t.period),
                'pm_billing.msg_month_close_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.company, Index.Equality()),
                (t.start_date, Index.Range())))
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('open', 'closed'), ('closed', 'open')}
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') != 'open',
                    'icon': 'tryton-lock',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'closed',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'open'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        return self.period.rec_name

    @classmethod
    def preprocess_values(cls, mode, values):
        Period = Pool().get('account.period')
        values = super().preprocess_values(mode, values)
        if values.get('period'):
            period = Period(values['period'])
            values['start_date'] = period.start_date
            values['end_date'] = period.end_date
        return values

    @classmethod
    def _log(cls, records, action, reason=None):
        Log = Pool().get('pm.month_close.log')
        Log.save([Log(month_close=r, action=action, reason=reason,
                    user=Transaction().user, date=dt.datetime.now())
                for r in records])

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, records):
        pool = Pool()
        Period = pool.get('account.period')
        Receipt = pool.get('pm.receipt')
        Run = pool.get('pm.billing.run')
        Deposit = pool.get('pm.deposit')
        for record in records:
            dates = [('date', '>=', record.start_date),
                ('date', '<=', record.end_date),
                ('company', '=', record.company.id)]
            pending = (
                Receipt.search([('state', '=', 'draft')] + dates, limit=1)
                or Deposit.search([('state', '=', 'draft')] + dates, limit=1)
                or Run.search([
                        ('company', '=', record.company.id),
                        ('date_start', '>=', record.start_date),
                        ('date_start', '<=', record.end_date),
                        ('state', 'in',
                            ['computing', 'computed', 'posting']),
                        ], limit=1))
            if pending:
                raise MonthClosedError(gettext(
                        'pm_billing.msg_month_close_pending',
                        month=record.rec_name, record=pending[0].rec_name))
        Period.close([r.period for r in records if r.period.state == 'open'])
        cls._log(records, 'close')

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, records):
        Period = Pool().get('account.period')
        for record in records:
            if not (record.reopen_reason or '').strip():
                raise MonthClosedError(gettext(
                        'pm_billing.msg_month_reopen_reason',
                        month=record.rec_name))
        Period.reopen([r.period for r in records
                if r.period.state == 'closed'])
        for record in records:
            cls._log([record], 'reopen', record.reopen_reason)
        cls.write(records, {'reopen_reason': None})

    @classmethod
    def check_open(cls, company, dates, record):
        "Raise if one of the dates is in a closed month of the company"
        dates = [d for d in dates if d]
        if not dates or not company:
            return
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        low, high = min(dates), max(dates)
        cursor.execute(*table.select(
                table.id, table.start_date, table.end_date,
                where=(table.company == int(company))
                & (table.state == 'closed')
                & (table.start_date <= high) & (table.end_date >= low)))
        for id_, start, end in cursor:
            if isinstance(start, str):
                start = dt.date.fromisoformat(start)
                end = dt.date.fromisoformat(end)
            for date in dates:
                if start <= date <= end:
                    raise MonthClosedError(gettext(
                            'pm_billing.msg_month_closed',
                            record=record, date=date,
                            month=cls(id_).rec_name))


class MonthCloseLog(ModelSQL, ModelView):
    __name__ = 'pm.month_close.log'
    __string__ = "Month Close Log"

    month_close = fields.Many2One(
        'pm.month_close', "Month Close", required=True, ondelete='CASCADE',
        readonly=True)
    action = fields.Selection([
            ('close', "Closed"),
            ('reopen', "Reopened"),
            ], "Action", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", required=True, readonly=True)
    date = fields.DateTime("Date", required=True, readonly=True)
    reason = fields.Text("Reason", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('month_close')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]


def _check(records, date_names, company_name='company'):
    MonthClose = Pool().get('pm.month_close')
    for record in records:
        company = getattr(record, company_name, None)
        MonthClose.check_open(
            company.id if company else None,
            [getattr(record, n, None) for n in date_names], record.rec_name)


class Reading(metaclass=PoolMeta):
    __name__ = 'pm.meter.reading'

    @classmethod
    def create(cls, vlist):
        readings = super().create(vlist)
        _check(readings, ['date'])
        return readings

    @classmethod
    def check_modification(cls, mode, readings, values=None, external=False):
        super().check_modification(
            mode, readings, values=values, external=external)
        if mode in {'write', 'delete'}:
            _check(readings, ['date'])


class BillingRun(metaclass=PoolMeta):
    __name__ = 'pm.billing.run'

    @classmethod
    def compute(cls, runs):
        _check(runs, ['date_start', 'accounting_date'])
        super().compute(runs)

    @classmethod
    def post(cls, runs):
        _check(runs, ['date_start', 'accounting_date'])
        super().post(runs)


class Receipt(metaclass=PoolMeta):
    __name__ = 'pm.receipt'

    @classmethod
    def _check_post(cls, receipts):
        super()._check_post(receipts)
        _check(receipts, ['date'])


class Deposit(metaclass=PoolMeta):
    __name__ = 'pm.deposit'

    @classmethod
    def receive(cls, deposits):
        _check(deposits, ['date'])
        super().receive(deposits)
