# This file is part of the pm suite (物业管理系统). See README.md.
"""Visitors (访客): registration at the gate, passes pre-registered by the
residents (one-time code and QR code valid in a time window), the check of
a pass by the guard and the blacklist.

The identity number (证件号码) of a visitor is personal data: the field
access of ``id_number`` (visitor.xml) lets only the group
``pm_estate.group_pm_personal_data`` read it; everybody sees
``id_number_masked`` and the guards type it into ``id_number_entry``, which
writes the number without ever reading it back.
"""
import datetime as dt

from sql import Literal, Null
from sql.functions import CurrentTimestamp

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.pm_customer.mixin import UnitCompanyMixin, unit_domain
from trytond.modules.pm_customer.party import (
    ID_TYPES, normalize_id_number, resident_id_error)
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .common import (
    current_occupants, format_datetime, masked_numbers, new_code,
    normalize_code, normalize_phone, normalize_plate, now, qr_code_png,
    user_employee)
from .exceptions import (
    BlacklistError, PassError, PassValidationError, VisitorError)

PASS_PREFIX = 'PMPASS:'

PURPOSES = [
    ('visit', "Visiting Friends or Family"),
    ('delivery', "Delivery"),
    ('service', "Home Service or Repair"),
    ('decoration', "Decoration Work"),
    ('business', "Business"),
    ('other', "Other"),
    ]

VISITOR_STATES = [
    ('in', "In"),
    ('left', "Left"),
    ]

PASS_STATES = [
    ('valid', "Valid"),
    ('used', "Used"),
    ('expired', "Expired"),
    ('cancelled', "Cancelled"),
    ]


class IdentityMixin:
    """An identity number readable only with the personal-data group,
    shown masked and typed through a write-only field"""
    __slots__ = ()

    id_type = fields.Selection(ID_TYPES, "ID Type", sort=False)
    # Lazy: not read with the other fields, only when asked for by name
    id_number = fields.Char(
        "ID Number", strip=True, loading='lazy',
        help="Personal data: shown only to the users of the "
        "\"Personal Data Access\" group.")
    id_number_masked = fields.Function(
        fields.Char("ID Number (Masked)"), 'get_id_number_masked')
    id_number_entry = fields.Function(
        fields.Char("Enter ID Number",
            help="Type the identity number: it is stored "
            "and then shown masked."),
        'get_id_number_entry', setter='set_id_number_entry')

    @classmethod
    def get_id_number_masked(cls, records, name):
        return masked_numbers(cls, records)

    def get_id_number_entry(self, name):
        return None

    @classmethod
    def set_id_number_entry(cls, records, name, value):
        if not value:
            return
        with without_check_access():
            cls.write(records, {'id_number': value})

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('id_number'):
            values['id_number'] = normalize_id_number(values['id_number'])
        elif 'id_number' in values:
            values['id_number'] = None
        for name, normalize in [
                ('phone', normalize_phone), ('plate', normalize_plate)]:
            if values.get(name):
                values[name] = normalize(values[name])
        return values

    @classmethod
    def check_id_number(cls, records, field_names=None):
        if field_names and not (field_names & {'id_type', 'id_number'}):
            return
        for record in records:
            if (record.id_type == 'resident_id' and record.id_number
                    and resident_id_error(record.id_number)):
                raise VisitorError(gettext(
                        'pm_security.msg_id_number_invalid',
                        record=record.rec_name))


class Blacklist(IdentityMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.visitor.blacklist'
    __string__ = "Visitor Blacklist"

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    estate = fields.Many2One(
        'pm.estate', "Estate", ondelete='CASCADE',
        domain=estate_domain(),
        help="Leave empty for all the estates of the company.")
    name = fields.Char("Name")
    phone = fields.Char("Phone")
    plate = fields.Char("Plate")
    reason = fields.Text("Reason", required=True)
    date = fields.Date("Date", required=True)
    added_by = fields.Many2One(
        'company.employee', "Added by",
        domain=[('company', '=', Eval('company', -1))])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_added_by():
        employee = user_employee()
        return employee.id if employee else None

    def get_rec_name(self, name):
        return (self.name or self.plate or self.phone
            or self.id_number_masked or str(self.id))

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['name', 'plate', 'phone'])

    @classmethod
    def validate_fields(cls, entries, field_names):
        super().validate_fields(entries, field_names)
        cls.check_id_number(entries, field_names)
        if field_names and not (field_names & {
                    'name', 'phone', 'plate', 'id_number'}):
            return
        for entry in entries:
            if not (entry.name or entry.phone or entry.plate
                    or entry.id_number):
                raise VisitorError(gettext(
                        'pm_security.msg_blacklist_empty'))

    @classmethod
    def matches(cls, company, estate, name=None, phone=None, id_number=None,
            plate=None):
        """Return the active entries matching a visitor: by identity
        number, phone or plate, or by name for the entries with only
        a name"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        id_number = normalize_id_number(id_number) if id_number else None
        phone = normalize_phone(phone) if phone else None
        plate = normalize_plate(plate) if plate else None
        condition = Literal(False)
        if id_number:
            condition |= table.id_number == id_number
        if phone:
            condition |= table.phone == phone
        if plate:
            condition |= table.plate == plate
        if name:
            condition |= ((table.name == name.strip())
                & (table.id_number == Null) & (table.phone == Null)
                & (table.plate == Null))
        where = ((table.active == Literal(True))
            & (table.company == (company.id if company else -1))
            & condition)
        if estate:
            where &= (table.estate == Null) | (table.estate == estate.id)
        else:
            where &= table.estate == Null
        cursor.execute(*table.select(table.id, where=where))
        return cls.browse([i for i, in cursor])

    @classmethod
    def check_visitors(cls, records):
        """Raise when a visitor (or a pass) is on the blacklist; records
        have company, estate, a name and phone, plate and id_number"""
        for record in records:
            entries = cls.matches(
                record.company, record.estate,
                name=record.visitor_name_, phone=record.visitor_phone_,
                id_number=getattr(record, 'id_number', None),
                plate=record.plate)
            if entries:
                raise BlacklistError(gettext(
                        'pm_security.msg_visitor_blacklisted',
                        visitor=record.visitor_name_,
                        reason=entries[0].reason))


class Visitor(IdentityMixin, EstateCompanyMixin, Workflow, ModelSQL,
        ModelView):
    __name__ = 'pm.visitor'
    __string__ = "Visitor"

    _states = {
        'readonly': Eval('state') != 'in',
        }

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(), states=_states)
    unit = fields.Many2One(
        'pm.unit', "Visited Unit", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))], states=_states)
    host = fields.Many2One(
        'party.party', "Host", ondelete='RESTRICT', states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The resident visited.")
    name = fields.Char("Name", required=True, states=_states)
    phone = fields.Char("Phone", states=_states)
    purpose = fields.Selection(
        PURPOSES, "Purpose", required=True, sort=False, states=_states)
    purpose_note = fields.Char("Purpose Details", states=_states)
    plate = fields.Char("Plate", states=_states,
        help="The licence plate of the visitor's vehicle.")
    companions = fields.Integer("Companions", required=True,
        domain=[('companions', '>=', 0)], states=_states)
    arrived_at = fields.DateTime("In Time", required=True, states=_states)
    left_at = fields.DateTime("Out Time",
        domain=[
            If(Eval('left_at') & Eval('arrived_at'),
                ('left_at', '>=', Eval('arrived_at')), ()),
            ],
        states={
            'readonly': Eval('state') != 'in',
            })
    guard = fields.Many2One(
        'company.employee', "Guard",
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="The guard who registered the visitor.")
    pass_ = fields.Many2One(
        'pm.visitor.pass', "Pass", readonly=True, ondelete='RESTRICT')
    note = fields.Text("Note")
    state = fields.Selection(
        VISITOR_STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.arrived_at, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'in'),
                Index(t, (t.plate, Index.Equality())),
                })
        cls._order = [('arrived_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('in', 'left')}
        cls._buttons.update({
                'leave': {
                    'invisible': Eval('state') != 'in',
                    'icon': 'tryton-exit',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'in'

    @staticmethod
    def default_purpose():
        return 'visit'

    @staticmethod
    def default_companions():
        return 0

    @staticmethod
    def default_arrived_at():
        return now()

    @staticmethod
    def default_guard():
        employee = user_employee()
        return employee.id if employee else None

    @property
    def visitor_name_(self):
        return self.name

    @property
    def visitor_phone_(self):
        return self.phone

    @fields.depends('unit', 'estate', 'host', '_parent_unit.estate')
    def on_change_unit(self):
        pool = Pool()
        Unit = pool.get('pm.unit')
        if self.unit:
            self.estate = self.unit.estate
            if not self.host and self.unit.id >= 0:
                owners = Unit.current_owners([self.unit.id]).get(
                    self.unit.id)
                if owners:
                    self.host = owners[0][0]

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['name', 'phone', 'plate'])

    @classmethod
    def validate_fields(cls, visitors, field_names):
        pool = Pool()
        Blacklist = pool.get('pm.visitor.blacklist')
        super().validate_fields(visitors, field_names)
        cls.check_id_number(visitors, field_names)
        if not field_names or (field_names & {
                    'name', 'phone', 'plate', 'id_number', 'estate'}):
            Blacklist.check_visitors(
                [v for v in visitors if v.state == 'in'])

    @classmethod
    def copy(cls, visitors, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('pass_', None)
        default.setdefault('left_at', None)
        default.setdefault('state', 'in')
        default.setdefault('arrived_at', now())
        return super().copy(visitors, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('left')
    def leave(cls, visitors):
        time = now()
        to_write = [v for v in visitors if not v.left_at]
        if to_write:
            cls.write(to_write, {'left_at': time})


class Pass(UnitCompanyMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'pm.visitor.pass'
    __string__ = "Visitor Pass"
    _rec_name = 'visitor_name'

    _states = {
        'readonly': Eval('state') != 'valid',
        }

    company = company_field()
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='RESTRICT',
        domain=unit_domain(),
        states={
            'readonly': (Eval('state') != 'valid') | (Eval('id', -1) >= 0),
            })
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    resident = fields.Many2One(
        'party.party', "Resident", required=True, ondelete='RESTRICT',
        states={
            'readonly': (Eval('state') != 'valid') | (Eval('id', -1) >= 0),
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The resident who invites the visitor.")
    visitor_name = fields.Char("Visitor", required=True, states=_states)
    visitor_phone = fields.Char("Visitor Phone", states=_states)
    plate = fields.Char("Plate", states=_states)
    purpose = fields.Selection(
        PURPOSES, "Purpose", required=True, sort=False, states=_states)
    visitors = fields.Integer("Visitors", required=True,
        domain=[('visitors', '>', 0)], states=_states,
        help="The number of people coming with the pass.")
    valid_from = fields.DateTime("Valid from", required=True, states=_states)
    valid_to = fields.DateTime("Valid to", required=True,
        domain=[
            If(Eval('valid_from') & Eval('valid_to'),
                ('valid_to', '>', Eval('valid_from')), ()),
            ],
        states=_states)
    code = fields.Char("Pass Code", readonly=True, loading='lazy',
        help="The one-time code the visitor shows at the gate.")
    qr_data = fields.Function(fields.Char("QR Data"), 'get_qr_data')
    qr_image = fields.Function(fields.Binary("QR Code"), 'get_qr_data')
    used_at = fields.DateTime("Used at", readonly=True)
    checked_by = fields.Many2One(
        'company.employee', "Checked by", readonly=True)
    visitor = fields.Many2One(
        'pm.visitor', "Registration", readonly=True, ondelete='SET NULL')
    note = fields.Text("Note")
    state = fields.Selection(
        PASS_STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'pm_security.msg_pass_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.code, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.valid_to, Index.Range()),
                    where=t.state == 'valid'),
                })
        cls._order = [('valid_from', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('valid', 'used'),
            ('valid', 'expired'),
            ('valid', 'cancelled'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'valid',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'valid'

    @staticmethod
    def default_purpose():
        return 'visit'

    @staticmethod
    def default_visitors():
        return 1

    @staticmethod
    def default_valid_from():
        return now().replace(second=0, microsecond=0)

    @classmethod
    def default_valid_to(cls):
        pool = Pool()
        Config = pool.get('pm.configuration')
        return cls.default_valid_from() + dt.timedelta(
            hours=Config(1).get_pass_hours())

    @property
    def visitor_name_(self):
        return self.visitor_name

    @property
    def visitor_phone_(self):
        return self.visitor_phone

    def get_rec_name(self, name):
        return '%s (%s)' % (self.visitor_name, self.unit.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, [
                'visitor_name', 'visitor_phone', 'plate', 'unit.rec_name'])

    @classmethod
    def get_qr_data(cls, passes, names):
        result = {n: {} for n in names}
        for pass_ in passes:
            data = PASS_PREFIX + pass_.code if pass_.code else None
            if 'qr_data' in result:
                result['qr_data'][pass_.id] = data
            if 'qr_image' in result:
                result['qr_image'][pass_.id] = (
                    qr_code_png(data) if data else None)
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('code'):
            values['code'] = new_code()
        if values.get('plate'):
            values['plate'] = normalize_plate(values['plate'])
        if values.get('visitor_phone'):
            values['visitor_phone'] = normalize_phone(values['visitor_phone'])
        return values

    @classmethod
    def validate_fields(cls, passes, field_names):
        pool = Pool()
        Blacklist = pool.get('pm.visitor.blacklist')
        super().validate_fields(passes, field_names)
        if not field_names or (field_names & {'unit', 'resident'}):
            cls.check_resident(passes)
        if not field_names or (field_names & {
                    'visitor_name', 'visitor_phone', 'plate'}):
            Blacklist.check_visitors(
                [p for p in passes if p.state == 'valid'])

    @classmethod
    def check_resident(cls, passes):
        "Check that the resident lives in (or owns) the unit"
        occupants = current_occupants([p.unit.id for p in passes])
        for pass_ in passes:
            if pass_.resident.id not in occupants.get(pass_.unit.id, ()):
                raise PassValidationError(gettext(
                        'pm_security.msg_pass_resident',
                        resident=pass_.resident.rec_name,
                        unit=pass_.unit.rec_name))

    @classmethod
    def copy(cls, passes, default=None):
        default = default.copy() if default is not None else {}
        for name in ['code', 'used_at', 'checked_by', 'visitor']:
            default.setdefault(name, None)
        default.setdefault('state', 'valid')
        return super().copy(passes, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, passes):
        pass

    @classmethod
    @Workflow.transition('expired')
    def expire(cls, passes):
        pass

    @classmethod
    def expire_passes(cls, at=None):
        """Mark the valid passes past their window as expired.

        Run by the scheduler, once per company."""
        if at is None:
            at = now()
        domain = [('state', '=', 'valid'), ('valid_to', '<', at)]
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        passes = cls.search(domain)
        if passes:
            cls.expire(passes)
        return passes

    @classmethod
    def check_in(cls, code, at=None, guard=None, estate=None):
        """Check the pass of code at the gate and consume it: return the
        registration of the visitor.

        A pass is valid only once and only within its window: the first
        successful check marks it used in one conditional UPDATE, so a
        second check (even a concurrent one) fails."""
        pool = Pool()
        Visitor = pool.get('pm.visitor')
        User = pool.get('res.user')
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        if at is None:
            at = now()
        if guard is None:
            guard = user_employee()
        code = normalize_code(code, PASS_PREFIX)
        if not code:
            raise PassError(gettext('pm_security.msg_pass_unknown', code=''))
        where = table.code == code
        if transaction.user:
            # Like the record rules: only the passes of the user's companies
            where &= table.company.in_(
                list(User.get_companies()) or [-1])
        cursor.execute(*table.select(table.id, where=where))
        row = cursor.fetchone()
        if not row:
            raise PassError(gettext(
                    'pm_security.msg_pass_unknown', code=code))
        with without_check_access():
            pass_, = cls.browse([row[0]])
            company_ = pass_.company
            cls.explain_invalid(pass_, at, estate=estate)
            # Consume atomically: only one check can move it from valid
            cursor.execute(*table.update(
                    [table.state, table.used_at, table.write_date,
                        table.write_uid],
                    ['used', at, CurrentTimestamp(), transaction.user],
                    where=(table.id == pass_.id)
                    & (table.state == 'valid')))
            if cursor.rowcount != 1:
                # Another check consumed it in the meantime
                cursor.execute(*table.select(
                        table.used_at, where=table.id == pass_.id))
                used_at, = cursor.fetchone()
                if isinstance(used_at, str):
                    used_at = dt.datetime.fromisoformat(used_at)
                raise PassError(gettext(
                        'pm_security.msg_pass_used', code=code,
                        used_at=format_datetime(company_, used_at)))
            visitor, = Visitor.create([{
                        'estate': pass_.unit.estate.id,
                        'unit': pass_.unit.id,
                        'host': pass_.resident.id,
                        'name': pass_.visitor_name,
                        'phone': pass_.visitor_phone,
                        'plate': pass_.plate,
                        'purpose': pass_.purpose,
                        'companions': max((pass_.visitors or 1) - 1, 0),
                        'arrived_at': at,
                        'guard': guard.id if guard else None,
                        'pass_': pass_.id,
                        }])
            cls.write([pass_], {
                    'state': 'used',
                    'used_at': at,
                    'checked_by': guard.id if guard else None,
                    'visitor': visitor.id,
                    })
        return visitor

    @classmethod
    def explain_invalid(cls, pass_, at, estate=None):
        "Raise a clear error when the pass cannot be used at the time"
        company = pass_.company
        if pass_.state == 'used':
            raise PassError(gettext(
                    'pm_security.msg_pass_used', code=pass_.code,
                    used_at=format_datetime(company, pass_.used_at)))
        if pass_.state == 'cancelled':
            raise PassError(gettext(
                    'pm_security.msg_pass_cancelled', code=pass_.code))
        if estate and pass_.unit.estate != estate:
            raise PassError(gettext(
                    'pm_security.msg_pass_estate', code=pass_.code,
                    estate=pass_.unit.estate.rec_name))
        if (pass_.state == 'expired' or at < pass_.valid_from
                or at > pass_.valid_to):
            raise PassError(gettext(
                    'pm_security.msg_pass_window', code=pass_.code,
                    valid_from=format_datetime(company, pass_.valid_from),
                    valid_to=format_datetime(company, pass_.valid_to)))


class PassCheckStart(ModelView):
    __name__ = 'pm.visitor.pass.check.start'
    __string__ = "Check Visitor Pass"

    code = fields.Char("Pass Code", required=True,
        help="Type the code the visitor shows or scan its QR code.")
    estate = fields.Many2One('pm.estate', "Gate of Estate",
        help="Refuse the passes of other estates.")


class PassCheck(Wizard):
    "Check Visitor Pass"
    __name__ = 'pm.visitor.pass.check'

    start = StateView(
        'pm.visitor.pass.check.start',
        'pm_security.visitor_pass_check_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check In", 'check', 'tryton-ok', default=True),
            ])
    check = StateAction('pm_security.act_visitor_form')

    def do_check(self, action):
        pool = Pool()
        Pass = pool.get('pm.visitor.pass')
        visitor = Pass.check_in(self.start.code, estate=self.start.estate)
        action['views'].reverse()
        return action, {'res_id': [visitor.id]}

