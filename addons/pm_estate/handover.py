# This file is part of the pm suite (物业管理系统). See README.md.
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields,
    sequence_ordered)
from trytond.modules.company.model import employee_field, set_employee
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import HandoverError, HandoverModifyError
from .mixin import (
    EstateCompanyMixin, company_field, estate_domain, id_batches,
    search_through, sql_in)

LEVELS = [
    ('unit', "Unit Interior"),
    ('building', "Building Common Parts"),
    ('estate', "Estate Facilities"),
    ]

RESULTS = [
    ('pending', "Pending"),
    ('passed', "Passed"),
    ('defect', "Defect"),
    ]

RECTIFICATION_STATES = [
    (None, ""),
    ('open', "Open"),
    ('rectified', "Rectified"),
    ]


class HandoverTemplate(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.handover.template'
    __string__ = "Handover Checklist Template"

    name = fields.Char("Name", required=True, translate=True)
    level = fields.Selection(LEVELS, "Level", required=True, sort=False)
    lines = fields.One2Many(
        'pm.handover.template.line', 'template', "Items")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('level', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_level():
        return 'unit'


class HandoverTemplateLine(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.handover.template.line'
    __string__ = "Handover Checklist Template Item"

    template = fields.Many2One(
        'pm.handover.template', "Template", required=True,
        ondelete='CASCADE')
    category = fields.Char("Category", translate=True,
        help="For example 门窗, 水电, 墙面.")
    name = fields.Char("Item", required=True, translate=True)
    standard = fields.Text("Standard", translate=True,
        help="What the inspector checks.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('template')


class Handover(EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'pm.handover'
    __string__ = "Handover Inspection"
    _rec_name = 'number'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(), states=_states)
    level = fields.Selection(
        LEVELS, "Level", required=True, sort=False, states=_states)
    building = fields.Many2One(
        'pm.building', "Building", ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('level').in_(['building', 'unit']),
            'invisible': Eval('level') == 'estate',
            })
    unit = fields.Many2One(
        'pm.unit', "Unit", ondelete='RESTRICT',
        domain=[
            ('estate', '=', Eval('estate', -1)),
            If(Eval('building'),
                ('building', '=', Eval('building', -1)), ()),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('level') == 'unit',
            'invisible': Eval('level') != 'unit',
            })
    template = fields.Many2One(
        'pm.handover.template', "Checklist Template",
        domain=[('level', '=', Eval('level'))], states=_states)
    date = fields.Date("Date", required=True, states=_states)
    inspector = employee_field(
        "Inspector", states=['in_progress', 'done', 'cancelled'])
    developer_representative = fields.Char(
        "Developer Representative", states=_states)
    lines = fields.One2Many(
        'pm.handover.line', 'handover', "Items",
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            })
    defect_count = fields.Function(
        fields.Integer("Defects"), 'get_defect_counts')
    open_defect_count = fields.Function(
        fields.Integer("Open Defects"), 'get_defect_counts')
    done_by = employee_field(
        "Done by", states=['draft', 'in_progress', 'done', 'cancelled'])
    note = fields.Text("Note")
    state = fields.Selection([
            ('draft', "Draft"),
            ('in_progress', "In Progress"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality())),
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
    def default_level():
        return 'unit'

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @fields.depends('unit', '_parent_unit.building', '_parent_unit.estate')
    def on_change_unit(self):
        if self.unit:
            self.building = self.unit.building
            self.estate = self.unit.estate

    def get_rec_name(self, name):
        if self.number:
            return self.number
        return f'({self.id})'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('number',) + tuple(clause[1:])]

    @classmethod
    def get_defect_counts(cls, handovers, names):
        pool = Pool()
        Line = pool.get('pm.handover.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        ids = [h.id for h in handovers]
        result = {n: dict.fromkeys(ids, 0) for n in names}
        for sub_ids in id_batches(ids):
            where = sql_in(line.handover, sub_ids) & (
                line.result == 'defect')
            if 'defect_count' in names:
                cursor.execute(*line.select(
                        line.handover, Count(line.id),
                        where=where, group_by=[line.handover]))
                result['defect_count'].update(cursor)
            if 'open_defect_count' in names:
                cursor.execute(*line.select(
                        line.handover, Count(line.id),
                        where=where & (line.rectification_state == 'open'),
                        group_by=[line.handover]))
                result['open_defect_count'].update(cursor)
        return result

    @classmethod
    def set_number(cls, handovers):
        pool = Pool()
        Config = pool.get('pm.configuration')
        config = Config(1)
        to_number = [h for h in handovers if not h.number]
        if to_number:
            for handover, number in zip(
                    to_number,
                    config.handover_sequence.get_many(len(to_number))):
                handover.number = number
            cls.save(to_number)

    @classmethod
    def fill_lines(cls, handovers):
        pool = Pool()
        Line = pool.get('pm.handover.line')
        lines = []
        for handover in handovers:
            if handover.lines or not handover.template:
                continue
            for tline in handover.template.lines:
                lines.append(Line(
                        handover=handover,
                        sequence=tline.sequence,
                        category=tline.category,
                        name=tline.name,
                        standard=tline.standard,
                        result='pending'))
        Line.save(lines)

    @classmethod
    def copy(cls, handovers, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('done_by', None)
        default.setdefault('lines', None)
        return super().copy(handovers, default=default)

    @classmethod
    def check_modification(cls, mode, handovers, values=None, external=False):
        super().check_modification(
            mode, handovers, values=values, external=external)
        if mode == 'delete':
            for handover in handovers:
                if handover.state not in {'draft', 'cancelled'}:
                    raise HandoverModifyError(gettext(
                            'pm_estate.msg_handover_delete',
                            handover=handover.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, handovers):
        cls.set_number(handovers)
        cls.fill_lines(handovers)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_employee('done_by')
    def do(cls, handovers):
        for handover in handovers:
            if not handover.lines:
                raise HandoverError(gettext(
                        'pm_estate.msg_handover_no_line',
                        handover=handover.rec_name))
            pending = [l for l in handover.lines if l.result == 'pending']
            if pending:
                raise HandoverError(gettext(
                        'pm_estate.msg_handover_pending_lines',
                        handover=handover.rec_name,
                        items=', '.join(l.name for l in pending[:10])))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, handovers):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, handovers):
        pass


class HandoverLine(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'pm.handover.line'
    __string__ = "Handover Inspection Item"

    handover = fields.Many2One(
        'pm.handover', "Handover Inspection", required=True,
        ondelete='CASCADE',
        states={
            'readonly': Eval('handover_state') != 'draft',
            })
    category = fields.Char("Category",
        states={'readonly': Eval('handover_state') == 'done'})
    name = fields.Char("Item", required=True,
        states={'readonly': Eval('handover_state') == 'done'})
    standard = fields.Text("Standard",
        states={'readonly': Eval('handover_state') == 'done'})
    result = fields.Selection(RESULTS, "Result", required=True, sort=False,
        states={'readonly': Eval('handover_state') == 'done'})
    description = fields.Text("Description",
        states={
            'required': Eval('result') == 'defect',
            'readonly': Eval('handover_state') == 'done',
            })
    rectification_state = fields.Selection(
        RECTIFICATION_STATES, "Rectification", readonly=True, sort=False)
    responsible = fields.Char("Responsible",
        help="Who rectifies the defect, e.g. the developer's contractor.")
    deadline = fields.Date("Deadline")
    rectified_date = fields.Date("Rectified on", readonly=True)
    rectified_by = fields.Many2One(
        'company.employee', "Rectified by", readonly=True)
    rectification_note = fields.Text("Rectification Note")

    handover_state = fields.Function(
        fields.Selection('get_handover_states', "Handover State"),
        'on_change_with_handover_state')
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_handover_field')
    building = fields.Function(
        fields.Many2One('pm.building', "Building"),
        'on_change_with_building', searcher='search_handover_field')
    unit = fields.Function(
        fields.Many2One('pm.unit', "Unit"),
        'on_change_with_unit', searcher='search_handover_field')
    date = fields.Function(
        fields.Date("Date"),
        'on_change_with_date', searcher='search_handover_field')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('handover')
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.rectification_state, Index.Equality(
                        cardinality='low')),
                where=t.rectification_state == 'open'))
        cls._buttons.update({
                'rectify': {
                    'invisible': Eval('rectification_state') != 'open',
                    'icon': 'tryton-ok',
                    'depends': ['rectification_state'],
                    },
                'reopen': {
                    'invisible': Eval('rectification_state') != 'rectified',
                    'icon': 'tryton-back',
                    'depends': ['rectification_state'],
                    },
                })

    @staticmethod
    def default_result():
        return 'pending'

    @classmethod
    def get_handover_states(cls):
        pool = Pool()
        Handover = pool.get('pm.handover')
        return Handover.fields_get(['state'])['state']['selection']

    @fields.depends('handover', '_parent_handover.state')
    def on_change_with_handover_state(self, name=None):
        if self.handover:
            return self.handover.state

    @fields.depends('handover', '_parent_handover.estate')
    def on_change_with_estate(self, name=None):
        return self.handover.estate if self.handover else None

    @fields.depends('handover', '_parent_handover.building')
    def on_change_with_building(self, name=None):
        return self.handover.building if self.handover else None

    @fields.depends('handover', '_parent_handover.unit')
    def on_change_with_unit(self, name=None):
        return self.handover.unit if self.handover else None

    @fields.depends('handover', '_parent_handover.date')
    def on_change_with_date(self, name=None):
        return self.handover.date if self.handover else None

    @classmethod
    def search_handover_field(cls, name, clause):
        return search_through('handover', name, clause)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'result' in values:
            if values['result'] == 'defect':
                values.setdefault('rectification_state', 'open')
            else:
                values['rectification_state'] = None
        return values

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        allowed = {
            'rectification_state', 'rectified_date', 'rectified_by',
            'rectification_note', 'responsible', 'deadline'}
        if mode == 'delete' or (
                mode == 'write' and set(values or {}) - allowed):
            for line in lines:
                if line.handover.state == 'done':
                    raise HandoverModifyError(gettext(
                            'pm_estate.msg_handover_line_modify_done',
                            item=line.name,
                            handover=line.handover.rec_name))

    @classmethod
    @ModelView.button
    def rectify(cls, lines):
        pool = Pool()
        Date = pool.get('ir.date')
        User = pool.get('res.user')
        employee = User(Transaction().user).employee
        cls.write([l for l in lines if l.rectification_state == 'open'], {
                'rectification_state': 'rectified',
                'rectified_date': Date.today(),
                'rectified_by': employee.id if employee else None,
                })

    @classmethod
    @ModelView.button
    def reopen(cls, lines):
        cls.write(
            [l for l in lines if l.rectification_state == 'rectified'], {
                'rectification_state': 'open',
                'rectified_date': None,
                'rectified_by': None,
                })
