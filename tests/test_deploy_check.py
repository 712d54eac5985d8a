"""Production mode, run for real outside Docker.

`check --deploy` with the environment docs/operations.md documents, the
settings production derives from it, the Dockerfile's build-time
collectstatic, and bin/start serving the site with gunicorn.
The helpers (clean environment, a running server, raw HTTP requests) are in
tests/servers.py.
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from pathlib import Path

import brotli
import pytest
import yaml

from decisionguide.analytics.models import AnswerCounter
from tests.servers import (
    BASE_DIR,
    OPERATIONS_DOC,
    fetch,
    manage,
    production_env,
    running_server,
    settings_under,
)

# ---------------------------------------------------------------------------
# The documentation covers what the code reads


def variables_read() -> set[str]:
    """Every environment variable settings.py, gunicorn.conf.py and bin/start read."""
    python_reads = re.compile(
        r"""(?:env_bool|env_list|env_float|environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    shell_reads = re.compile(r"\$\{([A-Z][A-Z0-9_]+)")
    found = {"DATABASE_URL"}  # read by dj_database_url.config()
    for name in ("decisionguide/settings.py", "gunicorn.conf.py"):
        found |= set(python_reads.findall((BASE_DIR / name).read_text()))
    found |= set(shell_reads.findall((BASE_DIR / "bin" / "start").read_text()))
    return found


def test_every_environment_variable_is_documented():
    read = variables_read()
    assert {"DJANGO_SECRET_KEY", "WEB_CONCURRENCY", "DECISIONGUIDE_MIGRATE"} <= read
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", OPERATIONS_DOC.read_text(), re.M))
    assert sorted(read - documented) == []


# ---------------------------------------------------------------------------
# check --deploy


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    result = manage(["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "check_id"),
    [
        ({"DJANGO_DEBUG": "1"}, "security.W018"),
        ({"DJANGO_SECRET_KEY": "short-key"}, "security.W009"),
        ({"DJANGO_HSTS_SECONDS": "0"}, "security.W004"),
        ({"DJANGO_SECURE_SSL_REDIRECT": "0"}, "security.W008"),
    ],
)
def test_check_deploy_reports_a_weakened_production_environment(tmp_path, change, check_id):
    result = manage(
        ["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path, **change)
    )
    assert result.returncode != 0
    assert check_id in result.stderr + result.stdout


# ---------------------------------------------------------------------------
# Settings production derives from its environment


@pytest.mark.parametrize(
    ("missing", "variable"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS"),
        # Never a new SQLite file beside the code by default (tests use an explicit sqlite:///).
        ("DATABASE_URL", "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_without_required_settings(tmp_path, missing, variable):
    env = production_env(tmp_path)
    del env[missing]
    result = manage(["check"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_production_defaults_are_strict(tmp_path):
    names = [
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "STORAGES",
        "WHITENOISE_USE_FINDERS",
    ]
    env = production_env(tmp_path)
    for name in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_HSTS_SECONDS"):
        env.pop(name, None)
    values = settings_under(env, names)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["WHITENOISE_USE_FINDERS"] is False
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_hsts_preload_is_opt_in_and_only_its_own_check_is_silenced(tmp_path):
    names = ["SECURE_HSTS_PRELOAD", "SILENCED_SYSTEM_CHECKS"]
    default = settings_under(production_env(tmp_path), names)
    assert default == {"SECURE_HSTS_PRELOAD": False, "SILENCED_SYSTEM_CHECKS": ["security.W021"]}
    opted_in = settings_under(production_env(tmp_path, DJANGO_HSTS_PRELOAD="1"), names)
    assert opted_in == {"SECURE_HSTS_PRELOAD": True, "SILENCED_SYSTEM_CHECKS": []}


def test_proxy_settings_follow_their_variables(tmp_path):
    names = ["SECURE_PROXY_SSL_HEADER", "DECISIONGUIDE_TRUSTED_PROXIES", "CSRF_TRUSTED_ORIGINS"]
    direct = production_env(tmp_path)
    for name in ("DJANGO_SECURE_PROXY_SSL_HEADER", "DECISIONGUIDE_TRUSTED_PROXIES"):
        direct.pop(name, None)
    assert settings_under(direct, names)["SECURE_PROXY_SSL_HEADER"] is None
    assert settings_under(direct, names)["DECISIONGUIDE_TRUSTED_PROXIES"] == []
    proxied = settings_under(
        production_env(
            tmp_path,
            DJANGO_SECURE_PROXY_SSL_HEADER="1",
            DECISIONGUIDE_TRUSTED_PROXIES="10.0.0.0/8",
            DJANGO_CSRF_TRUSTED_ORIGINS="https://guide.example.com",
        ),
        names,
    )
    assert proxied == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "DECISIONGUIDE_TRUSTED_PROXIES": ["10.0.0.0/8"],
        "CSRF_TRUSTED_ORIGINS": ["https://guide.example.com"],
    }


def test_the_page_cache_is_per_worker_memory_or_redis_with_redis_url(tmp_path):
    local = settings_under(production_env(tmp_path), ["CACHES"])["CACHES"]["default"]
    assert local["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    redis_url = "redis://cache.internal:6379/0"
    redis = settings_under(production_env(tmp_path, REDIS_URL=redis_url), ["CACHES"])
    shared = redis["CACHES"]["default"]
    assert shared["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["LOCATION"] == redis_url


def test_database_url_switches_to_postgresql_with_a_bounded_pool(tmp_path):
    url = "postgres://guide:pw@db.internal:5432/guide"
    database = settings_under(production_env(tmp_path, DATABASE_URL=url), ["DATABASES"])
    default = database["DATABASES"]["default"]
    assert default["ENGINE"] == "django.db.backends.postgresql"
    assert default["HOST"] == "db.internal"
    # The pool keeps the connections (Django refuses CONN_MAX_AGE beside it), checked
    # before each use; tests/test_database_pool.py has the rest.
    assert default["OPTIONS"]["pool"]["max_size"] == 2
    assert default["CONN_MAX_AGE"] == 0
    assert default["CONN_HEALTH_CHECKS"] is True
    # The SQLite-only options must not reach PostgreSQL.
    assert "transaction_mode" not in default.get("OPTIONS", {})


# ---------------------------------------------------------------------------
# Static files: the Dockerfile's build step, then serving them


@pytest.fixture(scope="module")
def built_static(tmp_path_factory) -> Path:
    """collectstatic as the Dockerfile runs it: production settings, no real secret."""
    root = tmp_path_factory.mktemp("staticfiles")
    env = production_env(
        tmp_path_factory.mktemp("build"),
        DJANGO_SECRET_KEY="collectstatic-only-not-a-secret",
        DJANGO_ALLOWED_HOSTS="build.invalid",
        DJANGO_STATIC_ROOT=str(root),
    )
    result = manage(["collectstatic", "--no-input", "--verbosity", "0"], env)
    assert result.returncode == 0, result.stderr
    return root


def our_static_files() -> list[str]:
    """Our own stylesheets and scripts large enough to be worth compressing."""
    static = BASE_DIR / "static"
    return sorted(
        path.relative_to(static).as_posix()
        for path in static.rglob("*")
        if path.is_file() and path.suffix in {".css", ".js"} and path.stat().st_size >= 1024
    )


def test_collectstatic_writes_hashed_gzip_and_brotli_files(built_static):
    manifest = json.loads((built_static / "staticfiles.json").read_text())["paths"]
    names = our_static_files()
    assert "css/site.css" in names
    for name in names:
        hashed = manifest[name]
        assert hashed != name, f"{name} has no content hash"
        original = (built_static / hashed).read_bytes()
        assert gzip.decompress((built_static / f"{hashed}.gz").read_bytes()) == original
        assert brotli.decompress((built_static / f"{hashed}.br").read_bytes()) == original


def test_bin_start_serves_the_site_as_the_docker_image_does(tmp_path, built_static):
    host = "guide.example.com"
    env = production_env(
        tmp_path,
        DJANGO_ALLOWED_HOSTS=host,
        DJANGO_STATIC_ROOT=str(built_static),
        DECISIONGUIDE_COLLECTSTATIC="0",  # done at build time, as in the image
        DECISIONGUIDE_LOAD_CONTENT="1",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        WEB_CONCURRENCY="2",
        # Analytics stay buffered in the worker until it stops.
        DECISIONGUIDE_ANALYTICS_FLUSH_EVENTS="1000",
        DECISIONGUIDE_ANALYTICS_FLUSH_SECONDS="3600",
    )
    via_proxy = {"Host": host, "X-Forwarded-Proto": "https"}
    with running_server([str(BASE_DIR / "bin" / "start")], env, tmp_path) as server:
        # Probes by address, over plain HTTP.
        health = fetch(server.port, "/healthz", headers={"Host": "10.0.0.7:8000"})
        assert (health.status, health.body) == (200, b"ok\n")
        # Plain HTTP through the proxy is sent to HTTPS.
        plain = fetch(server.port, "/", headers={"Host": host, "X-Forwarded-Proto": "http"})
        assert plain.status == 301
        assert plain.headers["Location"] == f"https://{host}/"
        # The home page over HTTPS, with nothing naming the server software.
        home = fetch(server.port, "/", headers=via_proxy)
        assert home.status == 200
        assert "gunicorn" not in (home.headers.get("Server") or "").lower()
        assert "Strict-Transport-Security" in home.headers
        # Its stylesheet: the hashed name, compressed, cached for good.
        css_url = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home.body.decode())
        assert css_url, "the page does not link the hashed stylesheet"
        css = fetch(server.port, css_url.group(1), headers=via_proxy | {"Accept-Encoding": "br"})
        assert css.status == 200
        assert css.headers["Content-Encoding"] == "br"
        assert "immutable" in css.headers["Cache-Control"]
        assert "max-age=315360000" in css.headers["Cache-Control"]
        # A question page: counted by the analytics buffer in this worker's memory.
        seed = yaml.safe_load((BASE_DIR / "content" / "crm-pm-hybrid.yaml").read_text())
        question_path = f"/guides/{seed['slug']}/questions/{seed['questions'][0]['slug']}/"
        assert fetch(server.port, question_path, headers=via_proxy).status == 200
        # Answers travel in query strings: they must not reach the log.
        assert fetch(server.port, "/?typed_text=private-words", headers=via_proxy).status == 200
        # A host the site does not serve gets the styled 400 page.
        wrong_host = fetch(server.port, "/", headers={"Host": "attacker.example"})
        assert wrong_host.status == 400
        assert b'class="error-page"' in wrong_host.body
    assert server.process.returncode == 0, server.log()
    # A graceful stop writes what the worker had buffered: nothing kept in memory is lost.
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        counted = database.execute(f"SELECT SUM(count) FROM {AnswerCounter._meta.db_table}")
        assert counted.fetchone()[0] >= 1
    stdout = server.stdout.read_text()
    # One line a request on stdout: method, path (no query string), status, bytes, duration.
    assert re.search(r"^GET / 200 \S+ \d+ms$", stdout, re.MULTILINE), stdout
    assert re.search(r"^GET /healthz 200 \S+ \d+ms$", stdout, re.MULTILINE)
    # The refused host: one WARNING line naming it (a client error), no traceback.
    refused = "WARNING django.security.DisallowedHost Invalid HTTP_HOST header: 'attacker.example'"
    assert refused in stdout
    assert "Traceback" not in server.log()
    assert "private-words" not in server.log()
