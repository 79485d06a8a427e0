"""documents/lookups.py: the written iteration lookup gives what the ORM gives.

Field by field, for the iteration (its JSON columns too), its document, initiative,
team and author, the viewer's role, the document's newest number and the
initiative's flags (the Andon cord, which reviews adds): for each role, a former
member and an outsider, with the cord never pulled, pulled and reset.
"""

import pytest
from django.http import Http404

from documents import lookups
from documents.lookups import get_revision_for_user, revisions_for
from reviews.services.decisions import andon_pull, andon_reset
from tests.documents.factories import iteration_save_changed, prfaq_for
from wbapp.accounts.models import Membership

pytestmark = pytest.mark.django_db

RELATED = ["document", "document.initiative", "document.initiative.team", "author"]


def _loaded(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def assert_same(written, built) -> None:
    assert type(written) is type(built)
    assert _loaded(written) == _loaded(built)
    assert written.get_deferred_fields() == built.get_deferred_fields() == set()
    for name in ("_viewer_role", "_newest_number", "_flag_andon_pulled"):
        assert getattr(written, name) == getattr(built, name), name
    for dotted in RELATED:
        one, other = written, built
        for name in dotted.split("."):
            one, other = getattr(one, name), getattr(other, name)
        assert type(one) is type(other)
        assert _loaded(one) == _loaded(other), dotted
        assert one.get_deferred_fields() == other.get_deferred_fields() == set(), dotted


@pytest.mark.parametrize("cord", ["never", "pulled", "reset"])
@pytest.mark.parametrize("who", ["owner", "editor", "reviewer", "viewer", "former", "outsider"])
def test_the_written_iteration_lookup_gives_what_the_orm_gives(cast, who, cord):
    document = prfaq_for(cast, title="Returns", customer="Shoppers")
    first = iteration_save_changed(user=cast.owner, document=document, note="First")
    iteration_save_changed(user=cast.editor, document=document)
    iteration_save_changed(user=cast.editor, document=prfaq_for(cast))  # another document's
    initiative = document.initiative
    if cord != "never":
        andon_pull(user=cast.reviewer, initiative=initiative, reason="Legal first")
    if cord == "reset":
        andon_reset(user=cast.owner, initiative=initiative, resolution="Cleared")
    user = cast.outsider if who == "outsider" else cast.member("viewer" if who == "former" else who)
    if who == "former":
        Membership.objects.filter(user=user, team=cast.team).delete()
    ids = (initiative.pk, document.pk, first.number)

    written = lookups._written_revision(user, *ids)

    assert_same(written, revisions_for(user, *ids).first())
    assert written.content == first.content and written.content["sections"]
    assert written.rendered == first.rendered
    assert written._viewer_role == (None if who in ("outsider", "former") else who)
    assert written._newest_number == 2
    assert written._flag_andon_pulled is (cord == "pulled")


def test_ids_that_match_nothing_find_nothing(cast):
    document = prfaq_for(cast)
    other = prfaq_for(cast)
    iteration_save_changed(user=cast.owner, document=document)

    for ids in [
        (other.initiative_id, document.pk, 1),
        (document.initiative_id, document.pk, 2),
        (document.initiative_id, other.pk, 1),
        (document.initiative_id, document.pk, 2**63),
        (2**63, document.pk, 1),
    ]:
        assert lookups._written_revision(cast.owner, *ids) is None
        assert revisions_for(cast.owner, *ids[:2], min(ids[2], 2**31)).first() is None
    with pytest.raises(Http404):
        get_revision_for_user(cast.owner, document.initiative_id, document.pk, 2**64)


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_the_lookup_sets_the_newest_number_and_the_cord(cast, monkeypatch, vendor):
    document = prfaq_for(cast)
    iteration_save_changed(user=cast.owner, document=document)
    iteration_save_changed(user=cast.owner, document=document)
    andon_pull(user=cast.reviewer, initiative=document.initiative, reason="Stop")
    monkeypatch.setattr(lookups.connection, "vendor", vendor)

    found = get_revision_for_user(cast.viewer, document.initiative_id, document.pk, 1)

    assert (found.number, found.newest_number) == (1, 2)
    assert found.document.initiative.andon_pulled is True
    assert found.document.initiative.team == cast.team
    for user in (cast.outsider, cast.member("reviewer")):
        if user != cast.outsider:
            Membership.objects.filter(user=user, team=cast.team).delete()
        with pytest.raises(Http404):
            get_revision_for_user(user, document.initiative_id, document.pk, 1)
