# This file is part of the pm suite (物业管理系统). See README.md.
"""Account pages: login, logout, activation, password reset, home."""
import logging
from email.message import EmailMessage

from trytond.config import config
from trytond.i18n import gettext
from trytond.sendmail import send_message_transactional
from trytond.transaction import Transaction

from .web import PortalError, portal_route

logger = logging.getLogger(__name__)


def _safe_next(portal, value):
    "Only a path of this portal (no open redirect)"
    prefix = portal.url('/')
    if value and value.startswith(prefix) and '//' not in value[1:] and (
            '\\' not in value):
        return value
    return prefix


@portal_route('/static/<name>', login=False)
def static(request, portal, name):
    import os
    directory = os.path.join(os.path.dirname(__file__), 'static')
    if name not in os.listdir(directory):
        portal.not_found()
    from werkzeug.wrappers import Response
    with open(os.path.join(directory, name), 'rb') as fp:
        data = fp.read()
    mimetype = {'css': 'text/css', 'svg': 'image/svg+xml',
        'js': 'text/javascript'}.get(name.rsplit('.', 1)[-1],
        'application/octet-stream')
    response = Response(data, mimetype=mimetype)
    response.headers['Cache-Control'] = 'public, max-age=86400'
    return response


@portal_route('/ping', login=False)
def ping(request, portal):
    "The cheapest route (the benchmark's floor): no session, no query"
    from werkzeug.wrappers import Response
    return Response('ok', mimetype='text/plain')


@portal_route('/login', methods=['GET', 'POST'], login=False)
def login(request, portal):
    pool = portal.pool
    WebUser = pool.get('web.user')
    next_ = _safe_next(portal, request.args.get('next')
        or request.form.get('next'))
    error = None
    if request.method == 'POST':
        user = WebUser.portal_login(
            request.form.get('login'), request.form.get('password'))
        if user:
            portal.login(user)
            if not user.party and user.portal_employee:
                next_ = _safe_next(portal, request.form.get('next')) if (
                    request.form.get('next')) else portal.url('/staff')
            return portal.redirect(next_)
        error = gettext('pm_portal.msg_login_failed')
    elif portal.web_user:
        return portal.redirect(next_)
    return portal.render('pm_portal/login.html', status=400 if error else 200,
        error=error, next=next_, login=request.form.get('login', ''))


@portal_route('/logout', methods=['POST'])
def logout(request, portal):
    portal.logout()
    return portal.redirect('/login')


@portal_route('/activate', methods=['GET', 'POST'], login=False)
def activate(request, portal):
    pool = portal.pool
    Activation = pool.get('pm.portal.activation')
    error = None
    form = request.form
    if request.method == 'POST':
        if form.get('password') != form.get('password2'):
            error = gettext('pm_portal.msg_password_mismatch')
        else:
            try:
                user = Activation.activate(
                    form.get('code'), form.get('email'), form.get('phone'),
                    form.get('password'))
            except PortalError as e:
                error = e.message
            else:
                portal.login(user)
                portal.flash('账户已激活，欢迎使用住户服务。')
                return portal.redirect('/')
    return portal.render('pm_portal/activate.html',
        status=400 if error else 200, error=error,
        form={k: form.get(k, '') for k in ['code', 'email', 'phone']}
        if request.method == 'POST' else {
            'code': request.args.get('code', '')})


def _send_reset(portal, user):
    url = portal.external_url('/reset/confirm',
        email=user.email, token=user.reset_password_token)
    msg = EmailMessage()
    msg['Subject'] = '重置住户服务密码'
    msg['From'] = config.get('email', 'from')
    msg['To'] = user.email
    msg.set_content(
        '您好，\n\n请在24小时内打开下面的链接设置新密码：\n'
        f'{url}\n\n如果不是您本人操作，请忽略此邮件。\n')
    send_message_transactional(msg)


@portal_route('/reset', methods=['GET', 'POST'], login=False)
def reset(request, portal):
    pool = portal.pool
    WebUser = pool.get('web.user')
    sent = False
    if request.method == 'POST':
        email = (request.form.get('email') or '').strip().lower()
        users = WebUser.search([('email', '=', email)], limit=1) if (
            email) else []
        if users:
            user, = users
            if (not user.reset_password_token_expire
                    or user.reset_password_token_expire
                    < __import__('datetime').datetime.now()):
                user.set_reset_password_token()
                user.save()
                _send_reset(portal, user)
        # the same answer whether the address exists or not
        sent = True
    return portal.render('pm_portal/reset.html', sent=sent)


@portal_route('/reset/confirm', methods=['GET', 'POST'], login=False)
def reset_confirm(request, portal):
    pool = portal.pool
    WebUser = pool.get('web.user')
    values = request.form if request.method == 'POST' else request.args
    email, token = values.get('email', ''), values.get('token', '')
    error = None
    if request.method == 'POST':
        password = request.form.get('password') or ''
        if password != request.form.get('password2'):
            error = gettext('pm_portal.msg_password_mismatch')
        elif len(password) < 8:
            error = gettext('pm_portal.msg_password_short')
        elif email and token and WebUser.set_password_token(
                email, token, password):
            portal.flash('密码已重置，请登录。')
            return portal.redirect('/login')
        else:
            error = gettext('pm_portal.msg_reset_invalid')
    return portal.render('pm_portal/reset_confirm.html',
        status=400 if error else 200, error=error, email=email, token=token)


@portal_route('/account', methods=['GET', 'POST'])
def account(request, portal):
    pool = portal.pool
    WebUser = pool.get('web.user')
    error = None
    if request.method == 'POST':
        user = portal.web_user
        old = request.form.get('old_password') or ''
        new = request.form.get('password') or ''
        valid, _ = WebUser.check_password(old, user.password_hash or '')
        if not valid:
            error = gettext('pm_portal.msg_login_failed')
        elif new != request.form.get('password2'):
            error = gettext('pm_portal.msg_password_mismatch')
        elif len(new) < 8:
            error = gettext('pm_portal.msg_password_short')
        else:
            user.password = new
            user.save()
            portal.flash('密码已修改。')
    return portal.render('pm_portal/account.html',
        status=400 if error else 200, error=error)


@portal_route('/')
def home(request, portal):
    user = portal.web_user
    if not user.party:
        return portal.redirect('/staff')
    cards = user.portal_home_cards(portal)
    cards.sort(key=lambda c: c.get('sequence', 50))
    return portal.render('pm_portal/home.html', cards=cards)


__all__ = ['Transaction', 'logger']


@portal_route('/<path:rest>', methods=['GET', 'POST'], login=False,
    csrf=False)
def not_found(request, portal, rest):
    "Any other path under the portal: the portal's 404 page"
    portal.not_found()
