"""documents/lookups.py: the written initiative and document lookups give what the ORM gives.

Field by field, for the row and each object it carries and the viewer's role; for
members, an outsider, ids that match nothing and ids past what a column holds. A
field Django would convert on its way from the database, or a model change the
SQL misses, fails here.
"""

from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from documents import lookups
from documents.lookups import (
    documents_for,
    get_document_for_user,
    get_initiative_for_user,
    initiatives_for,
)
from documents.models import AppendixImage
from documents.services.drafting import faq_entry_add, faq_entry_move
from tests.documents.factories import iteration_save_changed, prfaq_for

pytestmark = pytest.mark.django_db


def _loaded(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def assert_same(written, built, related) -> None:
    assert type(written) is type(built)
    assert _loaded(written) == _loaded(built)
    assert written._viewer_role == built._viewer_role
    for dotted in related:
        one, other = written, built
        for name in dotted.split("."):
            one, other = getattr(one, name), getattr(other, name)
        assert type(one) is type(other)
        assert _loaded(one) == _loaded(other), dotted
        assert one.get_deferred_fields() == other.get_deferred_fields() == set(), dotted


@pytest.mark.parametrize("who", ["owner", "viewer", "outsider"])
def test_the_written_lookups_give_what_the_orm_gives(cast, who):
    document = prfaq_for(cast, title="Returns", customer="Shoppers")
    user = cast.outsider if who == "outsider" else cast.member(who)

    written = lookups._written(user, document.initiative_id, document.pk)
    assert_same(
        written,
        documents_for(user, document.initiative_id, document.pk).first(),
        ["initiative", "initiative.team", "initiative.owner"],
    )
    written = lookups._written(user, document.initiative_id)
    assert_same(
        written,
        initiatives_for(user, document.initiative_id).first(),
        ["team", "owner"],
    )
    assert written._viewer_role == (None if who == "outsider" else who)


def test_ids_that_match_nothing_find_nothing(cast):
    document = prfaq_for(cast)
    other = prfaq_for(cast)

    for ids in [(other.initiative_id, document.pk), (document.initiative_id + 100,), (2**63,)]:
        assert lookups._written(cast.owner, *ids) is None
    with pytest.raises(Http404):
        get_document_for_user(cast.owner, document.initiative_id, 2**64)
    with pytest.raises(Http404):
        get_initiative_for_user(cast.owner, 2**63)


def test_off_postgresql_the_orm_lookups_run(cast, monkeypatch):
    document = prfaq_for(cast)
    monkeypatch.setattr(lookups.connection, "vendor", "sqlite")

    found = get_document_for_user(cast.viewer, document.initiative_id, document.pk)

    assert found == document and found.initiative.team == cast.team
    assert get_initiative_for_user(cast.viewer, document.initiative_id) == document.initiative


def test_the_written_draft_rows_are_the_orms_in_the_same_order(cast):
    document = prfaq_for(cast)
    for n, audience in enumerate(["internal", "external", "internal", "external"]):
        faq_entry_add(
            user=cast.editor,
            document=document,
            audience=audience,
            question=f"Q{n}?",
            answer=f"A {n}.",
        )
    entry = document.faq_entries.filter(audience="internal").last()
    faq_entry_move(user=cast.editor, entry=entry, position=1)
    prfaq_for(cast)  # another document's rows stay out

    written, built = lookups.draft_rows(document), lookups.draft_rows_orm(document)

    for rows, orm_rows in zip(written, built, strict=True):
        assert [_loaded(row) for row in rows] == [_loaded(row) for row in orm_rows]
        assert all(row.document is document for row in rows)
        assert all(row.get_deferred_fields() == set() for row in rows)
    assert [e.question for e in written[1]][:2] == ["Q1?", "Q3?"]


def test_the_written_latest_iteration_is_the_orms(cast):
    document = prfaq_for(cast)
    assert lookups.latest_iteration(document) is None is lookups.latest_iteration_orm(document)
    iteration_save_changed(user=cast.owner, document=document)
    iteration_save_changed(user=cast.editor, document=document)
    iteration_save_changed(user=cast.editor, document=prfaq_for(cast))

    latest = lookups.latest_iteration(document)

    assert latest == lookups.latest_iteration_orm(document)
    assert (latest["number"], latest["author__display_name"]) == (2, cast.editor.display_name)


def test_the_drafting_page_names_the_latest_iteration_and_its_author(cast, client_for):
    document = prfaq_for(cast)
    iteration_save_changed(user=cast.owner, document=document)
    url = reverse("draft", args=[document.initiative_id, document.pk])

    html = " ".join(client_for(cast.viewer).get(url).content.decode().split())

    link = reverse("iteration_detail", args=[document.initiative_id, document.pk, 1])
    assert f'Latest: <a href="{link}">iteration 1</a> by Owner, on <time' in html
    assert "Iterations (1)" in html


def test_the_written_appendix_images_are_the_orms(cast):
    document = prfaq_for(cast)
    other = prfaq_for(cast)
    assert lookups.appendix_images(document.initiative_id) == []
    same_time = timezone.now()
    for n, created_at in enumerate([same_time, same_time, same_time - timedelta(days=1)]):
        AppendixImage.objects.create(
            initiative=document.initiative,
            image=f"appendix/{n}.png",
            original_name=f"chart {n}.png" if n else "",
            content_type="image/png",
            size=10,
            created_at=created_at,
        )
    AppendixImage.objects.create(
        initiative=other.initiative, image="appendix/x.png", content_type="image/png", size=1
    )

    written = lookups.appendix_images(document.initiative_id)

    assert written == lookups.appendix_images_orm(document.initiative_id)
    assert [image["original_name"] for image in written] == ["chart 1.png", "", "chart 2.png"]
