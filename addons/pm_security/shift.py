# This file is part of the pm suite (物业管理系统). See README.md.
"""Shifts (班次) of the security staff and the duty roster (值班表)."""
import datetime as dt
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .common import shift_period
from .exceptions import ShiftError

DUTY_ROLES = [
    ('manager', "Duty Manager"),
    ('supervisor', "Shift Supervisor"),
    ('guard', "Guard"),
    ]


class Shift(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.security.shift'
    __string__ = "Security Shift"

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    name = fields.Char("Name", required=True,
        help="For example 白班, 夜班.")
    code = fields.Char("Code", required=True, strip=True)
    start_time = fields.Time("Start Time", required=True, format='%H:%M')
    end_time = fields.Time("End Time", required=True, format='%H:%M',
        help="A shift ending at or before its start time ends the next day.")
    hours = fields.Function(
        fields.Numeric("Hours", digits=(4, 2)), 'on_change_with_hours')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.company, t.code),
                'pm_security.msg_shift_code_unique'),
            ]
        cls._order = [('start_time', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @fields.depends('start_time', 'end_time')
    def on_change_with_hours(self, name=None):
        from decimal import Decimal
        if self.start_time is None or self.end_time is None:
            return None
        day = dt.date(2000, 1, 3)
        start = dt.datetime.combine(day, self.start_time)
        end = dt.datetime.combine(day, self.end_time)
        if end <= start:
            end += dt.timedelta(days=1)
        return (Decimal((end - start).total_seconds()) / 3600).quantize(
            Decimal('0.01'))

    def get_rec_name(self, name):
        if self.start_time is None or self.end_time is None:
            return self.name
        return '%s (%s-%s)' % (
            self.name, self.start_time.strftime('%H:%M'),
            self.end_time.strftime('%H:%M'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['name', 'code'])

    def period(self, date):
        "Return the (start, end) UTC datetimes of the shift on the date"
        return shift_period(
            self.company, date, self.start_time, self.end_time)

    def current_date(self, at):
        """Return the date of the shift running at the UTC datetime at,
        or None when the shift does not run at that time"""
        from .common import to_local
        local = to_local(self.company, at).date()
        for date in [local - dt.timedelta(days=1), local]:
            start, end = self.period(date)
            if start <= at < end:
                return date
        return None


class Duty(EstateCompanyMixin, ModelSQL, ModelView):
    __name__ = 'pm.security.duty'
    __string__ = "Security Duty"

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='CASCADE',
        domain=estate_domain())
    employee = fields.Many2One(
        'company.employee', "Employee", required=True,
        domain=[('company', '=', Eval('company', -1))])
    role = fields.Selection(DUTY_ROLES, "Role", required=True, sort=False)
    shift = fields.Many2One(
        'pm.security.shift', "Shift",
        domain=[('company', '=', Eval('company', -1))],
        help="Fills the start and the end from the date.")
    date = fields.Date("Date",
        states={
            'required': Bool(Eval('shift')),
            })
    start = fields.DateTime("Start", required=True)
    end = fields.DateTime("End", required=True,
        domain=[
            If(Eval('start') & Eval('end'),
                ('end', '>', Eval('start')), ()),
            ])
    phone = fields.Char("Phone")
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality()),
                    (t.start, Index.Range()), (t.end, Index.Range())),
                })
        cls._order = [('start', 'DESC'), ('id', 'DESC')]

    @staticmethod
    def default_role():
        return 'manager'

    @fields.depends('shift', 'date', 'start', 'end', 'company')
    def on_change_shift(self):
        if self.shift and self.date:
            self.start, self.end = self.shift.period(self.date)

    @fields.depends(methods=['on_change_shift'])
    def on_change_date(self):
        self.on_change_shift()

    def get_rec_name(self, name):
        return '%s - %s' % (self.employee.rec_name, self.estate.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(
            clause, ['employee.rec_name', 'estate.rec_name'])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Shift = pool.get('pm.security.shift')
        values = super().preprocess_values(mode, values)
        if (values.get('shift') and values.get('date')
                and not (values.get('start') and values.get('end'))):
            values['start'], values['end'] = Shift(
                values['shift']).period(values['date'])
        return values

    @classmethod
    def validate_fields(cls, duties, field_names):
        super().validate_fields(duties, field_names)
        if field_names and not (field_names & {'start', 'end'}):
            return
        for duty in duties:
            if duty.end <= duty.start:
                raise ShiftError(gettext(
                        'pm_security.msg_duty_dates', duty=duty.rec_name))

    @classmethod
    def on_duty(cls, estate_ids, at, role='manager'):
        "Return {estate id: [employee]} on duty with the role at the time"
        duties = cls.search([
                ('estate', 'in', list(estate_ids)),
                ('role', '=', role),
                ('start', '<=', at),
                ('end', '>', at),
                ], order=[('start', 'DESC'), ('id', 'DESC')])
        result = defaultdict(list)
        for duty in duties:
            if duty.employee not in result[duty.estate.id]:
                result[duty.estate.id].append(duty.employee)
        return result
