# This file is part of the pm suite (物业管理系统). See README.md.
"""Access cards (门禁卡) issued to the residents of a unit, returned or
reported lost, with their history."""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.pm_customer.mixin import UnitCompanyMixin, unit_domain
from trytond.modules.pm_estate.mixin import company_field, search_fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .common import normalize_code, now, user_employee
from .exceptions import AccessCardError, SecurityModifyError

CARD_TYPES = [
    ('ic', "IC Card"),
    ('id', "ID Card"),
    ('cpu', "CPU Card"),
    ('tag', "Key Tag"),
    ('other', "Other"),
    ]

CARD_STATES = [
    ('draft', "Draft"),
    ('issued', "Issued"),
    ('returned', "Returned"),
    ('lost', "Lost"),
    ]

LOG_ACTIONS = [
    ('issue', "Issued"),
    ('return', "Returned"),
    ('lost', "Reported Lost"),
    ]


class AccessCard(UnitCompanyMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'pm.access_card'
    __string__ = "Access Card"
    _rec_name = 'number'

    _states = {
        'readonly': ~Eval('state').in_(['draft', 'returned']),
        }

    company = company_field()
    number = fields.Char("Card Number", required=True, strip=True,
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The number printed on or read from the card; "
        "unique in the company.")
    card_type = fields.Selection(
        CARD_TYPES, "Type", required=True, sort=False, states=_states)
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, ondelete='RESTRICT',
        domain=unit_domain(), states=_states)
    estate = fields.Function(
        fields.Many2One('pm.estate', "Estate"),
        'on_change_with_estate', searcher='search_estate')
    holder = fields.Many2One(
        'party.party', "Holder", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The resident holding the card.")
    valid_until = fields.Date("Valid until", states=_states,
        help="Leave empty for no end, e.g. the end of a lease.")
    issued_date = fields.Date("Issued on", readonly=True)
    returned_date = fields.Date("Returned on", readonly=True)
    lost_date = fields.Date("Lost on", readonly=True)
    logs = fields.One2Many(
        'pm.access_card.log', 'card', "History", readonly=True)
    note = fields.Text("Note")
    state = fields.Selection(
        CARD_STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('number_company_unique', Unique(t, t.company, t.number),
                'pm_security.msg_access_card_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Equality())),
                Index(t, (t.holder, Index.Equality())),
                })
        cls._order = [('number', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('draft', 'issued'),
            ('returned', 'issued'),
            ('issued', 'returned'),
            ('issued', 'lost'),
            }
        cls._buttons.update({
                'issue': {
                    'invisible': ~Eval('state').in_(['draft', 'returned']),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'return_': {
                    'invisible': Eval('state') != 'issued',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'report_lost': {
                    'invisible': Eval('state') != 'issued',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_card_type():
        return 'ic'

    def get_rec_name(self, name):
        return self.number

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(
            clause, ['number', 'holder.rec_name', 'unit.rec_name'])

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('number'):
            values['number'] = normalize_code(values['number'])
        return values

    @classmethod
    def check_modification(cls, mode, cards, values=None, external=False):
        super().check_modification(
            mode, cards, values=values, external=external)
        if mode == 'delete':
            for card in cards:
                if card.state != 'draft':
                    raise SecurityModifyError(gettext(
                            'pm_security.msg_access_card_delete',
                            card=card.rec_name))

    @classmethod
    def copy(cls, cards, default=None):
        default = default.copy() if default is not None else {}
        for name in ['issued_date', 'returned_date', 'lost_date']:
            default.setdefault(name, None)
        default.setdefault('number', lambda data: data['number'] + '-1')
        default.setdefault('logs', None)
        default.setdefault('state', 'draft')
        return super().copy(cards, default=default)

    @classmethod
    def check_holders(cls, cards):
        "Check that the holders occupy the units now"
        from .common import current_occupants
        occupants = current_occupants([c.unit.id for c in cards])
        for card in cards:
            if card.holder.id not in occupants.get(card.unit.id, ()):
                raise AccessCardError(gettext(
                        'pm_security.msg_access_card_holder',
                        card=card.rec_name,
                        holder=card.holder.rec_name,
                        unit=card.unit.rec_name))

    @classmethod
    def add_log(cls, cards, action):
        pool = Pool()
        Log = pool.get('pm.access_card.log')
        employee = user_employee()
        time = now()
        with without_check_access():
            Log.create([{
                        'card': c.id,
                        'action': action,
                        'time': time,
                        'holder': c.holder.id,
                        'unit': c.unit.id,
                        'employee': employee.id if employee else None,
                        'user': Transaction().user or None,
                        } for c in cards])

    @classmethod
    @ModelView.button
    @Workflow.transition('issued')
    def issue(cls, cards):
        pool = Pool()
        Date = pool.get('ir.date')
        cls.check_holders(cards)
        cls.write(list(cards), {
                'issued_date': Date.today(),
                'returned_date': None,
                })
        cls.add_log(cards, 'issue')

    @classmethod
    @ModelView.button
    @Workflow.transition('returned')
    def return_(cls, cards):
        pool = Pool()
        Date = pool.get('ir.date')
        cls.write(list(cards), {'returned_date': Date.today()})
        cls.add_log(cards, 'return')

    @classmethod
    @ModelView.button
    @Workflow.transition('lost')
    def report_lost(cls, cards):
        pool = Pool()
        Date = pool.get('ir.date')
        cls.write(list(cards), {'lost_date': Date.today()})
        cls.add_log(cards, 'lost')


class AccessCardLog(ModelSQL, ModelView):
    __name__ = 'pm.access_card.log'
    __string__ = "Access Card History"

    card = fields.Many2One(
        'pm.access_card', "Card", required=True, ondelete='CASCADE',
        readonly=True)
    action = fields.Selection(
        LOG_ACTIONS, "Action", required=True, readonly=True, sort=False)
    time = fields.DateTime("Time", required=True, readonly=True)
    holder = fields.Many2One(
        'party.party', "Holder", readonly=True, ondelete='RESTRICT')
    unit = fields.Many2One(
        'pm.unit', "Unit", readonly=True, ondelete='RESTRICT')
    employee = fields.Many2One(
        'company.employee', "Employee", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('card')
        cls._order = [('time', 'DESC'), ('id', 'DESC')]
