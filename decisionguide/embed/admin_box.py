"""The embed box on a guide's admin page: the snippet to copy, the allowed origins and a
preview at a phone's and a desktop's width."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from decisionguide.content.models import Guide
from decisionguide.decision.document import DocumentError
from decisionguide.embed.origins import site_origin
from decisionguide.embed.snippet import START_HEIGHT, embed_path, snippet


def embed_box_context(request: HttpRequest, guide: Guide) -> dict[str, Any]:
    try:
        live = guide.published_document().embed_origins if guide.is_listed else ()
    except DocumentError:
        live = ()
    draft = [line.strip() for line in guide.embed_origins.splitlines() if line.strip()]
    site = site_origin(request)
    return {
        "embed_box": {
            "live_origins": live,
            "draft_origins": draft,
            "changed": list(live) != draft,
            "snippet": snippet(site, guide.slug, guide.title),
            "preview_url": embed_path(guide.slug),
            "height": START_HEIGHT,
        }
    }
