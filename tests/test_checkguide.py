"""Content checks (guides.checks) and `manage.py checkguide`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from decisionguide.checking.answer_space import Reachability, rough_count, search
from decisionguide.checking.checks import check_document, report_lines
from decisionguide.content.models import Guide
from decisionguide.decision.document import GuideDocument
from decisionguide.decision.engine import evaluate
from decisionguide.decision.parsing import parse_document
from decisionguide.guidefiles.loading import apply_document

Data = dict[str, Any]


def checkguide(*args: str) -> str:
    out = io.StringIO()
    call_command("checkguide", *args, stdout=out)
    return out.getvalue()


def broken_weight(doc: GuideDocument) -> Data:
    """The document with one heavy weight that makes its first scenario give another outcome."""
    data = doc.to_data()
    scenario = data["scenarios"][0]
    question_slug, choice_slug = next(iter(scenario["answers"].items()))
    loser = next(o["slug"] for o in data["outcomes"] if o["slug"] != scenario["outcome"])
    question = next(q for q in data["questions"] if q["slug"] == question_slug)
    choice = next(c for c in question["choices"] if c["slug"] == choice_slug)
    choice.setdefault("points", {})[loser] = 99
    return data


def write(path: Path, data: Data) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# --- The checks -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["seed_document", "small_document"])
def test_the_shipped_guides_pass(request: pytest.FixtureRequest, name: str) -> None:
    doc: GuideDocument = request.getfixturevalue(name)
    report = check_document(doc)
    assert report.passes, report.problems()
    assert [s.slug for s in report.scenarios] == [s.slug for s in doc.scenarios]
    assert report.reachability.method == "exhaustive"
    assert set(report.reachability.outcomes) == {o.slug for o in doc.outcomes}
    assert report.reachability.never_shown == ()
    routes = {c.route for q in doc.questions for c in q.choices if c.route}
    assert set(report.reachability.routes) == routes


def test_each_reachable_outcome_comes_with_answers_that_reach_it(
    seed_document: GuideDocument,
) -> None:
    for outcome, answers in search(seed_document)[0].outcomes.items():
        assert evaluate(seed_document, answers).outcome == outcome
    for route, answers in search(seed_document)[0].routes.items():
        assert evaluate(seed_document, answers).route == route


def test_scenario_checks_say_expected_actual_and_why(small_document: GuideDocument) -> None:
    check = check_document(small_document).scenarios[0]
    scenario = small_document.scenarios[0]
    decision = evaluate(small_document, scenario.answers)
    assert (check.expected, check.actual, check.passed) == (
        scenario.outcome,
        decision.outcome,
        True,
    )
    assert all(f"{o} {p}" in check.why() for o, p in decision.scores.items())
    # The small guide's profile leaves out a question its answers show.
    assert check.unanswered == ("helpers",)


def test_a_broken_weight_fails_its_scenario(small_document: GuideDocument) -> None:
    doc = parse_document(broken_weight(small_document))
    report = check_document(doc)
    failed = report.failed_scenarios
    assert [s.slug for s in failed] == [doc.scenarios[0].slug]
    assert not report.passes
    assert (
        f"scenario {doc.scenarios[0].slug}: expected {doc.scenarios[0].outcome}"
        in (report.problems()[0])
    )


def test_an_outcome_nothing_scores_for_is_unreachable(small_document: GuideDocument) -> None:
    data = small_document.to_data()
    extra = {**data["outcomes"][0], "slug": "never", "next_pages": []}
    data["outcomes"].append(extra)
    for criterion in data["criteria"]:
        criterion["ratings"]["never"] = {"label": "n/a", "level": 0}
    report = check_document(parse_document(data))
    assert report.reachability.unreachable == ("never",)
    assert not report.passes
    assert report.scenarios_pass  # publishing is still allowed
    assert "outcome never is unreachable (exhaustive search" in report.problems()[0]


def test_a_question_behind_a_route_is_never_shown(small_document: GuideDocument) -> None:
    data = small_document.to_data()
    routing = next((q, c) for q in data["questions"] for c in q["choices"] if c.get("route"))
    question, choice = routing
    data["questions"].append(
        {
            "slug": "after-route",
            "prompt": "Only after the route?",
            "short": "After",
            "show_if": {"all": [{"question": question["slug"], "in": [choice["slug"]]}]},
            "choices": [{"slug": "a", "label": "A"}, {"slug": "b", "label": "B"}],
        }
    )
    report = check_document(parse_document(data))
    assert report.reachability.never_shown == ("after-route",)
    assert [(c.question, c.choice) for c in report.unused_choices][-2:] == [
        ("after-route", "a"),
        ("after-route", "b"),
    ]


def test_choices_with_no_effect_are_listed(seed_document: GuideDocument) -> None:
    # The seed guide has none: every choice scores, routes or feeds a rule.
    assert check_document(seed_document).unused_choices == ()
    data = seed_document.to_data()
    question = data["questions"][-1]
    question["choices"].append({"slug": "idle", "label": "A choice that changes nothing"})
    unused = check_document(parse_document(data)).unused_choices
    assert [(item.question, item.choice) for item in unused] == [(question["slug"], "idle")]


def test_a_large_answer_space_is_searched_within_a_bound(seed_document: GuideDocument) -> None:
    reach, _ = search(seed_document, exhaustive_limit=100, bounded_budget=3000)
    assert reach.method == "bounded"
    assert reach.tried <= 3000 + 50
    assert "bounded search" in str(reach.describe_method())
    assert set(reach.outcomes) == {o.slug for o in seed_document.outcomes}
    for outcome, answers in reach.outcomes.items():
        assert evaluate(seed_document, answers).outcome == outcome


def test_report_lines_say_pass_fail_and_method(small_document: GuideDocument) -> None:
    broken = check_document(parse_document(broken_weight(small_document)))
    text = "\n".join(report_lines(broken, "photo"))
    assert f"FAIL {small_document.scenarios[0].slug}" in text
    assert "Reachability (exhaustive search over" in text
    assert text.splitlines()[-1].startswith("  Result: scenario")


# --- The command ------------------------------------------------------------------------------


def test_checkguide_file_passes_for_the_content(seed_file: Path, small_file: Path) -> None:
    output = checkguide("--file", str(seed_file), str(small_file))
    assert output.count("Result: OK") == 2
    assert "PASS" in output and "FAIL" not in output


def test_checkguide_file_fails_on_a_broken_weight(
    small_document: GuideDocument, tmp_path: Path
) -> None:
    bad = write(tmp_path / "broken.yaml", broken_weight(small_document))
    with pytest.raises(CommandError) as excinfo:
        checkguide("--file", str(bad))
    assert excinfo.value.returncode == 1
    assert "photo-bookings" in str(excinfo.value)


def test_checkguide_file_reports_an_invalid_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- not a guide\n", encoding="utf-8")
    with pytest.raises(CommandError, match="must hold a mapping") as excinfo:
        checkguide("--file", str(bad))
    assert excinfo.value.returncode == 1


@pytest.mark.django_db
def test_checkguide_checks_drafts_in_the_database(
    small_guide: Guide, small_document: GuideDocument
) -> None:
    assert "Result: OK" in checkguide(small_guide.slug)
    apply_document(parse_document(broken_weight(small_document)), publish=False)
    with pytest.raises(CommandError) as excinfo:
        checkguide(small_guide.slug)
    assert excinfo.value.returncode == 1
    # What visitors see is still fine.
    assert "(published, version 1)" in checkguide("--published")


@pytest.mark.django_db
def test_checkguide_unknown_slug_is_a_usage_error(small_guide: Guide) -> None:
    with pytest.raises(CommandError, match="unknown guide 'nope'") as excinfo:
        checkguide("nope")
    assert excinfo.value.returncode == 2


def test_checkguide_exit_status_from_the_shell(
    small_document: GuideDocument, small_file: Path, tmp_path: Path
) -> None:
    """What CI sees: exit status 0 for good content, non-zero for a broken weight, no database."""
    bad = write(tmp_path / "broken.yaml", broken_weight(small_document))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'missing-dir' / 'no.db'}",
    }
    manage = str(Path(settings.BASE_DIR) / "manage.py")

    def run(*files: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, manage, "checkguide", "--file", *map(str, files)],
            capture_output=True,
            text=True,
            env=env,
            cwd=settings.BASE_DIR,
            check=False,
        )

    good = run(small_file)
    assert good.returncode == 0, good.stderr
    broken = run(small_file, bad)
    assert broken.returncode == 1
    assert "FAIL" in broken.stdout


def test_a_huge_answer_space_is_described_in_powers_of_ten_never_through_a_float() -> None:
    # 30 choices to each of 300 questions: 443 digits, past a float's range.
    assert str(rough_count(30**300)) == "more than 10⁴⁴³"
    assert str(rough_count(10**15)) == "more than 10¹⁵"
    assert str(rough_count(999_999_999_999_999)) == "about 999,999,999,999,999"
    reach = Reachability("bounded", 10, 30**300, {}, (), {}, ())
    assert str(reach.describe_method()).endswith(
        "10 answer sets tried of more than 10⁴⁴³; an outcome listed as unreachable may still "
        "be reachable"
    )
