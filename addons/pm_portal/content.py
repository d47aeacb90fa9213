# This file is part of the pm suite (物业管理系统). See README.md.
"""Notices 通知公告 with read tracking and community activities 社区活动."""
import datetime as dt

from sql import Null
from sql.aggregate import Count, Sum

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.pm_estate.mixin import id_batches, sql_in
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .web import PortalError


def _now():
    return dt.datetime.now().replace(microsecond=0)


class Notice(Workflow, ModelSQL, ModelView):
    "Notice 通知公告"
    __name__ = 'pm.portal.notice'
    __string__ = "Notice"

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    title = fields.Char("Title", required=True, states=_states)
    category = fields.Selection([
            ('notice', "Notice"),
            ('announcement', "Announcement"),
            ('news', "Community News"),
            ('warning', "Warning"),
            ], "Category", required=True, states=_states)
    body = fields.Text("Text", required=True, states=_states)
    estates = fields.Many2Many(
        'pm.portal.notice-pm.estate', 'notice', 'estate', "Estates",
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="Leave empty (and buildings empty) for every estate.")
    buildings = fields.Many2Many(
        'pm.portal.notice-pm.building', 'notice', 'building', "Buildings",
        domain=[('company', '=', Eval('company', -1))], states=_states)
    pinned = fields.Boolean("Pinned")
    published_at = fields.DateTime("Published at", readonly=True)
    expire = fields.Date("Expires", help="Hidden from the portal after.")
    reads = fields.One2Many(
        'pm.portal.notice.read', 'notice', "Reads", readonly=True)
    read_count = fields.Function(
        fields.Integer("Read by"), 'get_read_count')
    state = fields.Selection([
            ('draft', "Draft"),
            ('published', "Published"),
            ('archived', "Archived"),
            ], "State", required=True, readonly=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.company, Index.Equality()),
                (t.state, Index.Equality(cardinality='low'))))
        cls._order = [('pinned', 'DESC'), ('published_at', 'DESC NULLS FIRST'),
            ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'published'),
            ('published', 'archived'),
            ('published', 'draft'),
            ('archived', 'draft'),
            }
        cls._buttons.update({
                'publish': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'archive': {
                    'invisible': Eval('state') != 'published',
                    'icon': 'tryton-archive',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') == 'draft',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_category(cls):
        return 'notice'

    @classmethod
    def default_pinned(cls):
        return False

    @classmethod
    def get_read_count(cls, notices, name):
        pool = Pool()
        Read = pool.get('pm.portal.notice.read')
        read = Read.__table__()
        cursor = Transaction().connection.cursor()
        result = {n.id: 0 for n in notices}
        for sub in id_batches([n.id for n in notices]):
            cursor.execute(*read.select(read.notice, Count(read.id),
                    where=sql_in(read.notice, sub), group_by=[read.notice]))
            result.update(cursor)
        return result

    @classmethod
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, notices):
        cls.write(notices, {'published_at': _now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('archived')
    def archive(cls, notices):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, notices):
        pass

    @classmethod
    def portal_domain(cls, portal):
        "The published notices addressed to the units of the portal user"
        pool = Pool()
        Unit = pool.get('pm.unit')
        units = Unit.browse(portal.unit_ids)
        estates = list({u.estate.id for u in units})
        buildings = list({u.building.id for u in units if u.building})
        companies = list({u.company.id for u in units}) or (
            [portal.company.id] if portal.company else [-1])
        today = dt.date.today()
        return [
            ('company', 'in', companies),
            ('state', '=', 'published'),
            ['OR', ('expire', '=', None), ('expire', '>=', today)],
            ['OR',
                [('estates', '=', None), ('buildings', '=', None)],
                ('estates', 'in', estates or [-1]),
                ('buildings', 'in', buildings or [-1]),
                ],
            ]

    @classmethod
    def unread_ids(cls, notice_ids, web_user):
        pool = Pool()
        Read = pool.get('pm.portal.notice.read')
        read = Read.__table__()
        cursor = Transaction().connection.cursor()
        seen = set()
        for sub in id_batches(list(notice_ids)):
            cursor.execute(*read.select(read.notice,
                    where=sql_in(read.notice, sub)
                    & (read.web_user == web_user.id)))
            seen.update(n for n, in cursor)
        return [i for i in notice_ids if i not in seen]

    @classmethod
    def mark_read(cls, notices, web_user):
        pool = Pool()
        Read = pool.get('pm.portal.notice.read')
        unread = set(cls.unread_ids([n.id for n in notices], web_user))
        if unread:
            Read.create([{
                        'notice': i,
                        'web_user': web_user.id,
                        'party': web_user.party.id if web_user.party
                        else None,
                        'date': _now(),
                        } for i in unread])


class NoticeEstate(ModelSQL):
    "Notice - Estate"
    __name__ = 'pm.portal.notice-pm.estate'
    notice = fields.Many2One(
        'pm.portal.notice', "Notice", required=True, ondelete='CASCADE')
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='CASCADE')


class NoticeBuilding(ModelSQL):
    "Notice - Building"
    __name__ = 'pm.portal.notice-pm.building'
    notice = fields.Many2One(
        'pm.portal.notice', "Notice", required=True, ondelete='CASCADE')
    building = fields.Many2One(
        'pm.building', "Building", required=True, ondelete='CASCADE')


class NoticeRead(ModelSQL, ModelView):
    "Notice read 阅读记录"
    __name__ = 'pm.portal.notice.read'
    __string__ = "Notice Read"

    notice = fields.Many2One(
        'pm.portal.notice', "Notice", required=True, ondelete='CASCADE',
        readonly=True)
    company = fields.Function(
        fields.Many2One('company.company', "Company"), 'get_company',
        searcher='search_company')
    web_user = fields.Many2One(
        'web.user', "Web User", required=True, ondelete='CASCADE',
        readonly=True)
    party = fields.Many2One('party.party', "Party", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    date = fields.DateTime("Read at", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('notice_user_unique', Unique(t, t.notice, t.web_user),
                'pm_portal.msg_notice_read_unique'),
            ]
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    def get_company(self, name):
        return self.notice.company.id

    @classmethod
    def search_company(cls, name, clause):
        return [('notice.company',) + tuple(clause[1:])]


class Activity(Workflow, ModelSQL, ModelView):
    "Community activity 社区活动"
    __name__ = 'pm.portal.activity'
    __string__ = "Community Activity"

    _states = {'readonly': Eval('state').in_(['closed', 'cancelled'])}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    title = fields.Char("Title", required=True, states=_states)
    description = fields.Text("Description", states=_states)
    estate = fields.Many2One(
        'pm.estate', "Estate", states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="Leave empty for the residents of every estate.")
    location = fields.Char("Location", states=_states)
    start = fields.DateTime("Start", required=True, states=_states)
    end = fields.DateTime("End", states=_states)
    signup_deadline = fields.DateTime("Sign-up Deadline", states=_states)
    capacity = fields.Integer(
        "Capacity", states=_states,
        help="The number of participants; 0 for no limit.")
    max_persons = fields.Integer(
        "Persons per Sign-up", required=True, states=_states)
    registrations = fields.One2Many(
        'pm.portal.activity.registration', 'activity', "Registrations",
        readonly=True)
    registered = fields.Function(
        fields.Integer("Registered"), 'get_registered')
    state = fields.Selection([
            ('draft', "Draft"),
            ('open', "Open"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'open'),
            ('open', 'closed'),
            ('open', 'cancelled'),
            ('draft', 'cancelled'),
            ('closed', 'open'),
            }
        cls._buttons.update({
                'open': {
                    'invisible': ~Eval('state').in_(['draft', 'closed']),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'open',
                    'icon': 'tryton-close',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'open']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_capacity(cls):
        return 0

    @classmethod
    def default_max_persons(cls):
        return 4

    @classmethod
    def validate_fields(cls, activities, field_names):
        super().validate_fields(activities, field_names)
        for activity in activities:
            if activity.end and activity.end < activity.start:
                raise PortalError(gettext(
                        'pm_portal.msg_activity_dates',
                        activity=activity.rec_name))
            if (activity.capacity or 0) < 0 or activity.max_persons < 1:
                raise PortalError(gettext(
                        'pm_portal.msg_activity_capacity',
                        activity=activity.rec_name))

    def get_rec_name(self, name):
        return self.title

    @classmethod
    def get_registered(cls, activities, name):
        return cls.registered_persons([a.id for a in activities])

    @classmethod
    def registered_persons(cls, activity_ids):
        pool = Pool()
        Registration = pool.get('pm.portal.activity.registration')
        reg = Registration.__table__()
        cursor = Transaction().connection.cursor()
        result = {i: 0 for i in activity_ids}
        for sub in id_batches(list(activity_ids)):
            cursor.execute(*reg.select(reg.activity, Sum(reg.persons),
                    where=sql_in(reg.activity, sub)
                    & (reg.state == 'registered'),
                    group_by=[reg.activity]))
            result.update((a, int(p or 0)) for a, p in cursor)
        return result

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def open(cls, activities):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, activities):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, activities):
        pass

    @classmethod
    def portal_domain(cls, portal):
        pool = Pool()
        Unit = pool.get('pm.unit')
        units = Unit.browse(portal.unit_ids)
        estates = list({u.estate.id for u in units})
        companies = list({u.company.id for u in units}) or [-1]
        return [
            ('company', 'in', companies),
            ('state', 'in', ['open', 'closed']),
            ['OR', ('estate', '=', None), ('estate', 'in', estates or [-1])],
            ]

    def sign_up(self, web_user, persons=1, note=None, now=None):
        """Register the web user's party (within capacity, before the
        deadline); a cancelled registration is registered again"""
        pool = Pool()
        Registration = pool.get('pm.portal.activity.registration')
        now = now or _now()
        self.__class__.lock([self])
        activity = self.__class__(self.id)
        if activity.state != 'open' or (
                activity.signup_deadline and now > activity.signup_deadline
                ) or now > activity.start:
            raise PortalError(gettext(
                    'pm_portal.msg_activity_not_open',
                    activity=activity.rec_name))
        if not 1 <= persons <= activity.max_persons:
            raise PortalError(gettext(
                    'pm_portal.msg_activity_persons',
                    max=activity.max_persons))
        existing = Registration.search([
                ('activity', '=', activity.id),
                ('party', '=', web_user.party.id),
                ], limit=1)
        if existing and existing[0].state == 'registered':
            raise PortalError(gettext(
                    'pm_portal.msg_activity_already',
                    activity=activity.rec_name))
        if activity.capacity:
            taken = self.registered_persons([activity.id])[activity.id]
            if taken + persons > activity.capacity:
                raise PortalError(gettext(
                        'pm_portal.msg_activity_full',
                        activity=activity.rec_name,
                        left=max(activity.capacity - taken, 0)))
        values = {
            'persons': persons, 'note': note, 'state': 'registered',
            'date': now, 'web_user': web_user.id,
            }
        if existing:
            Registration.write(existing, values)
            return existing[0]
        registration, = Registration.create([dict(values,
                    activity=activity.id, party=web_user.party.id)])
        return registration

    def cancel_sign_up(self, web_user, now=None):
        pool = Pool()
        Registration = pool.get('pm.portal.activity.registration')
        now = now or _now()
        registrations = Registration.search([
                ('activity', '=', self.id),
                ('party', '=', web_user.party.id),
                ('state', '=', 'registered'),
                ])
        if not registrations:
            raise PortalError(gettext('pm_portal.msg_activity_not_registered'))
        if now > self.start:
            raise PortalError(gettext(
                    'pm_portal.msg_activity_started',
                    activity=self.rec_name))
        Registration.write(registrations, {
                'state': 'cancelled', 'date': now})


class ActivityRegistration(ModelSQL, ModelView):
    "Activity sign-up 活动报名"
    __name__ = 'pm.portal.activity.registration'
    __string__ = "Activity Sign-up"

    activity = fields.Many2One(
        'pm.portal.activity', "Activity", required=True, ondelete='CASCADE',
        readonly=True)
    company = fields.Function(
        fields.Many2One('company.company', "Company"), 'get_company',
        searcher='search_company')
    party = fields.Many2One(
        'party.party', "Party", required=True, readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    web_user = fields.Many2One('web.user', "Web User", readonly=True)
    persons = fields.Integer("Persons", required=True, readonly=True)
    note = fields.Char("Note", readonly=True)
    date = fields.DateTime("Date", readonly=True)
    state = fields.Selection([
            ('registered', "Registered"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('activity_party_unique', Unique(t, t.activity, t.party),
                'pm_portal.msg_activity_registration_unique'),
            ]
        cls._sql_indexes.add(Index(t,
                (t.activity, Index.Equality()),
                (t.state, Index.Equality(cardinality='low'))))

    @classmethod
    def default_state(cls):
        return 'registered'

    @classmethod
    def default_persons(cls):
        return 1

    def get_company(self, name):
        return self.activity.company.id

    @classmethod
    def search_company(cls, name, clause):
        return [('activity.company',) + tuple(clause[1:])]


__all__ = ['Null']
