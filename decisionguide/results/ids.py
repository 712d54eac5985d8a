"""Result identifiers: short, URL-safe, unguessable."""

from __future__ import annotations

import base64
import re
import secrets

# 13 characters of lowercase base32 carry 65 random bits.
RESULT_ID_LENGTH = 13
RESULT_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
RESULT_ID_PATTERN = rf"[a-z2-7]{{{RESULT_ID_LENGTH}}}"
_RESULT_ID = re.compile(rf"^{RESULT_ID_PATTERN}$")


def new_result_id() -> str:
    raw = secrets.token_bytes(9)  # 72 bits; base32 gives 15 characters, we keep 13 (65 bits)
    return base64.b32encode(raw).decode("ascii").lower()[:RESULT_ID_LENGTH]


def is_result_id(value: str) -> bool:
    return bool(_RESULT_ID.match(value))
