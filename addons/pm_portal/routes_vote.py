# This file is part of the pm suite (物业管理系统). See README.md.
"""Owners' votes 业主投票 and discussions 议题讨论 (backend: pm_vote; the
pages answer 404 where pm_vote is not activated)."""
from trytond.i18n import gettext

from .routes_billing import _report
from .web import PortalError, portal_route

CHOICES = [('yes', '同意'), ('no', '反对'), ('abstain', '弃权')]


def _model(portal, name):
    try:
        return portal.pool.get(name)
    except KeyError:
        portal.not_found()


def _estate_ids(portal):
    Unit = portal.pool.get('pm.unit')
    return list({u.estate.id for u in Unit.browse(portal.unit_ids)})


def _motion_domain(portal):
    return [
        ('state', 'in', ['open', 'closed']),
        ['OR',
            ('units', 'in', portal.owned_unit_ids or [-1]),
            ('estate', 'in', _estate_ids(portal) or [-1]),
            ],
        ]


@portal_route('/votes')
def votes(request, portal):
    Motion = _model(portal, 'pm.vote.motion')
    motions = Motion.search(_motion_domain(portal),
        order=[('date_end', 'DESC'), ('id', 'DESC')], limit=50)
    return portal.render('pm_portal/votes.html', motions=motions,
        title='业主投票')


@portal_route('/votes/<int:motion_id>')
def vote(request, portal, motion_id):
    _model(portal, 'pm.vote.motion')
    Ballot = portal.pool.get('pm.vote.ballot')
    Unit = portal.pool.get('pm.unit')
    motion = portal.get('pm.vote.motion', motion_id, _motion_domain(portal))
    eligible = {u.id for u in motion.units}
    mine = [u for u in Unit.browse(portal.owned_unit_ids) if u.id in eligible]
    ballots = {b.unit.id: b for b in Ballot.search([
                ('motion', '=', motion.id),
                ('unit', 'in', [u.id for u in mine] or [-1]),
                ])}
    return portal.render('pm_portal/vote.html', motion=motion,
        tally=motion.tally(), mine=mine, ballots=ballots, choices=CHOICES,
        title=motion.title)


@portal_route('/votes/<int:motion_id>/cast', methods=['POST'])
def vote_cast(request, portal, motion_id):
    Motion = _model(portal, 'pm.vote.motion')
    motion = portal.get('pm.vote.motion', motion_id, _motion_domain(portal))
    unit = portal.get('pm.unit', request.form.get('unit'),
        [('id', 'in', portal.owned_unit_ids)])
    choice = request.form.get('choice')
    if choice not in dict(CHOICES):
        raise PortalError(gettext('pm_portal.msg_field_required'))
    # Motion.cast checks the window, the eligibility and the ownership
    Motion.cast(motion, unit, portal.party, choice)
    portal.flash('投票成功，感谢参与。')
    return portal.redirect(f'/votes/{motion.id}')


@portal_route('/votes/<int:motion_id>/result.pdf')
def vote_result(request, portal, motion_id):
    _model(portal, 'pm.vote.motion')
    motion = portal.get('pm.vote.motion', motion_id,
        _motion_domain(portal) + [('state', '=', 'closed')])
    return _report(portal, 'pm.vote.motion.result', motion,
        'vote-%d' % motion.id)


def _topic_domain(portal):
    return [
        ('estate', 'in', _estate_ids(portal) or [-1]),
        ['OR',
            ('state', 'in', ['published', 'closed']),
            ('author', '=', portal.party.id),
            ],
        ]


@portal_route('/topics', methods=['GET', 'POST'])
def topics(request, portal):
    Topic = _model(portal, 'pm.vote.topic')
    Unit = portal.pool.get('pm.unit')
    if request.method == 'POST':
        estate = portal.get('pm.estate', request.form.get('estate'),
            [('id', 'in', _estate_ids(portal))])
        title = (request.form.get('title') or '').strip()[:100]
        if not title:
            raise PortalError(gettext('pm_portal.msg_field_required'))
        Topic.submit(estate, portal.party, title,
            body=(request.form.get('body') or '').strip()[:4000] or None)
        portal.flash('议题已提交，审核通过后公开。')
        return portal.redirect('/topics')
    records = Topic.search(_topic_domain(portal), limit=100)
    estates = list({u.estate for u in Unit.browse(portal.unit_ids)})
    return portal.render('pm_portal/topics.html', topics=records,
        estates=estates, title='议题讨论')


@portal_route('/topics/<int:topic_id>', methods=['GET', 'POST'])
def topic(request, portal, topic_id):
    Topic = _model(portal, 'pm.vote.topic')
    Post = portal.pool.get('pm.vote.post')
    record = portal.get('pm.vote.topic', topic_id, _topic_domain(portal))
    if request.method == 'POST':
        body = (request.form.get('body') or '').strip()[:4000]
        if not body:
            raise PortalError(gettext('pm_portal.msg_field_required'))
        Post.submit(record, portal.party, body)
        portal.flash('发言已提交，审核通过后公开。')
        return portal.redirect(f'/topics/{record.id}')
    posts = Post.search([
            ('topic', '=', record.id),
            ['OR',
                ('state', '=', 'approved'),
                [('party', '=', portal.party.id), ('state', '=', 'pending')],
                ],
            ], order=[('date', 'ASC'), ('id', 'ASC')])
    del Topic
    return portal.render('pm_portal/topic.html', topic=record, posts=posts,
        title=record.title)
