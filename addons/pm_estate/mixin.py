# This file is part of the pm suite (物业管理系统). See README.md.
"""Helpers shared by every model that hangs off an estate."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import EstateCompanyError


def company_field():
    "The company stored on estate-owned records, always the estate's"
    return fields.Many2One(
        'company.company', "Company", required=True, readonly=True,
        help="The management company, taken from the estate.")


class EstateCompanyMixin:
    """Stores `company` = `estate.company` on records with an `estate`.

    The company is stored (not computed) so that company record rules and the
    hot SQL paths of billing need no join.
    """
    __slots__ = ()

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('estate', '_parent_estate.company')
    def on_change_with_company(self, name=None):
        if self.estate and self.estate.company:
            return self.estate.company
        return getattr(self, 'company', None)

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Estate = pool.get('pm.estate')
        values = super().preprocess_values(mode, values)
        if values.get('estate'):
            estate = Estate(values['estate'])
            values['company'] = estate.company.id
        return values

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names and not (field_names & {'estate', 'company'}):
            return
        for record in records:
            if record.estate and record.company != record.estate.company:
                raise EstateCompanyError(gettext(
                        'pm_estate.msg_estate_company_mismatch',
                        record=record.rec_name,
                        estate=record.estate.rec_name))


def estate_domain():
    "Domain limiting an estate field to the record's company"
    return [('company', '=', Eval('company', -1))]


def id_batches(ids):
    "Split ids into batches that fit an SQL IN clause"
    from trytond import backend
    from trytond.tools import grouped_slice
    for batch in grouped_slice(list(ids), backend.MAX_QUERY_PARAMS):
        yield list(batch)


def sql_in(column, ids):
    "SQL expression: column IN ids"
    return fields.SQL_OPERATORS['in'](column, list(ids))


def search_fields(clause, names):
    """Return the domain searching the rec_name clause in several fields:
    any of them matches, or none for a negative operator"""
    _, operator, operand, *extra = clause
    negative = operator.startswith('!') or operator.startswith('not ')
    return ['AND' if negative else 'OR'] + [
        (name, operator, operand, *extra) for name in names]


def search_through(path, name, clause):
    """Return the domain of a Function field `name` that mirrors the field of
    the same name on the record at `path` (e.g. 'unit', 'meter')"""
    nested = clause[0][len(name):]
    return [(f'{path}.{name}{nested}', *clause[1:])]
