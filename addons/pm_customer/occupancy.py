# This file is part of the pm suite (物业管理系统). See README.md.
"""A party's role on a unit over time (房屋关系).

Occupancies are never overwritten: a sale ends the sellers' occupancies and
starts the buyers', so the full ownership and rental history of a unit is a
query on this table.  Dates are inclusive: an occupancy is current on a date
when ``start_date <= date <= end_date`` (or no end date).
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.pm_estate.mixin import (
    company_field, id_batches, search_fields, sql_in)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import OccupancyError, OwnerShareError
from .mixin import UnitCompanyMixin, unit_domain

ROLES = [
    ('owner', "Owner"),
    ('resident', "Resident"),
    ('tenant', "Tenant"),
    ('family', "Family Member"),
    ]

RELATIONS = [
    (None, ""),
    ('spouse', "Spouse"),
    ('child', "Child"),
    ('parent', "Parent"),
    ('sibling', "Sibling"),
    ('other', "Other"),
    ]

SHARE_DIGITS = (5, 2)
FULL_SHARE = Decimal(100)


def to_date(value):
    "Return a date from a value read by SQL (sqlite returns strings)"
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


class Occupancy(UnitCompanyMixin, ModelSQL, ModelView):
    "Occupancy"
    __name__ = 'pm.occupancy'
    __string__ = "Occupancy"

    company = company_field()
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='RESTRICT',
        domain=unit_domain())
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    role = fields.Selection(ROLES, "Role", required=True, sort=False)
    role_string = role.translated('role')
    share = fields.Numeric(
        "Share (%)", digits=SHARE_DIGITS,
        domain=[
            If(Eval('role') == 'owner',
                [('share', '>', 0), ('share', '<=', 100)],
                [('share', '=', None)]),
            ],
        states={
            'invisible': Eval('role') != 'owner',
            'required': Eval('role') == 'owner',
            },
        help="The ownership share of a co-owner in percent.")
    relation = fields.Selection(
        RELATIONS, "Relation", sort=False,
        states={
            'invisible': Eval('role') != 'family',
            'required': Eval('role') == 'family',
            },
        help="The relation of the family member to the owner.")
    owner = fields.Many2One(
        'party.party', "Owner", ondelete='RESTRICT',
        states={
            'invisible': Eval('role') != 'family',
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The owner the family member relates to.")
    resides = fields.Boolean(
        "Resides",
        help="Whether the party lives in the unit.")
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date(
        "End Date",
        domain=['OR',
            ('end_date', '>=', If(Eval('start_date'),
                    Eval('start_date', dt.date.min), dt.date.min)),
            ('end_date', '=', None),
            ],
        help="The last day of the occupancy (inclusive).")
    lease = fields.Many2One(
        'pm.lease', "Lease", readonly=True, ondelete='RESTRICT',
        states={
            'invisible': ~Eval('lease'),
            },
        help="The lease that created the tenant occupancy.")
    current = fields.Function(
        fields.Boolean("Current"), 'get_current', searcher='search_current')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.unit, Index.Equality()),
                    (t.role, Index.Equality(cardinality='low')),
                    (t.start_date, Index.Range())),
                Index(t, (t.party, Index.Equality())),
                Index(t, (t.company, Index.Equality())),
                Index(t, (t.lease, Index.Equality()), where=t.lease != Null),
                })
        cls._order = [
            ('start_date', 'DESC'), ('unit', 'ASC'), ('id', 'DESC')]

    @staticmethod
    def default_start_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_role():
        return 'owner'

    @staticmethod
    def default_share():
        return FULL_SHARE

    @staticmethod
    def default_resides():
        return True

    @fields.depends('role', 'unit', '_parent_unit.id', 'start_date', 'share',
        'relation', 'owner', 'resides')
    def on_change_role(self):
        pool = Pool()
        Unit = pool.get('pm.unit')
        if self.role == 'owner':
            if self.share is None:
                self.share = FULL_SHARE
            if self.unit and self.unit.id >= 0:
                date = self.start_date or Unit._state_date()
                facts = Unit._occupancy_facts([self.unit.id], date)
                # Owners of rented units do not live there
                self.resides = 'rented' not in facts.get(self.unit.id, set())
        else:
            self.share = None
            if self.role == 'tenant':
                self.resides = True
        if self.role != 'family':
            self.relation = None
            self.owner = None

    @fields.depends(methods=['on_change_role'])
    def on_change_unit(self):
        self.on_change_role()

    def get_rec_name(self, name):
        role = self.role_string if self.role else ''
        return f'{self.party.rec_name} ({role}) {self.unit.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['party.rec_name', 'unit.rec_name'])

    @staticmethod
    def current_where(table, date):
        "SQL condition: the occupancy row of table is current at date"
        return ((table.start_date <= date)
            & ((table.end_date == Null) | (table.end_date >= date)))

    @classmethod
    def is_current(cls, start_date, end_date, date):
        return bool(start_date and start_date <= date
            and (end_date is None or end_date >= date))

    @classmethod
    def get_current(cls, occupancies, name):
        pool = Pool()
        Unit = pool.get('pm.unit')
        date = Unit._state_date()
        return {
            o.id: cls.is_current(o.start_date, o.end_date, date)
            for o in occupancies}

    @classmethod
    def search_current(cls, name, clause):
        pool = Pool()
        Unit = pool.get('pm.unit')
        _, operator, value = clause[:3]
        if operator in {'in', 'not in'}:
            values = {bool(v) for v in value or []}
        else:
            values = {bool(value)}
        if operator in {'!=', 'not in'}:
            values = {True, False} - values
        if values == {True, False}:
            return []
        elif not values:
            return [('id', '=', None)]
        date = Unit._state_date()
        if True in values:
            return [
                ('start_date', '<=', date),
                ['OR', ('end_date', '=', None), ('end_date', '>=', date)],
                ]
        else:
            return ['OR',
                ('start_date', '>', date),
                ('end_date', '<', date),
                ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('role') and values['role'] != 'owner':
            values['share'] = None
        elif (mode == 'create' and values.get('role', 'owner') == 'owner'
                and values.get('share') is None):
            values['share'] = FULL_SHARE
        if values.get('role') and values['role'] != 'family':
            values.setdefault('relation', None)
            values.setdefault('owner', None)
        return values

    @classmethod
    def validate_fields(cls, occupancies, field_names):
        pool = Pool()
        Unit = pool.get('pm.unit')
        super().validate_fields(occupancies, field_names)
        if field_names and not (field_names & {
                    'unit', 'party', 'role', 'share', 'start_date',
                    'end_date'}):
            return
        cls.check_periods(occupancies)
        units = list({o.unit for o in occupancies if o.role == 'owner'})
        if units:
            Unit.check_billing_party(units)

    @classmethod
    def _unit_rows(cls, unit_ids):
        "Return {unit id: [row]} of all the occupancies of the units"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        rows = defaultdict(list)
        for sub_ids in id_batches(unit_ids):
            cursor.execute(*table.select(
                    table.id, table.unit, table.party, table.role,
                    table.share, table.start_date, table.end_date,
                    where=sql_in(table.unit, sub_ids)))
            for id_, unit, party, role, share, start, end in cursor:
                rows[unit].append({
                        'id': id_,
                        'party': party,
                        'role': role,
                        'share': Decimal(str(share or 0)),
                        'start_date': to_date(start),
                        'end_date': to_date(end),
                        })
        return rows

    @classmethod
    def check_periods(cls, occupancies):
        """Check that a party has a role only once at a time on a unit and
        that the shares of the owners never exceed 100%."""
        changed = {o.id for o in occupancies}
        units = {o.unit.id: o.unit for o in occupancies}
        rows = cls._unit_rows(list(units))

        def overlap(a, b):
            return ((a['end_date'] is None or a['end_date'] >= b['start_date'])
                and (b['end_date'] is None
                    or b['end_date'] >= a['start_date']))

        for unit_id, unit_rows in rows.items():
            by_key = defaultdict(list)
            for row in unit_rows:
                by_key[(row['party'], row['role'])].append(row)
            for (party_id, role), key_rows in by_key.items():
                key_rows.sort(key=lambda r: r['start_date'])
                for previous, row in zip(key_rows, key_rows[1:]):
                    if ((previous['id'] in changed or row['id'] in changed)
                            and overlap(previous, row)):
                        occupancy = cls(row['id'])
                        raise OccupancyError(gettext(
                                'pm_customer.msg_occupancy_overlap',
                                party=occupancy.party.rec_name,
                                role=occupancy.role_string,
                                unit=units[unit_id].rec_name))
            owners = [r for r in unit_rows if r['role'] == 'owner']
            if not any(r['id'] in changed for r in owners):
                continue
            # The total changes only when an ownership starts
            for date in sorted({r['start_date'] for r in owners}):
                total = sum(r['share'] for r in owners
                    if cls.is_current(r['start_date'], r['end_date'], date))
                if total > FULL_SHARE:
                    raise OwnerShareError(gettext(
                            'pm_customer.msg_occupancy_share_exceeds',
                            unit=units[unit_id].rec_name,
                            date=date,
                            total='{:f}'.format(total.normalize())))

    @classmethod
    def on_modification(cls, mode, occupancies, field_names=None):
        pool = Pool()
        Unit = pool.get('pm.unit')
        super().on_modification(mode, occupancies, field_names=field_names)
        if mode == 'create' or (mode == 'write' and field_names & {
                    'unit', 'party', 'role', 'start_date', 'end_date'}):
            Unit.set_default_billing_party(
                list({o.unit.id for o in occupancies if o.role == 'owner'}))

    @classmethod
    def copy(cls, occupancies, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lease', None)
        return super().copy(occupancies, default=default)
