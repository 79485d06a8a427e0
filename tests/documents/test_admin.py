import pytest
from django.urls import reverse

from documents.models import Revision
from documents.services.iterations import iteration_save
from tests.documents.factories import prfaq_for
from tests.factories import UserFactory


@pytest.fixture
def admin_client_for_revision(cast, client):
    revision = iteration_save(user=cast.editor, document=prfaq_for(cast), note="Frozen")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client, revision


def test_superuser_can_look_at_an_iteration(admin_client_for_revision):
    client, revision = admin_client_for_revision

    response = client.get(reverse("admin:documents_revision_change", args=[revision.pk]))

    assert response.status_code == 200
    assert b"Frozen" in response.content
    assert b'name="_save"' not in response.content


def test_admin_cannot_add_change_or_delete_iterations(admin_client_for_revision):
    client, revision = admin_client_for_revision

    add = client.get(reverse("admin:documents_revision_add"))
    change = client.post(
        reverse("admin:documents_revision_change", args=[revision.pk]), {"note": "Rewritten"}
    )
    delete = client.post(
        reverse("admin:documents_revision_delete", args=[revision.pk]), {"post": "yes"}
    )
    bulk_delete = client.post(
        reverse("admin:documents_revision_changelist"),
        {"action": "delete_selected", "_selected_action": [revision.pk], "post": "yes"},
    )

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    assert bulk_delete.status_code in {200, 302}
    assert Revision.objects.get(pk=revision.pk).note == "Frozen"


def test_document_admin_shows_the_draft_read_only(admin_client_for_revision):
    client, revision = admin_client_for_revision

    response = client.get(reverse("admin:documents_document_change", args=[revision.document_id]))

    assert response.status_code == 200
    assert b"Headline" in response.content
    assert b'name="_save"' not in response.content
