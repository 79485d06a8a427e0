"""Per-user lookups: the only way views fetch a team from a URL.

Outsiders get 404 (never a 403 that would confirm the team exists); members
without the permission get 403.

The team lookup behind every team page (``teams_for``: the team with the viewer's
role, for members only) cost about 1 ms of CPU built by the ORM, most of it
compiling the SQL; on PostgreSQL it runs the same query written once (``_written``).
Elsewhere (SQLite under ``make run``) the ORM query runs.
tests/accounts/test_written_team_lookup.py holds the two to the same team and role.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.http import Http404

from wbapp.db import Table, split_row

from .models import Invitation, Membership, Role, Team, User
from .rules import remember_team_role


def _membership_role(user):
    return Membership.objects.filter(team=OuterRef("pk"), user=user).values("role")[:1]


def teams_for(user, slug: str):
    """The team lookup as the ORM builds it (the reference; SQLite runs this one)."""
    return (
        Team.objects.filter(slug=slug)
        .annotate(_viewer_role=Subquery(_membership_role(user)))
        .exclude(_viewer_role=None)
    )


_TEAM = Table(Team, "t")


@functools.cache
def _sql() -> str:
    membership = Membership._meta.db_table
    # Table and column names come from the models; the user and the slug are parameters.
    # One membership per team and user (membership_unique_user): a join finds the role.
    return (
        f'SELECT {_TEAM.columns()}, m."role" FROM {_TEAM} '  # noqa: S608
        f'JOIN "{membership}" m ON m."team_id" = t."id" AND m."user_id" = %s '
        'WHERE t."slug" = %s'
    )


def _written(user, slug: str) -> Team | None:
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [user.pk, slug])
        row = cursor.fetchone()
    if row is None:
        return None
    (team,), (role,) = split_row(row, [_TEAM])
    team._viewer_role = role
    return team


def get_team_for_user(user, slug: str, *, perm: str = "accounts.view_team") -> Team:
    if not user.is_authenticated:
        raise Http404("No such team.")
    if connection.vendor == "postgresql":
        team = _written(user, slug)
    else:
        team = teams_for(user, slug).first()
    if team is None:
        raise Http404("No such team.")
    remember_team_role(user, team.pk, team._viewer_role)
    if not user.has_perm(perm, team):
        raise PermissionDenied
    return team


def get_invitation_for_manager(user, team: Team, pk: int) -> Invitation:
    """A pending invitation of ``team`` that ``user`` may revoke (team owners)."""
    if not user.has_perm("accounts.manage_team", team):
        raise PermissionDenied
    invitation = team.invitations.pending().filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def get_invitation_for_invitee(user, pk: int) -> Invitation:
    """A pending invitation sent to ``user``'s address; 404 for anyone else's."""
    if not user.is_authenticated:
        raise Http404("No such invitation.")
    invitation = (
        Invitation.objects.pending()
        .filter(pk=pk, email__iexact=user.email)
        .select_related("team", "invited_by")
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def email_has_account(email: str) -> bool:
    """Whether someone already signs in with ``email`` (any case)."""
    return User.objects.filter(email__iexact=email).exists()


def memberships_by_role(team: Team) -> list[Membership]:
    """The team's memberships with their users: owners first, then by name."""
    memberships = team.memberships.select_related("user")
    return sorted(memberships, key=lambda m: (-Role.rank(m.role), m.user.name.lower()))
