# This file is part of the pm suite (物业管理系统). See README.md.
"""Notices, activities, units and household pages."""
from trytond.i18n import gettext

from .web import PortalError, portal_route


@portal_route('/notices')
def notices(request, portal):
    Notice = portal.pool.get('pm.portal.notice')
    records = Notice.search(Notice.portal_domain(portal), limit=100)
    unread = set(Notice.unread_ids([n.id for n in records],
            portal.web_user))
    return portal.render('pm_portal/notices.html', notices=records,
        unread=unread, title='通知公告')


@portal_route('/notices/<int:notice_id>', readonly=False)
def notice(request, portal, notice_id):
    Notice = portal.pool.get('pm.portal.notice')
    record = portal.get('pm.portal.notice', notice_id,
        Notice.portal_domain(portal))
    Notice.mark_read([record], portal.web_user)
    return portal.render('pm_portal/notice.html', notice=record,
        title=record.title)


def _my_activity(portal, activity_id):
    Activity = portal.pool.get('pm.portal.activity')
    return portal.get('pm.portal.activity', activity_id,
        Activity.portal_domain(portal))


@portal_route('/activities')
def activities(request, portal):
    Activity = portal.pool.get('pm.portal.activity')
    Registration = portal.pool.get('pm.portal.activity.registration')
    records = Activity.search(Activity.portal_domain(portal), limit=100)
    taken = Activity.registered_persons([a.id for a in records])
    mine = {r.activity.id for r in Registration.search([
                ('activity', 'in', [a.id for a in records]),
                ('party', '=', portal.party.id),
                ('state', '=', 'registered'),
                ])}
    return portal.render('pm_portal/activities.html', activities=records,
        taken=taken, mine=mine, title='社区活动')


@portal_route('/activities/<int:activity_id>')
def activity(request, portal, activity_id):
    Activity = portal.pool.get('pm.portal.activity')
    Registration = portal.pool.get('pm.portal.activity.registration')
    record = _my_activity(portal, activity_id)
    mine = Registration.search([
            ('activity', '=', record.id),
            ('party', '=', portal.party.id),
            ('state', '=', 'registered'),
            ], limit=1)
    taken = Activity.registered_persons([record.id])[record.id]
    return portal.render('pm_portal/activity.html', activity=record,
        mine=mine[0] if mine else None, taken=taken, title=record.title)


@portal_route('/activities/<int:activity_id>/signup', methods=['POST'])
def activity_signup(request, portal, activity_id):
    record = _my_activity(portal, activity_id)
    try:
        persons = int(request.form.get('persons', 1))
    except ValueError:
        raise PortalError(gettext(
                'pm_portal.msg_activity_persons', max=record.max_persons))
    record.sign_up(portal.web_user, persons=persons,
        note=(request.form.get('note') or '')[:200] or None)
    portal.flash('报名成功。')
    return portal.redirect(f'/activities/{record.id}')


@portal_route('/activities/<int:activity_id>/cancel', methods=['POST'])
def activity_cancel(request, portal, activity_id):
    record = _my_activity(portal, activity_id)
    record.cancel_sign_up(portal.web_user)
    portal.flash('已取消报名。')
    return portal.redirect(f'/activities/{record.id}')


@portal_route('/units')
def units(request, portal):
    pool = portal.pool
    Unit = pool.get('pm.unit')
    Occupancy = pool.get('pm.occupancy')
    records = Unit.browse(portal.unit_ids)
    # the household: the current occupants of the units (id numbers are
    # never shown in the portal)
    occupants = Occupancy.search([
            ('unit', 'in', [u.id for u in records]),
            ('current', '=', True),
            ], order=[('unit', 'ASC'), ('role', 'ASC'), ('id', 'ASC')])
    by_unit = {}
    for occupancy in occupants:
        by_unit.setdefault(occupancy.unit.id, []).append(occupancy)
    return portal.render('pm_portal/units.html', units=records,
        occupants=by_unit, title='我的房屋')
