"""A publisher's page framing the guide (issue 23): one Chromium session.

The host page is served by a tiny http.server at http://localhost:PORT with a strict CSP
of its own (no inline script or style); the app is the live server at 127.0.0.1, another
site. Third-party cookies are blocked. The visitor walks to a stored result inside the
frame, whose height follows its content; the same host page at another origin, not
allowed, gets a blocked frame.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import BrowserType, Frame, Page, expect

from decisionguide.embed.snippet import snippet
from decisionguide.guidefiles.loading import load_guide_file
from decisionguide.questionnaire.state import text_param
from decisionguide.results.models import Result
from tests.conftest import SEED_FILE
from tests.e2e.axe import axe_report
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, LAPTOP
from tests.e2e.journeys import pick_first, walk

pytestmark = pytest.mark.e2e

# The host page's own script: the page's cumulative layout shift, for the test to read.
CLS_SCRIPT = b"""window.cls = 0;
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { if (!e.hadRecentInput) window.cls += e.value; });
}).observe({ type: "layout-shift", buffered: true });
"""
# The rest of the article, below the frame: what would move if the frame's height jumped.
AFTER = " ".join(["The article goes on below the guide, and readers scroll on."] * 40)
HOST_CSS = b"iframe { width: 100%; border: 0; } body { max-width: 48rem; margin: 0 auto; }"


def host_server(app: str, body: str) -> ThreadingHTTPServer:
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>An article</title>'
        '<link rel="stylesheet" href="/host.css"><script src="/cls.js"></script></head><body>'
        "<h1>An article</h1><p>Some words before the guide.</p>"
        f'{body}<p id="after">{AFTER}</p></body></html>'
    ).encode()
    policy = (
        f"default-src 'none'; script-src 'self' {app}; style-src 'self'; frame-src {app}; "
        "base-uri 'none'; form-action 'none'"
    )
    files = {
        "/": (page, "text/html"),
        "/cls.js": (CLS_SCRIPT, "text/javascript"),
        "/host.css": (HOST_CSS, "text/css"),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            content, kind = files.get(self.path, (b"", "text/plain"))
            self.send_response(200 if content else 404)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture
def no_third_party_cookies(browser_type: BrowserType) -> Iterator[Any]:
    """Chromium as it will be for everyone: cookies in a cross-site frame are blocked."""
    browser = browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"],
    )
    yield browser
    browser.close()


def frame_of(page: Page) -> Frame:
    frame = page.locator("iframe").element_handle().content_frame()
    assert frame is not None
    return frame


def assert_height_follows(page: Page, frame: Frame) -> None:
    """The iframe comes to be as tall as the framed page, which has no scroll bar of its own.

    Both heights are read afresh on every try: the heading a step waits for can be in the
    DOM before the frame's stylesheet applies, so a height read once may be a passing one.
    """
    content_height = "Math.ceil(document.documentElement.getBoundingClientRect().height)"
    frame_height = "document.querySelector('iframe').getBoundingClientRect().height"
    for _ in range(150):
        content, framed = frame.evaluate(content_height), page.evaluate(frame_height)
        if abs(framed - content) <= 1:
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"the iframe stayed {framed}px tall; its page is {content}px")
    assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")


def test_a_publisher_frames_the_guide_and_a_reader_gets_a_result(
    transactional_db: None, live_server: Any, no_third_party_cookies: Any, tmp_path: Path
) -> None:
    app = live_server.url.replace("localhost", "127.0.0.1")
    server = host_server(app, "")  # a port first, then the page that names it
    port = server.server_address[1]
    data = yaml.safe_load(SEED_FILE.read_text())
    data["embed_origins"] = [f"http://localhost:{port}"]
    (tmp_path / "guide.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    guide = load_guide_file(tmp_path / "guide.yaml").guide.published_document()
    server.RequestHandlerClass = host_server(
        app, snippet(app, guide.slug, guide.title)
    ).RequestHandlerClass
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = no_third_party_cookies.new_context(viewport=LAPTOP)
    try:
        page = context.new_page()
        page.goto(f"http://localhost:{port}/")
        frame = frame_of(page)
        steps = walk(guide, pick_first)
        expect(frame.get_by_role("heading", level=1)).to_have_text(steps[0].question.prompt)
        assert_height_follows(page, frame)
        print(f"CLS on the host page after the frame's first load: {page.evaluate('window.cls')}")
        assert page.evaluate("window.cls") <= 0.1

        for step in steps:
            expect(frame.get_by_role("heading", level=1)).to_have_text(step.question.prompt)
            assert_height_follows(page, frame)
            frame.get_by_label(step.choice.label, exact=True).check()
            if step.text:
                frame.locator(f"textarea[name='{text_param(step.question.slug)}']").fill(step.text)
            frame.get_by_role("button", name="Continue", exact=True).click()
        expect(frame.get_by_role("heading", level=1)).to_have_text("Check your answers")
        assert_height_follows(page, frame)
        frame.get_by_role("button", name="See my recommendation").click()
        frame.wait_for_url(re.compile(r"/embed/r/[^/]+/$"))
        result = Result.objects.get()
        expect(frame.get_by_label("Link to this result")).to_have_value(
            f"{app}{result.get_absolute_url()}"
        )
        assert_height_follows(page, frame)
        assert not context.cookies()  # nothing was set, in the frame or around it

        # axe on an embed page of its own.
        page.goto(f"{app}/embed/guides/{guide.slug}/questions/")
        count, report = axe_report(page)
        assert count == 0, report

        # The same page on an origin the guide doesn't allow: the frame is refused.
        page.goto(f"http://127.0.0.1:{port}/")
        blocked = frame_of(page)
        page.wait_for_load_state("load")
        assert blocked.get_by_role("heading", level=1).count() == 0
        assert blocked.url.startswith("chrome-error:"), blocked.url
    finally:
        context.close()
        server.shutdown()
