"""The headers every page must carry: the Content Security Policy, HSTS and the rest."""

from __future__ import annotations

from django.conf import settings


def csp_directives(header: str) -> dict[str, list[str]]:
    return {parts[0]: parts[1:] for part in header.split(";") if (parts := part.split())}


def assert_security_headers(response) -> None:
    header = response["Content-Security-Policy"]
    policy = csp_directives(header)
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    hsts = response["Strict-Transport-Security"]
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    assert f"max-age={settings.SECURE_HSTS_SECONDS}" in hsts
    assert "includeSubDomains" in hsts
    assert "Permissions-Policy" in response
    # Nothing names the software behind the site.
    assert "Server" not in response
    assert "X-Powered-By" not in response
