# This file is part of the pm suite (物业管理系统). See README.md.
"""Customers (业主/住户/租户) are Tryton parties with personal data.

The identity document number (证件号码) is personal data: the field access
of ``party.party,id_number`` (party.xml) lets only the group
``pm_estate.group_pm_personal_data`` read or write it, everybody else sees
``id_number_masked``.  The masked value is computed in SQL so the full number
never goes through an access-checked read.
"""
import re
import unicodedata

from sql import Null
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import Unique, fields
from trytond.modules.pm_estate.idnumber import (
    mask_id_number, normalize_id_number, resident_id_error)
# re-exported for the addons and tests that import them from here
from trytond.modules.pm_estate.idnumber import (  # noqa: F401
    resident_id_check_digit, resident_id_gender)
from trytond.modules.pm_estate.mixin import id_batches, sql_in
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import CustomerEraseError, IdentityNumberError, MobileError

CUSTOMER_TYPES = [
    ('person', "Person"),
    ('company', "Company"),
    ]

GENDERS = [
    (None, ""),
    ('male', "Male"),
    ('female', "Female"),
    ]

ID_TYPES = [
    (None, ""),
    ('resident_id', "Resident Identity Card"),
    ('passport', "Passport"),
    ('hk_macao_permit', "Mainland Travel Permit for Hong Kong and Macao"),
    ('taiwan_permit', "Mainland Travel Permit for Taiwan Residents"),
    ('foreign_permanent', "Foreign Permanent Resident ID Card"),
    ('business_license', "Unified Social Credit Code"),
    ('other', "Other"),
    ]

# GB 11643-1999: weights of the first 17 digits and the check characters
# indexed by the weighted sum modulo 11.

# Mainland China mobile numbers: 11 digits starting with 13 to 19,
# optionally preceded by the country code (+86, 86 or 0086).
_MOBILE_FORMAT = re.compile(r'^(?:\+86|0086|86)?1[3-9][0-9]{9}$')
_MOBILE_SEPARATORS = re.compile(r'[\s\-().]')


def normalize_mobile(value):
    if not value:
        return value
    value = unicodedata.normalize('NFKC', value)
    return _MOBILE_SEPARATORS.sub('', value)


def is_valid_mobile(value):
    "Test if value is a mainland China mobile number"
    return bool(value and _MOBILE_FORMAT.match(normalize_mobile(value)))


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    customer_type = fields.Selection(
        CUSTOMER_TYPES, "Customer Type", required=True, sort=False,
        help="Whether the customer is a person or a company.")
    gender = fields.Selection(
        GENDERS, "Gender", sort=False,
        states={
            'invisible': Eval('customer_type') != 'person',
            })
    id_type = fields.Selection(
        ID_TYPES, "ID Type", sort=False,
        help="The kind of identity document (证件名称).")
    # Lazy: not read with the other fields, only when asked for by name
    id_number = fields.Char(
        "ID Number", strip=True, loading='lazy',
        help="The number of the identity document (证件号码).\n"
        "Personal data: shown only to the users of the "
        "\"Personal Data Access\" group.")
    id_number_masked = fields.Function(
        fields.Char("ID Number (Masked)"), 'get_id_number_masked')
    hukou_place = fields.Char(
        "Household Registration",
        help="The place of household registration (户口所在地).")
    emergency_contact = fields.Char("Emergency Contact")
    emergency_phone = fields.Char("Emergency Phone")
    occupancies = fields.One2Many(
        'pm.occupancy', 'party', "Occupancies",
        help="The units of the party over time.")
    unit_code = fields.Function(
        fields.Char("Units",
            help="The codes of the units the party currently occupies."),
        'get_unit_code', searcher='search_unit_code')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('id_number_unique', Unique(t, t.id_type, t.id_number),
                'pm_customer.msg_party_id_number_unique'),
            ]
        # The contact mechanism fields become searchable, e.g. by mobile
        for name in ['phone', 'mobile']:
            field = getattr(cls, name)
            if not field.searcher:
                field.searcher = 'search_contact_mechanism'

    @classmethod
    def default_customer_type(cls):
        return 'person'

    @fields.depends('customer_type', 'id_type', 'gender')
    def on_change_customer_type(self):
        if self.customer_type == 'company':
            self.gender = None
            if not self.id_type:
                self.id_type = 'business_license'
        elif (self.customer_type == 'person'
                and self.id_type == 'business_license'):
            self.id_type = 'resident_id'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('id_number'):
            values['id_number'] = normalize_id_number(values['id_number'])
        elif 'id_number' in values:
            values['id_number'] = None
        if (mode == 'create' and not values.get('gender')
                and values.get('id_type') == 'resident_id'
                and values.get('customer_type', 'person') == 'person'):
            gender = resident_id_gender(values.get('id_number'))
            if gender:
                values['gender'] = gender
        return values

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        cls.check_id_number(parties, field_names)

    @classmethod
    def check_id_number(cls, parties, field_names=None):
        if field_names and not (field_names & {'id_type', 'id_number'}):
            return
        for party in parties:
            if party.id_type == 'resident_id' and party.id_number:
                error = resident_id_error(party.id_number)
                if error:
                    raise IdentityNumberError(gettext(
                            'pm_customer.msg_party_resident_id_%s' % error,
                            party=party.rec_name,
                            number=mask_id_number(party.id_number)))

    @classmethod
    def copy(cls, parties, default=None):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        FieldAccess = pool.get('ir.model.field.access')
        default = default.copy() if default is not None else {}
        default.setdefault('id_number', None)
        default.setdefault('occupancies', None)
        if (Transaction().check_access
                and not FieldAccess.check(
                    cls.__name__, ['id_number'], 'write',
                    raise_exception=False)):
            # The copy never gets the identity number but the values of
            # the copy always contain it: check the access to the model
            # and the records, then copy without the field access.
            ModelAccess.check(cls.__name__, 'create')
            cls.read([p.id for p in parties], ['id'])
            with without_check_access():
                return super().copy(parties, default=default)
        return super().copy(parties, default=default)

    @classmethod
    def get_id_number_masked(cls, parties, name):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        ids = [p.id for p in parties]
        result = dict.fromkeys(ids)
        for sub_ids in id_batches([i for i in ids if i >= 0]):
            cursor.execute(*table.select(table.id, table.id_number,
                    where=sql_in(table.id, sub_ids)
                    & (table.id_number != Null)))
            for party_id, number in cursor:
                result[party_id] = mask_id_number(number)
        return result

    @classmethod
    def get_unit_code(cls, parties, name):
        pool = Pool()
        Occupancy = pool.get('pm.occupancy')
        Unit = pool.get('pm.unit')
        User = pool.get('res.user')
        occupancy = Occupancy.__table__()
        unit = Unit.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        date = Unit._state_date()
        ids = [p.id for p in parties]
        codes = {i: [] for i in ids}
        where = Occupancy.current_where(occupancy, date)
        if transaction.user:
            # Like the record rules: only the units of the user's companies
            where &= sql_in(occupancy.company, User.get_companies() or [-1])
        for sub_ids in id_batches([i for i in ids if i >= 0]):
            cursor.execute(*occupancy.join(
                    unit, condition=occupancy.unit == unit.id).select(
                    occupancy.party, unit.code,
                    where=sql_in(occupancy.party, sub_ids) & where,
                    group_by=[occupancy.party, unit.code],
                    order_by=[occupancy.party, unit.code]))
            for party_id, code in cursor:
                codes[party_id].append(code)
        return {i: ', '.join(c) or None for i, c in codes.items()}

    @classmethod
    def search_unit_code(cls, name, clause):
        _, operator, operand, *extra = clause
        return [('occupancies.unit.code', operator, operand, *extra)]

    @classmethod
    def search_contact_mechanism(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [('contact_mechanisms', 'where', [
                    ('type', '=', name),
                    [bool_op,
                        ('value', operator, operand, *extra),
                        ('value_compact', operator, operand, *extra),
                        ],
                    ])]

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        _, operator, operand, *extra = clause
        if domain and domain[0] in {'OR', 'AND'}:
            domain = list(domain)
            domain.append(
                ('occupancies.unit.code', operator, operand, *extra))
        return domain


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'

    @classmethod
    def validate_fields(cls, mechanisms, field_names):
        super().validate_fields(mechanisms, field_names)
        cls.check_valid_mobile(mechanisms, field_names)

    @classmethod
    def check_valid_mobile(cls, mechanisms, field_names=None):
        if field_names and not (field_names & {'type', 'value'}):
            return
        for mechanism in mechanisms:
            if mechanism.type == 'mobile' and mechanism.value:
                if not is_valid_mobile(mechanism.value):
                    raise MobileError(gettext(
                            'pm_customer.msg_party_mobile_invalid',
                            mobile=mechanism.value,
                            party=mechanism.party.rec_name))


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('pm.occupancy', 'party'),
            ('pm.occupancy', 'owner'),
            ('pm.unit', 'billing_party'),
            ('pm.move_in', 'party'),
            ('pm.lease', 'landlord'),
            ('pm.lease', 'tenant'),
            ('pm.decoration', 'applicant'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def check_erase(self, party):
        pool = Pool()
        Occupancy = pool.get('pm.occupancy')
        Lease = pool.get('pm.lease')
        occupancy = Occupancy.__table__()
        lease = Lease.__table__()
        cursor = Transaction().connection.cursor()
        super().check_erase(party)
        date = pool.get('pm.unit')._state_date()
        cursor.execute(*occupancy.select(Count(occupancy.id),
                where=(occupancy.party == party.id)
                & Occupancy.current_where(occupancy, date)))
        occupancies, = cursor.fetchone()
        cursor.execute(*lease.select(Count(lease.id),
                where=((lease.tenant == party.id)
                    | (lease.landlord == party.id))
                & (lease.state == 'active')))
        leases, = cursor.fetchone()
        if occupancies or leases:
            raise CustomerEraseError(gettext(
                    'pm_customer.msg_party_erase_occupant',
                    party=party.rec_name))

    def to_erase(self, party_id):
        pool = Pool()
        Party = pool.get('party.party')
        return super().to_erase(party_id) + [
            (Party, [('id', '=', party_id)], False,
                ['id_number', 'hukou_place', 'emergency_contact',
                    'emergency_phone', 'gender'],
                [None] * 5),
            ]
