"""The sites that may show a guide in a frame: origins as browsers send them.

Pure (no Django): `GuideDocument.embed_origins` holds these, and the admin checks
each line an editor types with `check_origin`.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from decisionguide.decision.words import gettext_lazy

ORIGIN_MAX_LENGTH = 64
# A site allowed to frame the guide's embed pages: scheme and host (and port), nothing else.
_ORIGIN = re.compile(
    r"^(https?)://([a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$"
)


def check_origin(value: str) -> str:
    """An origin as browsers send it: `https://host[:port]`, lower case, no path or wildcard.

    Wildcards are refused: an editor names each site that may show the guide, and a
    `*.example.com` would also let any page on a subdomain someone else runs frame it.
    """
    origin = value.strip().lower().rstrip("/")
    if len(origin) > ORIGIN_MAX_LENGTH:
        # Analytics count embedded visits per origin in a column this wide.
        raise ValueError(
            gettext_lazy(
                "an allowed origin has at most %(count)s characters", count=ORIGIN_MAX_LENGTH
            )
        )
    match = _ORIGIN.match(origin)
    if match is None or ".." in origin:
        raise ValueError(
            gettext_lazy(
                "an allowed origin is a scheme and host, and a port if not the usual one, "
                "such as https://example.com (no path, no wildcard)"
            )
        )
    port = match.group(3)
    if port and not 0 < int(port[1:]) < 65536:
        raise ValueError(gettext_lazy("the origin's port must be between 1 and 65535"))
    return origin


Origin = Annotated[str, AfterValidator(check_origin)]
