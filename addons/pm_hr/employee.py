# This file is part of the pm suite (物业管理系统). See README.md.
"""Staff files (人事档案) on Tryton employees.

The identity number (身份证号) is personal data: the field access of
``company.employee,id_number`` (employee.xml) lets only the group
``pm_estate.group_pm_personal_data`` read or write it, everybody else sees
``id_number_masked``, computed in SQL so that the full number never goes
through an access-checked read (as the customers of pm_customer).
"""
from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access

from trytond.modules.pm_estate.idnumber import (  # noqa: F401 (re-exported)
    mask_id_number, normalize_id_number, resident_id_birth_date,
    resident_id_valid)

from .exceptions import IdentityNumberError
from .mixin import id_batches, sql_in

GENDERS = [
    (None, ""),
    ('male', "Male"),
    ('female', "Female"),
    ]
EDUCATIONS = [
    (None, ""),
    ('primary', "Primary School"),
    ('junior', "Junior Middle School"),
    ('senior', "Senior Middle School"),
    ('vocational', "Vocational School"),
    ('college', "Junior College"),
    ('bachelor', "Bachelor"),
    ('master', "Master or Above"),
    ]

class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    department = fields.Many2One(
        'pm.department', "Department", ondelete='RESTRICT',
        domain=[
            If(Eval('company', -1) != -1,
                ('company', '=', Eval('company', -1)),
                ()),
            ])
    position = fields.Char("Position",
        help="Job title, e.g. 保安员, 保洁员, 水电工, 客服专员.")
    employee_code = fields.Char("Staff Number", strip=True)
    gender = fields.Selection(GENDERS, "Gender", sort=False)
    birth_date = fields.Date("Birth Date")
    # Lazy: not read with the other fields, only when asked for by name
    id_number = fields.Char(
        "ID Number", strip=True, loading='lazy',
        help="The number of the resident identity card (身份证号).\n"
        "Personal data: shown only to the users of the "
        "\"Personal Data Access\" group.")
    id_number_masked = fields.Function(
        fields.Char("ID Number (Masked)"), 'get_id_number_masked')
    mobile = fields.Char("Mobile")
    native_place = fields.Char("Native Place")
    education = fields.Selection(EDUCATIONS, "Education", sort=False)
    home_address = fields.Char("Home Address")
    emergency_contact = fields.Char("Emergency Contact")
    emergency_relation = fields.Char("Relationship",
        help="The relationship of the emergency contact to the employee.")
    emergency_phone = fields.Char("Emergency Phone")
    contracts = fields.One2Many(
        'pm.hr.contract', 'employee', "Labour Contracts")
    certificates = fields.One2Many(
        'pm.hr.certificate', 'employee', "Certificates")
    teams = fields.Many2Many(
        'pm.hr.team-company.employee', 'employee', 'team', "Teams")
    contract_end_date = fields.Function(
        fields.Date("Contract End Date",
            help="The end of the current labour contract."),
        'get_contract_end_date')
    staff_note = fields.Text("Staff Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.department, Index.Equality())))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('id_number'):
            values['id_number'] = normalize_id_number(values['id_number'])
            if mode == 'create' and not values.get('birth_date'):
                birth_date = resident_id_birth_date(values['id_number'])
                if birth_date:
                    values['birth_date'] = birth_date
        elif 'id_number' in values:
            values['id_number'] = None
        return values

    @classmethod
    def validate_fields(cls, employees, field_names):
        super().validate_fields(employees, field_names)
        cls.check_id_number(employees, field_names)

    @classmethod
    def check_id_number(cls, employees, field_names=None):
        if field_names and 'id_number' not in field_names:
            return
        with without_check_access():
            employees = cls.browse(employees)
            for employee in employees:
                number = employee.id_number
                if number and not resident_id_valid(number):
                    raise IdentityNumberError(gettext(
                            'pm_hr.msg_employee_id_number_invalid',
                            employee=employee.rec_name,
                            number=mask_id_number(number)))

    @classmethod
    def copy(cls, employees, default=None):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        FieldAccess = pool.get('ir.model.field.access')
        default = default.copy() if default is not None else {}
        default.setdefault('id_number', None)
        default.setdefault('contracts', None)
        default.setdefault('certificates', None)
        default.setdefault('employee_code', None)
        if (Transaction().check_access
                and not FieldAccess.check(
                    cls.__name__, ['id_number'], 'write',
                    raise_exception=False)):
            # The copy never gets the identity number but the values of the
            # copy always contain it: check the access to the model and the
            # records, then copy without the field access.
            ModelAccess.check(cls.__name__, 'create')
            cls.read([e.id for e in employees], ['id'])
            with without_check_access():
                return super().copy(employees, default=default)
        return super().copy(employees, default=default)

    @classmethod
    def get_id_number_masked(cls, employees, name):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        ids = [e.id for e in employees]
        result = dict.fromkeys(ids)
        for sub_ids in id_batches([i for i in ids if i >= 0]):
            cursor.execute(*table.select(table.id, table.id_number,
                    where=sql_in(table.id, sub_ids)
                    & (table.id_number != Null)))
            for employee_id, number in cursor:
                result[employee_id] = mask_id_number(number)
        return result

    @classmethod
    def get_contract_end_date(cls, employees, name):
        pool = Pool()
        Contract = pool.get('pm.hr.contract')
        contract = Contract.__table__()
        cursor = Transaction().connection.cursor()
        ids = [e.id for e in employees]
        result = dict.fromkeys(ids)
        for sub_ids in id_batches(ids):
            cursor.execute(*contract.select(
                    contract.employee, contract.end_date,
                    where=sql_in(contract.employee, sub_ids)
                    & (contract.state == 'active'),
                    order_by=[contract.start_date.asc]))
            for employee_id, end_date in cursor:
                result[employee_id] = end_date
        return result
