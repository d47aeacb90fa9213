# This file is part of the pm suite (物业管理系统). See README.md.
"""Pages of the extras: visitors' QR passes, guards' patrol and pass check
(pm_security), my parking (pm_parking). They answer 404 in a database
where the addon is not activated."""
import base64
import datetime as dt

from trytond.i18n import gettext
from trytond.transaction import Transaction

from .web import PortalError, portal_route, to_local, to_utc


def _model(portal, name):
    try:
        return portal.pool.get(name)
    except KeyError:
        portal.not_found()


def _now():
    return dt.datetime.now().replace(second=0, microsecond=0)


# ------------------------------------------------------------- visitors

@portal_route('/visitors')
def visitors(request, portal):
    Pass = _model(portal, 'pm.visitor.pass')
    passes = Pass.search([('resident', '=', portal.party.id)], limit=50)
    return portal.render('pm_portal/visitors.html', passes=passes,
        title='访客邀请')


@portal_route('/visitors/new', methods=['GET', 'POST'])
def visitor_new(request, portal):
    Pass = _model(portal, 'pm.visitor.pass')
    Unit = portal.pool.get('pm.unit')
    units = Unit.browse(portal.unit_ids)
    if request.method == 'POST':
        form = request.form
        unit = portal.get('pm.unit', form.get('unit'),
            [('id', 'in', portal.unit_ids)])
        name = (form.get('visitor_name') or '').strip()[:100]
        if not name:
            raise PortalError(gettext('pm_portal.msg_field_required'))
        try:
            start = to_utc(dt.datetime.strptime(
                form.get('valid_from') or '', '%Y-%m-%dT%H:%M'))
        except ValueError:
            start = _now()
        try:
            hours = min(max(int(form.get('hours') or 4), 1), 72)
            count = min(max(int(form.get('visitors') or 1), 1), 20)
        except ValueError:
            raise PortalError(gettext('pm_portal.msg_field_required'))
        with Transaction().set_context(company=unit.company.id):
            pass_, = Pass.create([{
                        'unit': unit.id,
                        'resident': portal.party.id,
                        'visitor_name': name,
                        'visitor_phone': (form.get('visitor_phone') or ''
                            ).strip()[:30] or None,
                        'plate': (form.get('plate') or '').strip()[:20]
                        or None,
                        'visitors': count,
                        'valid_from': start,
                        'valid_to': start + dt.timedelta(hours=hours),
                        }])
        return portal.redirect(f'/visitors/{pass_.id}')
    return portal.render('pm_portal/visitor_new.html', units=units,
        now=to_local(_now()), title='邀请访客')


@portal_route('/visitors/<int:pass_id>', methods=['GET', 'POST'])
def visitor(request, portal, pass_id):
    Pass = _model(portal, 'pm.visitor.pass')
    pass_ = portal.get('pm.visitor.pass', pass_id,
        [('resident', '=', portal.party.id)])
    if request.method == 'POST':
        if pass_.state == 'valid':
            Pass.cancel([pass_])
        return portal.redirect('/visitors')
    qr = None
    if pass_.state == 'valid' and pass_.qr_image:
        qr = 'data:image/png;base64,' + base64.b64encode(
            pass_.qr_image).decode('ascii')
    return portal.render('pm_portal/visitor.html', pass_=pass_, qr=qr,
        title='访客通行证')


# ------------------------------------------------------------- parking

@portal_route('/parking')
def parking(request, portal):
    Contract = _model(portal, 'pm.parking.contract')
    Space = portal.pool.get('pm.parking.space')
    contracts = Contract.search([('customer', '=', portal.party.id)],
        order=[('start_date', 'DESC')], limit=50)
    spaces = Space.search(['OR',
            ('customer', '=', portal.party.id),
            ('unit', 'in', portal.unit_ids or [-1]),
            ], limit=50)
    return portal.render('pm_portal/parking.html', contracts=contracts,
        spaces=spaces, title='我的车位')


# ------------------------------------------------------------- guards

def _my_round(portal, round_id):
    _model(portal, 'pm.patrol.round')
    return portal.get('pm.patrol.round', round_id, [
            ('company', '=', portal.employee.company.id),
            ('guard', '=', portal.employee.id),
            ])


@portal_route('/staff/patrol', staff=True)
def patrol(request, portal):
    Round = _model(portal, 'pm.patrol.round')
    rounds = Round.search([
            ('company', '=', portal.employee.company.id),
            ('guard', '=', portal.employee.id),
            ('state', 'in', ['planned', 'in_progress']),
            ], order=[('planned_start', 'ASC')], limit=50)
    return portal.render('pm_portal/patrol.html', rounds=rounds,
        title='巡更')


@portal_route('/staff/patrol/<int:round_id>', methods=['GET', 'POST'],
    staff=True)
def patrol_round(request, portal, round_id):
    Round = _model(portal, 'pm.patrol.round')
    round_ = _my_round(portal, round_id)
    if request.method == 'POST':
        data = (request.form.get('data') or '').strip()[:200]
        if not data:
            raise PortalError(gettext('pm_portal.msg_field_required'))
        with Transaction().set_context(company=round_.company.id):
            scan = Round.record_scan(round_, data=data,
                guard=portal.employee)
        portal.flash('已打卡：%s' % (
            scan.checkpoint.rec_name if scan.checkpoint else data))
        return portal.redirect(f'/staff/patrol/{round_.id}')
    return portal.render('pm_portal/patrol_round.html', round_=round_,
        title='巡更 %s' % round_.rec_name)


@portal_route('/staff/pass', methods=['GET', 'POST'], staff=True)
def pass_check(request, portal):
    Pass = _model(portal, 'pm.visitor.pass')
    visitor = None
    if request.method == 'POST':
        from trytond.modules.pm_security.common import normalize_code
        from trytond.modules.pm_security.visitor import PASS_PREFIX
        code = (request.form.get('code') or '').strip()[:100]
        # only the passes of the guard's company (checked before the pass
        # is consumed)
        if not Pass.search([
                    ('code', '=', normalize_code(code, PASS_PREFIX)),
                    ('company', '=', portal.employee.company.id),
                    ], limit=1):
            raise PortalError(gettext(
                    'pm_security.msg_pass_unknown', code=code))
        with Transaction().set_context(
                company=portal.employee.company.id,
                employee=portal.employee.id):
            # check_in raises a translated PassError (unknown, used,
            # expired, another estate): shown on the error page
            visitor = Pass.check_in(code, guard=portal.employee)
    return portal.render('pm_portal/pass_check.html', visitor=visitor,
        title='访客核验')
