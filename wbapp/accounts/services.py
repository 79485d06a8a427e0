"""Every change to teams, memberships and invitations goes through one of these functions.

Each takes keyword-only arguments, runs in one transaction, checks the acting
user's permission and records what happened in the team's activity.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from wbapp import jobs
from wbapp.activity.models import Verb
from wbapp.activity.recording import activity_record

from .models import Invitation, Membership, Role, Team, User
from .rules import forget_team_role

INVITATION_SALT = "wbapp.accounts.invitation"


# --- Helpers ----------------------------------------------------------------------


def _require(user: User, perm: str, team: Team) -> None:
    if not user.has_perm(perm, team):
        raise PermissionDenied


def _locked_owner_ids(team: Team) -> set[int]:
    """Lock the team's owner memberships and return their ids.

    Two owners demoting or removing each other at the same moment must not leave
    the team without an owner. Whoever takes these row locks second waits, then
    sees the first one's change (a demoted owner no longer matches), so the
    "last owner" check below is decided on committed data.
    """
    return set(
        Membership.objects.select_for_update()
        .filter(team=team, role=Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _is_last_owner(membership: Membership, owner_ids: set[int]) -> bool:
    return owner_ids == {membership.pk}


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"“{role}” is not a team role."})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "team"
    slug, n = base, 1
    while Team.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# --- Teams --------------------------------------------------------------------------


@transaction.atomic
def team_create(*, user: User, name: str) -> Team:
    """Create a team named ``name``; its creator becomes its first owner."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A team needs a name."})
    # The existence check in _unique_slug can lose a race with another team of the
    # same name; the unique constraint then decides and we try the next suffix.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                team = Team.objects.create(name=name, slug=_unique_slug(name))
            break
        except IntegrityError:
            continue
    else:
        raise ValidationError({"name": "Could not find a free address for this team; try again."})
    Membership.objects.create(team=team, user=user, role=Role.OWNER)
    forget_team_role(user, team.pk)
    activity_record(team=team, actor=user, verb=Verb.TEAM_CREATED, name=team.name)
    return team


# --- Invitations --------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The signed, timestamped token of an invitation link."""
    signer = signing.TimestampSigner(salt=INVITATION_SALT)
    return signer.sign_object({"id": invitation.pk, "email": invitation.email.lower()})


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, or None if it no longer exists.

    Raises ``signing.SignatureExpired`` for a link older than
    TEAM_INVITATION_MAX_AGE_DAYS and ``signing.BadSignature`` for anything that
    was not signed by us.
    """
    signer = signing.TimestampSigner(salt=INVITATION_SALT)
    data = signer.unsign_object(
        token, max_age=timedelta(days=settings.TEAM_INVITATION_MAX_AGE_DAYS)
    )
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise signing.BadSignature("Malformed invitation token.")
    invitation = (
        Invitation.objects.select_related("team", "invited_by").filter(pk=data["id"]).first()
    )
    if invitation is not None and invitation.email.lower() != data.get("email"):
        raise signing.BadSignature("The token does not match the invitation.")
    return invitation


def invitation_is_expired(invitation: Invitation, *, now=None) -> bool:
    return (now or timezone.now()) >= invitation.expires_at


@transaction.atomic
def invitation_create(*, team: Team, by: User, email: str, role: str) -> Invitation:
    """Invite ``email`` to ``team`` with ``role`` and send the invitation e-mail."""
    _require(by, "accounts.manage_team", team)
    _check_role(role)
    email = email.strip()
    if team.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {team.name}."})
    # An expired invitation nobody revoked yet must not block a fresh one.
    team.invitations.expired().filter(email__iexact=email).update(revoked_at=timezone.now())
    if team.invitations.pending().filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": f"{email} already has a pending invitation to {team.name}."}
        )
    try:
        # The partial unique constraint settles two owners inviting the same address at once.
        with transaction.atomic():
            invitation = Invitation.objects.create(team=team, email=email, role=role, invited_by=by)
    except IntegrityError:
        raise ValidationError(
            {"email": f"{email} already has a pending invitation to {team.name}."}
        ) from None
    activity_record(team=team, actor=by, verb=Verb.MEMBER_INVITED, email=email, role=role)
    jobs.enqueue("wbapp.accounts.tasks.send_invitation", invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw a pending invitation; its link stops working."""
    _require(by, "accounts.manage_team", invitation.team)
    now = timezone.now()
    # Conditional UPDATE: an invitation accepted a moment ago stays accepted.
    changed = Invitation.objects.pending().filter(pk=invitation.pk).update(revoked_at=now)
    if changed != 1:
        raise ValidationError("This invitation is no longer pending.")
    invitation.revoked_at = now
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation) -> Membership:
    """Join the invitation's team. The view has already checked the link's signature."""
    invitation = Invitation.objects.select_for_update().select_related("team").get(pk=invitation.pk)
    team = invitation.team
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been accepted.")
    if invitation.revoked_at is not None:
        raise ValidationError("This invitation was withdrawn. Ask a team owner for a new one.")
    if invitation.declined_at is not None:
        raise ValidationError("You declined this invitation. Ask a team owner for a new one.")
    if invitation_is_expired(invitation):
        raise ValidationError("This invitation has expired. Ask a team owner for a new one.")
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}, but you are signed in as "
            f"{user.email}. Sign in as {invitation.email} to accept it."
        )
    if team.memberships.filter(user=user).exists():
        raise ValidationError(f"You are already a member of {team.name}.")
    membership = Membership.objects.create(team=team, user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_team_role(user, team.pk)
    activity_record(team=team, actor=user, verb=Verb.MEMBER_JOINED, role=invitation.role)
    return membership


@transaction.atomic
def invitation_decline(*, user: User, invitation: Invitation) -> Invitation:
    """Turn down an invitation to one's own address; its link stops working.

    The team's owners see it leave the pending list and may invite the address again.
    """
    if not user.is_authenticated or user.email.lower() != invitation.email.lower():
        raise PermissionDenied
    now = timezone.now()
    # Conditional UPDATE: an invitation accepted or withdrawn a moment ago stays so.
    changed = Invitation.objects.pending().filter(pk=invitation.pk).update(declined_at=now)
    if changed != 1:
        raise ValidationError("This invitation is no longer pending.")
    invitation.declined_at = now
    return invitation


@transaction.atomic
def invitations_expire(*, now=None) -> int:
    """Revoke every pending invitation past its age; returns how many."""
    now = now or timezone.now()
    # One conditional UPDATE: an invitation accepted meanwhile no longer matches.
    return Invitation.objects.expired(now=now).update(revoked_at=now)


# --- Memberships --------------------------------------------------------------------


@transaction.atomic
def membership_change_role(*, membership: Membership, by: User, role: str) -> Membership:
    team = membership.team
    _require(by, "accounts.manage_team", team)
    _check_role(role)
    owner_ids = _locked_owner_ids(team)
    membership.refresh_from_db(fields=["role"])
    old_role = membership.role
    if old_role == role:
        return membership
    if role != Role.OWNER and _is_last_owner(membership, owner_ids):
        raise ValidationError(
            {"role": f"{membership.user.name} is the only owner. Make someone else an owner first."}
        )
    membership.role = role
    membership.save(update_fields=["role"])
    forget_team_role(membership.user, team.pk)
    if membership.user_id == by.pk:
        forget_team_role(by, team.pk)
    activity_record(
        team=team,
        actor=by,
        verb=Verb.ROLE_CHANGED,
        member=membership.user.name,
        member_id=membership.user_id,
        old_role=old_role,
        new_role=role,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    team = membership.team
    _require(by, "accounts.manage_team", team)
    owner_ids = _locked_owner_ids(team)
    if _is_last_owner(membership, owner_ids):
        raise ValidationError(
            f"{membership.user.name} is the only owner of {team.name} and cannot be removed."
        )
    member = membership.user
    membership.delete()
    forget_team_role(member, team.pk)
    if member.pk == by.pk:
        forget_team_role(by, team.pk)
    activity_record(
        team=team, actor=by, verb=Verb.MEMBER_REMOVED, member=member.name, member_id=member.pk
    )


@transaction.atomic
def membership_leave(*, user: User, team: Team) -> None:
    _require(user, "accounts.leave_team", team)
    owner_ids = _locked_owner_ids(team)
    membership = Membership.objects.select_for_update().get(team=team, user=user)
    if _is_last_owner(membership, owner_ids):
        raise ValidationError(
            f"You are the only owner of {team.name}. "
            "Promote another member to owner first, then leave."
        )
    membership.delete()
    forget_team_role(user, team.pk)
    activity_record(team=team, actor=user, verb=Verb.MEMBER_LEFT)


# --- Profile --------------------------------------------------------------------------


@transaction.atomic
def profile_update(*, user: User, display_name: str, time_zone: str) -> User:
    user.display_name = display_name.strip()
    user.time_zone = time_zone
    fields = {"display_name", "time_zone"}
    user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name not in fields])
    user.save(update_fields=["display_name", "time_zone"])
    return user
