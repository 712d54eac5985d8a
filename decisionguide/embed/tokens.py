"""The embed check page's form token: signed, expiring, and bound to its guide.

A frame on another site gets no cookies (third-party cookies blocked), so the
result POST from an embed can't carry Django's CSRF cookie. Its form carries this
token instead: `guide-slug:nonce`, signed with SECRET_KEY and timestamped. The nonce
is random per rendering, so it also serves as the page's idempotency nonce
(`results.idempotency`), as the CSRF token does on the full site.
"""

from __future__ import annotations

from django.core import signing
from django.middleware.csrf import CSRF_TOKEN_LENGTH
from django.utils.crypto import get_random_string

TOKEN_FIELD = "embed_token"
_SALT = "decisionguide.embed.form-token"
# Long enough to answer a questionnaire slowly; a stale page is refused with a way back.
MAX_AGE_SECONDS = 2 * 60 * 60


def make_token(slug: str) -> str:
    # The idempotency key expects a nonce as long as a masked CSRF token.
    nonce = get_random_string(CSRF_TOKEN_LENGTH)
    return signing.TimestampSigner(salt=_SALT).sign(f"{slug}:{nonce}")


def token_nonce(token: str, slug: str) -> str | None:
    """The token's nonce when it is ours, unexpired and for guide `slug`; else None."""
    try:
        value = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    signed_slug, _, nonce = value.rpartition(":")
    if signed_slug != slug or len(nonce) != CSRF_TOKEN_LENGTH:
        return None
    return nonce
