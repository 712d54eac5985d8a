"""Which sites may frame a guide: the allowed origins of its published version."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest

from decisionguide.content.models import Guide
from decisionguide.results.models import Result


def guide_origins(slug: str) -> tuple[str, ...] | None:
    """The published guide's allowed origins; None when no visitor can see the guide."""
    guide = Guide.objects.published().select_related("published_version").filter(slug=slug).first()
    if guide is None:
        return None
    return guide.published_document().embed_origins


def result_origins(result_id: str) -> tuple[str, ...] | None:
    """The allowed origins of a stored result's guide, as it is published now."""
    slug = Result.objects.filter(pk=result_id).values_list("guide_version__guide__slug", flat=True)
    found = slug.first()
    return guide_origins(found) if found is not None else None


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
