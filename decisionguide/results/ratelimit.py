"""A fixed-window rate limit counted in the database.

The counter lives in the database, not in a worker's memory or a per-machine
cache, so the limit holds across every gunicorn worker and every app server
that shares the database. Each increment is one atomic UPDATE. Clients are
identified by a keyed hash of their address: the address itself is never
stored.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    period: timedelta


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or the one a trusted proxy forwarded.

    X-Forwarded-For is read only when the connection comes from a trusted proxy
    (DECISIONGUIDE_TRUSTED_PROXIES: addresses or CIDR ranges). Each proxy appends the
    address it got the request from, so the list is read from the right, past every
    trusted proxy: the first address that is not one is the client. Anything left of it
    was written by the client and may be forged. An entry that is not an address (a
    port, garbage) ends the walk at the last trusted proxy: such clients share its
    address, and so its allowance, rather than choosing their own.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = trusted_networks(tuple(settings.DECISIONGUIDE_TRUSTED_PROXIES))
    address = parse_address(remote)
    if address is None or not is_trusted(address, networks):
        return remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = parse_address(entry.strip())
        if hop is None:
            break
        address = hop
        if not is_trusted(hop, networks):
            break
    return str(address)


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The setting's ranges, parsed once (settings.py has checked them)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def parse_address(text: str) -> Address | None:
    """An IP address (an IPv4 address in IPv6 form as the IPv4 one), or None."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


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


def wait_in_words(seconds: int) -> str:
    """A Retry-After value as a person says it: "about 47 minutes".

    Rounded up, so the visitor who waits as long as it says is let in.
    """
    if seconds < 60:
        return gettext("less than a minute")
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return ngettext("about %(count)d minute", "about %(count)d minutes", minutes) % {
            "count": minutes
        }
    hours = math.ceil(minutes / 60)
    return ngettext("about %(count)d hour", "about %(count)d hours", hours) % {"count": hours}


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
