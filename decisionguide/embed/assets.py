"""Static files other sites load: whitenoise's per-file headers (no Django models here:
settings imports this module)."""

from __future__ import annotations

import re

# The host page's script, loaded by publishers' pages. Every other file stays same-origin.
HOST_SCRIPT = "embed-host.js"
# Its name, or its hashed name after collectstatic.
_HOST_SCRIPT_URL = re.compile(r"/embed-host(?:\.[0-9a-f]{8,})?\.js$")


def static_headers(headers: dict[str, str], path: str, url: str) -> None:
    """WHITENOISE_ADD_HEADERS_FUNCTION: let other sites' pages run the host script.

    The site's Cross-Origin-Resource-Policy: same-origin would stop a publisher's
    page loading it; it is public code, so cross-origin is fine for this one file.
    """
    if _HOST_SCRIPT_URL.search(url):
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
