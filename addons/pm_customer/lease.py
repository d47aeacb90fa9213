# This file is part of the pm suite (物业管理系统). See README.md.
"""Leases (租赁合同) of units to tenants."""
import datetime as dt
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import company_field, search_fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .exceptions import LeaseError, LeaseModifyError, LeaseValidationError
from .mixin import UnitCompanyMixin, unit_domain

PAYMENT_FREQUENCIES = [
    ('monthly', "Monthly"),
    ('quarterly', "Quarterly"),
    ('half_year', "Half-Yearly"),
    ('yearly', "Yearly"),
    ]

STATES = [
    ('draft', "Draft"),
    ('active', "Active"),
    ('expired', "Expired"),
    ('terminated', "Terminated"),
    ]


def _end_date_domain(start='start_date', end='end_date'):
    return ['OR',
        (end, '>=', If(Eval(start), Eval(start, dt.date.min), dt.date.min)),
        (end, '=', None),
        ]


class Lease(UnitCompanyMixin, Workflow, ModelSQL, ModelView):
    "Lease"
    __name__ = 'pm.lease'
    __string__ = "Lease"
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char(
        "Number", readonly=True,
        help="Assigned when the lease is activated.")
    company = company_field()
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='RESTRICT',
        domain=unit_domain(), states=_states)
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    landlord = fields.Many2One(
        'party.party', "Landlord", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="An owner of the unit or the management company.")
    tenant = fields.Many2One(
        'party.party', "Tenant", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, states=_states)
    monthly_rent = Monetary(
        "Monthly Rent", currency='currency', digits='currency',
        required=True, states=_states,
        domain=[('monthly_rent', '>=', 0)])
    deposit = Monetary(
        "Deposit", currency='currency', digits='currency',
        required=True, states=_states,
        domain=[('deposit', '>=', 0)])
    payment_frequency = fields.Selection(
        PAYMENT_FREQUENCIES, "Payment Frequency", required=True, sort=False,
        states=_states)
    start_date = fields.Date("Start Date", required=True, states=_states)
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[_end_date_domain()],
        help="The last day of the lease (inclusive).")
    days_left = fields.Function(
        fields.Integer("Days Left",
            states={
                'invisible': Eval('state') != 'active',
                }),
        'get_days_left')
    expiring = fields.Boolean(
        "Expiring", readonly=True,
        help="Set by the daily scheduled task "
        "when the lease ends within the reminder days.")
    renewed_from = fields.Many2One(
        'pm.lease', "Renewed from", readonly=True, ondelete='RESTRICT',
        states={
            'invisible': ~Eval('renewed_from'),
            })
    renewals = fields.One2Many(
        'pm.lease', 'renewed_from', "Renewals", readonly=True)
    termination_date = fields.Date(
        "Termination Date", readonly=True,
        states={
            'invisible': Eval('state') != 'terminated',
            })
    termination_reason = fields.Text(
        "Termination Reason", readonly=True,
        states={
            'invisible': Eval('state') != 'terminated',
            })
    deposit_refunded = Monetary(
        "Deposit Refunded", currency='currency', digits='currency',
        readonly=True,
        states={
            'invisible': Eval('state') != 'terminated',
            })
    deposit_deducted = Monetary(
        "Deposit Deducted", currency='currency', digits='currency',
        readonly=True,
        states={
            'invisible': Eval('state') != 'terminated',
            })
    occupancies = fields.One2Many(
        'pm.occupancy', 'lease', "Occupancies", readonly=True)
    note = fields.Text("Note")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Equality())),
                Index(t, (t.tenant, Index.Equality())),
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.end_date, Index.Range()),
                    where=t.state == 'active'),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'active'),
            ('active', 'expired'),
            ('active', 'terminated'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'renew': {
                    'invisible': ~Eval('state').in_(['active', 'expired']),
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'terminate': {
                    'invisible': Eval('state') != 'active',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@id="termination"]', 'states', {
                    'invisible': Eval('state') != 'terminated',
                    }, ['state']),
            ]

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_payment_frequency():
        return 'monthly'

    @staticmethod
    def default_expiring():
        return False

    @staticmethod
    def default_deposit():
        return 0

    @staticmethod
    def default_start_date():
        return Pool().get('ir.date').today()

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = cls.default_company()
        if company is not None and company >= 0:
            return Company(company).currency.id

    @fields.depends('unit', 'landlord', 'currency', 'company',
        '_parent_unit.company')
    def on_change_unit(self):
        pool = Pool()
        Unit = pool.get('pm.unit')
        if not self.unit:
            return
        company = self.unit.company
        if company and not self.currency:
            self.currency = company.currency
        if not self.landlord and self.unit.id >= 0:
            owners = Unit.current_owners([self.unit.id]).get(self.unit.id)
            if owners and len(owners) == 1:
                self.landlord = owners[0][0]
            elif company:
                self.landlord = company.party

    @fields.depends('start_date', 'end_date')
    def on_change_start_date(self):
        if self.start_date and not self.end_date:
            self.end_date = (
                self.start_date + relativedelta(years=1, days=-1))

    def get_rec_name(self, name):
        if self.number:
            return self.number
        return f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, [
                'number',
                'tenant.rec_name',
                'unit.rec_name',
                ])

    @classmethod
    def get_days_left(cls, leases, name):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        return {
            l.id: (l.end_date - today).days
            if l.state == 'active' and l.end_date else None
            for l in leases}

    @classmethod
    def validate_fields(cls, leases, field_names):
        super().validate_fields(leases, field_names)
        if field_names and not (field_names & {'landlord', 'tenant'}):
            return
        for lease in leases:
            if lease.landlord == lease.tenant:
                raise LeaseValidationError(gettext(
                        'pm_customer.msg_lease_same_landlord_tenant',
                        lease=lease.rec_name))

    @classmethod
    def check_modification(cls, mode, leases, values=None, external=False):
        super().check_modification(
            mode, leases, values=values, external=external)
        if mode == 'delete':
            for lease in leases:
                if lease.state != 'draft':
                    raise LeaseModifyError(gettext(
                            'pm_customer.msg_lease_delete',
                            lease=lease.rec_name))

    @classmethod
    def copy(cls, leases, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'renewed_from', 'termination_date',
                'termination_reason', 'deposit_refunded',
                'deposit_deducted']:
            default.setdefault(name, None)
        default.setdefault('expiring', False)
        default.setdefault('renewals', None)
        default.setdefault('occupancies', None)
        return super().copy(leases, default=default)

    @classmethod
    def check_landlords(cls, leases):
        """Check that the landlord is the management company or an owner
        of the unit during the lease."""
        pool = Pool()
        Occupancy = pool.get('pm.occupancy')
        rows = Occupancy._unit_rows(list({l.unit.id for l in leases}))
        for lease in leases:
            if lease.landlord == lease.company.party:
                continue
            for row in rows.get(lease.unit.id, []):
                if (row['role'] == 'owner'
                        and row['party'] == lease.landlord.id
                        and row['start_date'] <= lease.end_date
                        and (row['end_date'] is None
                            or row['end_date'] >= lease.start_date)):
                    break
            else:
                raise LeaseValidationError(gettext(
                        'pm_customer.msg_lease_landlord',
                        lease=lease.rec_name,
                        landlord=lease.landlord.rec_name,
                        unit=lease.unit.rec_name))

    @classmethod
    def check_overlap(cls, leases):
        "Check that a unit has only one active lease at a time"
        actives = cls.search([
                ('unit', 'in', list({l.unit.id for l in leases})),
                ('state', '=', 'active'),
                ])
        by_unit = defaultdict(list)
        for lease in actives + list(leases):
            if lease not in by_unit[lease.unit]:
                by_unit[lease.unit].append(lease)
        for lease in leases:
            for other in by_unit[lease.unit]:
                if (other != lease
                        and other.start_date <= lease.end_date
                        and other.end_date >= lease.start_date):
                    raise LeaseValidationError(gettext(
                            'pm_customer.msg_lease_overlap',
                            lease=lease.rec_name,
                            other=other.rec_name,
                            unit=lease.unit.rec_name))

    @classmethod
    def set_number(cls, leases):
        pool = Pool()
        Config = pool.get('pm.configuration')
        config = Config(1)
        to_number = [l for l in leases if not l.number]
        if to_number:
            sequence = config.get_lease_sequence()
            for lease, number in zip(
                    to_number, sequence.get_many(len(to_number))):
                lease.number = number
            cls.save(to_number)

    @classmethod
    def create_occupancies(cls, leases):
        "Create the tenant occupancies; the other occupants move out"
        pool = Pool()
        Date = pool.get('ir.date')
        Occupancy = pool.get('pm.occupancy')
        today = Date.today()
        occupancies = [Occupancy(
                unit=l.unit,
                party=l.tenant,
                role='tenant',
                start_date=l.start_date,
                end_date=l.end_date,
                resides=True,
                lease=l) for l in leases]
        Occupancy.save(occupancies)
        leased_now = [l.unit.id for l in leases
            if l.start_date <= today <= l.end_date]
        if leased_now:
            moving_out = Occupancy.search([
                    ('unit', 'in', leased_now),
                    ('role', '!=', 'tenant'),
                    ('resides', '=', True),
                    ('start_date', '<=', today),
                    ['OR',
                        ('end_date', '=', None),
                        ('end_date', '>=', today),
                        ],
                    ])
            if moving_out:
                Occupancy.write(moving_out, {'resides': False})
        return occupancies

    @classmethod
    def end_occupancies(cls, leases, dates):
        "End the tenant occupancies of the leases at {lease: date}"
        pool = Pool()
        Occupancy = pool.get('pm.occupancy')
        occupancies = Occupancy.search([
                ('lease', 'in', [l.id for l in leases]),
                ])
        to_write = defaultdict(list)
        for occupancy in occupancies:
            date = dates[occupancy.lease]
            if occupancy.end_date is None or occupancy.end_date > date:
                to_write[date].append(occupancy)
        args = []
        for date, records in to_write.items():
            args.extend([records, {'end_date': date}])
        if args:
            Occupancy.write(*args)

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, leases):
        cls.check_landlords(leases)
        cls.check_overlap(leases)
        cls.set_number(leases)
        cls.create_occupancies(leases)
        renewed = [l.renewed_from for l in leases
            if l.renewed_from and l.renewed_from.expiring]
        if renewed:
            cls.write(renewed, {'expiring': False})

    @classmethod
    @ModelView.button_action('pm_customer.wizard_lease_renew')
    def renew(cls, leases):
        pass

    @classmethod
    @ModelView.button_action('pm_customer.wizard_lease_terminate')
    def terminate(cls, leases):
        pass

    @classmethod
    @Workflow.transition('expired')
    def expire(cls, leases):
        cls.end_occupancies(leases, {l: l.end_date for l in leases})
        cls.write(list(leases), {'expiring': False})

    @classmethod
    @Workflow.transition('terminated')
    def _terminate(cls, leases):
        cls.end_occupancies(leases, {
                l: l.termination_date or l.end_date for l in leases})
        cls.write(list(leases), {'expiring': False})

    @classmethod
    def settle_termination(
            cls, lease, date, reason, deposit_refunded, deposit_deducted):
        "Terminate the lease at the date and settle its deposit"
        if lease.state != 'active':
            raise LeaseError(gettext(
                    'pm_customer.msg_lease_terminate_not_active',
                    lease=lease.rec_name))
        if not (lease.start_date <= date <= lease.end_date):
            raise LeaseError(gettext(
                    'pm_customer.msg_lease_termination_date',
                    lease=lease.rec_name,
                    start=lease.start_date, end=lease.end_date))
        refunded = deposit_refunded or 0
        deducted = deposit_deducted or 0
        if (refunded < 0 or deducted < 0
                or refunded + deducted != lease.deposit):
            lang = Pool().get('ir.lang').get()
            raise LeaseError(gettext(
                    'pm_customer.msg_lease_deposit_settlement',
                    lease=lease.rec_name,
                    refunded=lang.currency(refunded, lease.currency),
                    deducted=lang.currency(deducted, lease.currency),
                    deposit=lang.currency(lease.deposit, lease.currency)))
        cls.write([lease], {
                'termination_date': date,
                'termination_reason': reason,
                'deposit_refunded': refunded,
                'deposit_deducted': deducted,
                })
        cls._terminate([lease])

    @classmethod
    def renew_lease(cls, lease, start_date, end_date, monthly_rent, deposit):
        "Return a draft lease renewing lease from start_date"
        if start_date <= lease.end_date:
            raise LeaseError(gettext(
                    'pm_customer.msg_lease_renew_start',
                    lease=lease.rec_name, end=lease.end_date))
        renewal, = cls.copy([lease], default={
                'start_date': start_date,
                'end_date': end_date,
                'monthly_rent': monthly_rent,
                'deposit': deposit,
                'renewed_from': lease.id,
                'note': None,
                })
        return renewal

    @classmethod
    def check_expiring(cls, date=None):
        """Expire the active leases past their end date and flag those
        ending within the reminder days of the configuration.

        Run daily by the scheduler, once per company.
        """
        pool = Pool()
        Date = pool.get('ir.date')
        Config = pool.get('pm.configuration')
        if date is None:
            date = Date.today()
        config = Config(1)
        limit = date + dt.timedelta(days=config.get_lease_reminder_days())
        domain = [('state', '=', 'active')]
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))

        to_expire = cls.search(domain + [('end_date', '<', date)])
        if to_expire:
            cls.expire(to_expire)

        renewed = {l.renewed_from for l in cls.search([
                    ('renewed_from.state', '=', 'active'),
                    ('state', '=', 'active'),
                    ])}
        ending = cls.search(domain + [
                ('end_date', '>=', date),
                ('end_date', '<=', limit),
                ])
        to_flag = [l for l in ending if not l.expiring and l not in renewed]
        to_unflag = [l for l in cls.search(domain + [
                    ('expiring', '=', True),
                    ]) if l.end_date > limit or l in renewed]
        args = []
        if to_flag:
            args.extend([to_flag, {'expiring': True}])
        if to_unflag:
            args.extend([to_unflag, {'expiring': False}])
        if args:
            cls.write(*args)


class LeaseRenewStart(ModelView):
    "Renew Lease"
    __name__ = 'pm.lease.renew.start'
    __string__ = "Renew Lease"

    lease = fields.Many2One('pm.lease', "Lease", readonly=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date", required=True, domain=[_end_date_domain()])
    monthly_rent = Monetary(
        "Monthly Rent", currency='currency', digits='currency',
        required=True, domain=[('monthly_rent', '>=', 0)])
    deposit = Monetary(
        "Deposit", currency='currency', digits='currency',
        required=True, domain=[('deposit', '>=', 0)])


class LeaseRenew(Wizard):
    "Renew Lease"
    __name__ = 'pm.lease.renew'

    start = StateView(
        'pm.lease.renew.start', 'pm_customer.lease_renew_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Renew", 'renew', 'tryton-ok', default=True),
            ])
    renew = StateAction('pm_customer.act_lease_form')

    def default_start(self, fields):
        lease = self.record
        if not lease:
            return {}
        start_date = lease.end_date + dt.timedelta(days=1)
        # Same length as the renewed lease, in months when it is whole
        length = relativedelta(start_date, lease.start_date)
        return {
            'lease': lease.id,
            'currency': lease.currency.id,
            'start_date': start_date,
            'end_date': start_date + length - dt.timedelta(days=1),
            'monthly_rent': lease.monthly_rent,
            'deposit': lease.deposit,
            }

    def do_renew(self, action):
        pool = Pool()
        Lease = pool.get('pm.lease')
        renewal = Lease.renew_lease(
            self.record, self.start.start_date, self.start.end_date,
            self.start.monthly_rent, self.start.deposit)
        action['views'].reverse()
        return action, {'res_id': [renewal.id]}


class LeaseTerminateStart(ModelView):
    "Terminate Lease"
    __name__ = 'pm.lease.terminate.start'
    __string__ = "Terminate Lease"

    lease = fields.Many2One('pm.lease', "Lease", readonly=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    deposit = Monetary(
        "Deposit", currency='currency', digits='currency', readonly=True)
    date = fields.Date(
        "Termination Date", required=True,
        help="The last day of the tenant in the unit.")
    reason = fields.Text("Reason", required=True)
    deposit_refunded = Monetary(
        "Deposit Refunded", currency='currency', digits='currency',
        required=True, domain=[('deposit_refunded', '>=', 0)])
    deposit_deducted = Monetary(
        "Deposit Deducted", currency='currency', digits='currency',
        required=True, domain=[('deposit_deducted', '>=', 0)],
        help="The part of the deposit kept, "
        "e.g. for damages or unpaid fees.")

    @fields.depends('deposit', 'deposit_refunded')
    def on_change_deposit_refunded(self):
        if self.deposit is not None and self.deposit_refunded is not None:
            self.deposit_deducted = max(
                self.deposit - self.deposit_refunded, 0)


class LeaseTerminate(Wizard):
    "Terminate Lease"
    __name__ = 'pm.lease.terminate'

    start = StateView(
        'pm.lease.terminate.start',
        'pm_customer.lease_terminate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Terminate", 'terminate', 'tryton-ok', default=True),
            ])
    terminate = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        lease = self.record
        if not lease:
            return {}
        return {
            'lease': lease.id,
            'currency': lease.currency.id,
            'deposit': lease.deposit,
            'date': min(max(Date.today(), lease.start_date), lease.end_date),
            'deposit_refunded': lease.deposit,
            'deposit_deducted': 0,
            }

    def transition_terminate(self):
        pool = Pool()
        Lease = pool.get('pm.lease')
        Lease.settle_termination(
            self.record, self.start.date, self.start.reason,
            self.start.deposit_refunded, self.start.deposit_deducted)
        return 'end'
