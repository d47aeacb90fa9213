# This file is part of the pm suite (物业管理系统). See README.md.
"""Decoration registration (装修登记).

A minimal record so that a unit can be renovating (装修中);
pm_maintenance extends it into a full decoration permit.
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.pm_estate.mixin import company_field, search_fields
from trytond.pool import Pool
from trytond.pyson import Eval, If

from .exceptions import DecorationModifyError
from .mixin import UnitCompanyMixin, unit_domain


class Decoration(UnitCompanyMixin, Workflow, ModelSQL, ModelView):
    "Decoration"
    __name__ = 'pm.decoration'
    __string__ = "Decoration"

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = company_field()
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='RESTRICT',
        domain=unit_domain(), states=_states)
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    applicant = fields.Many2One(
        'party.party', "Applicant", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    description = fields.Text("Description", states=_states)
    start_date = fields.Date("Start Date", required=True, states=_states)
    planned_end_date = fields.Date(
        "Planned End Date", states=_states,
        domain=['OR',
            ('planned_end_date', '>=', If(Eval('start_date'),
                    Eval('start_date', dt.date.min), dt.date.min)),
            ('planned_end_date', '=', None),
            ])
    end_date = fields.Date(
        "End Date",
        domain=['OR',
            ('end_date', '>=', If(Eval('start_date'),
                    Eval('start_date', dt.date.min), dt.date.min)),
            ('end_date', '=', None),
            ],
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            })
    state = fields.Selection([
            ('draft', "Draft"),
            ('in_progress', "In Progress"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'in_progress'])),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'in_progress'),
            ('in_progress', 'done'),
            ('draft', 'cancelled'),
            ('in_progress', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'start': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'in_progress',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'in_progress']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_start_date():
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return f'{self.unit.rec_name} {self.applicant.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['unit.rec_name', 'applicant.rec_name'])

    @classmethod
    def check_modification(
            cls, mode, decorations, values=None, external=False):
        super().check_modification(
            mode, decorations, values=values, external=external)
        if mode == 'delete':
            for decoration in decorations:
                if decoration.state not in {'draft', 'cancelled'}:
                    raise DecorationModifyError(gettext(
                            'pm_customer.msg_decoration_delete',
                            decoration=decoration.rec_name))

    @classmethod
    def copy(cls, decorations, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('end_date', None)
        return super().copy(decorations, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, decorations):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, decorations):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        args = []
        for decoration in decorations:
            if not decoration.end_date:
                args.extend([[decoration], {
                            'end_date': max(today, decoration.start_date),
                            }])
        if args:
            cls.write(*args)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, decorations):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, decorations):
        pass
