# This file is part of the pm suite (物业管理系统). See README.md.
"""The portal framework: routes, sessions, CSRF, templates (see API.md).

Every page of the residents' and staff portal is a function decorated with
`portal_route`; it receives the werkzeug request and a `Portal` object that
knows the logged-in web user, their party and employee, renders Jinja2
templates of any addon and answers 404 for records that are not theirs.
"""
import datetime as dt
import functools
import hashlib
import hmac
import importlib
import logging
import os
import secrets
import urllib.parse
from decimal import Decimal

import jinja2
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, NotFound, TooManyRequests
from werkzeug.utils import redirect as _redirect

from trytond import backend
from trytond.exceptions import RateLimitException, UserError, UserWarning
from trytond.model.exceptions import ValidationError
from trytond.protocols.wrappers import (
    Response, set_max_request_size, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

logger = logging.getLogger(__name__)

SESSION_COOKIE = 'pm_portal'
CSRF_COOKIE = 'pm_portal_csrf'
CSRF_FIELD = 'csrf_token'
PREFIX = '/portal'
LANGUAGE = 'zh_CN'
#: photos: at most this many bytes each, of these types (sniffed, not trusted
#: from the browser)
MAX_UPLOAD = 5 * 1024 * 1024
MAX_UPLOADS = 6
MAX_REQUEST = MAX_UPLOADS * MAX_UPLOAD + 64 * 1024
IMAGE_TYPES = {
    b'\xff\xd8\xff': ('image/jpeg', 'jpg'),
    b'\x89PNG\r\n\x1a\n': ('image/png', 'png'),
    }


class PortalError(UserError):
    "An error shown to the portal user on the page (HTTP 400)"


# ---------------------------------------------------------------- templates

def _module_directory(module):
    mod = importlib.import_module(f'trytond.modules.{module}')
    return os.path.dirname(mod.__file__)


class ModuleLoader(jinja2.BaseLoader):
    """Loads '<module>/<file>' from the `templates/` folder of that addon"""

    def get_source(self, environment, template):
        module, _, name = template.partition('/')
        if not module or not name or '..' in name.split('/'):
            raise jinja2.TemplateNotFound(template)
        try:
            directory = os.path.join(_module_directory(module), 'templates')
        except ImportError:
            raise jinja2.TemplateNotFound(template)
        path = os.path.join(directory, *name.split('/'))
        if not os.path.isfile(path):
            raise jinja2.TemplateNotFound(template)
        mtime = os.path.getmtime(path)
        with open(path, encoding='utf-8') as fp:
            source = fp.read()
        return source, path, lambda: os.path.getmtime(path) == mtime


def _money(value, symbol='¥'):
    if value is None:
        return ''
    value = Decimal(value).quantize(Decimal('0.01'))
    return f'{symbol}{value:,}'


def _date(value, fmt='%Y-%m-%d'):
    if not value:
        return ''
    return value.strftime(fmt)


def _timezone():
    name = Transaction().context.get('portal_timezone')
    if name:
        try:
            from zoneinfo import ZoneInfo
            return ZoneInfo(name)
        except Exception:
            return None


def to_local(value):
    "A naive UTC datetime (Tryton's) in the company's time zone"
    tz = _timezone()
    if value and tz:
        value = value.replace(tzinfo=dt.timezone.utc).astimezone(tz).replace(
            tzinfo=None)
    return value


def to_utc(value):
    "A naive datetime typed in the company's time zone, in UTC"
    tz = _timezone()
    if value and tz:
        value = value.replace(tzinfo=tz).astimezone(dt.timezone.utc).replace(
            tzinfo=None)
    return value


def _datetime(value, fmt='%Y-%m-%d %H:%M'):
    if not value:
        return ''
    return to_local(value).strftime(fmt)


def _selection(record, field):
    "The translated label of a selection field's value"
    return record.__class__.fields_get([field])[field]['selection'] and dict(
        record.__class__.fields_get([field])[field]['selection']).get(
        getattr(record, field), '')


ENV = jinja2.Environment(
    loader=ModuleLoader(),
    autoescape=True,
    auto_reload=bool(int(os.getenv('TRYTOND_DEV', 0))),
    trim_blocks=True, lstrip_blocks=True,
    undefined=jinja2.ChainableUndefined)
ENV.filters['money'] = _money
ENV.filters['date'] = _date
ENV.filters['datetime'] = _datetime
ENV.globals['selection'] = _selection


# ---------------------------------------------------------------- SQL

_SQL = {}


def cached_sql(key, build, *values):
    """(text, params) of the python-sql query that build(*markers) returns,
    with values in the markers' places. The text is built once per key and
    backend: building a query costs about as much as running a small one,
    and the hot pages (session, bills) run the same queries every time."""
    cache_key = (key, backend.name, len(values))
    entry = _SQL.get(cache_key)
    if entry is None:
        if len(_SQL) > 1000:  # keys with page offsets: keep it bounded
            _SQL.clear()
        markers = [object() for _ in values]
        text, params = tuple(build(*markers))
        slots = []
        for param in params:
            for index, marker in enumerate(markers):
                if param is marker:
                    slots.append(index)
                    break
            else:
                slots.append(None)
        entry = _SQL[cache_key] = (text, tuple(params), tuple(slots))
    text, params, slots = entry
    return text, tuple(p if i is None else values[i]
        for p, i in zip(params, slots))


# ---------------------------------------------------------------- the portal

def _sign(key, message):
    return hmac.new(
        key.encode('utf-8'), message.encode('utf-8'),
        hashlib.sha256).hexdigest()


class Portal:
    """What a page gets: the request, the pool, the web user and helpers"""

    def __init__(self, request, pool, database_name):
        self.request = request
        self.pool = pool
        self.database_name = database_name
        self.session_key = request.cookies.get(SESSION_COOKIE) or None
        self.web_user = None
        self._csrf_cookie = None
        self._cookies = []
        self._clear = []
        self.messages = []

    # -- identity
    def load_session(self):
        if not self.session_key or len(self.session_key) > 128:
            return None
        self.web_user = self.pool.get('web.user').portal_session_user(
            self.session_key)
        return self.web_user

    @property
    def party(self):
        "The party of the web user (None for anonymous)"
        return self.web_user.party if self.web_user else None

    @property
    def employee(self):
        "The company.employee of a staff web user"
        return getattr(self.web_user, 'portal_employee', None) if (
            self.web_user) else None

    @property
    def company(self):
        return getattr(self.web_user, 'portal_company', None) if (
            self.web_user) else None

    @functools.cached_property
    def unit_ids(self):
        "Ids of the units of the party: current occupancy or billing party"
        if not self.party:
            return []
        return self.pool.get('web.user').portal_unit_ids(self.party)

    @functools.cached_property
    def owned_unit_ids(self):
        "Ids of the units the party currently owns"
        if not self.party:
            return []
        return self.pool.get('web.user').portal_unit_ids(
            self.party, roles=['owner'])

    def login(self, web_user):
        "Start a session for web_user (after authentication)"
        key = web_user.new_session()
        self.web_user = web_user
        self.session_key = key
        self._cookies.append((SESSION_COOKIE, key))
        self.__dict__.pop('unit_ids', None)

    def logout(self):
        if self.session_key:
            Session = self.pool.get('web.user.session')
            Session.remove(self.session_key)
        self.web_user = None
        self.session_key = None
        self._clear.append(SESSION_COOKIE)

    # -- CSRF
    @property
    def csrf_token(self):
        """The token every form must post back in the `csrf_token` field:
        bound to the session for a logged-in user, to a random cookie
        (double submit) otherwise"""
        if self.session_key and self.web_user:
            return _sign(self.session_key, 'csrf')
        value = self.request.cookies.get(CSRF_COOKIE)
        if not value or len(value) != 32:
            if not self._csrf_cookie:
                self._csrf_cookie = secrets.token_hex(16)
                self._cookies.append((CSRF_COOKIE, self._csrf_cookie))
            value = self._csrf_cookie
        return _sign(value, 'csrf-anonymous')

    def check_csrf(self):
        sent = self.request.form.get(CSRF_FIELD) or self.request.headers.get(
            'X-CSRF-Token') or ''
        if self.session_key and self.web_user:
            expected = _sign(self.session_key, 'csrf')
        else:
            value = self.request.cookies.get(CSRF_COOKIE) or ''
            expected = _sign(value, 'csrf-anonymous') if value else None
        if not expected or not hmac.compare_digest(sent, expected):
            logger.warning(
                "portal: CSRF rejected for %s %s from %s",
                self.request.method, self.request.path,
                self.request.remote_addr)
            raise CSRFError()

    def csrf_field(self):
        return Markup('<input type="hidden" name="%s" value="%s">') % (
            CSRF_FIELD, self.csrf_token)

    # -- urls
    def url(self, path='/', **params):
        "The absolute path of a portal page: url('/bills', page=2)"
        url = f'/{self.database_name}{PREFIX}{path}'
        params = {k: v for k, v in params.items() if v is not None}
        if params:
            url += '?' + urllib.parse.urlencode(params)
        return url

    def external_url(self, path='/', **params):
        "The url with scheme and host (for e-mails and payment callbacks)"
        return self.request.host_url.rstrip('/') + self.url(path, **params)

    def redirect(self, path='/', **params):
        "A 303 See Other to a portal page (after a POST)"
        if path.startswith('/' + self.database_name + '/'):
            return _redirect(path, 303)
        return _redirect(self.url(path, **params), 303)

    def redirect_external(self, url):
        "A 303 to a provider's page (absolute URL)"
        return _redirect(url, 303)

    @property
    def base_url(self):
        "https://host/<db>/portal (the external base of the portal)"
        return self.request.host_url.rstrip('/') + self.url('').rstrip('/')

    # -- records
    def get(self, model, record_id, domain=None):
        """The record of model with this id inside domain, or 404: use it
        for every id that comes from the URL or a form"""
        Model = self.pool.get(model)
        try:
            record_id = int(record_id)
        except (TypeError, ValueError):
            raise NotFound()
        records = Model.search(
            [('id', '=', record_id)] + list(domain or []), limit=1)
        if not records:
            raise NotFound()
        return records[0]

    def not_found(self):
        raise NotFound()

    def flash(self, message):
        self.messages.append(str(message))

    # -- uploads
    def images(self, field='photos'):
        """The uploaded images of a form field as [(name, data, mimetype)],
        checked by content; raises PortalError for other files"""
        from trytond.i18n import gettext
        files = [f for f in self.request.files.getlist(field) if f.filename]
        if len(files) > MAX_UPLOADS:
            raise PortalError(gettext(
                    'pm_portal.msg_upload_too_many', count=MAX_UPLOADS))
        result = []
        for i, file in enumerate(files, 1):
            data = file.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                raise PortalError(gettext(
                        'pm_portal.msg_upload_too_large',
                        name=file.filename, size=MAX_UPLOAD // 1024 // 1024))
            for magic, (mimetype, ext) in IMAGE_TYPES.items():
                if data.startswith(magic):
                    break
            else:
                raise PortalError(gettext(
                        'pm_portal.msg_upload_type', name=file.filename))
            result.append((f'photo-{i}.{ext}', data, mimetype))
        return result

    def attach(self, record, images):
        "Store images as ir.attachment of record"
        Attachment = self.pool.get('ir.attachment')
        if images:
            Attachment.create([{
                        'resource': str(record),
                        'name': name,
                        'type': 'data',
                        'data': data,
                        'description': mimetype,
                        } for name, data, mimetype in images])

    def attachments(self, record):
        Attachment = self.pool.get('ir.attachment')
        return Attachment.search([('resource', '=', str(record))],
            order=[('id', 'ASC')])

    # -- rendering
    def nav(self):
        if not self.web_user:
            return []
        links = self.web_user.portal_nav()
        return sorted(links, key=lambda l: (l.get('sequence', 50), l['url']))

    def render(self, template, status=200, **values):
        "Render '<module>/<file>.html' extending 'pm_portal/base.html'"
        values.setdefault('portal', self)
        values.setdefault('web_user', self.web_user)
        values.setdefault('party', self.party)
        values.setdefault('url', self.url)
        values.setdefault('csrf_field', self.csrf_field)
        values.setdefault('messages', self.messages)
        values.setdefault('today', dt.date.today())
        values.setdefault('request_path', self.request.path)
        html = ENV.get_template(template).render(**values)
        return Response(html, status=status,
            content_type='text/html; charset=utf-8')

    def finish(self, response):
        "Add cookies and security headers"
        secure = True
        for name, value in self._cookies:
            response.set_cookie(
                name, value, path=f'/{self.database_name}{PREFIX}',
                secure=secure, httponly=True, samesite='Lax',
                max_age=(30 * 24 * 3600 if name == SESSION_COOKIE else None))
        for name in self._clear:
            response.delete_cookie(
                name, path=f'/{self.database_name}{PREFIX}',
                secure=secure, httponly=True, samesite='Lax')
        headers = response.headers
        headers.setdefault('X-Content-Type-Options', 'nosniff')
        headers.setdefault('X-Frame-Options', 'DENY')
        headers.setdefault('Referrer-Policy', 'same-origin')
        headers.setdefault(
            'Content-Security-Policy',
            "default-src 'self'; img-src 'self' data:; "
            "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        if self.web_user:
            headers.setdefault('Cache-Control', 'no-store')
        return response


class CSRFError(HTTPException):
    code = 403
    description = "CSRF token missing or invalid"


def portal_route(path, methods=('GET',), login=True, staff=False,
        csrf=True, readonly=None, max_size=None):
    """Declare a portal page at /<database>/portal<path>.

    The function is called as func(request, portal, **url_values) inside a
    transaction (user root, language zh_CN, company of the web user) and
    returns a werkzeug Response (portal.render / portal.redirect) or a str.
    login: anonymous users are sent to the login page; staff: only web
    users linked to an employee (others get 404); csrf: POST needs the
    token; max_size: the largest request body accepted.
    """
    methods = list(methods)

    def decorator(func):
        @functools.wraps(func)
        def endpoint(request, pool, database_name=None, **kwargs):
            database_name = request.view_args.get('database_name')
            portal = Portal(request, pool, database_name)
            transaction = Transaction()
            try:
                try:
                    pool.get('web.user').portal_nav
                except (KeyError, AttributeError):
                    raise NotFound()  # pm_portal not activated here
                portal.load_session()
                if login and not portal.web_user:
                    if request.method == 'GET':
                        return portal.finish(portal.redirect(
                                '/login', next=request.full_path.rstrip('?')))
                    raise NotFound()
                if staff and not portal.employee:
                    raise NotFound()
                if request.method == 'POST' and csrf:
                    portal.check_csrf()
                context = {'language': LANGUAGE, 'portal': True,
                    'portal_base_url': portal.base_url}
                if portal.company:
                    context['company'] = portal.company.id
                    context['portal_timezone'] = getattr(
                        portal.company, 'timezone', None)
                    if portal.employee:
                        context['employee'] = portal.employee.id
                with transaction.set_context(context):
                    response = func(request, portal, **kwargs)
                    if isinstance(response, str):
                        response = Response(response,
                            content_type='text/html; charset=utf-8')
                    return portal.finish(response)
            except HTTPException as e:
                transaction.rollback()
                if e.code == 404:
                    with transaction.set_context(language=LANGUAGE):
                        return portal.finish(portal.render(
                                'pm_portal/error.html', status=404,
                                title='页面不存在', message=''))
                if isinstance(e, CSRFError):
                    with transaction.set_context(language=LANGUAGE):
                        return portal.finish(portal.render(
                                'pm_portal/error.html', status=403,
                                title='请求已失效',
                                message='表单已过期或来源不明，请返回刷新后重试。'))
                raise
            except RateLimitException:
                transaction.rollback()
                with transaction.set_context(language=LANGUAGE):
                    return portal.finish(portal.render(
                            'pm_portal/error.html', status=429,
                            title='尝试次数过多',
                            message='请稍后再试。'))
            except (UserError, UserWarning, ValidationError) as e:
                transaction.rollback()
                with transaction.set_context(language=LANGUAGE):
                    return portal.finish(portal.render(
                            'pm_portal/error.html', status=400,
                            title='无法完成操作', message=e.message))

        name = f'{func.__module__}.{func.__name__}'
        endpoint.__name__ = name
        wrapped = busy(with_pool(with_transaction(readonly=readonly)(endpoint)))
        if max_size:
            wrapped = set_max_request_size(max_size)(wrapped)
        app.route(f'/<database_name>{PREFIX}{path}', methods=methods)(wrapped)
        func.portal_endpoint = wrapped
        return func
    return decorator


BUSY_PAGE = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<title>系统繁忙</title></head><body><h1>系统繁忙</h1>'
    '<p>请稍后再试。</p></body></html>')


def busy(wrapped):
    """Answer 503 with Retry-After when the database stays locked (or
    unreachable) after trytond's retries: a clean page for residents, and a
    payment provider retries its notification later"""
    @functools.wraps(wrapped)
    def wrapper(request, *args, **kwargs):
        try:
            return wrapped(request, *args, **kwargs)
        except backend.DatabaseOperationalError:
            logger.warning("portal %s: database busy", request.path,
                exc_info=True)
            return Response(BUSY_PAGE, status=503,
                headers={'Retry-After': '5'},
                content_type='text/html; charset=utf-8')
    return wrapper


__all__ = ['portal_route', 'Portal', 'PortalError', 'ENV', 'MAX_REQUEST',
    'cached_sql',
    'TooManyRequests']
