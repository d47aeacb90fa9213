# This file is part of the pm suite (物业管理系统). See README.md.
"""Fire safety (消防片区): zones, their fire equipment with expiry dates,
the monthly inspections and their results; expired or failed equipment is
flagged."""
import datetime as dt

from sql import Literal
from sql.aggregate import Count, Sum
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, id_batches,
    search_fields, search_through, sql_in)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import FireSafetyError, SecurityModifyError

EQUIPMENT_KINDS = [
    ('extinguisher', "Fire Extinguisher"),
    ('hydrant', "Fire Hydrant"),
    ('hose_reel', "Hose Reel"),
    ('alarm', "Fire Alarm"),
    ('smoke_detector', "Smoke Detector"),
    ('sprinkler', "Sprinkler"),
    ('emergency_light', "Emergency Light"),
    ('exit_sign', "Exit Sign"),
    ('fire_door', "Fire Door"),
    ('other', "Other"),
    ]

RESULTS = [
    ('pending', "Pending"),
    ('pass', "Passed"),
    ('fail', "Failed"),
    ]

LAST_RESULTS = [
    (None, ""),
    ('pass', "Passed"),
    ('fail', "Failed"),
    ]

EQUIPMENT_STATUSES = [
    ('ok', "OK"),
    ('due', "Inspection Due"),
    ('expiring', "Expiring Soon"),
    ('failed', "Failed Inspection"),
    ('expired', "Expired"),
    ]

INSPECTION_STATES = [
    ('draft', "Draft"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]


def equipment_status(expiry_date, last_result, last_date, today, warning):
    "Return the status of fire equipment at today"
    if expiry_date and expiry_date < today:
        return 'expired'
    if last_result == 'fail':
        return 'failed'
    if expiry_date and expiry_date <= today + dt.timedelta(days=warning):
        return 'expiring'
    if not last_date or last_date < today.replace(day=1):
        return 'due'
    return 'ok'


class FireZone(DeactivableMixin, EstateCompanyMixin, ModelSQL, ModelView):
    __name__ = 'pm.fire.zone'
    __string__ = "Fire Zone"

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain())
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    area = fields.Char("Area Covered",
        help="For example 1-3栋及地下车库A区.")
    responsible = fields.Many2One(
        'company.employee', "Responsible",
        domain=[('company', '=', Eval('company', -1))])
    inspection_day = fields.Integer("Inspection Day", required=True,
        domain=[('inspection_day', '>=', 1), ('inspection_day', '<=', 28)],
        help="The day of the month of the monthly inspection.")
    equipment = fields.One2Many(
        'pm.fire.equipment', 'zone', "Equipment")
    inspections = fields.One2Many(
        'pm.fire.inspection', 'zone', "Inspections", readonly=True)
    equipment_count = fields.Function(
        fields.Integer("Equipment"), 'get_counts')
    flagged_count = fields.Function(
        fields.Integer("Flagged"), 'get_counts')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.company, t.code),
                'pm_security.msg_fire_zone_code_unique'),
            ]
        cls._order = [('estate', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_inspection_day():
        return 1

    def get_rec_name(self, name):
        return '[%s] %s' % (self.code, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['code', 'name'])

    @classmethod
    def get_counts(cls, zones, names):
        pool = Pool()
        Equipment = pool.get('pm.fire.equipment')
        Date = pool.get('ir.date')
        equipment = Equipment.__table__()
        cursor = Transaction().connection.cursor()
        today = Date.today()
        ids = [z.id for z in zones]
        result = {n: dict.fromkeys(ids, 0) for n in names}
        flagged = ((equipment.expiry_date < today)
            | (equipment.last_result == 'fail'))
        for sub_ids in id_batches(ids):
            cursor.execute(*equipment.select(
                    equipment.zone, Count(),
                    Sum(Case((flagged, 1), else_=0)),
                    where=sql_in(equipment.zone, sub_ids)
                    & (equipment.active == Literal(True)),
                    group_by=[equipment.zone]))
            for zone_id, count, flagged_count in cursor:
                if 'equipment_count' in result:
                    result['equipment_count'][zone_id] = count
                if 'flagged_count' in result:
                    result['flagged_count'][zone_id] = flagged_count or 0
        return result


class FireEquipment(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'pm.fire.equipment'
    __string__ = "Fire Equipment"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    zone = fields.Many2One(
        'pm.fire.zone', "Fire Zone", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    code = fields.Char("Code", required=True, strip=True)
    name = fields.Char("Name", required=True)
    kind = fields.Selection(EQUIPMENT_KINDS, "Kind", required=True,
        sort=False)
    location = fields.Char("Location")
    specification = fields.Char("Specification",
        help="For example MFZ/ABC4 4kg干粉.")
    install_date = fields.Date("Installed on")
    expiry_date = fields.Date("Expiry Date",
        help="The end of the validity (有效期), e.g. of the charge "
        "of an extinguisher.")
    last_inspection_date = fields.Date("Last Inspection", readonly=True)
    last_result = fields.Selection(
        LAST_RESULTS, "Last Result", readonly=True, sort=False)
    status = fields.Function(
        fields.Selection(EQUIPMENT_STATUSES, "Status"),
        'get_status', searcher='search_status')
    flagged = fields.Function(
        fields.Boolean("Flagged",
            help="Expired or failed its last inspection."),
        'get_status', searcher='search_flagged')
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_company_unique', Unique(t, t.company, t.code),
                'pm_security.msg_fire_equipment_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.zone, Index.Equality())),
                Index(t, (t.expiry_date, Index.Range())),
                })
        cls._order = [('zone', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_kind():
        return 'extinguisher'

    @fields.depends('zone', '_parent_zone.estate')
    def on_change_with_estate(self, name=None):
        return self.zone.estate if self.zone else None

    @fields.depends('zone', '_parent_zone.company')
    def on_change_zone(self):
        if self.zone:
            self.company = self.zone.company

    @classmethod
    def search_estate(cls, name, clause):
        return search_through('zone', name, clause)

    def get_rec_name(self, name):
        return '[%s] %s' % (self.code, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['code', 'name', 'location'])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Zone = pool.get('pm.fire.zone')
        values = super().preprocess_values(mode, values)
        if values.get('zone'):
            values['company'] = Zone(values['zone']).company.id
        return values

    @classmethod
    def copy(cls, equipment, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code', lambda data: data['code'] + '-1')
        default.setdefault('last_inspection_date', None)
        default.setdefault('last_result', None)
        return super().copy(equipment, default=default)

    @classmethod
    def _today_warning(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        Config = pool.get('pm.configuration')
        return Date.today(), Config(1).get_expiry_warning_days()

    @classmethod
    def get_status(cls, equipment, names):
        today, warning = cls._today_warning()
        result = {n: {} for n in names}
        for item in equipment:
            status = equipment_status(
                item.expiry_date, item.last_result,
                item.last_inspection_date, today, warning)
            if 'status' in result:
                result['status'][item.id] = status
            if 'flagged' in result:
                result['flagged'][item.id] = status in {'expired', 'failed'}
        return result

    @classmethod
    def _status_domains(cls):
        today, warning = cls._today_warning()
        not_expired = ['OR',
            ('expiry_date', '=', None), ('expiry_date', '>=', today)]
        not_failed = ['OR',
            ('last_result', '=', None), ('last_result', '!=', 'fail')]
        not_expiring = ['OR',
            ('expiry_date', '=', None),
            ('expiry_date', '>', today + dt.timedelta(days=warning))]
        month = today.replace(day=1)
        return {
            'expired': [('expiry_date', '<', today)],
            'failed': [not_expired, ('last_result', '=', 'fail')],
            'expiring': [not_expired, not_failed,
                ('expiry_date', '<=', today + dt.timedelta(days=warning))],
            'due': [not_expired, not_failed, not_expiring,
                ['OR',
                    ('last_inspection_date', '=', None),
                    ('last_inspection_date', '<', month)]],
            'ok': [not_expired, not_failed, not_expiring,
                ('last_inspection_date', '>=', month)],
            }

    @classmethod
    def search_status(cls, name, clause):
        _, operator, value = clause[:3]
        if operator in {'=', '!='}:
            values = {value}
        elif operator in {'in', 'not in'}:
            values = set(value or [])
        else:
            return []
        if operator in {'!=', 'not in'}:
            values = {s for s, _ in EQUIPMENT_STATUSES} - values
        domains = cls._status_domains()
        values = [v for v in values if v in domains]
        if not values:
            return [('id', '=', None)]
        return ['OR'] + [domains[v] for v in values]

    @classmethod
    def search_flagged(cls, name, clause):
        _, operator, value = clause[:3]
        positive = bool(value) == (operator == '=')
        return [('status', 'in' if positive else 'not in',
                ['expired', 'failed'])]


class FireInspection(Workflow, ModelSQL, ModelView):
    __name__ = 'pm.fire.inspection'
    __string__ = "Fire Inspection"

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    zone = fields.Many2One(
        'pm.fire.zone', "Fire Zone", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': (Eval('state') != 'draft') | Eval('lines', [0]),
            })
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    period = fields.Date("Month", required=True, states=_states,
        help="The first day of the month of the inspection.")
    planned_date = fields.Date("Planned Date", states=_states)
    date = fields.Date("Inspection Date", readonly=True)
    inspector = fields.Many2One(
        'company.employee', "Inspector",
        domain=[('company', '=', Eval('company', -1))], states=_states)
    lines = fields.One2Many(
        'pm.fire.inspection.line', 'inspection', "Results", states=_states)
    passed_count = fields.Function(
        fields.Integer("Passed"), 'get_counts')
    failed_count = fields.Function(
        fields.Integer("Failed"), 'get_counts')
    pending_count = fields.Function(
        fields.Integer("Pending"), 'get_counts')
    note = fields.Text("Note")
    state = fields.Selection(
        INSPECTION_STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.zone, Index.Equality()), (t.period, Index.Range())))
        cls._order = [('period', 'DESC'), ('zone', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'done'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'fill': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'done': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_period(cls):
        return Pool().get('ir.date').today().replace(day=1)

    @fields.depends('zone', '_parent_zone.estate')
    def on_change_with_estate(self, name=None):
        return self.zone.estate if self.zone else None

    @fields.depends('zone', 'period', 'planned_date', 'inspector',
        '_parent_zone.company', '_parent_zone.inspection_day',
        '_parent_zone.responsible')
    def on_change_zone(self):
        if self.zone:
            self.company = self.zone.company
            if self.period and self.zone.inspection_day:
                self.planned_date = self.period.replace(
                    day=self.zone.inspection_day)
            if not self.inspector:
                self.inspector = self.zone.responsible

    @classmethod
    def search_estate(cls, name, clause):
        return search_through('zone', name, clause)

    def get_rec_name(self, name):
        return '%s %s' % (self.zone.rec_name, self.period.strftime('%Y-%m'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('zone.rec_name',) + tuple(clause[1:])]

    @classmethod
    def get_counts(cls, inspections, names):
        pool = Pool()
        Line = pool.get('pm.fire.inspection.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        ids = [i.id for i in inspections]
        keys = {'pass': 'passed_count', 'fail': 'failed_count',
            'pending': 'pending_count'}
        result = {n: dict.fromkeys(ids, 0) for n in names}
        for sub_ids in id_batches(ids):
            cursor.execute(*line.select(
                    line.inspection, line.result, Count(),
                    where=sql_in(line.inspection, sub_ids),
                    group_by=[line.inspection, line.result]))
            for inspection_id, res, count in cursor:
                name = keys.get(res)
                if name in result:
                    result[name][inspection_id] = count
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Zone = pool.get('pm.fire.zone')
        values = super().preprocess_values(mode, values)
        if values.get('zone'):
            values['company'] = Zone(values['zone']).company.id
        if values.get('period'):
            values['period'] = values['period'].replace(day=1)
        return values

    @classmethod
    def validate_fields(cls, inspections, field_names):
        super().validate_fields(inspections, field_names)
        if field_names and not (field_names & {'zone', 'period', 'state'}):
            return
        others = cls.search([
                ('zone', 'in', [i.zone.id for i in inspections]),
                ('period', 'in', list({i.period for i in inspections})),
                ('state', '!=', 'cancelled'),
                ])
        seen = {}
        for inspection in others + list(inspections):
            if inspection.state == 'cancelled':
                continue
            key = (inspection.zone.id, inspection.period)
            if seen.setdefault(key, inspection) != inspection:
                raise FireSafetyError(gettext(
                        'pm_security.msg_fire_inspection_unique',
                        zone=inspection.zone.rec_name,
                        period=inspection.period.strftime('%Y-%m')))

    @classmethod
    def check_modification(cls, mode, inspections, values=None,
            external=False):
        super().check_modification(
            mode, inspections, values=values, external=external)
        if mode == 'delete':
            for inspection in inspections:
                if inspection.state == 'done':
                    raise SecurityModifyError(gettext(
                            'pm_security.msg_fire_inspection_delete',
                            inspection=inspection.rec_name))

    @classmethod
    def on_modification(cls, mode, inspections, field_names=None):
        super().on_modification(mode, inspections, field_names=field_names)
        if mode == 'create':
            cls.fill([i for i in inspections if not i.lines])

    @classmethod
    def copy(cls, inspections, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('date', None)
        default.setdefault('lines', None)
        default.setdefault('state', 'draft')
        return super().copy(inspections, default=default)

    @classmethod
    @ModelView.button
    def fill(cls, inspections):
        "Add a line for each active equipment of the zone not yet listed"
        pool = Pool()
        Equipment = pool.get('pm.fire.equipment')
        Line = pool.get('pm.fire.inspection.line')
        equipment = Equipment.search([
                ('zone', 'in', [i.zone.id for i in inspections]),
                ], order=[('code', 'ASC'), ('id', 'ASC')])
        by_zone = {}
        for item in equipment:
            by_zone.setdefault(item.zone.id, []).append(item)
        values = []
        for inspection in inspections:
            listed = {l.equipment for l in inspection.lines}
            for item in by_zone.get(inspection.zone.id, []):
                if item not in listed:
                    values.append({
                            'inspection': inspection.id,
                            'equipment': item.id,
                            'result': 'pending',
                            })
        if values:
            Line.create(values)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def done(cls, inspections):
        pool = Pool()
        Date = pool.get('ir.date')
        Equipment = pool.get('pm.fire.equipment')
        today = Date.today()
        latest = {}
        for inspection in inspections:
            for line in inspection.lines:
                if line.result == 'pending':
                    raise FireSafetyError(gettext(
                            'pm_security.msg_fire_inspection_pending',
                            inspection=inspection.rec_name,
                            equipment=line.equipment.rec_name))
        to_write = [i for i in inspections if not i.date]
        if to_write:
            cls.write(to_write, {'date': today})
        for inspection in cls.browse(inspections):
            for line in inspection.lines:
                item = line.equipment
                if (item not in latest
                        or latest[item][0] <= inspection.date):
                    latest[item] = (inspection.date, line.result)
        args = []
        for item, (date, result) in latest.items():
            if (item.last_inspection_date is None
                    or item.last_inspection_date <= date):
                args.extend([[item], {
                            'last_inspection_date': date,
                            'last_result': result,
                            }])
        if args:
            with without_check_access():
                Equipment.write(*args)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, inspections):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, inspections):
        pass

    @classmethod
    def generate_monthly(cls, date=None):
        """Create the inspection of the month of each active zone.

        Run daily by the scheduler, once per company: the inspections of
        a month exist from its first day."""
        pool = Pool()
        Date = pool.get('ir.date')
        Zone = pool.get('pm.fire.zone')
        if date is None:
            date = Date.today()
        period = date.replace(day=1)
        domain = []
        company = Transaction().context.get('company')
        if company:
            domain.append(('company', '=', company))
        zones = Zone.search(domain)
        if not zones:
            return []
        existing = {i.zone for i in cls.search([
                    ('zone', 'in', [z.id for z in zones]),
                    ('period', '=', period),
                    ('state', '!=', 'cancelled'),
                    ])}
        values = [{
                'zone': z.id,
                'period': period,
                'planned_date': period.replace(day=z.inspection_day or 1),
                'inspector': z.responsible.id if z.responsible else None,
                } for z in zones if z not in existing]
        return cls.create(values) if values else []


class FireInspectionLine(ModelSQL, ModelView):
    __name__ = 'pm.fire.inspection.line'
    __string__ = "Fire Inspection Result"

    inspection = fields.Many2One(
        'pm.fire.inspection', "Inspection", required=True,
        ondelete='CASCADE')
    zone = fields.Function(
        fields.Many2One('pm.fire.zone', "Fire Zone"), 'on_change_with_zone')
    equipment = fields.Many2One(
        'pm.fire.equipment', "Equipment", required=True, ondelete='RESTRICT',
        domain=[('zone', '=', Eval('zone', -1))])
    expiry_date = fields.Function(
        fields.Date("Expiry Date"), 'on_change_with_expiry_date')
    expired = fields.Function(
        fields.Boolean("Expired"), 'on_change_with_expired')
    result = fields.Selection(RESULTS, "Result", required=True, sort=False)
    note = fields.Char("Defect",
        help="What is wrong: pressure low, seal broken, hose missing …")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('inspection')
        cls._order = [('inspection', 'DESC'), ('id', 'ASC')]

    @staticmethod
    def default_result():
        return 'pending'

    @fields.depends('inspection', '_parent_inspection.zone')
    def on_change_with_zone(self, name=None):
        return self.inspection.zone if self.inspection else None

    @fields.depends('equipment', '_parent_equipment.expiry_date')
    def on_change_with_expiry_date(self, name=None):
        return self.equipment.expiry_date if self.equipment else None

    @fields.depends('equipment', 'inspection',
        '_parent_equipment.expiry_date', '_parent_inspection.date')
    def on_change_with_expired(self, name=None):
        "Expired at the inspection, or today while it is not done"
        pool = Pool()
        Date = pool.get('ir.date')
        if self.equipment and self.equipment.expiry_date:
            date = (self.inspection.date if self.inspection else None
                ) or Date.today()
            return self.equipment.expiry_date < date
        return False

    def get_rec_name(self, name):
        return self.equipment.rec_name

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('equipment.rec_name',) + tuple(clause[1:])]
