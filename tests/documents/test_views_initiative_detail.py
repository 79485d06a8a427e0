"""The initiative page: /i/<initiative>/."""

import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import DocumentKind
from documents.services.initiatives import document_create, initiative_update
from documents.views import initiative_rows
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import InitiativeFactory, iteration_save_changed
from tests.documents.hostile_inputs import HOSTILE_INPUTS, page_problems

pytestmark = pytest.mark.django_db


def url(initiative):
    return reverse("initiative_detail", args=[initiative.pk])


def test_outsider_gets_404(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    assert request_as(cast, "outsider", "get", url(initiative)).status_code == 404


def test_a_missing_initiative_is_404_too(cast):
    assert request_as(cast, "owner", "get", "/i/999999/").status_code == 404


@pytest.mark.parametrize("role", READERS + WRITERS)
def test_every_member_reads_the_page(cast, role):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor, title="Self-serve returns")
    response = request_as(cast, role, "get", url(initiative))
    assert response.status_code == 200
    assert "Self-serve returns" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "can_edit"),
    [("viewer", False), ("reviewer", False), ("editor", True), ("owner", True)],
)
def test_edit_controls_show_only_for_writers(cast, role, can_edit):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    html = request_as(cast, role, "get", url(initiative)).content.decode()
    assert (reverse("initiative_edit", args=[initiative.pk]) in html) is can_edit
    assert (reverse("document_create", args=[initiative.pk]) in html) is can_edit


def test_answers_are_rendered_as_markdown(cast):
    initiative = InitiativeFactory(
        team=cast.team, owner=cast.editor, customer="Shoppers with the **wrong size**."
    )
    html = request_as(cast, "viewer", "get", url(initiative)).content.decode()
    assert "<strong>wrong size</strong>" in html
    assert "Not answered yet." in html  # the four other questions


def test_documents_iterations_and_status_are_listed(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    document = document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.PRFAQ)
    iteration_save_changed(user=cast.editor, document=document, note="First full draft")
    html = request_as(cast, "viewer", "get", url(initiative)).content.decode()
    assert reverse("draft", args=[initiative.pk, document.pk]) in html
    assert "First full draft" in html
    assert reverse("iteration_detail", args=[initiative.pk, document.pk, 1]) in html
    assert 'class="badge badge--drafting"' in html


def test_hostile_markdown_in_the_answers_is_defused(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    for name, text in HOSTILE_INPUTS:
        answers = dict.fromkeys(("customer", "problem", "benefit", "evidence", "experience"), text)
        initiative_update(user=cast.editor, initiative=initiative, title=text, **answers)
        html = request_as(cast, "viewer", "get", url(initiative)).content.decode()
        assert page_problems(html) == [], name


def test_recent_iterations_name_their_document_author_and_time_in_the_viewers_zone(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    prfaq = document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.PRFAQ)
    narrative = document_create(
        user=cast.editor, initiative=initiative, kind=DocumentKind.NARRATIVE, title="Why now"
    )
    first = iteration_save_changed(user=cast.editor, document=prfaq)
    iteration_save_changed(user=cast.owner, document=narrative)
    cast.viewer.time_zone = "Asia/Tokyo"
    cast.viewer.save(update_fields=["time_zone"])

    html = " ".join(request_as(cast, "viewer", "get", url(initiative)).content.decode().split())

    local = timezone.localtime(first.created_at, zoneinfo.ZoneInfo("Asia/Tokyo"))
    link = reverse("iteration_detail", args=[initiative.pk, narrative.pk, 1])
    assert f'<a href="{link}">Why now · iteration 1</a>' in html
    assert f'<time datetime="{local.isoformat()}">Editor, {local:%-d %b %Y, %H:%M}</time>' in html
    assert "PR/FAQ · iteration 1" in html and "Owner," in html


def test_the_written_lists_give_what_the_orm_gives(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    prfaq = document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.PRFAQ)
    document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.NARRATIVE)
    for n in range(initiative_rows.RECENT_ITERATIONS + 2):
        iteration_save_changed(
            user=cast.editor if n % 2 else cast.owner, document=prfaq, note=f"n{n}"
        )
    other = InitiativeFactory(team=cast.team, owner=cast.editor)
    iteration_save_changed(
        user=cast.editor,
        document=document_create(user=cast.editor, initiative=other, kind=DocumentKind.PRFAQ),
    )

    written = initiative_rows.documents_with_summary(initiative)
    built = initiative_rows.documents_with_summary_orm(initiative)
    assert [(d.pk, d.iteration_count, d.latest_iteration_number) for d in written] == [
        (d.pk, d.iteration_count, d.latest_iteration_number) for d in built
    ]
    assert [_loaded(d) for d in written] == [_loaded(d) for d in built]
    assert [d.iteration_count for d in written] == [initiative_rows.RECENT_ITERATIONS + 2, 0]
    rows = initiative_rows.recent_iteration_rows(initiative)
    assert rows == list(initiative_rows.recent_iteration_rows_orm(initiative))
    assert [row["note"] for row in rows][:2] == ["n9", "n8"]


def _loaded(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
