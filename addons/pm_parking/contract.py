# This file is part of the pm suite (物业管理系统). See README.md.
"""Parking contracts (车位租赁合同): monthly rent billed through pm_billing."""
import datetime as dt
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import (
    company_field, id_batches, search_fields, search_through)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .exceptions import (
    ContractError, ContractModifyError, ContractValidationError)
from .space import BILLED_STATES, today

STATES = [
    ('draft', "Draft"),
    ('active', "Active"),
    ('expired', "Expired"),
    ('terminated', "Terminated"),
    ('cancelled', "Cancelled"),
    ]

REMINDER_DAYS = 30
CENT = Decimal('0.01')

# fields fixed once the contract is signed (active)
_SIGNED_FIELDS = {
    'space', 'customer', 'unit', 'rate', 'monthly_price', 'currency',
    'start_date', 'end_date', 'company'}


def _end_date_domain():
    return ['OR',
        ('end_date', '>=', If(Eval('start_date'),
                Eval('start_date', dt.date.min), dt.date.min)),
        ('end_date', '=', None),
        ]


def prorated(monthly_price, period, validity):
    """Return (days, month_days, amount) of the monthly price for the days
    of validity (start, end) inside the period (first, last day of month)"""
    start = max(period[0], validity[0])
    end = min(period[1], validity[1])
    month_days = (period[1] - period[0]).days + 1
    if end < start:
        return 0, month_days, Decimal(0)
    days = (end - start).days + 1
    amount = (Decimal(monthly_price) * days / month_days).quantize(
        CENT, rounding=ROUND_HALF_UP)
    return days, month_days, amount


class Contract(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.parking.contract'
    __string__ = "Parking Contract"
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char(
        "Number", readonly=True,
        help="Assigned when the contract is activated.")
    company = company_field()
    space = fields.Many2One(
        'pm.parking.space', "Space", required=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('ownership', 'in', ['rental', 'property']),
            ],
        states=_states)
    lot = fields.Function(
        fields.Many2One('pm.parking.lot', "Parking Lot"),
        'on_change_with_lot', searcher='search_space_field')
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_space_field')
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        states=_states,
        context={'company': Eval('company', -1)}, depends={'company'})
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states=_states,
        help="The unit whose bill carries the monthly parking fee.")
    vehicles = fields.Many2Many(
        'pm.parking.contract-pm.vehicle', 'contract', 'vehicle', "Vehicles",
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': ~Eval('state').in_(['draft', 'active']),
            })
    rate = fields.Many2One(
        'pm.charge.rate', "Rate", required=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('method', '=', 'parking'),
            ],
        states=_states,
        help="The parking rate (收费标准) whose charge item is billed; "
        "its unit price is the default monthly price.")
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, states=_states)
    monthly_price = Monetary(
        "Monthly Price", currency='currency', digits='currency',
        required=True, states=_states,
        domain=[('monthly_price', '>=', 0)])
    start_date = fields.Date("Start Date", required=True, states=_states)
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[_end_date_domain()],
        help="The last day of the contract (inclusive).")
    reminder_days = fields.Integer(
        "Reminder Days", required=True,
        domain=[('reminder_days', '>=', 0)],
        help="The daily task flags the contract and notifies the parking "
        "staff this number of days before the end date.")
    days_left = fields.Function(
        fields.Integer("Days Left",
            states={
                'invisible': Eval('state') != 'active',
                }),
        'get_days_left')
    valid = fields.Function(
        fields.Boolean("Valid"), 'get_valid', searcher='search_valid')
    expiring = fields.Boolean(
        "Expiring", readonly=True,
        help="Set by the daily scheduled task when the contract ends "
        "within its reminder days.")
    reminded_on = fields.Date("Reminded on", readonly=True)
    renewed_from = fields.Many2One(
        'pm.parking.contract', "Renewed from", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('renewed_from'),
            })
    renewals = fields.One2Many(
        'pm.parking.contract', 'renewed_from', "Renewals", readonly=True)
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
    note = fields.Text("Note")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.space, Index.Equality())),
                Index(t, (t.unit, Index.Equality())),
                Index(t, (t.customer, Index.Equality())),
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.end_date, Index.Range()),
                    where=t.state == 'active'),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'active'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            ('active', 'expired'),
            ('active', 'terminated'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
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
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_currency(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = cls.default_company()
        if company is not None and company >= 0:
            return Company(company).currency.id

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_expiring():
        return False

    @staticmethod
    def default_reminder_days():
        return REMINDER_DAYS

    @staticmethod
    def default_start_date():
        return Pool().get('ir.date').today()

    @fields.depends('space', '_parent_space.company')
    def on_change_with_company(self, name=None):
        if self.space:
            return self.space.company
        return getattr(self, 'company', None)

    @fields.depends('space', '_parent_space.lot')
    def on_change_with_lot(self, name=None):
        return self.space.lot if self.space else None

    @fields.depends('space', '_parent_space.estate')
    def on_change_with_estate(self, name=None):
        return self.space.estate if self.space else None

    @classmethod
    def search_space_field(cls, name, clause):
        return search_through('space', name, clause)

    @fields.depends('space', 'unit', 'customer', '_parent_space.unit',
        '_parent_space.customer')
    def on_change_space(self):
        if self.space:
            if not self.unit and self.space.unit:
                self.unit = self.space.unit
            if not self.customer and self.space.customer:
                self.customer = self.space.customer

    @fields.depends('rate', 'monthly_price', '_parent_rate.unit_price')
    def on_change_rate(self):
        if self.rate and self.monthly_price is None:
            self.monthly_price = self.rate.unit_price

    @fields.depends('start_date')
    def on_change_start_date(self):
        "A contract runs for a year by default"
        if self.start_date:
            self.end_date = self.start_date + relativedelta(years=1, days=-1)

    def get_rec_name(self, name):
        if self.number:
            return self.number
        return f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, [
                'number', 'space.number', 'customer.rec_name',
                'vehicles.plate'])

    @property
    def effective_end(self):
        "The last day the contract is billed"
        return self.termination_date or self.end_date

    @classmethod
    def get_days_left(cls, contracts, name):
        date = today()
        return {
            c.id: (c.end_date - date).days
            if c.state == 'active' and c.end_date else None
            for c in contracts}

    @classmethod
    def get_valid(cls, contracts, name):
        date = today()
        return {
            c.id: (c.state in BILLED_STATES
                and c.start_date <= date <= c.effective_end)
            for c in contracts}

    @classmethod
    def search_valid(cls, name, clause):
        _, operator, value = clause[:3]
        date = today()
        domain = [
            ('state', 'in', list(BILLED_STATES)),
            ('start_date', '<=', date),
            ['OR',
                ('termination_date', '>=', date),
                [('termination_date', '=', None), ('end_date', '>=', date)],
                ],
            ]
        positive = bool(value) == (operator == '=')
        if positive:
            return domain
        return [('id', 'not in', [c.id for c in cls.search(domain)])]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Space = pool.get('pm.parking.space')
        Rate = pool.get('pm.charge.rate')
        values = super().preprocess_values(mode, values)
        if values.get('space'):
            values['company'] = Space(values['space']).company.id
        if (mode == 'create' and values.get('rate')
                and values.get('monthly_price') is None):
            values['monthly_price'] = Rate(values['rate']).unit_price
        return values

    @classmethod
    def validate_fields(cls, contracts, field_names):
        super().validate_fields(contracts, field_names)
        for contract in contracts:
            if contract.rate and (contract.rate.method != 'parking'
                    or contract.rate.company != contract.company):
                raise ContractValidationError(gettext(
                        'pm_parking.msg_contract_rate_parking',
                        contract=contract.rec_name,
                        rate=contract.rate.rec_name))
            if contract.unit and contract.unit.company != contract.company:
                raise ContractValidationError(gettext(
                        'pm_parking.msg_contract_unit_company',
                        contract=contract.rec_name,
                        unit=contract.unit.rec_name))

    @classmethod
    def check_modification(cls, mode, contracts, values=None, external=False):
        super().check_modification(
            mode, contracts, values=values, external=external)
        if mode == 'delete':
            for contract in contracts:
                if contract.state not in {'draft', 'cancelled'}:
                    raise ContractModifyError(gettext(
                            'pm_parking.msg_contract_delete',
                            contract=contract.rec_name))
        elif mode == 'write' and _SIGNED_FIELDS & set(values or {}):
            for contract in contracts:
                if contract.state != 'draft':
                    raise ContractModifyError(gettext(
                            'pm_parking.msg_contract_modify_signed',
                            contract=contract.rec_name))

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'renewed_from', 'termination_date',
                'termination_reason', 'reminded_on']:
            default.setdefault(name, None)
        default.setdefault('expiring', False)
        default.setdefault('renewals', None)
        return super().copy(contracts, default=default)

    # --- activation --------------------------------------------------------
    @classmethod
    def check_space(cls, contracts):
        "A contract is for a rental space, or the owner's own sold space"
        for contract in contracts:
            space = contract.space
            if space.ownership in {'public', 'temporary'} or (
                    space.ownership == 'property' and space.customer
                    and space.customer != contract.customer):
                raise ContractValidationError(gettext(
                        'pm_parking.msg_contract_space_not_rentable',
                        contract=contract.rec_name, space=space.rec_name))

    @classmethod
    def check_overlap(cls, contracts):
        "A space has one contract at a time"
        others = cls.search([
                ('space', 'in', list({c.space.id for c in contracts})),
                ('state', 'in', list(BILLED_STATES)),
                ])
        by_space = defaultdict(list)
        for contract in others + list(contracts):
            if contract not in by_space[contract.space]:
                by_space[contract.space].append(contract)
        for contract in contracts:
            for other in by_space[contract.space]:
                if (other != contract
                        and other.start_date <= contract.end_date
                        and other.effective_end >= contract.start_date):
                    raise ContractValidationError(gettext(
                            'pm_parking.msg_contract_overlap',
                            contract=contract.rec_name,
                            other=other.rec_name,
                            space=contract.space.rec_name))

    @classmethod
    def set_number(cls, contracts):
        pool = Pool()
        Config = pool.get('pm.configuration')
        to_number = [c for c in contracts if not c.number]
        if to_number:
            sequence = Config(1).get_parking_contract_sequence()
            for contract, number in zip(
                    to_number, sequence.get_many(len(to_number))):
                contract.number = number
            cls.save(to_number)

    @classmethod
    def allow_vehicles(cls, contracts):
        "The contract's vehicles may use its space"
        pool = Pool()
        Vehicle = pool.get('pm.vehicle')
        args = []
        for contract in contracts:
            vehicles = [v for v in contract.vehicles
                if contract.space not in v.spaces]
            if vehicles:
                args.extend([vehicles, {
                            'spaces': [('add', [contract.space.id])]}])
        if args:
            Vehicle.write(*args)

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, contracts):
        cls.check_space(contracts)
        cls.check_overlap(contracts)
        cls.set_number(contracts)
        cls.allow_vehicles(contracts)
        renewed = [c.renewed_from for c in contracts
            if c.renewed_from and c.renewed_from.expiring]
        if renewed:
            cls.write(renewed, {'expiring': False})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, contracts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, contracts):
        pass

    @classmethod
    @ModelView.button_action('pm_parking.wizard_contract_renew')
    def renew(cls, contracts):
        pass

    @classmethod
    @ModelView.button_action('pm_parking.wizard_contract_terminate')
    def terminate(cls, contracts):
        pass

    @classmethod
    @Workflow.transition('expired')
    def expire(cls, contracts):
        cls.write(list(contracts), {'expiring': False})

    @classmethod
    @Workflow.transition('terminated')
    def _terminate(cls, contracts):
        cls.write(list(contracts), {'expiring': False})

    @classmethod
    def terminate_at(cls, contract, date, reason):
        "Terminate the active contract: it is billed up to the date"
        if contract.state != 'active':
            raise ContractError(gettext(
                    'pm_parking.msg_contract_terminate_not_active',
                    contract=contract.rec_name))
        if not (contract.start_date <= date <= contract.end_date):
            raise ContractError(gettext(
                    'pm_parking.msg_contract_termination_date',
                    contract=contract.rec_name,
                    start=contract.start_date, end=contract.end_date))
        cls.write([contract], {
                'termination_date': date,
                'termination_reason': reason,
                })
        cls._terminate([contract])

    @classmethod
    def renew_contract(cls, contract, start_date, end_date, monthly_price):
        "Return a draft contract renewing contract from start_date"
        if start_date <= contract.end_date:
            raise ContractError(gettext(
                    'pm_parking.msg_contract_renew_start',
                    contract=contract.rec_name, end=contract.end_date))
        renewal, = cls.copy([contract], default={
                'start_date': start_date,
                'end_date': end_date,
                'monthly_price': monthly_price,
                'renewed_from': contract.id,
                'note': None,
                })
        return renewal

    # --- expiry reminder (daily cron) ------------------------------------
    @classmethod
    def check_expiring(cls, date=None):
        """Expire the active contracts past their end date, flag those
        ending within their reminder days and notify the parking staff.

        Run daily by the scheduler, once per company; the date may be given
        as parameter or in the context (`date`), by default today.
        """
        if date is None:
            date = today()
        domain = [('state', '=', 'active')]
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))

        to_expire = cls.search(domain + [('end_date', '<', date)])
        if to_expire:
            cls.expire(to_expire)

        renewed = {c.renewed_from for c in cls.search([
                    ('renewed_from.state', '=', 'active'),
                    ('state', '=', 'active'),
                    ])}
        horizon = date + dt.timedelta(days=max(
                [REMINDER_DAYS] + [c.reminder_days for c in cls.search(
                        domain + [('reminder_days', '>', REMINDER_DAYS)])]))
        ending = cls.search(domain + [
                ('end_date', '>=', date),
                ('end_date', '<=', horizon),
                ])
        in_window = {c for c in ending
            if (c.end_date - date).days <= c.reminder_days
            and c not in renewed}
        to_flag = [c for c in in_window if not c.expiring]
        to_unflag = [c for c in cls.search(domain + [
                    ('expiring', '=', True),
                    ]) if c not in in_window]
        args = []
        if to_flag:
            args.extend([to_flag, {'expiring': True, 'reminded_on': date}])
        if to_unflag:
            args.extend([to_unflag, {'expiring': False}])
        if args:
            cls.write(*args)
        if to_flag:
            cls.notify_expiring(to_flag, date)
        return to_flag

    @classmethod
    def notify_expiring(cls, contracts, date):
        """Create a notification (res.notification) per contract for the
        parking staff and property administrators of its company"""
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Notification = pool.get('res.notification')
        Lang = pool.get('ir.lang')
        groups = [
            ModelData.get_id('pm_parking', 'group_pm_parking'),
            ModelData.get_id('pm_estate', 'group_pm_admin'),
            ]
        action = ModelData.get_id('pm_parking', 'act_contract_form')
        lang = Lang.get()
        by_company = defaultdict(list)
        for contract in contracts:
            by_company[contract.company.id].append(contract)
        notifications = []
        with without_check_access():
            for company_id, company_contracts in by_company.items():
                users = User.search([
                        ('groups', 'in', groups),
                        ('companies', '=', company_id),
                        ])
                for contract in company_contracts:
                    label = gettext(
                        'pm_parking.msg_contract_expiring_label',
                        contract=contract.rec_name)
                    description = gettext(
                        'pm_parking.msg_contract_expiring_notification',
                        contract=contract.rec_name,
                        space=contract.space.rec_name,
                        customer=contract.customer.rec_name,
                        end=lang.strftime(contract.end_date),
                        days=(contract.end_date - date).days)
                    for user in users:
                        notifications.append({
                                'user': user.id,
                                'label': label,
                                'description': description,
                                'icon': 'tryton-warning',
                                'model': cls.__name__,
                                'records': json.dumps([contract.id]),
                                'action': action,
                                })
            if notifications:
                Notification.create(notifications)

    # --- billing -----------------------------------------------------------
    @classmethod
    def billing_charges(cls, run, unit_ids):
        """Return the monthly fees of the contracts of the units for the
        billing run's period, as pm.billing.run extra charges"""
        period = (run.date_start, run.date_end)
        item_ids = {i.id for i in run.charge_items}
        charges = []
        for sub_ids in id_batches(unit_ids):
            contracts = cls.search([
                    ('company', '=', run.company.id),
                    ('unit', 'in', sub_ids),
                    ('state', 'in', list(BILLED_STATES)),
                    ('start_date', '<=', period[1]),
                    ['OR',
                        ('termination_date', '>=', period[0]),
                        [('termination_date', '=', None),
                            ('end_date', '>=', period[0])],
                        ],
                    ], order=[('id', 'ASC')])
            for contract in contracts:
                item = contract.rate.charge_item
                if item_ids and item.id not in item_ids:
                    continue
                charge = contract.billing_charge(run)
                if charge:
                    charges.append(charge)
        return charges

    def billing_charge(self, run):
        "Return the extra charge of the contract for the run, or None"
        period = (run.date_start, run.date_end)
        start = max(period[0], self.start_date)
        end = min(period[1], self.effective_end)
        days, month_days, amount = prorated(
            self.monthly_price, period, (self.start_date, self.effective_end))
        if not days or not amount:
            return None
        price = self.monthly_price
        quantity = (Decimal(days) / month_days).quantize(Decimal('0.0001'))
        description = f'{self.space.number} {self.number or ""}'.strip()
        description += f' {start:%m-%d}~{end:%m-%d} {price}'
        if days != month_days:
            description += f' × {days}/{month_days}'
        return {
            'key': f'parking:{self.id}:{run.date_start}',
            'unit': self.unit.id,
            'party': self.customer.id,
            'charge_item': self.rate.charge_item.id,
            'rate': self.rate.id,
            'date_start': start,
            'date_end': end,
            'quantity': quantity,
            'unit_price': price,
            'amount': amount,
            'description': description,
            'due_date': self.due_date(run),
            }

    def due_date(self, run):
        "The due date of the fee by the rate's due rule"
        rate = self.rate
        base = run.date_start if rate.due_rule == 'after_start' else (
            run.date_end)
        return base + dt.timedelta(days=rate.due_days or 0)


class ContractVehicle(ModelSQL):
    __name__ = 'pm.parking.contract-pm.vehicle'
    __string__ = "Parking Contract - Vehicle"

    contract = fields.Many2One(
        'pm.parking.contract', "Contract", required=True,
        ondelete='CASCADE')
    vehicle = fields.Many2One(
        'pm.vehicle', "Vehicle", required=True, ondelete='CASCADE')


class ContractRenewStart(ModelView):
    __name__ = 'pm.parking.contract.renew.start'
    __string__ = "Renew Parking Contract"

    contract = fields.Many2One(
        'pm.parking.contract', "Contract", readonly=True)
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date", required=True, domain=[_end_date_domain()])
    monthly_price = Monetary(
        "Monthly Price", currency='currency', digits='currency',
        required=True, domain=[('monthly_price', '>=', 0)])


class ContractRenew(Wizard):
    "Renew Parking Contract"
    __name__ = 'pm.parking.contract.renew'

    start = StateView(
        'pm.parking.contract.renew.start',
        'pm_parking.contract_renew_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Renew", 'renew', 'tryton-ok', default=True),
            ])
    renew = StateAction('pm_parking.act_contract_form')

    def default_start(self, fields):
        contract = self.record
        if not contract:
            return {}
        start_date = contract.end_date + dt.timedelta(days=1)
        length = relativedelta(
            contract.end_date + dt.timedelta(days=1), contract.start_date)
        return {
            'contract': contract.id,
            'currency': contract.currency.id,
            'start_date': start_date,
            'end_date': start_date + length - dt.timedelta(days=1),
            'monthly_price': contract.monthly_price,
            }

    def do_renew(self, action):
        pool = Pool()
        Contract = pool.get('pm.parking.contract')
        renewal = Contract.renew_contract(
            self.record, self.start.start_date, self.start.end_date,
            self.start.monthly_price)
        action['views'].reverse()
        return action, {'res_id': [renewal.id]}


class ContractTerminateStart(ModelView):
    __name__ = 'pm.parking.contract.terminate.start'
    __string__ = "Terminate Parking Contract"

    contract = fields.Many2One(
        'pm.parking.contract', "Contract", readonly=True)
    date = fields.Date(
        "Termination Date", required=True,
        help="The last day billed.")
    reason = fields.Text("Reason", required=True)


class ContractTerminate(Wizard):
    "Terminate Parking Contract"
    __name__ = 'pm.parking.contract.terminate'

    start = StateView(
        'pm.parking.contract.terminate.start',
        'pm_parking.contract_terminate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Terminate", 'terminate', 'tryton-ok', default=True),
            ])
    terminate = StateTransition()

    def default_start(self, fields):
        contract = self.record
        if not contract:
            return {}
        return {
            'contract': contract.id,
            'date': min(max(today(), contract.start_date),
                contract.end_date),
            }

    def transition_terminate(self):
        pool = Pool()
        Contract = pool.get('pm.parking.contract')
        Contract.terminate_at(
            self.record, self.start.date, self.start.reason)
        return 'end'
