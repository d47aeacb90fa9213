# This file is part of the pm suite (物业管理系统). See README.md.
"""Owners' votes (业主共同决定事项表决), Civil Code art. 278.

Art. 278 (2021): a decision needs the participation of the owners holding
at least two thirds (三分之二以上) of the exclusive area AND at least two
thirds of the owners by head count; it is approved by more than half
(过半数) of the participating area and of the participating owners, or by
at least three quarters (四分之三以上) of both for the items (6)–(8)
(raising the maintenance fund, rebuilding, changing the use of common
parts).  Using the maintenance fund is item (5): more than half.

Head count (人数, judicial interpretation 法释〔2009〕7号 art. 9): one
exclusive part counts as one owner; units owned by the same owner(s) count
once, and the developer's unsold units count as one.  Here the owners of a
unit at the tally date form its owner key (the set of owner parties); each
distinct key is one head.  A head with several units is counted in the
choice of its first ballot.  Areas are the units' built areas 建筑面积.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.company import CompanyReport
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .exceptions import (
    BallotError, BallotModifyError, MotionError, MotionModifyError,
    MotionValidationError)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal('0.01')

KINDS = [
    ('general', "General Matter"),
    ('major', "Major Matter"),
    ('fund_use', "Use of Maintenance Fund"),
    ]

# kind → (participation num, den, approval num, den, approval strict)
PRESETS = {
    'general': (2, 3, 1, 2, True),
    'major': (2, 3, 3, 4, False),
    'fund_use': (2, 3, 1, 2, True),
    }

STATES = [
    ('draft', "Draft"),
    ('open', "Open"),
    ('closed', "Closed"),
    ]

RESULTS = [
    (None, ""),
    ('passed', "Passed"),
    ('failed', "Failed"),
    ]

CHOICES = [
    ('yes', "Yes"),
    ('no', "No"),
    ('abstain', "Abstain"),
    ]


def reached(part, whole, num, den, strict=False):
    """Whether part/whole reaches num/den (strictly more when strict),
    computed exactly in integers-times-decimals, never with a rounded
    ratio; an empty whole never reaches."""
    if not whole:
        return False
    if strict:
        return part * den > num * whole
    return part * den >= num * whole


def rate(part, whole):
    "Percentage rounded to 0.01, None for an empty whole"
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(
        Decimal('0.01'))


def count_tally(units, owner_keys, ballots, thresholds):
    """Pure tally of art. 278.

    units: {unit id: built area}, the eligible units
    owner_keys: {unit id: frozenset of owner party ids} at the tally date
    ballots: [(unit id, choice)] in casting order
    thresholds: (p_num, p_den, a_num, a_den, a_strict)
    """
    p_num, p_den, a_num, a_den, a_strict = thresholds
    units = {u: Decimal(a or 0).quantize(CENT) for u, a in units.items()}
    result = {
        'eligible_units': len(units),
        'eligible_area': sum(units.values(), ZERO.quantize(CENT)),
        'eligible_owners': len({
                owner_keys.get(u, frozenset()) for u in units}),
        'participating_units': 0,
        'participating_area': ZERO.quantize(CENT),
        'participating_owners': 0,
        }
    for choice, _ in CHOICES:
        result[f'{choice}_units'] = 0
        result[f'{choice}_area'] = ZERO.quantize(CENT)
        result[f'{choice}_owners'] = 0
    heads = set()
    for unit_id, choice in ballots:
        if unit_id not in units:
            continue
        area = units[unit_id]
        result['participating_units'] += 1
        result['participating_area'] += area
        result[f'{choice}_units'] += 1
        result[f'{choice}_area'] += area
        key = owner_keys.get(unit_id, frozenset())
        if key not in heads:
            heads.add(key)
            result['participating_owners'] += 1
            result[f'{choice}_owners'] += 1
    result['participation_area_ok'] = reached(
        result['participating_area'], result['eligible_area'], p_num, p_den)
    result['participation_owners_ok'] = reached(
        result['participating_owners'], result['eligible_owners'],
        p_num, p_den)
    result['approval_area_ok'] = reached(
        result['yes_area'], result['participating_area'],
        a_num, a_den, a_strict)
    result['approval_owners_ok'] = reached(
        result['yes_owners'], result['participating_owners'],
        a_num, a_den, a_strict)
    result['participation_ok'] = (result['participation_area_ok']
        and result['participation_owners_ok'])
    result['approval_ok'] = (result['approval_area_ok']
        and result['approval_owners_ok'])
    result['passed'] = result['participation_ok'] and result['approval_ok']
    result['participation_area_rate'] = rate(
        result['participating_area'], result['eligible_area'])
    result['participation_owners_rate'] = rate(
        result['participating_owners'], result['eligible_owners'])
    result['approval_area_rate'] = rate(
        result['yes_area'], result['participating_area'])
    result['approval_owners_rate'] = rate(
        result['yes_owners'], result['participating_owners'])
    return result


TALLY_FIELDS = [
    'eligible_units', 'eligible_owners', 'eligible_area',
    'participating_units', 'participating_owners', 'participating_area',
    'yes_owners', 'yes_area', 'no_owners', 'no_area',
    'abstain_owners', 'abstain_area',
    'participation_area_rate', 'participation_owners_rate',
    'approval_area_rate', 'approval_owners_rate',
    'participation_ok', 'approval_ok', 'passed',
    ]


class Motion(EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    "Motion"
    __name__ = 'pm.vote.motion'
    __string__ = "Motion"
    _rec_name = 'title'

    _draft = {
        'readonly': Eval('state') != 'draft',
        }

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(), states=_draft)
    buildings = fields.Many2Many(
        'pm.vote.motion-pm.building', 'motion', 'building', "Buildings",
        domain=[('estate', '=', Eval('estate', -1))], states=_draft,
        help="Limit the vote to these buildings; empty for the estate.")
    units = fields.Many2Many(
        'pm.vote.motion-pm.unit', 'motion', 'unit', "Eligible Units",
        domain=[('estate', '=', Eval('estate', -1))], states=_draft,
        help="The units whose owners vote; filled with every unit of the "
        "estate or of the buildings when the motion opens, if empty.")
    title = fields.Char("Title", required=True, states=_draft)
    description = fields.Text("Description", states=_draft)
    kind = fields.Selection(
        KINDS, "Kind", required=True, sort=False, states=_draft,
        help="General matters need more than half of the participating "
        "area and owners; the major matters of Civil Code art. 278 items "
        "6-8 need three quarters.")
    kind_string = kind.translated('kind')
    participation_numerator = fields.Integer(
        "Participation Numerator", required=True, states=_draft,
        domain=[('participation_numerator', '>', 0)])
    participation_denominator = fields.Integer(
        "Participation Denominator", required=True, states=_draft,
        domain=[('participation_denominator', '>=',
                Eval('participation_numerator', 1))],
        help="Participation needs at least numerator/denominator of the "
        "eligible area and of the eligible owners.")
    approval_numerator = fields.Integer(
        "Approval Numerator", required=True, states=_draft,
        domain=[('approval_numerator', '>', 0)])
    approval_denominator = fields.Integer(
        "Approval Denominator", required=True, states=_draft,
        domain=[('approval_denominator', '>=',
                Eval('approval_numerator', 1))],
        help="Approval by numerator/denominator of the participating area "
        "and of the participating owners.")
    approval_strict = fields.Boolean(
        "Strictly More", states=_draft,
        help="Checked: approval needs strictly more than the fraction "
        "(过半数); unchecked: at least the fraction (以上).")
    participation_threshold = fields.Function(
        fields.Char("Participation Threshold"), 'get_thresholds')
    approval_threshold = fields.Function(
        fields.Char("Approval Threshold"), 'get_thresholds')
    date_start = fields.DateTime(
        "Voting Start", required=True, states=_draft)
    date_end = fields.DateTime(
        "Voting End", required=True, states=_draft,
        domain=[('date_end', '>', Eval('date_start'))])
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')
    result = fields.Selection(RESULTS, "Result", readonly=True, sort=False)
    result_string = result.translated('result')
    tally_date = fields.Date(
        "Tally Date", readonly=True,
        help="The date at which the owners of the units are counted, "
        "set when the motion is closed.")
    closed_date = fields.DateTime("Closed", readonly=True)
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True)
    ballots = fields.One2Many(
        'pm.vote.ballot', 'motion', "Ballots", readonly=True)

    eligible_units = fields.Function(
        fields.Integer("Eligible Units"), 'get_tally')
    eligible_owners = fields.Function(
        fields.Integer("Eligible Owners"), 'get_tally')
    eligible_area = fields.Function(
        fields.Numeric("Eligible Area", digits=(16, 2)), 'get_tally')
    participating_units = fields.Function(
        fields.Integer("Participating Units"), 'get_tally')
    participating_owners = fields.Function(
        fields.Integer("Participating Owners"), 'get_tally')
    participating_area = fields.Function(
        fields.Numeric("Participating Area", digits=(16, 2)), 'get_tally')
    yes_owners = fields.Function(fields.Integer("Yes Owners"), 'get_tally')
    yes_area = fields.Function(
        fields.Numeric("Yes Area", digits=(16, 2)), 'get_tally')
    no_owners = fields.Function(fields.Integer("No Owners"), 'get_tally')
    no_area = fields.Function(
        fields.Numeric("No Area", digits=(16, 2)), 'get_tally')
    abstain_owners = fields.Function(
        fields.Integer("Abstain Owners"), 'get_tally')
    abstain_area = fields.Function(
        fields.Numeric("Abstain Area", digits=(16, 2)), 'get_tally')
    participation_area_rate = fields.Function(
        fields.Numeric("Participation by Area (%)", digits=(5, 2)),
        'get_tally')
    participation_owners_rate = fields.Function(
        fields.Numeric("Participation by Owners (%)", digits=(5, 2)),
        'get_tally')
    approval_area_rate = fields.Function(
        fields.Numeric("Approval by Area (%)", digits=(5, 2)), 'get_tally')
    approval_owners_rate = fields.Function(
        fields.Numeric("Approval by Owners (%)", digits=(5, 2)),
        'get_tally')
    participation_ok = fields.Function(
        fields.Boolean("Participation Reached"), 'get_tally')
    approval_ok = fields.Function(
        fields.Boolean("Approval Reached"), 'get_tally')
    passed = fields.Function(fields.Boolean("Passing"), 'get_tally')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('date_start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'open'),
            ('open', 'closed'),
            }
        cls._buttons.update({
                'open': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                })
        cls.__rpc__.update({
                'cast': RPC(readonly=False, result=int),
                'tally_of': RPC(readonly=True),
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_kind():
        return 'general'

    @classmethod
    def _preset(cls, kind):
        return PRESETS.get(kind or 'general', PRESETS['general'])

    @classmethod
    def default_participation_numerator(cls):
        return cls._preset('general')[0]

    @classmethod
    def default_participation_denominator(cls):
        return cls._preset('general')[1]

    @classmethod
    def default_approval_numerator(cls):
        return cls._preset('general')[2]

    @classmethod
    def default_approval_denominator(cls):
        return cls._preset('general')[3]

    @classmethod
    def default_approval_strict(cls):
        return cls._preset('general')[4]

    @fields.depends('kind')
    def on_change_kind(self):
        (self.participation_numerator, self.participation_denominator,
            self.approval_numerator, self.approval_denominator,
            self.approval_strict) = self._preset(self.kind)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('kind'):
            names = ['participation_numerator', 'participation_denominator',
                'approval_numerator', 'approval_denominator',
                'approval_strict']
            for name, value in zip(names, cls._preset(values['kind'])):
                values.setdefault(name, value)
        return values

    @classmethod
    def _get_origin(cls):
        "Return the models that may originate a motion"
        return []

    @classmethod
    def get_origin(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        get_name = IrModel.get_name
        return [(None, '')] + [(m, get_name(m)) for m in cls._get_origin()]

    def get_thresholds(self, name):
        if name == 'participation_threshold':
            return '≥ %s/%s' % (
                self.participation_numerator, self.participation_denominator)
        return '%s %s/%s' % ('>' if self.approval_strict else '≥',
            self.approval_numerator, self.approval_denominator)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['title', 'estate.rec_name'])

    @property
    def thresholds(self):
        return (self.participation_numerator, self.participation_denominator,
            self.approval_numerator, self.approval_denominator,
            bool(self.approval_strict))

    def _tally_date(self):
        pool = Pool()
        Date = pool.get('ir.date')
        if self.tally_date:
            return self.tally_date
        date = Transaction().context.get('date') or Date.today()
        if self.date_end:
            date = min(date, self.date_end.date())
        return date

    @classmethod
    def tallies(cls, motions):
        "Return {motion id: tally dict} (see count_tally)"
        pool = Pool()
        Unit = pool.get('pm.unit')
        Ballot = pool.get('pm.vote.ballot')
        motions = [m for m in motions if m.id >= 0]
        ballots = defaultdict(list)
        for sub in cls.browse_batches(motions):
            for ballot in Ballot.search(
                    [('motion', 'in', [m.id for m in sub])],
                    order=[('date', 'ASC'), ('id', 'ASC')]):
                ballots[ballot.motion.id].append(
                    (ballot.unit.id, ballot.choice))
        result = {}
        for motion in motions:
            units = {u.id: u.built_area or ZERO for u in motion.units}
            owners = Unit.current_owners(
                list(units), motion._tally_date())
            keys = {u: frozenset(p for p, _, _ in rows)
                for u, rows in owners.items()}
            result[motion.id] = count_tally(
                units, keys, ballots[motion.id], motion.thresholds)
        return result

    @classmethod
    def browse_batches(cls, records, size=500):
        for i in range(0, len(records), size):
            yield records[i:i + size]

    def tally(self):
        """Return the tally of the motion: eligible / participating / yes /
        no / abstain counts of owners (heads), units and built areas, the
        rates in percent and the threshold checks (participation_ok,
        approval_ok, passed)."""
        return self.tallies([self])[self.id]

    @classmethod
    def tally_of(cls, motion_ids):
        "RPC: [tally] of the motion ids, with 'id' and Decimals as str"
        tallies = cls.tallies(cls.browse(motion_ids))
        return [dict({k: (str(v) if isinstance(v, Decimal) else v)
                        for k, v in tallies[i].items()}, id=i)
            for i in motion_ids]

    @classmethod
    def get_tally(cls, motions, names):
        tallies = cls.tallies(motions)
        result = {name: {} for name in names}
        for motion in motions:
            tally = tallies.get(motion.id, {})
            for name in names:
                result[name][motion.id] = tally.get(name)
        return result

    @classmethod
    def check_modification(cls, mode, motions, values=None, external=False):
        super().check_modification(
            mode, motions, values=values, external=external)
        if mode == 'delete':
            for motion in motions:
                if motion.state != 'draft':
                    raise MotionModifyError(gettext(
                            'pm_vote.msg_motion_delete',
                            motion=motion.rec_name))

    @classmethod
    def validate_fields(cls, motions, field_names):
        super().validate_fields(motions, field_names)
        if field_names and not (field_names & {
                    'units', 'estate', 'buildings'}):
            return
        for motion in motions:
            for unit in motion.units:
                if unit.estate != motion.estate or (motion.buildings
                        and unit.building not in motion.buildings):
                    raise MotionValidationError(gettext(
                            'pm_vote.msg_motion_unit_scope',
                            unit=unit.rec_name, motion=motion.rec_name))

    @classmethod
    def copy(cls, motions, default=None):
        default = default.copy() if default is not None else {}
        for name in ['result', 'tally_date', 'closed_date', 'origin']:
            default.setdefault(name, None)
        default.setdefault('ballots', None)
        return super().copy(motions, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def open(cls, motions):
        pool = Pool()
        Unit = pool.get('pm.unit')
        to_write = []
        for motion in motions:
            if not motion.units:
                domain = [('estate', '=', motion.estate.id)]
                if motion.buildings:
                    domain.append(
                        ('building', 'in', [b.id for b in motion.buildings]))
                units = Unit.search(domain)
                if not units:
                    raise MotionError(gettext(
                            'pm_vote.msg_motion_no_units',
                            motion=motion.rec_name))
                to_write.extend(
                    [[motion], {'units': [('add', [u.id for u in units])]}])
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, motions):
        pool = Pool()
        Date = pool.get('ir.date')
        if not motions:
            return
        now = Transaction().context.get('vote_now') or dt.datetime.now()
        today = Date.today()
        for motion in motions:
            if now < motion.date_end:
                raise MotionError(gettext(
                        'pm_vote.msg_motion_close_early',
                        motion=motion.rec_name,
                        end=motion.date_end))
        # count the owners at the end of the window
        to_write = []
        for motion in motions:
            to_write.extend([[motion], {
                        'tally_date': min(today, motion.date_end.date()),
                        'closed_date': now,
                        }])
        cls.write(*to_write)
        tallies = cls.tallies(motions)
        to_write = []
        for motion in motions:
            result = 'passed' if tallies[motion.id]['passed'] else 'failed'
            to_write.extend([[motion], {'result': result}])
        cls.write(*to_write)
        cls._notify_origins(motions)

    @classmethod
    def _notify_origins(cls, motions):
        "Call Model.vote_closed(motions) on each origin's model"
        pool = Pool()
        by_model = defaultdict(list)
        for motion in motions:
            if motion.origin:
                by_model[motion.origin.__name__].append(motion)
        for model, records in by_model.items():
            Model = pool.get(model)
            if hasattr(Model, 'vote_closed'):
                Model.vote_closed(records)

    @classmethod
    def close_expired(cls):
        "Cron: close the open motions whose voting window has ended"
        motions = cls.search([
                ('state', '=', 'open'),
                ('date_end', '<=', dt.datetime.now()),
                ])
        if motions:
            cls.close(motions)

    @classmethod
    def cast(cls, motion, unit, party, choice, date=None):
        """Record the ballot of party for unit on motion and return it.

        Checks: the motion is open and date (default now) inside its
        window, the unit is eligible, the party owns the unit at that date,
        and the unit has not voted yet."""
        pool = Pool()
        Ballot = pool.get('pm.vote.ballot')
        if isinstance(motion, int):
            motion = cls(motion)
        values = {
            'motion': motion.id,
            'unit': unit if isinstance(unit, int) else unit.id,
            'party': party if isinstance(party, int) else party.id,
            'choice': choice,
            }
        if date:
            values['date'] = date
        if Ballot.search([
                    ('motion', '=', motion.id),
                    ('unit', '=', values['unit']),
                    ], limit=1):
            raise BallotError(gettext(
                    'pm_vote.msg_ballot_unique_unit',
                    unit=Pool().get('pm.unit')(values['unit']).rec_name,
                    motion=motion.rec_name))
        ballot, = Ballot.create([values])
        return ballot


class MotionBuilding(ModelSQL):
    "Motion - Building"
    __name__ = 'pm.vote.motion-pm.building'
    __string__ = "Motion - Building"
    motion = fields.Many2One(
        'pm.vote.motion', "Motion", required=True, ondelete='CASCADE')
    building = fields.Many2One(
        'pm.building', "Building", required=True, ondelete='CASCADE')


class MotionUnit(ModelSQL):
    "Motion - Unit"
    __name__ = 'pm.vote.motion-pm.unit'
    __string__ = "Motion - Unit"
    motion = fields.Many2One(
        'pm.vote.motion', "Motion", required=True, ondelete='CASCADE')
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.motion, Index.Equality()), (t.unit, Index.Equality())))


class Ballot(ModelSQL, ModelView):
    "Ballot"
    __name__ = 'pm.vote.ballot'
    __string__ = "Ballot"

    company = company_field()
    motion = fields.Many2One(
        'pm.vote.motion', "Motion", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    party = fields.Many2One(
        'party.party', "Owner", required=True, ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        help="An owner of the unit at the date of the vote.")
    choice = fields.Selection(CHOICES, "Choice", required=True, sort=False)
    choice_string = choice.translated('choice')
    date = fields.DateTime("Date", required=True)
    area = fields.Numeric(
        "Built Area", digits=(16, 2), readonly=True,
        help="The built area of the unit when the ballot was cast.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('motion_unit_uniq', Unique(t, t.motion, t.unit),
                'pm_vote.msg_ballot_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Equality())),
                Index(t, (t.unit, Index.Equality())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return dt.datetime.now()

    def get_rec_name(self, name):
        return f'{self.motion.rec_name} / {self.unit.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['motion.rec_name', 'unit.rec_name'])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Motion = pool.get('pm.vote.motion')
        Unit = pool.get('pm.unit')
        values = super().preprocess_values(mode, values)
        if values.get('motion'):
            values['company'] = Motion(values['motion']).company.id
        if mode == 'create' and values.get('unit'):
            values['area'] = Unit(values['unit']).built_area
        return values

    @classmethod
    def check_modification(cls, mode, ballots, values=None, external=False):
        super().check_modification(
            mode, ballots, values=values, external=external)
        if mode in {'write', 'delete'}:
            raise BallotModifyError(gettext('pm_vote.msg_ballot_modify'))

    @classmethod
    def on_modification(cls, mode, ballots, field_names=None):
        super().on_modification(mode, ballots, field_names=field_names)
        if mode == 'create':
            cls.check_cast(ballots)

    @classmethod
    def check_cast(cls, ballots):
        pool = Pool()
        Unit = pool.get('pm.unit')
        by_date = defaultdict(list)
        for ballot in ballots:
            motion = ballot.motion
            if (motion.state != 'open'
                    or not (motion.date_start <= ballot.date
                        <= motion.date_end)):
                raise BallotError(gettext(
                        'pm_vote.msg_ballot_window',
                        motion=motion.rec_name,
                        start=motion.date_start, end=motion.date_end))
            if ballot.unit not in motion.units:
                raise BallotError(gettext(
                        'pm_vote.msg_ballot_unit_not_eligible',
                        unit=ballot.unit.rec_name, motion=motion.rec_name))
            by_date[ballot.date.date()].append(ballot)
        for date, sub in by_date.items():
            owners = Unit.current_owners([b.unit.id for b in sub], date)
            for ballot in sub:
                if ballot.party.id not in {
                        p for p, _, _ in owners.get(ballot.unit.id, [])}:
                    raise BallotError(gettext(
                            'pm_vote.msg_ballot_not_owner',
                            party=ballot.party.rec_name,
                            unit=ballot.unit.rec_name))


class MotionResultReport(CompanyReport):
    "Vote Result"
    __name__ = 'pm.vote.motion.result'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Motion = pool.get('pm.vote.motion')
        context = super().get_context(records, header, data)
        context['tallies'] = Motion.tallies(records)
        context['percent'] = lambda v: '' if v is None else '%s%%' % v
        context['yes_no'] = lambda v: '✔' if v else '✘'
        return context
