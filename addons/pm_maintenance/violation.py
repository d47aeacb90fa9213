# This file is part of the pm suite (物业管理系统). See README.md.
"""Violations (违章管理): illegal construction, occupied common areas,
illegal parking, decoration violations …

Recorded with photos (attachments), notified to the party with a deadline
and an optional fine (deducted from the decoration deposit or put on the
next bill), followed up until resolved.
"""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company import CompanyReport
from trytond.modules.currency.fields import Monetary
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import ViolationError

KINDS = [
    ('construction', "Illegal Construction"),
    ('common_area', "Occupying Common Areas"),
    ('parking', "Illegal Parking"),
    ('decoration', "Decoration Violation"),
    ('pets', "Pets"),
    ('noise', "Noise"),
    ('other', "Other"),
    ]
FINE_METHODS = [
    ('none', "No Fine"),
    ('deposit', "From the Decoration Deposit"),
    ('charge', "On the Next Bill"),
    ]


def _now():
    return dt.datetime.now().replace(microsecond=0)


class Violation(EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    "Violation"
    __name__ = 'pm.violation'
    __string__ = "Violation"
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(), states=_states)
    building = fields.Many2One(
        'pm.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))], states=_states)
    unit = fields.Many2One(
        'pm.unit', "Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('fine_method') == 'charge',
            })
    location = fields.Char("Location", states=_states)
    party = fields.Many2One(
        'party.party', "Party", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'draft',
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Who is responsible and receives the notice.")
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False,
        states=_states)
    kind_string = kind.translated('kind')
    decoration = fields.Many2One(
        'pm.decoration', "Decoration", ondelete='RESTRICT',
        domain=[
            If(Eval('unit'), ('unit', '=', Eval('unit', -1)), ()),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('fine_method') == 'deposit',
            })
    inspection = fields.Many2One(
        'pm.decoration.inspection', "Inspection", readonly=True,
        ondelete='SET NULL')
    description = fields.Text("Description", required=True, states=_states)
    found_at = fields.DateTime("Found at", required=True, states=_states)
    found_by = fields.Many2One(
        'company.employee', "Found by", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    notice_date = fields.Date("Notice Date", readonly=True)
    deadline = fields.Date(
        "Rectification Deadline",
        domain=['OR',
            ('deadline', '>=', If(Eval('notice_date'),
                    Eval('notice_date', dt.date.min), dt.date.min)),
            ('deadline', '=', None),
            ],
        states={
            'readonly': ~Eval('state').in_(['draft', 'notified']),
            })
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    fine_method = fields.Selection(
        FINE_METHODS, "Fine", required=True, sort=False, states=_states)
    fine_method_string = fine_method.translated('fine_method')
    fine_amount = Monetary(
        "Fine Amount", currency='currency', digits='currency',
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('fine_method') == 'none',
            'required': Eval('fine_method') != 'none',
            },
        domain=['OR',
            ('fine_amount', '>=', 0),
            ('fine_amount', '=', None),
            ])
    fine_charge = fields.Many2One(
        'pm.charge.extra', "Fine Charge", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('fine_charge'),
            })
    followups = fields.One2Many(
        'pm.violation.followup', 'violation', "Follow-ups",
        states={
            'readonly': Eval('state') != 'notified',
            })
    resolution = fields.Text(
        "Resolution",
        states={
            'readonly': Eval('state') != 'notified',
            })
    resolved_at = fields.DateTime("Resolved at", readonly=True)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    state = fields.Selection([
            ('draft', "Recorded"),
            ('notified', "Notified"),
            ('resolved', "Resolved"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.unit, Index.Equality())),
                Index(t, (t.decoration, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'notified'])),
                })
        cls._order = [('found_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'notified'),
            ('notified', 'resolved'),
            ('draft', 'cancelled'),
            ('notified', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'notify': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'resolve': {
                    'invisible': Eval('state') != 'notified',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'notified']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'other'

    @classmethod
    def default_fine_method(cls):
        return 'none'

    @classmethod
    def default_found_at(cls):
        return _now()

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('unit', 'estate', 'building', 'party',
        '_parent_unit.estate', '_parent_unit.building',
        '_parent_unit.billing_party')
    def on_change_unit(self):
        if not self.unit:
            return
        self.estate = self.unit.estate
        self.building = self.unit.building
        if not self.party and self.unit.billing_party:
            self.party = self.unit.billing_party

    @fields.depends('decoration', 'unit', 'estate', 'party', 'kind',
        '_parent_decoration.unit', '_parent_decoration.applicant')
    def on_change_decoration(self):
        if not self.decoration:
            return
        self.unit = self.decoration.unit
        self.estate = self.decoration.unit.estate
        if not self.party:
            self.party = self.decoration.applicant
        self.kind = 'decoration'

    def get_rec_name(self, name):
        return self.number or f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, [
                'number', 'unit.rec_name', 'party.rec_name', 'location'])

    def get_overdue(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        return bool(self.state == 'notified' and self.deadline
            and self.deadline < Date.today())

    @classmethod
    def search_overdue(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        _, operator, value = clause
        if operator not in {'=', '!='}:
            return []
        domain = [
            ('state', '=', 'notified'),
            ('deadline', '<', Date.today()),
            ]
        if bool(value) != (operator == '='):
            return ['NOT', domain]
        return domain

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Config = pool.get('pm.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            sequence = Config(1).get_maintenance_sequence(
                'violation_sequence')
            values['number'] = sequence.get()
        return values

    @classmethod
    def check_modification(
            cls, mode, violations, values=None, external=False):
        super().check_modification(
            mode, violations, values=values, external=external)
        if mode == 'delete':
            for violation in violations:
                if violation.state not in {'draft', 'cancelled'}:
                    raise ViolationError(gettext(
                            'pm_maintenance.msg_violation_delete',
                            violation=violation.rec_name))

    @classmethod
    def copy(cls, violations, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'notice_date', 'fine_charge', 'resolution',
                'resolved_at', 'inspection']:
            default.setdefault(name, None)
        default.setdefault('followups', None)
        return super().copy(violations, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('notified')
    def notify(cls, violations):
        """Notify the parties (print the notice) and impose the fines put
        on the next bill"""
        pool = Pool()
        Date = pool.get('ir.date')
        Extra = pool.get('pm.charge.extra')
        Config = pool.get('pm.configuration')
        config = Config(1)
        to_charge = []
        for violation in violations:
            if not violation.party or not violation.deadline:
                raise ViolationError(gettext(
                        'pm_maintenance.msg_violation_notify_missing',
                        violation=violation.rec_name))
            if violation.fine_method == 'deposit' and not (
                    violation.decoration and violation.decoration.deposit):
                raise ViolationError(gettext(
                        'pm_maintenance.msg_violation_no_deposit',
                        violation=violation.rec_name))
            if (violation.fine_method == 'charge'
                    and violation.fine_amount and not violation.fine_charge):
                if not config.fine_charge_item:
                    raise ViolationError(gettext(
                            'pm_maintenance.msg_violation_no_charge_item',
                            violation=violation.rec_name))
                to_charge.append(violation)
        for violation in violations:
            with Transaction().set_context(company=violation.company.id):
                violation.notice_date = Date.today()
        if to_charge:
            extras = Extra.create([{
                        'company': v.company.id,
                        'unit': v.unit.id,
                        'party': v.party.id,
                        'charge_item': config.fine_charge_item.id,
                        'date': v.notice_date,
                        'description': gettext(
                            'pm_maintenance.msg_charge_fine',
                            violation=v.rec_name),
                        'quantity': Decimal(1),
                        'unit_price': v.fine_amount,
                        'origin': str(v),
                        } for v in to_charge])
            for violation, extra in zip(to_charge, extras):
                violation.fine_charge = extra
        cls.save(violations)

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, violations):
        for violation in violations:
            if not violation.resolution:
                raise ViolationError(gettext(
                        'pm_maintenance.msg_violation_resolution',
                        violation=violation.rec_name))
        cls.write(violations, {'resolved_at': _now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, violations):
        pool = Pool()
        Extra = pool.get('pm.charge.extra')
        charges = [v.fine_charge for v in violations
            if v.fine_charge and v.fine_charge.state == 'pending']
        if charges:
            Extra.cancel(charges)
        cls.write(violations, {'fine_charge': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, violations):
        cls.write(violations, {'notice_date': None})


class FollowUp(ModelSQL, ModelView):
    "Violation Follow-up"
    __name__ = 'pm.violation.followup'
    __string__ = "Violation Follow-up"

    violation = fields.Many2One(
        'pm.violation', "Violation", required=True, ondelete='CASCADE')
    date = fields.DateTime("Date", required=True)
    employee = fields.Many2One(
        'company.employee', "Employee", ondelete='SET NULL')
    result = fields.Selection([
            ('pending', "Not Rectified"),
            ('partial', "Partly Rectified"),
            ('rectified', "Rectified"),
            ], "Result", required=True, sort=False)
    note = fields.Text("Note", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('violation')
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_date(cls):
        return _now()

    @classmethod
    def default_result(cls):
        return 'pending'

    @classmethod
    def default_employee(cls):
        pool = Pool()
        User = pool.get('res.user')
        user = Transaction().user
        if user:
            employee = User(user).employee
            return employee.id if employee else None


class ViolationNotice(CompanyReport):
    "Violation Notice"
    __name__ = 'pm.violation.notice'
