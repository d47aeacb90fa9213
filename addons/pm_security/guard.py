# This file is part of the pm suite (物业管理系统). See README.md.
"""Guard equipment (警械配置): items issued to a guard for a shift and
returned; the items not returned at the end of the shift are flagged
missing."""
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access

from .common import now
from .exceptions import GuardEquipmentError, SecurityModifyError

KINDS = [
    ('radio', "Two-Way Radio"),
    ('baton', "Baton"),
    ('flashlight', "Flashlight"),
    ('fork', "Restraint Fork"),
    ('shield', "Riot Shield"),
    ('helmet', "Helmet"),
    ('vest', "Stab-Proof Vest"),
    ('handcuffs', "Handcuffs"),
    ('body_camera', "Body Camera"),
    ('other', "Other"),
    ]

EQUIPMENT_STATES = [
    ('available', "Available"),
    ('issued', "Issued"),
    ('missing', "Missing"),
    ]

ISSUE_STATES = [
    ('draft', "Draft"),
    ('issued', "Issued"),
    ('returned', "Returned"),
    ('missing', "Items Missing"),
    ('cancelled', "Cancelled"),
    ]


class GuardEquipment(DeactivableMixin, EstateCompanyMixin, Workflow,
        ModelSQL, ModelView):
    __name__ = 'pm.guard.equipment'
    __string__ = "Guard Equipment"

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(),
        help="The guard room keeping the item.")
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False)
    serial = fields.Char("Serial Number")
    purchase_date = fields.Date("Purchase Date")
    holder = fields.Function(
        fields.Many2One('company.employee', "Holder"), 'get_holder')
    note = fields.Text("Note")
    state = fields.Selection(
        EQUIPMENT_STATES, "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.company, t.code),
                'pm_security.msg_guard_equipment_code_unique'),
            ]
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {('missing', 'available')}
        cls._buttons.update({
                'found': {
                    'invisible': Eval('state') != 'missing',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'available'

    @staticmethod
    def default_kind():
        return 'radio'

    def get_rec_name(self, name):
        return '[%s] %s' % (self.code, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['code', 'name', 'serial'])

    @classmethod
    def get_holder(cls, items, name):
        pool = Pool()
        Line = pool.get('pm.guard.equipment.issue.line')
        result = dict.fromkeys([i.id for i in items])
        lines = Line.search([
                ('equipment', 'in', [i.id for i in items]),
                ('issue.state', '=', 'issued'),
                ('returned', '=', False),
                ])
        for line in lines:
            result[line.equipment.id] = line.issue.guard.id
        return result

    @classmethod
    def copy(cls, items, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code', lambda data: data['code'] + '-1')
        default.setdefault('state', 'available')
        return super().copy(items, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('available')
    def found(cls, items):
        pass


class EquipmentIssue(EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'pm.guard.equipment.issue'
    __string__ = "Guard Equipment Issue"

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(), states=_states)
    guard = fields.Many2One(
        'company.employee', "Guard", required=True,
        domain=[('company', '=', Eval('company', -1))], states=_states)
    shift = fields.Many2One(
        'pm.security.shift', "Shift", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states)
    date = fields.Date("Date", required=True, states=_states)
    shift_start = fields.DateTime("Shift Start", readonly=True)
    shift_end = fields.DateTime("Shift End", readonly=True,
        help="The items not returned by then are flagged missing.")
    issued_at = fields.DateTime("Issued at", readonly=True)
    closed_at = fields.DateTime("Closed at", readonly=True)
    lines = fields.One2Many(
        'pm.guard.equipment.issue.line', 'issue', "Items",
        states={
            'readonly': ~Eval('state').in_(['draft', 'issued']),
            })
    missing_count = fields.Function(
        fields.Integer("Missing"), 'get_missing_count')
    note = fields.Text("Note")
    state = fields.Selection(
        ISSUE_STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.shift_end, Index.Range()),
                    where=t.state == 'issued'),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'issued'),
            ('draft', 'cancelled'),
            ('issued', 'returned'),
            ('issued', 'missing'),
            }
        cls._buttons.update({
                'issue': {
                    'invisible': Eval('state') != 'draft',
                    'readonly': ~Eval('lines', []),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'return_all': {
                    'invisible': Eval('state') != 'issued',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'issued',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
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

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.guard.rec_name, self.date, self.shift.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['guard.rec_name', 'shift.rec_name'])

    @classmethod
    def get_missing_count(cls, issues, name):
        return {i.id: len([l for l in i.lines if l.missing]) for i in issues}

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Shift = pool.get('pm.security.shift')
        values = super().preprocess_values(mode, values)
        if values.get('shift') and values.get('date'):
            values['shift_start'], values['shift_end'] = Shift(
                values['shift']).period(values['date'])
        return values

    @classmethod
    def on_modification(cls, mode, issues, field_names=None):
        super().on_modification(mode, issues, field_names=field_names)
        if mode == 'write' and field_names & {'shift', 'date'}:
            to_write = []
            for issue in issues:
                start, end = issue.shift.period(issue.date)
                if (start, end) != (issue.shift_start, issue.shift_end):
                    to_write.extend([[issue], {
                                'shift_start': start, 'shift_end': end}])
            if to_write:
                cls.write(*to_write)

    @classmethod
    def check_modification(cls, mode, issues, values=None, external=False):
        super().check_modification(
            mode, issues, values=values, external=external)
        if mode == 'delete':
            for issue in issues:
                if issue.state not in {'draft', 'cancelled'}:
                    raise SecurityModifyError(gettext(
                            'pm_security.msg_guard_issue_delete',
                            issue=issue.rec_name))

    @classmethod
    def copy(cls, issues, default=None):
        default = default.copy() if default is not None else {}
        for name in ['issued_at', 'closed_at']:
            default.setdefault(name, None)
        default.setdefault('state', 'draft')
        return super().copy(issues, default=default)

    @classmethod
    def _set_equipment_state(cls, items, state):
        pool = Pool()
        Equipment = pool.get('pm.guard.equipment')
        items = [i for i in items if i.state != state]
        if items:
            with without_check_access():
                Equipment.write(items, {'state': state})

    @classmethod
    @ModelView.button
    @Workflow.transition('issued')
    def issue(cls, issues):
        items = []
        for issue in issues:
            if not issue.lines:
                raise GuardEquipmentError(gettext(
                        'pm_security.msg_guard_issue_no_line',
                        issue=issue.rec_name))
            for line in issue.lines:
                item = line.equipment
                if item.state != 'available' or item in items:
                    raise GuardEquipmentError(gettext(
                            'pm_security.msg_guard_equipment_not_available',
                            equipment=item.rec_name,
                            state=item.state_string))
                if item.estate != issue.estate:
                    raise GuardEquipmentError(gettext(
                            'pm_security.msg_guard_equipment_estate',
                            equipment=item.rec_name,
                            estate=issue.estate.rec_name))
                items.append(item)
        cls.write(list(issues), {'issued_at': now()})
        cls._set_equipment_state(items, 'issued')

    @classmethod
    @ModelView.button
    def return_all(cls, issues):
        "All the items are back: close the issues"
        pool = Pool()
        Line = pool.get('pm.guard.equipment.issue.line')
        time = now()
        lines = [l for i in issues for l in i.lines if not l.returned]
        if lines:
            Line.write(lines, {'returned': True, 'returned_at': time})
        cls.close(issues)

    @classmethod
    @ModelView.button
    def close(cls, issues, at=None):
        """End of the shift: the items not returned are flagged missing"""
        pool = Pool()
        Line = pool.get('pm.guard.equipment.issue.line')
        if at is None:
            at = now()
        issues = [i for i in issues if i.state == 'issued']
        missing_lines, missing_items = [], []
        returned, with_missing = [], []
        for issue in issues:
            lines = [l for l in issue.lines if not l.returned]
            if lines:
                missing_lines.extend(lines)
                missing_items.extend(l.equipment for l in lines)
                with_missing.append(issue)
            else:
                returned.append(issue)
        if missing_lines:
            Line.write(missing_lines, {'missing': True})
            cls._set_equipment_state(missing_items, 'missing')
        if issues:
            cls.write(issues, {'closed_at': at})
        if returned:
            cls._close_returned(returned)
        if with_missing:
            cls._close_missing(with_missing)
        return with_missing

    @classmethod
    @Workflow.transition('returned')
    def _close_returned(cls, issues):
        pass

    @classmethod
    @Workflow.transition('missing')
    def _close_missing(cls, issues):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, issues):
        pass

    @classmethod
    def check_shift_end(cls, at=None):
        """Close the issues of the shifts ended: the items not returned
        are flagged missing.

        Run by the scheduler, once per company."""
        if at is None:
            at = now()
        domain = [('state', '=', 'issued'), ('shift_end', '<', at)]
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        issues = cls.search(domain)
        if issues:
            cls.close(issues, at=at)
        return issues


class EquipmentIssueLine(ModelSQL, ModelView):
    __name__ = 'pm.guard.equipment.issue.line'
    __string__ = "Guard Equipment Issue Item"

    issue = fields.Many2One(
        'pm.guard.equipment.issue', "Issue", required=True,
        ondelete='CASCADE')
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"), 'on_change_with_estate')
    issue_state = fields.Function(
        fields.Selection(ISSUE_STATES, "Issue State"),
        'on_change_with_issue_state')
    equipment = fields.Many2One(
        'pm.guard.equipment', "Item", required=True, ondelete='RESTRICT',
        domain=[('estate', '=', Eval('estate', -1))],
        states={
            'readonly': Eval('issue_state') != 'draft',
            })
    returned = fields.Boolean("Returned",
        states={
            'readonly': Eval('issue_state') != 'issued',
            })
    returned_at = fields.DateTime("Returned at",
        states={
            'readonly': Eval('issue_state') != 'issued',
            'invisible': ~Bool(Eval('returned')),
            })
    missing = fields.Boolean("Missing", readonly=True,
        help="Not returned at the end of the shift.")
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('issue')
        cls._order = [('issue', 'DESC'), ('id', 'ASC')]

    @staticmethod
    def default_returned():
        return False

    @staticmethod
    def default_missing():
        return False

    @fields.depends('issue', '_parent_issue.estate')
    def on_change_with_estate(self, name=None):
        return self.issue.estate if self.issue else None

    @fields.depends('issue', '_parent_issue.state')
    def on_change_with_issue_state(self, name=None):
        return self.issue.state if self.issue else None

    @fields.depends('returned', 'returned_at')
    def on_change_returned(self):
        if self.returned and not self.returned_at:
            self.returned_at = now()
        elif not self.returned:
            self.returned_at = None

    def get_rec_name(self, name):
        return self.equipment.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('equipment.rec_name',) + tuple(clause[1:])]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('returned') and not values.get('returned_at'):
            values['returned_at'] = now()
        return values

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode == 'delete' or (mode == 'write' and values
                and 'equipment' in values):
            for line in lines:
                if line.issue.state != 'draft':
                    raise SecurityModifyError(gettext(
                            'pm_security.msg_guard_issue_line_modify',
                            issue=line.issue.rec_name))

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        pool = Pool()
        Issue = pool.get('pm.guard.equipment.issue')
        super().on_modification(mode, lines, field_names=field_names)
        if mode == 'write' and 'returned' in field_names:
            back = [l.equipment for l in lines
                if l.returned and l.issue.state in {'issued', 'missing'}]
            Issue._set_equipment_state(back, 'available')
            found = [l for l in lines if l.returned and l.missing]
            if found:
                cls.write(found, {'missing': False})
