"""Two editors press Save on the same question at the same moment: one save wins, one is refused.

A real gunicorn (bin/start, two workers, production settings) on its own
database (SQLite file, or PostgreSQL when the suite runs on it). Both editors
load the question's form for the same draft, then post at once from two
threads; without the draft check both would be accepted and the first lost.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from tests.admin_forms import FormReader
from tests.servers import (
    Reply,
    fetch,
    manage,
    production_env,
    query,
    running_server,
    scratch_database,
)

PASSWORD = "correct-horse-battery-staple-42"
HOST = "127.0.0.1"


class Browser:
    """Cookies and headers of one signed-in editor, over raw HTTP to the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{HOST}:{port}"

    def headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {"Host": f"{HOST}:{self.port}", "X-Forwarded-Proto": "https", "Cookie": cookie}

    def keep_cookies(self, reply: Reply) -> Reply:
        for header in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return reply

    def get(self, path: str) -> Reply:
        return self.keep_cookies(fetch(self.port, path, headers=self.headers()))

    def post(self, path: str, fields: list[tuple[str, str]]) -> Reply:
        headers = self.headers() | {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
        }
        body = urlencode(fields).encode()
        reply = fetch(self.port, path, method="POST", body=body, headers=headers, timeout=30)
        return self.keep_cookies(reply)

    def form(self, path: str, form_id: str) -> list[tuple[str, str]]:
        reply = self.get(path)
        assert reply.status == 200, (path, reply.status)
        reader = FormReader(form_id)
        reader.feed(reply.body.decode())
        return [(k, v) for k, v in reader.fields if "__prefix__" not in k]

    def log_in(self, username: str) -> None:
        login = reverse("admin:login")
        fields = [
            (k, v) for k, v in self.form(login, "login-form") if k not in {"username", "password"}
        ]
        reply = self.post(login, [*fields, ("username", username), ("password", PASSWORD)])
        assert reply.status == 302 and settings.SESSION_COOKIE_NAME in self.cookies, reply.body


def with_prompt(fields: list[tuple[str, str]], prompt: str) -> list[tuple[str, str]]:
    return [(k, prompt if k == "prompt" else v) for k, v in fields]


def test_two_simultaneous_saves_of_one_draft_never_both_land(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as database_url:
        env = production_env(
            tmp_path,
            DATABASE_URL=database_url,
            DJANGO_ALLOWED_HOSTS=HOST,
            DECISIONGUIDE_LOAD_CONTENT="1",
            WEB_CONCURRENCY="2",
        )
        with running_server(
            # Generous: a busy machine takes a while to migrate, collect and load.
            [str(Path(settings.BASE_DIR) / "bin" / "start")],
            env,
            tmp_path,
            ready_within=300,
        ) as server:
            for name in ("ann", "bea"):
                made = manage(
                    ["createsuperuser", "--noinput", "--username", name, "--email", ""],
                    env | {"DJANGO_SUPERUSER_PASSWORD": PASSWORD},
                )
                assert made.returncode == 0, made.stderr
            ((question_id, version_before),) = query(
                database_url,
                "SELECT q.id, g.version FROM guides_question q JOIN guides_guide g "
                "ON g.id = q.guide_id ORDER BY q.id LIMIT 1",
            )
            path = reverse("admin:guides_question_change", args=[question_id])
            editors = {name: Browser(server.port) for name in ("ann", "bea")}
            forms = {}
            for name, browser in editors.items():
                browser.log_in(name)
                forms[name] = browser.form(path, "question_form")
            start_together = threading.Barrier(len(editors))

            def save(name: str) -> tuple[str, Reply]:
                start_together.wait()
                return name, editors[name].post(path, with_prompt(forms[name], f"{name}'s prompt?"))

            with ThreadPoolExecutor(max_workers=len(editors)) as pool:
                replies = dict(pool.map(save, editors))

        ((prompt, version_after),) = query(
            database_url,
            "SELECT q.prompt, g.version FROM guides_question q JOIN guides_guide g "
            f"ON g.id = q.guide_id WHERE q.id = {question_id}",
        )
    statuses = sorted(reply.status for reply in replies.values())
    assert statuses == [200, 302], {name: reply.status for name, reply in replies.items()}
    winner = next(name for name, reply in replies.items() if reply.status == 302)
    loser = next(name for name, reply in replies.items() if reply.status == 200)
    refusal = replies[loser].body.decode()
    assert "Not saved" in refusal and f"by {winner}" in refusal
    assert f"{loser}&#x27;s prompt?" in refusal or f"{loser}'s prompt?" in refusal
    assert prompt == f"{winner}'s prompt?"
    assert version_after == version_before + 1
    assert "Traceback" not in server.log()
