"""Which sites may frame a guide: the allowed origins of its published version."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http import HttpRequest

from decisionguide.content.models import Guide
from decisionguide.results.models import Result


@dataclass(frozen=True)
class Embeddable:
    """A published guide's id, version number and allowed origins."""

    guide_id: int
    version: int
    origins: tuple[str, ...]


def published_guide(slug: str) -> Embeddable | None:
    """The published guide `slug` as embed pages see it; None when visitors can't see it."""
    guide = Guide.objects.published().select_related("published_version").filter(slug=slug).first()
    if guide is None or guide.published_version is None:
        return None
    origins = guide.published_document().embed_origins
    return Embeddable(guide.pk, guide.published_version.version, origins)


def guide_origins(slug: str) -> tuple[str, ...] | None:
    """The published guide's allowed origins; None when no visitor can see the guide."""
    found = published_guide(slug)
    return found.origins if found is not None else None


def result_origins(result_id: str) -> tuple[str, ...] | None:
    """The allowed origins of a stored result's guide, as it is published now."""
    slug = Result.objects.filter(pk=result_id).values_list("guide_version__guide__slug", flat=True)
    found = slug.first()
    return guide_origins(found) if found is not None else None


def framing_origin(request: HttpRequest, allowed: tuple[str, ...]) -> str:
    """Which allowed site's page the frame is in: the `host` parameter or the Referer's
    origin (the host page's, sent by the snippet's referrer policy), if it is one of
    `allowed`; "" otherwise. Only the site is kept, never the page or the visitor."""
    for candidate in (request.GET.get("host", ""), request.headers.get("Referer", "")):
        origin = origin_of(candidate)
        if origin in allowed:
            return origin
    return ""


def site_origin(request: HttpRequest) -> str:
    """This site's own origin, as a browser names it in `Origin`."""
    return f"{request.scheme}://{request.get_host()}".lower()


def origin_of(url: str) -> str | None:
    """The origin of an absolute http(s) URL (a Referer, a `host` parameter), else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")
