from typing import Any

from django.http import HttpRequest


def embed(request: HttpRequest) -> dict[str, Any]:
    """Which base template the public pages extend, and the embed page's way out."""
    if not getattr(request, "embedded", False):
        return {"base_template": "base.html"}
    full_path = request.get_full_path()[len(request.embed_prefix) :]  # type: ignore[attr-defined]
    return {
        "base_template": "embed/base.html",
        "embedded": True,
        "full_site_url": request.build_absolute_uri(full_path),
    }
