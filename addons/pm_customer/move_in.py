# This file is part of the pm suite (物业管理系统). See README.md.
"""Move-in (入伙): the checklist a new occupant goes through to get the keys.
"""
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields,
    sequence_ordered)
from trytond.modules.company.model import employee_field, set_employee
from trytond.modules.pm_estate.mixin import company_field, search_fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from .exceptions import MoveInError, MoveInModifyError
from .mixin import UnitCompanyMixin, unit_domain

CATEGORIES = [
    ('documents', "Documents"),
    ('keys', "Keys"),
    ('meter_reading', "Meter Reading"),
    ('fees', "Fees"),
    ('other', "Other"),
    ]


class MoveInChecklist(DeactivableMixin, ModelSQL, ModelView):
    "Move-in Checklist"
    __name__ = 'pm.move_in.checklist'
    __string__ = "Move-in Checklist"

    name = fields.Char("Name", required=True, translate=True)
    lines = fields.One2Many(
        'pm.move_in.checklist.line', 'checklist', "Items")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]


class MoveInChecklistLine(sequence_ordered(), ModelSQL, ModelView):
    "Move-in Checklist Item"
    __name__ = 'pm.move_in.checklist.line'
    __string__ = "Move-in Checklist Item"

    checklist = fields.Many2One(
        'pm.move_in.checklist', "Checklist", required=True,
        ondelete='CASCADE')
    category = fields.Selection(
        CATEGORIES, "Category", required=True, sort=False)
    name = fields.Char("Item", required=True, translate=True)
    description = fields.Text("Description", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('checklist')

    @staticmethod
    def default_category():
        return 'documents'


class MoveIn(UnitCompanyMixin, Workflow, ModelSQL, ModelView):
    "Move-in"
    __name__ = 'pm.move_in'
    __string__ = "Move-in"

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
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The owner, tenant or resident moving in.")
    date = fields.Date("Date", required=True, states=_states)
    checklist = fields.Many2One(
        'pm.move_in.checklist', "Checklist", states=_states)
    lines = fields.One2Many(
        'pm.move_in.line', 'move_in', "Items",
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            })
    done_by = employee_field(
        "Done by", states=['draft', 'in_progress', 'done', 'cancelled'])
    note = fields.Text("Note")
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
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'in_progress'),
            ('in_progress', 'done'),
            ('in_progress', 'draft'),
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
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['in_progress', 'cancelled']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'in_progress']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @classmethod
    def default_checklist(cls):
        pool = Pool()
        Checklist = pool.get('pm.move_in.checklist')
        checklists = Checklist.search([], limit=1)
        if checklists:
            return checklists[0].id

    def get_rec_name(self, name):
        return f'{self.unit.rec_name} {self.party.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['unit.rec_name', 'party.rec_name'])

    @classmethod
    def copy(cls, move_ins, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lines', None)
        default.setdefault('done_by', None)
        return super().copy(move_ins, default=default)

    @classmethod
    def check_modification(cls, mode, move_ins, values=None, external=False):
        super().check_modification(
            mode, move_ins, values=values, external=external)
        if mode == 'delete':
            for move_in in move_ins:
                if move_in.state not in {'draft', 'cancelled'}:
                    raise MoveInModifyError(gettext(
                            'pm_customer.msg_move_in_delete',
                            move_in=move_in.rec_name))

    @classmethod
    def fill_lines(cls, move_ins):
        pool = Pool()
        Line = pool.get('pm.move_in.line')
        lines = []
        for move_in in move_ins:
            if move_in.lines or not move_in.checklist:
                continue
            for cline in move_in.checklist.lines:
                lines.append(Line(
                        move_in=move_in,
                        sequence=cline.sequence,
                        category=cline.category,
                        name=cline.name,
                        done=False))
        Line.save(lines)

    @classmethod
    def check_lines(cls, move_ins):
        for move_in in move_ins:
            pending = [l for l in move_in.lines if not l.done]
            if pending:
                raise MoveInError(gettext(
                        'pm_customer.msg_move_in_pending_lines',
                        move_in=move_in.rec_name,
                        items=', '.join(l.name for l in pending[:10])))

    @classmethod
    def settle_occupancies(cls, move_ins):
        """Mark the movers as residing in their units, creating the
        occupancy when they have none: owner of a unit without owner,
        resident otherwise."""
        pool = Pool()
        Occupancy = pool.get('pm.occupancy')
        Unit = pool.get('pm.unit')
        occupancies = Occupancy.search([
                ('unit', 'in', list({m.unit.id for m in move_ins})),
                ('party', 'in', list({m.party.id for m in move_ins})),
                ])
        by_key = defaultdict(list)
        for occupancy in occupancies:
            by_key[(occupancy.unit, occupancy.party)].append(occupancy)
        by_date = defaultdict(list)
        for move_in in move_ins:
            by_date[move_in.date].append(move_in.unit.id)
        owners = {}
        for date, unit_ids in by_date.items():
            for unit_id, rows in Unit.current_owners(unit_ids, date).items():
                owners[(unit_id, date)] = rows

        to_reside, to_create = [], []
        for move_in in move_ins:
            date = move_in.date
            current = [o for o in by_key[(move_in.unit, move_in.party)]
                if Occupancy.is_current(o.start_date, o.end_date, date)]
            if current:
                to_reside.extend(o for o in current if not o.resides)
            else:
                has_owner = owners.get((move_in.unit.id, date))
                role = 'resident' if has_owner else 'owner'
                to_create.append(Occupancy(
                        unit=move_in.unit,
                        party=move_in.party,
                        role=role,
                        start_date=move_in.date,
                        resides=True))
        if to_reside:
            Occupancy.write(to_reside, {'resides': True})
        Occupancy.save(to_create)

    @classmethod
    def set_delivery_date(cls, move_ins):
        pool = Pool()
        Unit = pool.get('pm.unit')
        to_write = {}
        for move_in in move_ins:
            unit = move_in.unit
            if not unit.delivery_date:
                date = min(to_write.get(unit, move_in.date), move_in.date)
                to_write[unit] = date
        if to_write:
            args = []
            for unit, date in to_write.items():
                args.extend([[unit], {'delivery_date': date}])
            # Customer service finishes move-ins but may not edit units
            with without_check_access():
                Unit.write(*args)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, move_ins):
        cls.fill_lines(move_ins)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_employee('done_by')
    def do(cls, move_ins):
        cls.check_lines(move_ins)
        cls.set_delivery_date(move_ins)
        cls.settle_occupancies(move_ins)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, move_ins):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, move_ins):
        pass


class MoveInLine(sequence_ordered(), ModelSQL, ModelView):
    "Move-in Item"
    __name__ = 'pm.move_in.line'
    __string__ = "Move-in Item"

    move_in = fields.Many2One(
        'pm.move_in', "Move-in", required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('move_in_state') != 'draft',
            })
    category = fields.Selection(
        CATEGORIES, "Category", required=True, sort=False,
        states={
            'readonly': Eval('move_in_state').in_(['done', 'cancelled']),
            })
    name = fields.Char(
        "Item", required=True,
        states={
            'readonly': Eval('move_in_state').in_(['done', 'cancelled']),
            })
    done = fields.Boolean(
        "Done",
        states={
            'readonly': Eval('move_in_state').in_(['done', 'cancelled']),
            })
    note = fields.Char(
        "Note",
        states={
            'readonly': Eval('move_in_state').in_(['done', 'cancelled']),
            },
        help="For example the meter reading or the key numbers.")
    move_in_state = fields.Function(
        fields.Selection('get_move_in_states', "Move-in State"),
        'on_change_with_move_in_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('move_in')

    @staticmethod
    def default_category():
        return 'documents'

    @staticmethod
    def default_done():
        return False

    @classmethod
    def get_move_in_states(cls):
        pool = Pool()
        MoveIn = pool.get('pm.move_in')
        return MoveIn.fields_get(['state'])['state']['selection']

    @fields.depends('move_in', '_parent_move_in.state')
    def on_change_with_move_in_state(self, name=None):
        if self.move_in:
            return self.move_in.state

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            for line in lines:
                if line.move_in.state == 'done':
                    raise MoveInModifyError(gettext(
                            'pm_customer.msg_move_in_line_modify_done',
                            item=line.name,
                            move_in=line.move_in.rec_name))
