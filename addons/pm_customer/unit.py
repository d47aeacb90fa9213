# This file is part of the pm suite (物业管理系统). See README.md.
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Null

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.pm_estate.mixin import id_batches, sql_in
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import BillingPartyError, OwnerShareError, UnitTransferError
from .occupancy import FULL_SHARE, SHARE_DIGITS


class Unit(metaclass=PoolMeta):
    __name__ = 'pm.unit'

    occupancies = fields.One2Many(
        'pm.occupancy', 'unit', "Occupancies",
        help="The owners, residents, tenants and family members "
        "of the unit over time.")
    billing_party = fields.Many2One(
        'party.party', "Billing Party", ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The party the fees of the unit are billed to (收费对象).\n"
        "Required when the unit has several owners or a company owner.")
    owners = fields.Function(
        fields.Many2Many('party.party', None, None, "Current Owners",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'get_owners', searcher='search_owners')
    owner_names = fields.Function(
        fields.Char("Owners"), 'get_owners', searcher='search_owner_names')
    leases = fields.One2Many(
        'pm.lease', 'unit', "Leases", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'transfer': {
                    'icon': 'tryton-forward',
                    'readonly': Eval('id', -1) < 0,
                    'depends': ['id'],
                    },
                })

    @classmethod
    def current_owners(cls, unit_ids, date=None):
        """Return {unit id: [(party id, customer type, share)]} of the
        owners of the units at the date, largest share first."""
        pool = Pool()
        Occupancy = pool.get('pm.occupancy')
        Party = pool.get('party.party')
        occupancy = Occupancy.__table__()
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        if date is None:
            date = cls._state_date()
        result = defaultdict(list)
        for sub_ids in id_batches(unit_ids):
            cursor.execute(*occupancy.join(party,
                    condition=occupancy.party == party.id).select(
                    occupancy.unit, occupancy.party, party.customer_type,
                    occupancy.share,
                    where=sql_in(occupancy.unit, sub_ids)
                    & (occupancy.role == 'owner')
                    & Occupancy.current_where(occupancy, date),
                    order_by=[occupancy.unit, occupancy.share.desc,
                        party.name, party.id]))
            for unit_id, party_id, customer_type, share in cursor:
                result[unit_id].append((
                        party_id, customer_type,
                        Decimal(str(share)) if share is not None else None))
        return result

    @classmethod
    def get_owners(cls, units, names):
        pool = Pool()
        Party = pool.get('party.party')
        ids = [u.id for u in units]
        owners = cls.current_owners([i for i in ids if i >= 0])
        result = {}
        if 'owners' in names:
            result['owners'] = {
                i: [p for p, _, _ in owners.get(i, [])] for i in ids}
        if 'owner_names' in names:
            parties = Party.browse(list({
                        p for rows in owners.values() for p, _, _ in rows}))
            party_names = {p.id: p.rec_name for p in parties}
            result['owner_names'] = {
                i: ', '.join(party_names[p] for p, _, _ in owners.get(i, []))
                or None for i in ids}
        return result

    @classmethod
    def search_owners(cls, name, clause):
        _, operator, operand, *extra = clause
        nested = clause[0][len(name):]
        return [('occupancies', 'where', [
                    ('role', '=', 'owner'),
                    ('current', '=', True),
                    ('party' + nested, operator, operand, *extra),
                    ])]

    @classmethod
    def search_owner_names(cls, name, clause):
        _, operator, operand, *extra = clause
        return [('occupancies', 'where', [
                    ('role', '=', 'owner'),
                    ('current', '=', True),
                    ('party.rec_name', operator, operand, *extra),
                    ])]

    @classmethod
    def _occupancy_facts(cls, unit_ids, date):
        pool = Pool()
        Occupancy = pool.get('pm.occupancy')
        Lease = pool.get('pm.lease')
        Decoration = pool.get('pm.decoration')
        occupancy = Occupancy.__table__()
        lease = Lease.__table__()
        decoration = Decoration.__table__()
        cursor = Transaction().connection.cursor()
        facts = defaultdict(set)
        for unit_id, unit_facts in super()._occupancy_facts(
                unit_ids, date).items():
            facts[unit_id].update(unit_facts)
        for sub_ids in id_batches(unit_ids):
            cursor.execute(*occupancy.select(
                    occupancy.unit, occupancy.role, occupancy.resides,
                    where=sql_in(occupancy.unit, sub_ids)
                    & Occupancy.current_where(occupancy, date)
                    & ((occupancy.resides == True)  # noqa: E712
                        | (occupancy.role == 'tenant')),
                    group_by=[
                        occupancy.unit, occupancy.role, occupancy.resides]))
            for unit_id, role, resides in cursor:
                if role == 'tenant':
                    facts[unit_id].add('rented')
                if resides:
                    facts[unit_id].add('occupied')
            cursor.execute(*lease.select(lease.unit,
                    where=sql_in(lease.unit, sub_ids)
                    & (lease.state == 'active')
                    & (lease.start_date <= date)
                    & (lease.end_date >= date),
                    group_by=[lease.unit]))
            for unit_id, in cursor:
                facts[unit_id].add('rented')
            cursor.execute(*decoration.select(decoration.unit,
                    where=sql_in(decoration.unit, sub_ids)
                    & (decoration.state == 'in_progress')
                    & ((decoration.start_date == Null)
                        | (decoration.start_date <= date)),
                    group_by=[decoration.unit]))
            for unit_id, in cursor:
                facts[unit_id].add('renovating')
        return dict(facts)

    @classmethod
    def validate_fields(cls, units, field_names):
        super().validate_fields(units, field_names)
        if not field_names or 'billing_party' in field_names:
            cls.check_billing_party(units)

    @classmethod
    def check_billing_party(cls, units, date=None):
        "Check the billing party of the units with co-owners or a company"
        pool = Pool()
        Date = pool.get('ir.date')
        if date is None:
            date = Date.today()
        to_check = [u for u in units if not u.billing_party]
        owners = cls.current_owners([u.id for u in to_check], date)
        for unit in to_check:
            unit_owners = owners.get(unit.id, [])
            if (len(unit_owners) > 1
                    or any(t == 'company' for _, t, _ in unit_owners)):
                raise BillingPartyError(gettext(
                        'pm_customer.msg_unit_billing_party_required',
                        unit=unit.rec_name))

    @classmethod
    def set_default_billing_party(cls, unit_ids):
        "Set the single current owner as billing party of units without one"
        pool = Pool()
        Date = pool.get('ir.date')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        without = []
        for sub_ids in id_batches(unit_ids):
            cursor.execute(*table.select(table.id,
                    where=sql_in(table.id, sub_ids)
                    & (table.billing_party == Null)))
            without.extend(i for i, in cursor)
        owners = cls.current_owners(without, Date.today())
        to_write = []
        for unit_id in without:
            unit_owners = owners.get(unit_id, [])
            if len(unit_owners) == 1:
                to_write.extend(
                    [[cls(unit_id)], {'billing_party': unit_owners[0][0]}])
        if to_write:
            # Staff who record owners may not edit units
            with without_check_access():
                cls.write(*to_write)

    @classmethod
    def transfer_ownership(cls, unit, date, new_owners, billing_party=None):
        """Sell the unit at the date to new_owners, a list of (party, share).

        The occupancies of the current owners, their family members and the
        residents end the day before; tenants stay (买卖不破租赁).
        Return the occupancies of the new owners.
        """
        pool = Pool()
        Occupancy = pool.get('pm.occupancy')
        if not new_owners:
            raise UnitTransferError(gettext(
                    'pm_customer.msg_unit_transfer_no_owner',
                    unit=unit.rec_name))
        parties = [p for p, _ in new_owners]
        if len(set(parties)) != len(parties):
            raise UnitTransferError(gettext(
                    'pm_customer.msg_unit_transfer_duplicate_owner',
                    unit=unit.rec_name))
        total = sum((Decimal(s) if s is not None else FULL_SHARE)
            for _, s in new_owners)
        if total > FULL_SHARE:
            raise OwnerShareError(gettext(
                    'pm_customer.msg_occupancy_share_exceeds',
                    unit=unit.rec_name, date=date,
                    total='{:f}'.format(total.normalize())))
        if billing_party is None:
            if len(parties) == 1:
                billing_party = parties[0]
            else:
                raise BillingPartyError(gettext(
                        'pm_customer.msg_unit_billing_party_required',
                        unit=unit.rec_name))
        ending = Occupancy.search([
                ('unit', '=', unit.id),
                ('role', 'in', ['owner', 'family', 'resident']),
                ('start_date', '<=', date),
                ['OR', ('end_date', '=', None), ('end_date', '>=', date)],
                ])
        for occupancy in ending:
            if occupancy.start_date >= date:
                raise UnitTransferError(gettext(
                        'pm_customer.msg_unit_transfer_date',
                        unit=unit.rec_name, date=date,
                        party=occupancy.party.rec_name,
                        start=occupancy.start_date))
        facts = cls._occupancy_facts([unit.id], date).get(unit.id, set())
        if ending:
            Occupancy.write(ending, {'end_date': date - dt.timedelta(days=1)})
        if unit.billing_party != billing_party:
            with without_check_access():
                cls.write([unit], {'billing_party': billing_party.id})
        return Occupancy.create([{
                    'unit': unit.id,
                    'party': party.id,
                    'role': 'owner',
                    'share': share if share is not None else FULL_SHARE,
                    'start_date': date,
                    # Owners of rented units do not live there
                    'resides': 'rented' not in facts,
                    } for party, share in new_owners])

    @classmethod
    @ModelView.button_action('pm_customer.wizard_unit_transfer')
    def transfer(cls, units):
        pass

    @classmethod
    def copy(cls, units, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('occupancies', None)
        default.setdefault('leases', None)
        default.setdefault('billing_party', None)
        return super().copy(units, default=default)


class UnitTransferStart(ModelView):
    "Unit Transfer"
    __name__ = 'pm.unit.transfer.start'
    __string__ = "Unit Transfer"

    unit = fields.Many2One('pm.unit', "Unit", readonly=True)
    date = fields.Date(
        "Date", required=True,
        help="The first day of the new owners; "
        "the occupancies of the sellers end the day before.")
    current_owners = fields.Many2Many(
        'party.party', None, None, "Current Owners", readonly=True)
    new_owners = fields.One2Many(
        'pm.unit.transfer.owner', 'transfer', "New Owners", required=True)
    billing_party = fields.Many2One(
        'party.party', "Billing Party",
        help="Required when there are several new owners; "
        "by default the single new owner.")


class UnitTransferOwner(ModelView):
    "Unit Transfer New Owner"
    __name__ = 'pm.unit.transfer.owner'
    __string__ = "Unit Transfer New Owner"

    transfer = fields.Many2One('pm.unit.transfer.start', "Transfer")
    party = fields.Many2One('party.party', "Party", required=True)
    share = fields.Numeric(
        "Share (%)", digits=SHARE_DIGITS, required=True,
        domain=[('share', '>', 0), ('share', '<=', 100)])

    @staticmethod
    def default_share():
        return FULL_SHARE


class UnitTransfer(Wizard):
    "Unit Transfer"
    __name__ = 'pm.unit.transfer'

    start = StateView(
        'pm.unit.transfer.start', 'pm_customer.unit_transfer_start_view_form',
        [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Transfer", 'transfer', 'tryton-ok', default=True),
            ])
    transfer = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        values = {
            'date': Date.today(),
            }
        if self.record:
            values['unit'] = self.record.id
            values['current_owners'] = [p.id for p in self.record.owners]
        return values

    def transition_transfer(self):
        pool = Pool()
        Unit = pool.get('pm.unit')
        Unit.transfer_ownership(
            self.record, self.start.date,
            [(o.party, o.share) for o in self.start.new_owners],
            billing_party=self.start.billing_party)
        return 'end'
