import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from documents.lookups import (
    get_document_for_user,
    get_faq_entry,
    get_image_for_user,
    get_initiative_for_user,
    get_revision_for_user,
    get_section,
)
from documents.models import AppendixImage
from documents.services.drafting import faq_entry_add
from documents.services.iterations import iteration_save
from tests.documents.factories import InitiativeFactory, prfaq_for

READERS = ["reviewer", "viewer"]
WRITERS = ["owner", "editor"]


@pytest.fixture
def document(cast):
    return prfaq_for(cast)


@pytest.fixture
def revision(cast, document):
    return iteration_save(user=cast.editor, document=document)


@pytest.mark.parametrize("role", READERS + WRITERS)
def test_members_get_the_initiative_in_one_query(cast, document, role, django_assert_num_queries):
    user = cast.member(role)

    with django_assert_num_queries(1):
        initiative = get_initiative_for_user(user, document.initiative_id)
        # The permission check reads the role fetched with the row.
        assert user.has_perm("documents.view_initiative", initiative)

    assert initiative == document.initiative


def test_outsider_gets_404_for_the_initiative(cast, document):
    with pytest.raises(Http404):
        get_initiative_for_user(cast.outsider, document.initiative_id)


def test_anonymous_gets_404(document):
    with pytest.raises(Http404):
        get_initiative_for_user(AnonymousUser(), document.initiative_id)


def test_unknown_initiative_is_404(cast):
    with pytest.raises(Http404):
        get_initiative_for_user(cast.owner, 999_999)


@pytest.mark.parametrize("role", READERS)
def test_readers_get_403_when_asking_to_write(cast, document, role):
    with pytest.raises(PermissionDenied):
        get_initiative_for_user(cast.member(role), document.initiative_id, write=True)
    with pytest.raises(PermissionDenied):
        get_document_for_user(cast.member(role), document.initiative_id, document.pk, write=True)


@pytest.mark.parametrize("role", WRITERS)
def test_editors_and_owners_may_write(cast, document, role):
    user = cast.member(role)

    assert get_initiative_for_user(user, document.initiative_id, write=True)
    assert get_document_for_user(user, document.initiative_id, document.pk, write=True)


def test_document_lookup_is_one_query_with_its_initiative(
    cast, document, django_assert_num_queries
):
    with django_assert_num_queries(1):
        found = get_document_for_user(cast.viewer, document.initiative_id, document.pk)
        assert found.initiative.team == cast.team
        assert found.initiative.owner == cast.editor

    assert found == document


def test_outsider_gets_404_for_the_document(cast, document):
    with pytest.raises(Http404):
        get_document_for_user(cast.outsider, document.initiative_id, document.pk)


def test_document_under_another_initiative_is_404(cast, document):
    other = InitiativeFactory(team=cast.team, owner=cast.owner)

    with pytest.raises(Http404):
        get_document_for_user(cast.owner, other.pk, document.pk)


def test_members_get_an_iteration_by_number(cast, document, revision, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = get_revision_for_user(cast.viewer, document.initiative_id, document.pk, 1)
        assert found.author == cast.editor
        assert found.document.initiative.team == cast.team

    assert found == revision


def test_outsider_gets_404_for_an_iteration(cast, document, revision):
    with pytest.raises(Http404):
        get_revision_for_user(cast.outsider, document.initiative_id, document.pk, 1)


def test_missing_iteration_number_is_404(cast, document, revision):
    with pytest.raises(Http404):
        get_revision_for_user(cast.owner, document.initiative_id, document.pk, 2)


@pytest.mark.parametrize("role", READERS)
def test_readers_cannot_ask_for_an_iteration_to_restore(cast, document, revision, role):
    with pytest.raises(PermissionDenied):
        get_revision_for_user(cast.member(role), document.initiative_id, document.pk, 1, write=True)


def test_image_lookup_checks_membership(cast, document):
    image = AppendixImage.objects.create(
        initiative=document.initiative, image="appendix/x.png", content_type="image/png", size=1
    )

    assert get_image_for_user(cast.viewer, document.initiative_id, image.pk) == image
    with pytest.raises(Http404):
        get_image_for_user(cast.outsider, document.initiative_id, image.pk)
    with pytest.raises(Http404):
        get_image_for_user(cast.viewer, document.initiative_id + 1, image.pk)


def test_sections_and_faq_entries_are_found_by_key_within_the_document(cast, document):
    entry = faq_entry_add(user=cast.editor, document=document, audience="external")
    other = prfaq_for(cast)

    assert get_section(document, "headline").document_id == document.pk
    assert get_faq_entry(document, entry.key) == entry
    with pytest.raises(Http404):
        get_section(document, "nope")
    with pytest.raises(Http404):
        get_faq_entry(other, entry.key)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("owner", True),
        ("editor", True),
        ("reviewer", False),
        ("viewer", False),
        ("outsider", False),
    ],
)
def test_only_editors_and_owners_may_add_initiatives_to_a_team(cast, role, allowed):
    assert cast.member(role).has_perm("documents.add_initiative", cast.team) is allowed
