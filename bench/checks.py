"""Benchmark the content checks and the admin on big guides (`bench/run --checks`).

For the seed guide, generated guides of 60, 150 and 300 questions and one at the
content limits, in one process on a temporary SQLite database with the
production settings: load the guide as a draft, run its checks (nothing
memoised), publish it, then open each admin page an editor uses as a logged-in
superuser (the first request after publishing: the checks' report is memoised
by then, as after any save or publish). Prints one row per guide, in seconds.

Targets (issue 25): a guide at the content limits loads, checks and publishes in
under 10 s; no admin page takes over 2 s. `--questions 3` makes a tiny run (the
smoke test's).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOAD_CHECK_PUBLISH_TARGET = 10.0
PAGE_TARGET = 2.0
DEFAULT_SIZES = (60, 150, 300)
PAGES = ("change", "checks", "dashboard", "logic", "history")


def setup_django(workdir: Path) -> None:
    """Production settings on a temporary database, then migrate it."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "decisionguide.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
            "DATABASE_URL": f"sqlite:///{workdir / 'checks.sqlite3'}",
            "DJANGO_STATIC_ROOT": str(workdir / "static"),
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_HSTS_SECONDS": "0",
            "DJANGO_MANIFEST_STATIC": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DECISIONGUIDE_ANALYTICS_BACKGROUND": "0",
        }
    )
    (workdir / "static").mkdir(exist_ok=True)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def guides(sizes: tuple[int, ...], with_seed: bool, at_limits: bool) -> list[tuple[str, Any]]:
    """(name, GuideDocument) to measure: the generators the tests use, so both agree."""
    from decisionguide.decision.parsing import parse_document
    from decisionguide.guidefiles.yaml_io import check_guide_text
    from tests.builders import generated_document
    from tests.limits_guide import guide_at_the_limits

    found: list[tuple[str, Any]] = []
    if with_seed:
        path = ROOT / "content" / "crm-pm-hybrid.yaml"
        doc, errors = check_guide_text(path.read_text(encoding="utf-8"), path.name)
        if doc is None:
            raise SystemExit(f"the seed guide doesn't load: {errors}")
        found.append((f"seed ({len(doc.questions)} questions)", doc))
    for size in sizes:
        doc = generated_document(size).model_copy(update={"slug": f"generated-{size}"})
        found.append((f"generated, {size} questions", doc))
    if at_limits:
        found.append(("at the content limits", parse_document(guide_at_the_limits())))
    return found


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = work()
    return time.perf_counter() - started, value


def measure(name: str, doc: Any, client: Any, user: Any) -> dict[str, Any]:
    from django.urls import reverse

    from decisionguide.content.models import Guide
    from decisionguide.guidefiles.loading import apply_document
    from decisionguide.publishing.drafts import draft_report, publish

    row: dict[str, Any] = {"guide": name}
    row["load"], _ = timed(lambda: apply_document(doc, publish=False, user=user, note="bench"))
    guide = Guide.objects.get(slug=doc.slug)
    # A new document: nothing memoised for it yet, so this is its check as it first runs.
    row["check"], (_, report) = timed(lambda: draft_report(guide))
    row["method"] = str(report.reachability.describe_method())  # Words: English here
    row["passes"] = report.passes
    row["publish"], _ = timed(lambda: publish(guide, user=user) if report.passes else None)
    urls = {
        "change": reverse("admin:guides_guide_change", args=[guide.pk]),
        "checks": reverse("admin:guides_guide_checks", args=[guide.pk]),
        "dashboard": reverse("admin:index"),
        "logic": reverse("admin:guides_guide_logic", args=[guide.pk]),
        "history": reverse("admin:guides_guide_history", args=[guide.pk]),
    }
    for page, url in urls.items():
        row[page], response = timed(lambda url=url: client.get(url))
        if response.status_code != 200:
            raise SystemExit(f"{name}: {page} page answered {response.status_code}")
    return row


def print_table(rows: list[dict[str, Any]]) -> int:
    """The table, then whether the targets hold; the exit code (1: a target missed)."""
    columns = ("load", "check", "publish", *PAGES)
    print(f"{'guide':<30}" + "".join(f"{c:>10}" for c in columns) + "  checked by")
    missed = []
    for row in rows:
        cells = "".join(f"{row[c]:>10.2f}" for c in columns)
        print(f"{row['guide']:<30}{cells}  {row['method']}{'' if row['passes'] else ' (FAILS)'}")
        total = row["load"] + row["check"] + row["publish"]
        if total > LOAD_CHECK_PUBLISH_TARGET:
            missed.append(f"{row['guide']}: load + check + publish {total:.1f} s")
        missed += [
            f"{row['guide']}: {page} page {row[page]:.1f} s"
            for page in PAGES
            if row[page] > PAGE_TARGET
        ]
    print(
        f"Targets: load + check + publish under {LOAD_CHECK_PUBLISH_TARGET:g} s, "
        f"every admin page under {PAGE_TARGET:g} s (seconds above; pages after publishing)"
    )
    for line in missed:
        print(f"MISSED {line}")
    return 1 if missed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--questions",
        type=int,
        nargs="*",
        default=list(DEFAULT_SIZES),
        metavar="N",
        help="sizes of the generated guides (default: 60 150 300)",
    )
    parser.add_argument("--no-seed", action="store_true", help="leave out the seed guide")
    parser.add_argument(
        "--no-limits", action="store_true", help="leave out the guide at the content limits"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dg-bench-checks-") as workdir:
        setup_django(Path(workdir))
        from django.contrib.auth import get_user_model
        from django.test import Client

        user = get_user_model().objects.create_superuser("bench", "bench@example.com", "x")
        client = Client()
        client.force_login(user)
        rows = [
            measure(name, doc, client, user)
            for name, doc in guides(tuple(args.questions), not args.no_seed, not args.no_limits)
        ]
        return print_table(rows)


if __name__ == "__main__":
    sys.exit(main())
