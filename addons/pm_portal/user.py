# This file is part of the pm suite (物业管理系统). See README.md.
"""Portal web users: activation codes per unit, phone login, staff links."""
import datetime as dt
from decimal import Decimal
import secrets
import time

from sql import Null
from sql.conditionals import Coalesce

from trytond import config
from trytond.exceptions import RateLimitException
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.pm_estate.mixin import id_batches, sql_in
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .web import PortalError, cached_sql

# no 0/O, 1/I/L: codes are typed from paper
CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
CODE_LENGTH = 10


def _activated(model):
    "Is the model of an extra addon activated in this database?"
    try:
        Pool().get(model)
    except KeyError:
        return False
    return True


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    phone = fields.Char(
        "Mobile Phone", strip=True,
        help="The resident can log in with this number instead of the "
        "e-mail.")
    portal_company = fields.Many2One(
        'company.company', "Company",
        help="The property company the portal user belongs to.")
    portal_employee = fields.Many2One(
        'company.employee', "Employee",
        domain=[('company', '=', Eval('portal_company', -1))],
        help="Set for field staff: gives the technician and guard pages.")
    activation = fields.Many2One(
        'pm.portal.activation', "Activation Code", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.phone, Index.Equality())))
        # the parties of a portal user are seen in its company
        for name in ['party', 'secondary_parties']:
            field = getattr(cls, name)
            field.context = dict(field.context or {},
                company=Eval('portal_company', -1))
            field.depends = set(field.depends or ()) | {'portal_company'}
        # residents may log in with their mobile phone only
        cls.email.states = cls.email.states.copy()
        cls.email.states['required'] = (
            Eval('active', True) & ~Eval('phone'))

    def get_rec_name(self, name):
        return self.email or self.phone or str(self.id)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('email', operator, value),
            ('phone', operator, value),
            ]

    @classmethod
    def portal_login(cls, login, password):
        """The web user matching login (e-mail or mobile phone) and password,
        None otherwise. Rate limited like web_user's authenticate: more than
        [session] max_attempt failures for a login (or max_attempt_ip_network
        from a network) raise RateLimitException, and each failure delays
        the answer (2^n - 1 s)."""
        pool = Pool()
        Attempt = pool.get('web.user.authenticate.attempt')
        login = (login or '').strip().lower()[:100]
        if Attempt.count_ip() > config.getint(
                'session', 'max_attempt_ip_network', default=300):
            raise RateLimitException()
        count = Attempt.count(login)
        if count > config.getint('session', 'max_attempt', default=5):
            Attempt.add(login)
            raise RateLimitException()
        if count:
            Transaction().atexit(time.sleep, min(2 ** count - 1, 8))
        if '@' in login:
            users = cls.search([('email', '=', login)], limit=1)
        else:
            users = cls.search([('phone', '=', login)], limit=1)
        if users and password:
            user, = users
            valid, new_hash = cls.check_password(
                password, user.password_hash or '')
            if valid and (user.party or user.portal_employee):
                if new_hash:
                    cls.write([user], {'password_hash': new_hash})
                Attempt.remove(login)
                return user
        Attempt.add(login)
        return None

    @classmethod
    def portal_session_user(cls, key):
        """The active web user of the session key, or None: what
        web.user.session's get_user answers (an expired session is removed),
        in one query, because every portal page asks. The user comes with
        its party (and name), company (and time zone), employee and e-mail
        already set, so that the page reads none of them again."""
        pool = Pool()
        Session = pool.get('web.user.session')
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        session = Session.__table__()
        user = cls.__table__()
        party = Party.__table__()
        company = Company.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        cursor.execute(*cached_sql('session_user',
                lambda key: session.join(user,
                    condition=session.user == user.id
                    ).join(party, 'LEFT', condition=user.party == party.id
                    ).join(company, 'LEFT',
                    condition=user.portal_company == company.id
                    ).select(
                    session.id,
                    Coalesce(session.write_date, session.create_date),
                    user.id, user.active, user.email,
                    user.party, party.name,
                    user.portal_company, company.timezone,
                    user.portal_employee,
                    where=session.key == key, limit=1),
                key))
        row = cursor.fetchone()
        if not row:
            return None
        (session_id, modified, user_id, active, email, party_id, party_name,
            company_id, timezone, employee_id) = row
        if isinstance(modified, str):  # SQLite
            modified = dt.datetime.fromisoformat(modified)
        if abs(modified - dt.datetime.now()) > Session.timeout():
            if not transaction.readonly:
                Session.delete([Session(session_id)])
            return None
        if not active:
            return None
        return cls(user_id, active=True, email=email,
            party=Party(party_id, name=party_name) if party_id else None,
            portal_company=(Company(company_id, timezone=timezone)
                if company_id else None),
            portal_employee=Employee(employee_id) if employee_id else None)

    @classmethod
    def portal_unit_ids(cls, party, roles=None):
        """Ids of the units of party: where it has a current occupancy
        (of the roles) or is the billing party"""
        pool = Pool()
        Occupancy = pool.get('pm.occupancy')
        Unit = pool.get('pm.unit')
        occupancy = Occupancy.__table__()
        unit = Unit.__table__()
        cursor = Transaction().connection.cursor()
        date = Unit._state_date()
        where = ((occupancy.party == party.id)
            & Occupancy.current_where(occupancy, date))
        if roles:
            where &= occupancy.role.in_(list(roles))
        cursor.execute(*occupancy.select(occupancy.unit, where=where))
        ids = {u for u, in cursor}
        if not roles:
            cursor.execute(*unit.select(unit.id,
                    where=unit.billing_party == party.id))
            ids.update(u for u, in cursor)
        return sorted(ids)

    def portal_nav(self):
        """The links of the portal's navigation for this user: a list of
        dicts url (path under /portal), label, icon (one character or
        emoji), sequence, and optional badge. Extend with super()."""
        links = []
        if self.party:
            links += [
                {'url': '/', 'label': '首页', 'icon': '⌂', 'sequence': 1},
                {'url': '/bills', 'label': '账单缴费', 'icon': '¥',
                    'sequence': 10},
                {'url': '/repairs', 'label': '报修', 'icon': '修',
                    'sequence': 20},
                {'url': '/complaints', 'label': '投诉建议', 'icon': '✉',
                    'sequence': 25},
                {'url': '/notices', 'label': '通知公告', 'icon': '告',
                    'sequence': 30},
                {'url': '/activities', 'label': '社区活动', 'icon': '★',
                    'sequence': 40},
                {'url': '/units', 'label': '我的房屋', 'icon': '房',
                    'sequence': 50},
                ]
            if _activated('pm.vote.motion'):
                links.append({'url': '/votes', 'label': '业主投票',
                        'icon': '✔', 'sequence': 35})
            if _activated('pm.visitor.pass'):
                links.append({'url': '/visitors', 'label': '访客邀请',
                        'icon': '客', 'sequence': 60})
            if _activated('pm.parking.contract'):
                links.append({'url': '/parking', 'label': '我的车位',
                        'icon': '车', 'sequence': 65})
        if self.portal_employee:
            links += [
                {'url': '/staff', 'label': '员工工作台', 'icon': '岗',
                    'sequence': 5},
                {'url': '/staff/orders', 'label': '我的工单', 'icon': '修',
                    'sequence': 6},
                ]
            if _activated('pm.patrol.round'):
                links += [
                    {'url': '/staff/patrol', 'label': '巡更', 'icon': '巡',
                        'sequence': 7},
                    {'url': '/staff/pass', 'label': '访客核验',
                        'icon': '✓', 'sequence': 8},
                    ]
        links.append(
            {'url': '/account', 'label': '我的账户', 'icon': '我',
                'sequence': 90})
        return links

    def portal_home_cards(self, portal):
        """Cards of the home page: a list of dicts title, url, value, text
        (and sequence, alert). Extend with super()."""
        pool = Pool()
        Bill = pool.get('pm.bill')
        WorkOrder = pool.get('pm.work_order')
        Notice = pool.get('pm.portal.notice')
        if not self.party:
            return []
        due = Bill.search([
                ('party', '=', self.party.id),
                ('state', '=', 'posted'),
                ], order=[])
        unpaid = sum(Bill.unpaid_by_ids([b.id for b in due]).values(),
            Decimal(0))
        open_orders = WorkOrder.search_count([
                ('contact', '=', self.party.id),
                ('state', 'in', ['draft', 'dispatched', 'processing',
                        'visit']),
                ])
        notices = Notice.search(Notice.portal_domain(portal), limit=50)
        unread = Notice.unread_ids([n.id for n in notices], self)
        from .web import _money
        return [
            {'title': '待缴费用', 'url': '/bills', 'value': _money(unpaid),
                'text': '点击缴费' if unpaid else '已缴清',
                'alert': unpaid > 0, 'sequence': 10},
            {'title': '进行中的报修', 'url': '/repairs',
                'value': open_orders, 'text': '我要报修', 'sequence': 20},
            {'title': '未读通知', 'url': '/notices', 'value': len(unread),
                'text': notices[0].title if notices else '',
                'alert': bool(unread), 'sequence': 30},
            ]

    @classmethod
    def portal_staff_cards(cls, portal):
        """Cards of the staff board (same format as portal_home_cards)"""
        pool = Pool()
        WorkOrder = pool.get('pm.work_order')
        employee = portal.employee
        mine = WorkOrder.search_count([
                ('technician', '=', employee.id),
                ('state', 'in', ['dispatched', 'processing']),
                ])
        unassigned = WorkOrder.search_count([
                ('company', '=', employee.company.id),
                ('technician', '=', None),
                ('state', '=', 'draft'),
                ])
        return [
            {'title': '我的工单', 'url': '/staff/orders', 'value': mine,
                'text': '待接单 %d' % unassigned, 'alert': bool(mine),
                'sequence': 10},
            ]

    @classmethod
    def portal_attachment_allowed(cls, portal, record):
        """May the portal user see the attachments of record? Extend with
        super() for the models of your pages."""
        name = record.__name__
        if name == 'pm.work_order':
            if portal.party and record.contact == portal.party:
                return True
            employee = portal.employee
            if employee and record.company == employee.company and (
                    record.technician in {None, employee}):
                return True
            return False
        if name == 'pm.complaint':
            return bool(portal.party and record.complainant == portal.party)
        return False


class Activation(Workflow, ModelSQL, ModelView):
    "Portal activation code 住户激活码 of a unit"
    __name__ = 'pm.portal.activation'
    __string__ = "Portal Activation Code"
    _rec_name = 'code'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    unit = fields.Many2One(
        'pm.unit', "Unit", required=True, readonly=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Party", required=True, readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The party the activated web user is linked to: the unit's "
        "billing party when the code was issued.")
    code = fields.Char("Code", required=True, readonly=True, strip=False)
    expire = fields.Date("Expires", readonly=True)
    web_users = fields.One2Many(
        'web.user', 'activation', "Web Users", readonly=True)
    state = fields.Selection([
            ('valid', "Valid"),
            ('used', "Used"),
            ('revoked', "Revoked"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'pm_portal.msg_activation_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.unit, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('id', 'DESC')]
        cls.__rpc__.update({
                'issue_missing': RPC(readonly=False),
                })
        cls._transitions |= {
            ('valid', 'used'),
            ('valid', 'revoked'),
            ('used', 'revoked'),
            }
        cls._buttons.update({
                'issue_units': {
                    'icon': 'tryton-refresh',
                    },
                'revoke': {
                    'invisible': Eval('state') == 'revoked',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'valid'

    @classmethod
    def new_code(cls):
        return ''.join(
            secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))

    @classmethod
    def issue(cls, units, days=180):
        """Issue a new code for each unit (revoking the unused ones) and
        return {unit id: code}; units without billing party are skipped"""
        today = dt.date.today()
        units = [u for u in units if u.billing_party]
        old = []
        for sub in id_batches([u.id for u in units]):
            old += cls.search([('unit', 'in', sub), ('state', '=', 'valid')])
        if old:
            cls.revoke(old)
        codes = cls.create([{
                    'company': u.company.id,
                    'unit': u.id,
                    'party': u.billing_party.id,
                    'code': cls.new_code(),
                    'expire': today + dt.timedelta(days=days),
                    } for u in units])
        return {c.unit.id: c.code for c in codes}

    @classmethod
    def codes_for(cls, unit_ids, issue=True):
        """{unit id: valid code} of the units, issuing the missing ones
        (used by the bill notice)"""
        result = {}
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        today = dt.date.today()
        for sub in id_batches(list(unit_ids)):
            cursor.execute(*table.select(table.unit, table.code,
                    where=sql_in(table.unit, sub)
                    & (table.state == 'valid')
                    & ((table.expire == Null) | (table.expire >= today)),
                    order_by=[table.id.asc]))
            result.update(cursor)
        missing = [u for u in unit_ids if u not in result]
        if missing and issue:
            Unit = Pool().get('pm.unit')
            result.update(cls.issue(Unit.browse(missing)))
        return result

    @classmethod
    @ModelView.button
    @Workflow.transition('revoked')
    def revoke(cls, activations):
        pass

    @classmethod
    def issue_missing(cls):
        """Issue a code to every unit with a billing party and no valid
        code (daily cron, so that every bill notice prints one)"""
        pool = Pool()
        Unit = pool.get('pm.unit')
        unit = Unit.__table__()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        today = dt.date.today()
        valid = table.select(table.unit,
            where=(table.state == 'valid')
            & ((table.expire == Null) | (table.expire >= today)))
        cursor.execute(*unit.select(unit.id,
                where=(unit.billing_party != Null)
                & ~unit.id.in_(valid)))
        unit_ids = [u for u, in cursor]
        for sub in id_batches(unit_ids):
            cls.issue(Unit.browse(sub))
        return len(unit_ids)

    @classmethod
    @ModelView.button
    def issue_units(cls, activations):
        "Issue new codes for the units of the activations (lost notice)"
        cls.issue(list({a.unit for a in activations}))

    @classmethod
    def activate(cls, code, email, phone, password, name=None):
        """Create the web user of a resident from the code printed on the
        bill notice; return it. Raises PortalError with a clear message."""
        pool = Pool()
        WebUser = pool.get('web.user')
        code = (code or '').strip().upper().replace('-', '').replace(' ', '')
        email = (email or '').strip().lower() or None
        phone = (phone or '').strip() or None
        if not email and not phone:
            raise PortalError(gettext('pm_portal.msg_activation_login'))
        if phone and (not phone.isdigit() or not 6 <= len(phone) <= 15):
            raise PortalError(gettext('pm_portal.msg_activation_phone'))
        if not password or len(password) < 8:
            raise PortalError(gettext('pm_portal.msg_password_short'))
        activations = cls.search([
                ('code', '=', code),
                ('state', '=', 'valid'),
                ], limit=1)
        if not code or not activations:
            raise PortalError(gettext('pm_portal.msg_activation_invalid'))
        activation, = activations
        if activation.expire and activation.expire < dt.date.today():
            raise PortalError(gettext('pm_portal.msg_activation_invalid'))
        if email and WebUser.search([('email', '=', email)], limit=1):
            raise PortalError(gettext('pm_portal.msg_activation_taken'))
        if phone and WebUser.search([('phone', '=', phone)], limit=1):
            raise PortalError(gettext('pm_portal.msg_activation_taken'))
        cls.lock([activation])
        user, = WebUser.create([{
                    'email': email,
                    'phone': phone,
                    'party': activation.party.id,
                    'portal_company': activation.company.id,
                    'activation': activation.id,
                    }])
        # set through the setter to run res.user's password rules
        user.password = password
        user.save()
        cls.write([activation], {'state': 'used'})
        return user


class BillNotice(metaclass=PoolMeta):
    __name__ = 'pm.bill.notice'

    @classmethod
    def get_context(cls, records, header, data):
        """Adds portal_code(bill): the unit's valid activation code printed
        on the notice (codes are issued by the daily cron or the button;
        none once the unit's resident has activated), and portal_url: the
        portal's address from the `[pm_portal] url` setting"""
        pool = Pool()
        Activation = pool.get('pm.portal.activation')
        context = super().get_context(records, header, data)
        codes = Activation.codes_for(
            list({r.unit.id for r in records}), issue=False)
        context['portal_code'] = lambda bill: codes.get(bill.unit.id, '')
        context['portal_url'] = config.get('pm_portal', 'url', default='')
        return context


class BuildingBillNotice(BillNotice):
    __name__ = 'pm.bill.notice.building'


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('pm.portal.activation|issue_missing',
                "Issue Portal Activation Codes"))
        cls.method.selection.append(
            ('pm.portal.payment|expire', "Expire Pending Online Payments"))

