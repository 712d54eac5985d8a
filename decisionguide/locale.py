"""The page's language, from its URL alone (issue 24).

English pages keep the addresses they always had (/guides/x/); every other language lives
under its code (/fr/guides/x/), as `i18n_patterns(..., prefix_default_language=False)` in
the URL confs lays them out. Django's LocaleMiddleware would also read a cookie and the
Accept-Language header for unprefixed URLs and add `Vary: Accept-Language`; here the URL
says everything, so a page and its cache entry depend on nothing else, and finding the
language costs one dict lookup.

The admin is the exception: its pages are never cached or shared, and an editor's language
is the one they chose with the switcher in its header (Django's language cookie, set by
`set_language`), else their browser's (Accept-Language), else the default.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def prefixed_languages() -> dict[str, str]:
    """The URL prefixes ("fr") of every language but the default, read once per process."""
    return {code: code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE}


def language_of_path(path_info: str, prefixes: dict[str, str]) -> str:
    """The language `path_info` is in: its first segment if that names one, else the default."""
    segment = path_info[1:].split("/", 1)[0]
    return prefixes.get(segment, settings.LANGUAGE_CODE)


class PathLocaleMiddleware:
    """Activate the URL's language for the request, and only for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = prefixed_languages()
        self.admin_prefix = f"/{settings.ADMIN_PATH}/"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        in_admin = request.path_info.startswith(self.admin_prefix)
        if in_admin:
            language = translation.get_language_from_request(request)
        else:
            language = language_of_path(request.path_info, self.prefixes)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # What runs next in this thread (a test, the next request) starts from the default.
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        if in_admin:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
