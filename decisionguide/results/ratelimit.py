"""A fixed-window rate limit counted in the database.

The counter lives in the database, not in a worker's memory or a per-machine
cache, so the limit holds across every gunicorn worker and every app server
that shares the database. Each increment is one atomic UPDATE. Clients are
identified by a keyed hash of their address: the address itself is never
stored.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    period: timedelta


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only from known proxies.

    With DECISIONGUIDE_TRUSTED_PROXIES=N, the N-th address from the right of
    X-Forwarded-For is the client (each trusted proxy appends one).
    """
    proxies = settings.DECISIONGUIDE_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_key(request: HttpRequest, scope: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"{scope}:{client_address(request)}".encode(),
        hashlib.sha256,
    )
    return digest.hexdigest()[:32]


def window_start(now: datetime, period: timedelta) -> datetime:
    seconds = int(period.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def retry_after(limit: Limit, now: datetime | None = None) -> int:
    """Whole seconds until the current window ends (for a Retry-After header)."""
    now = now or timezone.now()
    end = window_start(now, limit.period) + limit.period
    return max(1, math.ceil((end - now).total_seconds()))


def hit(request: HttpRequest, limit: Limit) -> bool:
    """Count one attempt; True when the client is still within the limit."""
    from decisionguide.results.models import RateLimitCounter

    now = timezone.now()
    start = window_start(now, limit.period)
    key = client_key(request, limit.scope)
    with transaction.atomic():
        updated = RateLimitCounter.objects.filter(key=key, window_start=start).update(
            count=F("count") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:  # another worker created it first
                RateLimitCounter.objects.filter(key=key, window_start=start).update(
                    count=F("count") + 1
                )
        count = RateLimitCounter.objects.get(key=key, window_start=start).count
    # Old windows are useless; clear them now and then.
    if count == 1:
        RateLimitCounter.objects.filter(window_start__lt=start - limit.period).delete()
    return count <= limit.count
