"""The embed code editors paste, and oEmbed hands to a CMS: one frame and our small script."""

from __future__ import annotations

from django.conf import settings
from django.utils.html import format_html

from decisionguide.embed.assets import HOST_SCRIPT

# About the first question's page in a 720-770 px article column (870-900 px; 1,185 at a
# phone's 375): the frame starts about as tall as its content, so the host page barely
# moves when the real height arrives (tests/e2e/test_embed.py measures the shift).
START_HEIGHT = 880
FRAME_STYLE = "width:100%;height:{}px;border:0;frame-sizing:content-height"


def embed_path(slug: str, language: str | None = None) -> str:
    """The framed questionnaire's path, in `language` (default: the site's own)."""
    prefix = "" if language in (None, settings.LANGUAGE_CODE) else f"/{language}"
    return f"/embed{prefix}/guides/{slug}/questions/"


def snippet(
    site: str, slug: str, title: str, height: int = START_HEIGHT, language: str | None = None
) -> str:
    """The HTML: `site` is our origin; the height attribute also holds under a CSP that
    forbids inline styles, where the style attribute is dropped. The frame opens in
    `language` (a French page's address embeds the French questionnaire)."""
    return format_html(
        '<iframe src="{}" title="{}" height="{}" style="{}" loading="lazy"'
        ' referrerpolicy="strict-origin-when-cross-origin"></iframe>'
        '<script src="{}" async></script>',
        site + embed_path(slug, language),
        title,
        height,
        FRAME_STYLE.format(height),
        # Not the hashed name: a pasted snippet must keep working after the next deploy.
        f"{site}{settings.STATIC_URL}{HOST_SCRIPT}",
    )
