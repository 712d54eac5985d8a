"""Django's get_token, with its random characters drawn in one system call, and its
CSRF cookie made from a line Django wrote this second.

`django.middleware.csrf.get_token` masks the visitor's secret afresh for every
response (Django's BREACH mitigation for the token), drawing each of the mask's 32
characters, and a new visitor's secret's 32 too, with its own `secrets.choice`:
one `os.urandom` call per character. On a cached page with a form that was a third
of the whole answer (README, "Benchmark"). This is the same function: the same
secret and cookie flags in request.META, the same mask-and-add cipher that Django's
`_unmask_cipher_token` reads, the same uniform characters, drawn from one
`os.urandom` call.

`set_cookie` is CsrfViewMiddleware's process_response for the fast path. Setting the
cookie through `HttpResponse.set_cookie` (eight settings read, the expiry date
formatted, the Vary header parsed again) and writing it out through `http.cookies`
cost a quarter of a fast answer with a form. Django still writes the cookie, once a
second per worker, for a stand-in secret; each response takes that line with the
visitor's secret in its place, so the header is Django's to the character.
"""

from __future__ import annotations

import os
import time
from http.cookies import Morsel
from operator import add
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware

_CHARS = CSRF_ALLOWED_CHARS.encode()
_COUNT = len(_CHARS)  # 62
# A random byte below _LIMIT (a multiple of 62) stands for one character uniformly (its
# value mod 62); a byte above it is dropped. The tables make each step one C call.
_LIMIT = 256 - 256 % _COUNT
_DROPPED = bytes(range(_LIMIT, 256))
_TO_CHAR = bytes(_CHARS[b % _COUNT] for b in range(256))
_TO_INDEX = bytes(_CHARS.find(b) % 256 for b in range(256))  # a character's place in _CHARS
_MOD = bytes(b % _COUNT for b in range(256))


def _draw(length: int) -> bytes:
    """`length` random bytes below _LIMIT."""
    drawn = b""
    while len(drawn) < length:
        # 3% of bytes are dropped: half as many again makes a second round very rare.
        drawn += os.urandom(length + length // 2).translate(None, _DROPPED)
    return drawn[:length]


def random_chars(length: int = CSRF_SECRET_LENGTH) -> str:
    """`length` characters drawn uniformly from CSRF_ALLOWED_CHARS, as
    `get_random_string(length, CSRF_ALLOWED_CHARS)` draws them."""
    return _draw(length).translate(_TO_CHAR).decode()


def mask(secret: str) -> str:
    """A token for `secret` under a new random mask: Django's `_mask_cipher_secret` (each
    character of the cipher is the secret's plus the mask's, mod 62)."""
    drawn = _draw(CSRF_SECRET_LENGTH)
    secret_places = secret.encode().translate(_TO_INDEX)
    sums = bytes(map(add, secret_places, drawn.translate(_MOD)))
    return (drawn.translate(_TO_CHAR) + sums.translate(_TO_CHAR)).decode()


def get_token(request: HttpRequest) -> str:
    """`django.middleware.csrf.get_token`: the visitor's secret (a new one, and their
    cookie set, for a first visit), masked afresh."""
    meta = request.META
    if "CSRF_COOKIE" in meta:
        secret = meta["CSRF_COOKIE"]
    else:
        secret = meta["CSRF_COOKIE"] = random_chars()
    meta["CSRF_COOKIE_NEEDS_UPDATE"] = True  # the cookie goes out (its expiry renewed)
    return mask(secret)


class _Cookie(Morsel):
    """A cookie whose header line is already written (`http.cookies` would write it again)."""

    line = ""

    def OutputString(self, attrs: Any = None) -> str:
        return self.line


# A stand-in secret: as long as a real one, and in CSRF_ALLOWED_CHARS, so Django quotes it
# as it would quote a visitor's (not at all).
_STAND_IN = "0" * CSRF_SECRET_LENGTH
# (second, the cookie's name, the line's text before and after the secret, the cookie's
# attributes) for the second Django wrote it in.
_Written = tuple[int, str, str, str, dict[str, Any]]
_written: _Written | None = None


@receiver(setting_changed)
def _forget_the_cookie(**kwargs: Any) -> None:
    global _written
    _written = None


def _cookie_as_django_writes_it(second: int) -> _Written:
    global _written
    stand_in = HttpRequest()
    stand_in.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    stand_in.META["CSRF_COOKIE"] = _STAND_IN
    response = CsrfViewMiddleware(HttpResponse).process_response(stand_in, HttpResponse())
    name = settings.CSRF_COOKIE_NAME
    before, after = response.cookies[name].OutputString().split(_STAND_IN, 1)
    _written = (second, name, before, after, dict(response.cookies[name]))
    return _written


def set_cookie(request: HttpRequest, response: HttpResponse) -> None:
    """CsrfViewMiddleware.process_response, for a response whose Vary already names Cookie
    (a cached page with a form): the visitor's CSRF cookie, when it has to go out."""
    if settings.CSRF_USE_SESSIONS:
        CsrfViewMiddleware(HttpResponse).process_response(request, response)
        return
    meta = request.META
    if not meta.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return
    second = int(time.time())
    written = _written if _written is not None and _written[0] == second else None
    _, name, before, after, attributes = written or _cookie_as_django_writes_it(second)
    secret = meta["CSRF_COOKIE"]
    cookie = _Cookie.__new__(_Cookie)  # Morsel's __init__ would set each attribute anew
    dict.update(cookie, attributes)
    cookie._key = name
    cookie._value = cookie._coded_value = secret
    cookie.line = f"{before}{secret}{after}"
    response.cookies[name] = cookie
    meta["CSRF_COOKIE_NEEDS_UPDATE"] = False
