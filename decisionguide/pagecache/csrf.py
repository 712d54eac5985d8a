"""Django's get_token, with its random characters drawn in one system call.

`django.middleware.csrf.get_token` masks the visitor's secret afresh for every
response (Django's BREACH mitigation for the token), drawing each of the mask's 32
characters, and a new visitor's secret's 32 too, with its own `secrets.choice`:
one `os.urandom` call per character. On a cached page with a form that was a third
of the whole answer (README, "Benchmark"). This is the same function: the same
secret and cookie flags in request.META, the same mask-and-add cipher that Django's
`_unmask_cipher_token` reads, the same uniform characters, drawn from one
`os.urandom` call.
"""

from __future__ import annotations

import os
from operator import add

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

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
