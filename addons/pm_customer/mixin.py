# This file is part of the pm suite (物业管理系统). See README.md.
"""Helpers shared by the records that hang off a unit."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import UnitCompanyError


def unit_domain():
    "Domain limiting a unit field to the record's company"
    return [('company', '=', Eval('company', -1))]


class UnitCompanyMixin:
    """Stores `company` = `unit.company` on records with a `unit`.

    The company is stored so that the company record rules need no join.
    """
    __slots__ = ()

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('unit', '_parent_unit.company')
    def on_change_with_company(self, name=None):
        if self.unit and self.unit.company:
            return self.unit.company
        return getattr(self, 'company', None)

    @fields.depends('unit', '_parent_unit.estate')
    def on_change_with_estate(self, name=None):
        return self.unit.estate if self.unit else None

    @classmethod
    def search_estate(cls, name, clause):
        nested = clause[0][len(name):]
        return [('unit.estate' + nested, *clause[1:])]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Unit = pool.get('pm.unit')
        values = super().preprocess_values(mode, values)
        if values.get('unit'):
            values['company'] = Unit(values['unit']).company.id
        return values

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names and not (field_names & {'unit', 'company'}):
            return
        for record in records:
            if record.unit and record.company != record.unit.company:
                raise UnitCompanyError(gettext(
                        'pm_customer.msg_unit_company_mismatch',
                        record=record.rec_name,
                        unit=record.unit.rec_name))
