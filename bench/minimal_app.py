"""The benchmark's yardstick: a minimal Django app, one view and two middleware.

bench/bench.py serves it with the same gunicorn.conf.py, worker count and wrk
parameters as the site, in the same run, so each page's throughput reads as a
share of what Django itself manages under that server setup on this machine:

    DJANGO_SETTINGS_MODULE=minimal_app gunicorn -c gunicorn.conf.py \
        --pythonpath bench minimal_app:application

This module is its settings, its URLconf and its WSGI application at once.
No database, no templates, no sessions: what is left is the server and Django's
request handling, which every page of the site pays too.
"""

from __future__ import annotations

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

DEBUG = False
# Signs nothing (no sessions, no forms); a fixed value keeps the app free of set-up.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "minimal-app-for-the-benchmark-only")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
DATABASES: dict[str, dict] = {}
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
USE_TZ = True

# About the size of a cached question panel: small enough that the server, not the
# copying of bytes, is what gets measured.
BODY = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Minimal</title></head>"
    "<body><main><h1>Minimal</h1><p>" + "One view, two middleware. " * 40 + "</p></main>"
    "</body></html>"
).encode()


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]


def __getattr__(name: str):
    """`minimal_app:application`, made on first use: Django imports this module as its
    settings while the WSGI handler is being built, so it cannot be built at import."""
    if name != "application":
        raise AttributeError(name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", __name__)
    from django.core.wsgi import get_wsgi_application

    global application
    application = get_wsgi_application()
    return application
