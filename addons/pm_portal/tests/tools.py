# This file is part of the pm suite (物业管理系统). See README.md.
"""Helpers for the portal tests: a werkzeug client, login, CSRF, keys."""
import re

from werkzeug.test import Client

BASE = 'https://localhost'
_csrf = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')

__all__ = ['client', 'csrf_of', 'portal_login', 'Browser', 'rsa_keys',
    'png']


def client():
    from trytond.wsgi import app
    return Client(app)


def csrf_of(html):
    match = _csrf.search(html)
    return match.group(1) if match else None


class Browser:
    """A werkzeug client with the cookies of one person, on https"""

    def __init__(self, database):
        self.client = client()
        self.db = database
        self.last = None

    def url(self, path):
        return f'/{self.db}/portal{path}'

    def get(self, path, **kwargs):
        self.last = self.client.get(self.url(path), base_url=BASE, **kwargs)
        return self.last

    def post(self, path, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf is True:
            data.setdefault('csrf_token', self.csrf())
        elif csrf:
            data['csrf_token'] = csrf
        self.last = self.client.post(
            self.url(path), data=data, base_url=BASE, **kwargs)
        return self.last

    def csrf(self, path='/account'):
        "A CSRF token valid for this browser's session (or anonymous)"
        response = self.client.get(self.url(path), base_url=BASE)
        if response.status_code != 200:
            response = self.client.get(self.url('/login'), base_url=BASE)
        return csrf_of(response.get_data(as_text=True))

    def text(self, path=None):
        response = self.get(path) if path else self.last
        return response.get_data(as_text=True)

    def login(self, login, password):
        token = self.csrf('/login')
        return self.post('/login', {'login': login, 'password': password},
            csrf=token)


def portal_login(browser, login, password):
    "Log in and return the session's CSRF token"
    browser.login(login, password)
    return browser.csrf()


def rsa_keys():
    "A fresh 2048-bit RSA key pair as (private PEM, public PEM) strings"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode('ascii')
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo).decode('ascii')
    return private, public


def png(width=2, height=2):
    "A tiny valid PNG image (bytes)"
    import png as pypng
    import io
    buf = io.BytesIO()
    pypng.Writer(width, height, greyscale=True).write(
        buf, [[0] * width for _ in range(height)])
    return buf.getvalue()
