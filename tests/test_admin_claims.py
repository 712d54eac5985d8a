"""The new schema fields in the admin: tie-breaks, failure checks shown with an outcome,
and what a note or gate reason asserts or says counted (issue 22)."""

from __future__ import annotations

from decisionguide.content.models import Clause, FailureCheck, Gate, Guide, Note, TieBreak
from tests.admin_forms import add_inline_row, admin_form, change_url, errors_of, post


def test_every_new_part_has_an_editable_page(editor_client, seed_guide: Guide) -> None:
    tie_break = TieBreak.objects.get(guide=seed_guide)
    check = FailureCheck.objects.filter(guide=seed_guide).exclude(shown_with=None).get()
    for obj in (seed_guide, tie_break, check, Note.objects.filter(guide=seed_guide).first()):
        response = editor_client.get(change_url(obj))
        assert response.status_code == 200, obj
    guide_page = editor_client.get(change_url(seed_guide)).content.decode().lower()
    assert "tie-breaks for close calls" in guide_page
    assert "failure checks (the result page" in guide_page
    settles = editor_client.get(change_url(tie_break)).content.decode().lower()
    assert "answers that settle a close call" in settles
    assert [s.choice.slug for s in tie_break.settles.all()] == ["before-kickoff", "after-kickoff"]


def test_a_gate_reason_gets_an_assertion_in_the_admin(editor_client, seed_guide: Guide) -> None:
    # The "few, heavy projects" gate on CRM-first asserts two answers; add a third clause.
    gate = Gate.objects.get(guide=seed_guide, outcome__slug="crm-first")
    before = list(gate.clauses.filter(role="asserts"))
    assert len(before) == 2
    form = admin_form(editor_client, gate)
    prefix = next(n for n in form.names() if n.endswith("asserts_clauses-TOTAL_FORMS"))
    prefix = prefix.removesuffix("-TOTAL_FORMS")
    question = seed_guide.questions.get(slug="sales_cycle")
    add_inline_row(
        form,
        prefix,
        {
            "group": "all",
            "question": str(question.pk),
            "answers": [str(c.pk) for c in question.choices.all()],
        },
    )
    response = post(editor_client, change_url(gate), form)
    assert response.status_code == 302, errors_of(response)
    added = gate.clauses.filter(role="asserts", question=question).get()
    assert added.group == "all"
    # The condition itself is untouched, and the document says what was added.
    assert gate.clauses.filter(role=Clause.Role.CONDITION).count() == 2
    seed_guide.refresh_from_db()
    doc = seed_guide.draft_document()
    crm_gate = next(g for g in doc.gates if g.outcome == "crm-first")
    assert [c.question for c in crm_gate.asserts.all_] == [
        "lead_volume",
        "delivery_shape",
        "sales_cycle",
    ]
