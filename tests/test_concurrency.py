"""Many visitors storing results at once: nothing lost, nothing locked.

A real gunicorn (bin/start, four workers, production settings) on a free
loopback port, its own database (a fresh SQLite file, or a fresh PostgreSQL
database when the suite runs with a postgres DATABASE_URL), and 200 result
submissions from 16 threads through the check page's own form.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.middleware.csrf import _mask_cipher_secret
from django.urls import reverse

from decisionguide.decision.document import GuideDocument
from decisionguide.results.ids import is_result_id
from decisionguide.results.models import RateLimitCounter, Result
from tests.answers import complete_answers, result_form
from tests.servers import fetch, production_env, query, running_server, scratch_database

SUBMISSIONS = 200
THREADS = 16
WORKERS = 4
CLIENTS = 16  # distinct client addresses, so rate-limit rows are created concurrently too


def test_concurrent_result_submissions_are_all_stored(tmp_path, seed_document: GuideDocument):
    with scratch_database(tmp_path) as database_url:
        host = "127.0.0.1"
        env = production_env(
            tmp_path,
            DATABASE_URL=database_url,
            DJANGO_ALLOWED_HOSTS=host,
            DECISIONGUIDE_LOAD_CONTENT="1",
            DECISIONGUIDE_RESULTS_PER_HOUR="100000",
            WEB_CONCURRENCY=str(WORKERS),
        )
        with running_server(
            [str(Path(settings.BASE_DIR) / "bin" / "start")], env, tmp_path
        ) as server:
            origin = f"https://{host}:{server.port}"
            via_proxy = {"Host": f"{host}:{server.port}", "X-Forwarded-Proto": "https"}

            # A visitor's check page: the form, its CSRF token and cookie.
            doc = seed_document
            check_path = reverse("questionnaire-check", args=[doc.slug])
            check = fetch(
                server.port, f"{check_path}?{urlencode(complete_answers(doc))}", headers=via_proxy
            )
            assert check.status == 200, check.body[:500]
            form = result_form(check.body.decode())
            cookie = SimpleCookie(check.headers["Set-Cookie"])[settings.CSRF_COOKIE_NAME]

            def body(n: int) -> bytes:
                # Each submission is a check page of its own: the same cookie, a token
                # masked afresh (as Django masks it for every page). The same page sent
                # twice is one result (tests/test_idempotent_results.py).
                token = _mask_cipher_secret(cookie.value)
                fields = [(k, token if k == "csrfmiddlewaretoken" else v) for k, v in form.fields]
                return urlencode(fields).encode()

            def submit(n: int) -> tuple[int, str]:
                reply = fetch(
                    server.port,
                    form.action,
                    method="POST",
                    body=body(n),
                    headers=via_proxy
                    | {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"{settings.CSRF_COOKIE_NAME}={cookie.value}",
                        "Origin": origin,
                        "X-Forwarded-For": f"198.51.100.{n % CLIENTS}",
                    },
                    timeout=30,
                )
                return reply.status, reply.headers.get("Location", "")

            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=THREADS) as pool:
                replies = list(pool.map(submit, range(SUBMISSIONS)))
            elapsed = time.monotonic() - started

        statuses = Counter(status for status, _ in replies)
        locations = [location for _, location in replies]
        stored = {row[0] for row in query(database_url, f"SELECT id FROM {Result._meta.db_table}")}
        counted = query(database_url, f"SELECT SUM(count) FROM {RateLimitCounter._meta.db_table}")
    print(
        f"\n{SUBMISSIONS} submissions from {THREADS} threads to {WORKERS} workers "
        f"({database_url.split(':')[0]}): {dict(statuses)}, {len(stored)} rows, {elapsed:.1f}s"
    )

    assert statuses == {303: SUBMISSIONS}
    ids = [urlsplit(location).path.split("/")[2] for location in locations]
    assert all(is_result_id(result_id) for result_id in ids)
    assert len(set(ids)) == SUBMISSIONS
    assert stored == set(ids)
    # Every attempt was counted once: no lost update between workers.
    assert counted == [(SUBMISSIONS,)]
    log = server.log()
    assert "database is locked" not in log
    assert "Traceback" not in log
    assert server.process.returncode == 0
