# This file is part of the pm suite (物业管理系统). See README.md.
"""Small helpers shared by the pm_hr models."""
import datetime as dt
import json

from trytond.model import fields
from trytond.modules.pm_estate.mixin import id_batches, sql_in
from trytond.pool import Pool
from trytond.tools import timezone as tz
from trytond.transaction import Transaction, without_check_access

__all__ = [
    'id_batches', 'sql_in', 'employee_company_field', 'EmployeeCompanyMixin',
    'month_start', 'month_end', 'add_months', 'company_zone', 'to_utc',
    'to_local', 'notify_hr']


def employee_company_field():
    "The company of records hanging off an employee, always the employee's"
    return fields.Many2One(
        'company.company', "Company", required=True, readonly=True,
        help="The company of the employee.")


class EmployeeCompanyMixin:
    "Stores `company` = `employee.company` on records with an `employee`"
    __slots__ = ()

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('employee', '_parent_employee.company')
    def on_change_employee(self):
        if self.employee and self.employee.company:
            self.company = self.employee.company

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Employee = pool.get('company.employee')
        values = super().preprocess_values(mode, values)
        if values.get('employee'):
            with without_check_access():
                values['company'] = Employee(values['employee']).company.id
        return values


def month_start(date):
    return date.replace(day=1)


def month_end(date):
    if date.month == 12:
        return date.replace(day=31)
    return date.replace(month=date.month + 1, day=1) - dt.timedelta(days=1)


def add_months(date, months):
    month = date.month - 1 + months
    return date.replace(
        year=date.year + month // 12, month=month % 12 + 1, day=1)


def company_zone(company):
    "Return the time zone of the company (UTC when it has none)"
    if company and company.timezone:
        return tz.ZoneInfo(company.timezone)
    return tz.UTC


def to_utc(local, zone):
    "Convert a naive local datetime of zone to a naive UTC datetime"
    return local.replace(tzinfo=zone).astimezone(tz.UTC).replace(tzinfo=None)


def to_local(utc, zone):
    "Convert a naive UTC datetime to a naive local datetime of zone"
    return utc.replace(tzinfo=tz.UTC).astimezone(zone).replace(tzinfo=None)


def notify_hr(company_id, model, records, label, description):
    """Send a notification (res.notification) about records to the users of
    the Human Resources group working for the company"""
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    Notification = pool.get('res.notification')
    if not records:
        return []
    group_id = ModelData.get_id('pm_hr', 'group_pm_hr')
    with without_check_access():
        domain = [('groups', '=', group_id)]
        if company_id:
            domain.append(('companies', '=', company_id))
        users = User.search(domain)
        notifications = Notification.create([{
                    'user': u.id,
                    'label': label,
                    'description': description,
                    'icon': 'tryton-notification',
                    'model': model,
                    'records': json.dumps([r.id for r in records]),
                    } for u in users])
    return notifications
