from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import InvitationFactory, UserFactory
from wbapp.accounts import services
from wbapp.accounts.models import Invitation, Membership, Role
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


# --- invitation_create -------------------------------------------------------------


def test_owner_invites_and_the_email_goes_out_after_commit(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = services.invitation_create(
            team=cast.team, by=cast.owner, email="new@example.com", role=Role.EDITOR
        )

    # The invitation e-mail and the notifications fan-out of the recorded activity.
    assert len(callbacks) == 2
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert invitation.invited_by == cast.owner
    assert invitation.role == Role.EDITOR


def test_the_invitation_email_waits_for_the_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.invitation_create(
            team=cast.team, by=cast.owner, email="new@example.com", role=Role.EDITOR
        )

    # Nothing is sent inside the transaction; the task is only queued for the commit.
    assert mail.outbox == []
    assert len(callbacks) == 2


def test_invitation_create_records_the_activity(cast):
    services.invitation_create(
        team=cast.team, by=cast.owner, email="new@example.com", role=Role.VIEWER
    )

    activity = Activity.objects.get(team=cast.team, verb=Verb.MEMBER_INVITED)
    assert activity.actor == cast.owner
    assert activity.payload == {"email": "new@example.com", "role": "viewer"}


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_only_owners_may_invite(cast, role):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            team=cast.team, by=cast.member(role), email="new@example.com", role=Role.VIEWER
        )

    assert not Invitation.objects.exists()


def test_inviting_a_member_is_refused_whatever_the_case_of_the_address(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_create(
            team=cast.team, by=cast.owner, email="Editor@Example.com", role=Role.VIEWER
        )

    assert excinfo.value.message_dict["email"] == [
        "Editor@Example.com is already a member of Returns."
    ]


def test_a_second_pending_invitation_for_the_same_address_is_refused(cast):
    InvitationFactory(team=cast.team, email="new@example.com")

    with pytest.raises(ValidationError) as excinfo:
        services.invitation_create(
            team=cast.team, by=cast.owner, email="NEW@example.com", role=Role.VIEWER
        )

    assert "already has a pending invitation" in excinfo.value.message_dict["email"][0]
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_does_not_block_a_new_one(cast):
    old = InvitationFactory(team=cast.team, email="new@example.com", created_at=days_ago(30))

    fresh = services.invitation_create(
        team=cast.team, by=cast.owner, email="new@example.com", role=Role.VIEWER
    )

    old.refresh_from_db()
    assert old.revoked_at is not None
    assert fresh.is_pending


def test_an_unknown_role_is_refused(cast):
    with pytest.raises(ValidationError):
        services.invitation_create(
            team=cast.team, by=cast.owner, email="new@example.com", role="admin"
        )


# --- invitation_revoke -------------------------------------------------------------


def test_owner_revokes_a_pending_invitation(cast):
    invitation = InvitationFactory(team=cast.team)

    services.invitation_revoke(invitation=invitation, by=cast.owner)

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_an_editor_may_not_revoke(cast):
    invitation = InvitationFactory(team=cast.team)

    with pytest.raises(PermissionDenied):
        services.invitation_revoke(invitation=invitation, by=cast.editor)


def test_an_accepted_invitation_cannot_be_revoked(cast):
    invitation = InvitationFactory(team=cast.team, accepted_at=timezone.now())

    with pytest.raises(ValidationError):
        services.invitation_revoke(invitation=invitation, by=cast.owner)

    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- tokens ------------------------------------------------------------------------


def test_a_token_leads_back_to_its_invitation(cast):
    invitation = InvitationFactory(team=cast.team)

    assert services.invitation_from_token(services.invitation_token(invitation)) == invitation


def test_a_tampered_token_is_refused(cast):
    token = services.invitation_token(InvitationFactory(team=cast.team))

    with pytest.raises(signing.BadSignature):
        services.invitation_from_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))


def test_a_token_signed_for_another_purpose_is_refused(cast):
    invitation = InvitationFactory(team=cast.team)
    token = signing.TimestampSigner().sign_object({"id": invitation.pk, "email": invitation.email})

    with pytest.raises(signing.BadSignature):
        services.invitation_from_token(token)


def test_an_old_token_has_expired(cast, settings):
    invitation = InvitationFactory(team=cast.team)
    signed_at = timezone.now().timestamp() - (settings.TEAM_INVITATION_MAX_AGE_DAYS + 1) * 86400
    with mock.patch.object(signing.time, "time", return_value=signed_at):
        token = services.invitation_token(invitation)

    with pytest.raises(signing.SignatureExpired):
        services.invitation_from_token(token)


def test_a_token_for_a_deleted_invitation_names_none(cast):
    invitation = InvitationFactory(team=cast.team)
    token = services.invitation_token(invitation)
    invitation.delete()

    assert services.invitation_from_token(token) is None


# --- invitation_accept -------------------------------------------------------------


def test_the_invited_user_joins_with_the_invited_role(cast):
    invitation = InvitationFactory(team=cast.team, email="New@Example.com", role=Role.EDITOR)
    user = UserFactory(email="new@example.com")

    membership = services.invitation_accept(user=user, invitation=invitation)

    assert membership.team == cast.team
    assert membership.role == Role.EDITOR
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    assert user.has_perm("accounts.view_team", cast.team)
    joined = Activity.objects.get(team=cast.team, verb=Verb.MEMBER_JOINED)
    assert joined.actor == user
    assert joined.payload == {"role": "editor"}


def test_accepting_with_another_address_names_the_invited_one(cast):
    invitation = InvitationFactory(team=cast.team, email="invited@example.com")
    user = UserFactory(email="someone-else@example.com")

    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(user=user, invitation=invitation)

    assert "invited@example.com" in excinfo.value.messages[0]
    assert not Membership.objects.filter(user=user).exists()


def test_an_expired_invitation_cannot_be_accepted(cast):
    invitation = InvitationFactory(team=cast.team, created_at=days_ago(8))
    user = UserFactory(email=invitation.email)

    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(user=user, invitation=invitation)


def test_a_revoked_invitation_cannot_be_accepted(cast):
    invitation = InvitationFactory(team=cast.team, revoked_at=timezone.now())
    user = UserFactory(email=invitation.email)

    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_accept(user=user, invitation=invitation)


def test_an_invitation_is_accepted_only_once(cast):
    invitation = InvitationFactory(team=cast.team)
    user = UserFactory(email=invitation.email)
    services.invitation_accept(user=user, invitation=invitation)

    # A stale copy, as a second click on "Accept" would hold.
    with pytest.raises(ValidationError, match="already been accepted"):
        services.invitation_accept(user=user, invitation=invitation)

    assert Membership.objects.filter(user=user, team=cast.team).count() == 1


def test_a_member_cannot_accept_a_second_membership(cast):
    invitation = InvitationFactory(team=cast.team, email=cast.viewer.email)

    with pytest.raises(ValidationError, match="already a member"):
        services.invitation_accept(user=cast.viewer, invitation=invitation)


# --- invitation_decline ------------------------------------------------------------


def test_the_invitee_declines_and_the_invitation_is_no_longer_pending(cast):
    invitation = InvitationFactory(team=cast.team, email="New@example.com")
    user = UserFactory(email="new@example.com")

    services.invitation_decline(user=user, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert not invitation.is_pending
    assert not cast.team.invitations.pending().exists()


def test_only_the_invitee_may_decline(cast):
    invitation = InvitationFactory(team=cast.team)

    with pytest.raises(PermissionDenied):
        services.invitation_decline(user=cast.owner, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.is_pending


def test_an_accepted_invitation_cannot_be_declined(cast):
    invitation = InvitationFactory(team=cast.team)
    user = UserFactory(email=invitation.email)
    services.invitation_accept(user=user, invitation=invitation)

    # A stale copy, as a page opened before the accept would hold.
    stale = Invitation.objects.get(pk=invitation.pk)
    stale.accepted_at = None
    with pytest.raises(ValidationError, match="no longer pending"):
        services.invitation_decline(user=user, invitation=stale)

    assert Invitation.objects.get(pk=invitation.pk).declined_at is None


def test_a_declined_invitation_cannot_be_accepted(cast):
    invitation = InvitationFactory(team=cast.team, declined_at=timezone.now())
    user = UserFactory(email=invitation.email)

    with pytest.raises(ValidationError, match="declined"):
        services.invitation_accept(user=user, invitation=invitation)

    assert not Membership.objects.filter(user=user).exists()


# --- invitations_expire ------------------------------------------------------------


def test_invitations_expire_revokes_only_old_pending_invitations(cast):
    old = InvitationFactory(team=cast.team, created_at=days_ago(8))
    fresh = InvitationFactory(team=cast.team, created_at=days_ago(6))
    accepted = InvitationFactory(team=cast.team, created_at=days_ago(8), accepted_at=days_ago(7))

    assert services.invitations_expire() == 1
    assert services.invitations_expire() == 0

    for invitation in (old, fresh, accepted):
        invitation.refresh_from_db()
    assert old.revoked_at is not None
    assert fresh.revoked_at is None
    assert accepted.revoked_at is None
