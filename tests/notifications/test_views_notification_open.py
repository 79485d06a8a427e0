"""Opening a notification: GET /notifications/<id>/ marks it read and goes to its target."""

import pytest
from django.urls import reverse

from tests.documents.factories import InitiativeFactory
from tests.notifications.inbox_factories import notification_for
from tests.reviews.factories import comment, revision_for
from wbapp.activity.models import Notification

pytestmark = pytest.mark.django_db


def url(notification):
    return reverse("notification_open", args=[notification.pk])


def test_opening_a_comment_notification_marks_it_read_and_goes_to_the_exact_comment(
    cast, client_for, django_capture_on_commit_callbacks
):
    revision = revision_for(cast)  # the editor owns the initiative
    with django_capture_on_commit_callbacks(execute=True):
        thread = comment(cast.reviewer, revision, body="Is the refund really instant?")
    notification = Notification.objects.get(user=cast.editor, activity__verb="comment_added")

    response = client_for(cast.editor).get(url(notification))

    iteration = reverse(
        "iteration_detail",
        args=[revision.document.initiative_id, revision.document_id, revision.number],
    )
    assert response.status_code == 302
    assert response["Location"] == f"{iteration}#comment-{thread.pk}"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_a_404_and_stays_unread(cast, client_for):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    notification = notification_for(cast.reviewer, initiative=initiative)
    for user in (cast.viewer, cast.owner, cast.outsider):
        assert client_for(user).get(url(notification)).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_notification_with_nothing_to_link_returns_to_the_inbox(cast, client_for):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    notification = notification_for(cast.viewer, initiative=initiative, payload={})
    response = client_for(cast.viewer).get(url(notification))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_read_notification_again_keeps_its_read_time(cast, client_for):
    notification = notification_for(cast.viewer, read=True)
    read_at = notification.read_at
    assert client_for(cast.viewer).get(url(notification)).status_code == 302
    notification.refresh_from_db()
    assert notification.read_at == read_at


def test_anonymous_visitors_are_sent_to_sign_in(cast, client):
    notification = notification_for(cast.viewer)
    response = client.get(url(notification))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
