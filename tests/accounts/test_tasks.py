import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import InvitationFactory, TeamFactory, UserFactory
from wbapp.accounts.models import Membership, Role
from wbapp.accounts.tasks import expire_invitations, send_invitation
from wbapp.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(cast):
    return InvitationFactory(
        team=TeamFactory(name="Returns & Refunds", slug="refunds"),
        email="new@example.com",
        role=Role.EDITOR,
        invited_by=cast.owner,
    )


def accept_link(message) -> str:
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def test_the_invitation_email_has_a_text_and_an_html_part(invitation, settings):
    settings.SITE_URL = "https://workback.example"

    assert send_invitation(invitation.pk) is True

    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    assert message.subject == "Owner invited you to join Returns & Refunds on Workback"
    # The text part is not HTML-escaped; the HTML part is.
    assert 'join the team "Returns & Refunds" on Workback as editor' in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "Returns &amp; Refunds" in html
    assert "create your Workback account with this address (new@example.com)" in message.body
    assert "create your Workback account with this address (new@example.com)" in html
    link = accept_link(message)
    assert link.startswith("https://workback.example/invitations/")
    assert f'href="{link}"' in html


def test_the_link_in_the_email_lets_the_invitee_join(invitation, client_for):
    send_invitation(invitation.pk)
    path = urlsplit(accept_link(mail.outbox[0])).path
    client = client_for(UserFactory(email="new@example.com"))

    page = client.get(path)
    assert page.status_code == 200
    assert b"Accept and join Returns &amp; Refunds" in page.content

    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/t/refunds/"
    assert Membership.objects.get(user__email="new@example.com").role == Role.EDITOR


def test_sending_stamps_sent_at_and_a_second_run_sends_nothing(invitation):
    send_invitation(invitation.pk)
    invitation.refresh_from_db()
    assert invitation.sent_at is not None

    assert send_invitation(invitation.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": timezone.now()},
        {"accepted_at": timezone.now()},
        {"created_at": timezone.now() - timedelta(days=8)},
    ],
    ids=["revoked", "accepted", "expired"],
)
def test_invitations_no_longer_pending_are_not_sent(invitation, change):
    for field, value in change.items():
        setattr(invitation, field, value)
    invitation.save()

    assert send_invitation(invitation.pk) is False
    assert mail.outbox == []


def test_a_deleted_invitation_is_skipped(invitation):
    pk = invitation.pk
    invitation.delete()

    assert send_invitation(pk) is False


def test_expire_invitations_is_the_scheduled_task(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["expire-team-invitations"]
    assert schedule["task"] == expire_invitations.name
    assert expire_invitations.name in app.tasks


def test_expire_invitations_revokes_old_pending_invitations_and_counts_them(cast):
    old = InvitationFactory(team=cast.team, created_at=timezone.now() - timedelta(days=8))
    InvitationFactory(team=cast.team)

    assert expire_invitations.delay().get() == 1

    old.refresh_from_db()
    assert old.revoked_at is not None
    assert expire_invitations() == 0
