# This file is part of the pm suite (物业管理系统). See README.md.
"""What the fund's posted documents share (remittances, refunds, interest,
disbursements): draft → posted with a Post button, the company taken from
their parent record, today's date, and no deletion once posted."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import FundModifyError


class FundDocumentMixin:
    "A draft → posted document of the fund; needs `state`, `company`, `date`"
    __slots__ = ()
    # (field, model) of the parent record that gives the company
    _company_from = ('fund', 'pm.fund')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'posted')}
        cls._buttons.update({
                'post': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        field, model = cls._company_from
        if values.get(field):
            Parent = Pool().get(model)
            values['company'] = Parent(values[field]).company.id
        return values

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'delete':
            for record in records:
                if record.state != 'draft':
                    raise FundModifyError(gettext(
                            'pm_fund.msg_posted_delete',
                            record=record.rec_name))


__all__ = ['FundDocumentMixin']
