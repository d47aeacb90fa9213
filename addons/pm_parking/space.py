# This file is part of the pm suite (物业管理系统). See README.md.
"""Parking spaces (车位) and their special situations (特殊情况/突发事件)."""
import datetime as dt
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.pm_estate.mixin import (
    company_field, id_batches, search_fields, search_through)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import LotCompanyError, SpaceError

SPACE_TYPES = [
    ('standard', "Standard"),
    ('tandem', "Tandem (Mother-Child)"),
    ('charging', "Charging Point"),
    ('accessible', "Accessible"),
    ('motorcycle', "Motorcycle"),
    ]

OWNERSHIPS = [
    ('property', "Owned (Sold)"),
    ('rental', "Rental"),
    ('public', "Public"),
    ('temporary', "Temporary Parking"),
    ]

STATUSES = [
    ('sold', "Sold"),
    ('rented', "Rented"),
    ('vacant', "Vacant"),
    ]

# contract states whose dates count (history included)
BILLED_STATES = ('active', 'expired', 'terminated')


def today():
    pool = Pool()
    Date = pool.get('ir.date')
    return Transaction().context.get('date') or Date.today()


class LotCompanyMixin:
    "Stores `company` = `lot.company` on records with a `lot`"
    __slots__ = ()

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('lot', '_parent_lot.company')
    def on_change_with_company(self, name=None):
        if self.lot and self.lot.company:
            return self.lot.company
        return getattr(self, 'company', None)

    @fields.depends('lot', '_parent_lot.estate')
    def on_change_with_estate(self, name=None):
        return self.lot.estate if self.lot else None

    @classmethod
    def search_estate(cls, name, clause):
        return search_through('lot', name, clause)

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Lot = pool.get('pm.parking.lot')
        values = super().preprocess_values(mode, values)
        if values.get('lot'):
            values['company'] = Lot(values['lot']).company.id
        return values

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names and not (field_names & {'lot', 'company'}):
            return
        for record in records:
            if record.lot and record.company != record.lot.company:
                raise LotCompanyError(gettext(
                        'pm_parking.msg_lot_company_mismatch',
                        record=record.rec_name, lot=record.lot.rec_name))


class Space(LotCompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.parking.space'
    __string__ = "Parking Space"
    _rec_name = 'number'

    company = company_field()
    lot = fields.Many2One(
        'pm.parking.lot', "Parking Lot", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    number = fields.Char(
        "Unified Number", required=True, strip=True,
        help="The unified space number (统一车位号), unique in the company.")
    name = fields.Char("Name")
    space_type = fields.Selection(
        SPACE_TYPES, "Type", required=True, sort=False)
    location = fields.Char(
        "Location", help="Floor, zone or landmark, e.g. B1 C区 12号柱旁.")
    area = fields.Numeric(
        "Area", digits=(16, 2),
        domain=['OR', ('area', '=', None), ('area', '>=', 0)])
    ownership = fields.Selection(
        OWNERSHIPS, "Ownership", required=True, sort=False,
        help="Owned: the property right was sold to an owner; "
        "Rental: rented out by contract; Public: for everybody; "
        "Temporary Parking: for visitors paying by the hour.")
    unit = fields.Many2One(
        'pm.unit', "Registered Unit", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('estate', '=', Eval('estate', -1)),
            ],
        help="The unit the space is registered with.")
    customer = fields.Many2One(
        'party.party', "Customer", ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        states={
            'required': Eval('ownership') == 'property',
            },
        help="The owner of a sold space, or the customer it is "
        "registered to.")
    vehicles = fields.Many2Many(
        'pm.vehicle-pm.parking.space', 'space', 'vehicle', "Vehicles",
        domain=[('company', '=', Eval('company', -1))])
    contracts = fields.One2Many(
        'pm.parking.contract', 'space', "Contracts", readonly=True)
    events = fields.One2Many(
        'pm.parking.space.event', 'space', "Special Situations")
    open_events = fields.Function(
        fields.Integer("Open Situations"), 'get_open_events')
    status = fields.Function(
        fields.Selection(STATUSES, "Status"),
        'get_status', searcher='search_status')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_number_unique', Unique(t, t.company, t.number),
                'pm_parking.msg_space_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.lot, Index.Equality())),
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.unit, Index.Equality())),
                })
        cls._order = [('lot', 'ASC'), ('number', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_space_type():
        return 'standard'

    @staticmethod
    def default_ownership():
        return 'rental'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['number', 'name'])

    @classmethod
    def validate_fields(cls, spaces, field_names):
        super().validate_fields(spaces, field_names)
        if field_names and not (field_names & {'unit', 'lot'}):
            return
        for space in spaces:
            if space.unit and space.unit.estate != space.lot.estate:
                raise SpaceError(gettext(
                        'pm_parking.msg_space_unit_estate',
                        space=space.rec_name, unit=space.unit.rec_name,
                        estate=space.lot.estate.rec_name))

    @classmethod
    def copy(cls, spaces, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('contracts', None)
        default.setdefault('events', None)
        default.setdefault('number', None)
        return super().copy(spaces, default=default)

    @classmethod
    def _rented_query(cls, date):
        "SQL query of the ids of the spaces under contract at the date"
        pool = Pool()
        Contract = pool.get('pm.parking.contract')
        contract = Contract.__table__()
        return contract.select(
            contract.space,
            where=contract.state.in_(BILLED_STATES)
            & (contract.start_date <= date)
            & (Coalesce(contract.termination_date, contract.end_date)
                >= date))

    @classmethod
    def get_status(cls, spaces, name):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        date = today()
        rented = set()
        for sub_ids in id_batches([s.id for s in spaces]):
            cursor.execute(*table.select(
                    table.id, where=table.id.in_(sub_ids)
                    & table.id.in_(cls._rented_query(date))))
            rented.update(i for i, in cursor)
        result = {}
        for space in spaces:
            if space.ownership == 'property' and space.customer:
                result[space.id] = 'sold'
            elif space.id in rented:
                result[space.id] = 'rented'
            else:
                result[space.id] = 'vacant'
        return result

    @classmethod
    def search_status(cls, name, clause):
        _, operator, value = clause[:3]
        values = value if operator in {'in', 'not in'} else [value]
        date = today()
        sold = [('ownership', '=', 'property'), ('customer', '!=', None)]
        not_sold = ['OR',
            ('ownership', '!=', 'property'), ('customer', '=', None)]
        rented = ('id', 'in', cls._rented_query(date))
        not_rented = ('id', 'not in', cls._rented_query(date))
        domains = {
            'sold': sold,
            'rented': [not_sold, rented],
            'vacant': [not_sold, not_rented],
            }
        domain = ['OR'] + [domains[v] for v in values if v in domains]
        if len(domain) == 1:
            domain = [('id', '=', -1)]
        if operator in {'!=', 'not in'}:
            return [('id', 'not in', [
                        s.id for s in cls.search(domain)])]
        return domain

    @classmethod
    def get_open_events(cls, spaces, name):
        pool = Pool()
        Event = pool.get('pm.parking.space.event')
        event = Event.__table__()
        cursor = Transaction().connection.cursor()
        result = {s.id: 0 for s in spaces}
        for sub_ids in id_batches(list(result)):
            cursor.execute(*event.select(
                    event.space, Count(event.id),
                    where=event.space.in_(sub_ids) & (event.state == 'open'),
                    group_by=[event.space]))
            result.update(cursor)
        return result

    @classmethod
    def occupancy(cls, date=None, domain=None):
        """Return {'total', 'sold', 'rented', 'vacant'} of the active spaces
        of the company in the context, counted in SQL"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        date = date or today()
        where = table.active == Literal(True)
        company = Transaction().context.get('company')
        if company:
            where &= table.company == company
        if domain:
            where &= table.id.in_(cls.search(domain, query=True))
        sold = (table.ownership == 'property') & (table.customer != Null)
        rented = ~sold & table.id.in_(cls._rented_query(date))
        cursor.execute(*table.select(
                Count(),
                Sum(Case((sold, 1), else_=0)),
                Sum(Case((rented, 1), else_=0)),
                where=where))
        total, sold, rented = cursor.fetchone()
        total, sold, rented = total or 0, int(sold or 0), int(rented or 0)
        return {
            'total': total, 'sold': sold, 'rented': rented,
            'vacant': total - sold - rented,
            }

    @classmethod
    def iso_kpis(cls, date_from, date_to):
        "Quality indicators of the spaces at date_to, company in context"
        counts = cls.occupancy(date=date_to)
        rate = None
        if counts['total']:
            rate = (Decimal(counts['sold'] + counts['rented']) * 100
                / counts['total']).quantize(Decimal('0.01'))
        return [{
                'code': 'parking_occupancy_rate',
                'name': gettext('pm_parking.msg_kpi_occupancy_rate'),
                'value': rate,
                'unit': '%',
                'count': counts['total'],
                }, {
                'code': 'parking_vacant_spaces',
                'name': gettext('pm_parking.msg_kpi_vacant_spaces'),
                'value': Decimal(counts['vacant']),
                'unit': '',
                'count': counts['total'],
                }]


EVENT_KINDS = [
    ('special', "Special Situation"),
    ('incident', "Incident"),
    ]

EVENT_STATES = [
    ('open', "Open"),
    ('resolved', "Resolved"),
    ]


class SpaceEvent(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.parking.space.event'
    __string__ = "Parking Space Situation"

    company = company_field()
    space = fields.Many2One(
        'pm.parking.space', "Space", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'open',
            })
    kind = fields.Selection(
        EVENT_KINDS, "Kind", required=True, sort=False,
        states={
            'readonly': Eval('state') != 'open',
            },
        help="Special situation: a lasting fact of the space (occupied by "
        "another car, blocked, damaged marking, dispute); incident: "
        "a sudden event (scratch, flooding, fire, collision).")
    reported_at = fields.DateTime(
        "Reported at", required=True,
        states={
            'readonly': Eval('state') != 'open',
            })
    description = fields.Text(
        "Description", required=True,
        states={
            'readonly': Eval('state') != 'open',
            })
    plate = fields.Char(
        "Plate", help="The plate of the vehicle involved, if any.",
        states={
            'readonly': Eval('state') != 'open',
            })
    reported_by = fields.Char("Reported by")
    resolution = fields.Text(
        "Resolution",
        states={
            'required': Eval('state') == 'resolved',
            })
    resolved_at = fields.DateTime("Resolved at", readonly=True)
    state = fields.Selection(
        EVENT_STATES, "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.space, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'open'),
                })
        cls._order = [('reported_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'resolved'),
            ('resolved', 'open'),
            }
        cls._buttons.update({
                'resolve': {
                    'invisible': Eval('state') != 'open',
                    'readonly': ~Eval('resolution'),
                    'icon': 'tryton-ok',
                    'depends': ['state', 'resolution'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'resolved',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'special'

    @staticmethod
    def default_state():
        return 'open'

    @staticmethod
    def default_reported_at():
        return dt.datetime.now()

    @fields.depends('space', '_parent_space.company')
    def on_change_with_company(self, name=None):
        if self.space:
            return self.space.company
        return getattr(self, 'company', None)

    def get_rec_name(self, name):
        return f'{self.space.rec_name} {self.reported_at:%Y-%m-%d}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['space.number', 'description', 'plate'])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Space = pool.get('pm.parking.space')
        values = super().preprocess_values(mode, values)
        if values.get('space'):
            values['company'] = Space(values['space']).company.id
        return values

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, events):
        for event in events:
            if not event.resolution:
                raise SpaceError(gettext(
                        'pm_parking.msg_event_resolution_required',
                        event=event.rec_name))
        cls.write(list(events), {'resolved_at': dt.datetime.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, events):
        cls.write(list(events), {'resolved_at': None})
