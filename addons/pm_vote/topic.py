# This file is part of the pm suite (物业管理系统). See README.md.
"""Discussion topics (议题讨论) with moderation.

A topic opened by the staff is published at once; one submitted by a
resident waits for moderation (待审核).  Posts of residents wait for
moderation too; only approved posts are shown to residents.  Only the
current owners, residents, tenants and family members of a unit of the
estate may submit topics and posts.
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.pm_estate.mixin import (
    EstateCompanyMixin, company_field, estate_domain, search_fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .exceptions import TopicError, TopicModifyError

TOPIC_STATES = [
    ('pending', "Pending Moderation"),
    ('published', "Published"),
    ('closed', "Closed"),
    ('rejected', "Rejected"),
    ]

POST_STATES = [
    ('pending', "Pending Moderation"),
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ]


def check_member(estate, party):
    "Raise unless party currently occupies a unit of estate"
    pool = Pool()
    Occupancy = pool.get('pm.occupancy')
    if not Occupancy.search([
                ('party', '=', party.id),
                ('unit.estate', '=', estate.id),
                ('current', '=', True),
                ], limit=1):
        raise TopicError(gettext(
                'pm_vote.msg_topic_not_member',
                party=party.rec_name, estate=estate.rec_name))


class Topic(EstateCompanyMixin, Workflow, ModelSQL, ModelView):
    "Discussion Topic"
    __name__ = 'pm.vote.topic'
    __string__ = "Discussion Topic"
    _rec_name = 'title'

    company = company_field()
    estate = fields.Many2One(
        'pm.estate', "Estate", required=True, ondelete='RESTRICT',
        domain=estate_domain(),
        states={'readonly': Eval('state') != 'pending'})
    motion = fields.Many2One(
        'pm.vote.motion', "Motion", ondelete='SET NULL',
        domain=[('estate', '=', Eval('estate', -1))],
        help="The motion discussed, if any.")
    title = fields.Char("Title", required=True)
    body = fields.Text("Text")
    author = fields.Many2One(
        'party.party', "Author", ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The resident who opened the topic; empty for the staff.")
    date = fields.DateTime("Date", required=True, readonly=True)
    state = fields.Selection(
        TOPIC_STATES, "State", readonly=True, required=True, sort=False)
    moderator = fields.Many2One('res.user', "Moderator", readonly=True)
    moderation_note = fields.Char("Moderation Note")
    posts = fields.One2Many('pm.vote.post', 'topic', "Posts")
    post_count = fields.Function(
        fields.Integer("Posts"), 'get_post_count')
    pending_count = fields.Function(
        fields.Integer("Pending Posts"), 'get_post_count')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.estate, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls.__rpc__['submit'] = RPC(readonly=False, result=int)
        cls._transitions |= {
            ('pending', 'published'),
            ('pending', 'rejected'),
            ('published', 'closed'),
            ('published', 'rejected'),
            ('closed', 'published'),
            }
        cls._buttons.update({
                'publish': {
                    'invisible': ~Eval('state').in_(['pending', 'closed']),
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'published',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': ~Eval('state').in_(
                        ['pending', 'published']),
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'published'

    @staticmethod
    def default_date():
        return dt.datetime.now()

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['title', 'estate.rec_name'])

    @classmethod
    def get_post_count(cls, topics, names):
        pool = Pool()
        Post = pool.get('pm.vote.post')
        result = {n: {t.id: 0 for t in topics} for n in names}
        posts = Post.search([('topic', 'in', [t.id for t in topics])])
        for post in posts:
            if 'post_count' in names and post.state == 'approved':
                result['post_count'][post.topic.id] += 1
            if 'pending_count' in names and post.state == 'pending':
                result['pending_count'][post.topic.id] += 1
        return result

    @classmethod
    def submit(cls, estate, party, title, body=None, motion=None):
        "A resident opens a topic; it waits for moderation"
        pool = Pool()
        Estate = pool.get('pm.estate')
        Party = pool.get('party.party')
        estate = Estate(int(estate))
        party = Party(int(party))
        check_member(estate, party)
        topic, = cls.create([{
                    'estate': estate.id,
                    'author': party.id,
                    'title': title,
                    'body': body,
                    'motion': int(motion) if motion else None,
                    'state': 'pending',
                    }])
        return topic

    @classmethod
    def _moderate(cls, topics):
        cls.write(topics, {'moderator': Transaction().user})

    @classmethod
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, topics):
        cls._moderate(topics)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, topics):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, topics):
        cls._moderate(topics)


class Post(Workflow, ModelSQL, ModelView):
    "Discussion Post"
    __name__ = 'pm.vote.post'
    __string__ = "Discussion Post"

    company = company_field()
    topic = fields.Many2One(
        'pm.vote.topic', "Topic", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state') != 'pending'})
    party = fields.Many2One(
        'party.party', "Author", ondelete='RESTRICT',
        context={'company': Eval('company', -1)}, depends={'company'},
        states={'readonly': Eval('state') != 'pending'},
        help="The resident who wrote the post; empty for the staff.")
    body = fields.Text("Text", required=True,
        states={'readonly': Eval('state') != 'pending'})
    date = fields.DateTime("Date", required=True, readonly=True)
    state = fields.Selection(
        POST_STATES, "State", readonly=True, required=True, sort=False)
    moderator = fields.Many2One('res.user', "Moderator", readonly=True)
    moderation_date = fields.DateTime("Moderated", readonly=True)
    moderation_note = fields.Char("Moderation Note",
        help="Why the post was rejected (shown to its author).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.topic, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.party, Index.Equality())),
                })
        cls._order = [('date', 'ASC'), ('id', 'ASC')]
        cls.__rpc__['submit'] = RPC(readonly=False, result=int)
        cls._transitions |= {
            ('pending', 'approved'),
            ('pending', 'rejected'),
            ('approved', 'rejected'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') == 'rejected',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_date():
        return dt.datetime.now()

    def get_rec_name(self, name):
        return f'{self.topic.rec_name} #{self.id}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_fields(clause, ['topic.rec_name', 'body'])

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Topic = pool.get('pm.vote.topic')
        values = super().preprocess_values(mode, values)
        if values.get('topic'):
            values['company'] = Topic(values['topic']).company.id
        return values

    @classmethod
    def on_modification(cls, mode, posts, field_names=None):
        super().on_modification(mode, posts, field_names=field_names)
        if mode == 'create':
            for post in posts:
                if post.topic.state != 'published':
                    raise TopicError(gettext(
                            'pm_vote.msg_topic_not_published',
                            topic=post.topic.rec_name))

    @classmethod
    def check_modification(cls, mode, posts, values=None, external=False):
        super().check_modification(
            mode, posts, values=values, external=external)
        if mode == 'delete':
            for post in posts:
                if post.state == 'approved':
                    raise TopicModifyError(gettext(
                            'pm_vote.msg_post_delete', post=post.rec_name))

    @classmethod
    def submit(cls, topic, party, body):
        "A resident posts on a published topic; it waits for moderation"
        pool = Pool()
        Topic = pool.get('pm.vote.topic')
        Party = pool.get('party.party')
        topic = Topic(int(topic))
        party = Party(int(party))
        check_member(topic.estate, party)
        post, = cls.create([{
                    'topic': topic.id,
                    'party': party.id,
                    'body': body,
                    }])
        return post

    @classmethod
    def _moderate(cls, posts):
        cls.write(posts, {
                'moderator': Transaction().user,
                'moderation_date': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, posts):
        cls._moderate(posts)

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, posts):
        cls._moderate(posts)
