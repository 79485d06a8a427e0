"""Per-user lookups: the only way views fetch a team from a URL.

Outsiders get 404 (never a 403 that would confirm the team exists); members
without the permission get 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404

from .models import Invitation, Membership, Role, Team
from .rules import remember_team_role


def _membership_role(user):
    return Membership.objects.filter(team=OuterRef("pk"), user=user).values("role")[:1]


def get_team_for_user(user, slug: str, *, perm: str = "accounts.view_team") -> Team:
    if not user.is_authenticated:
        raise Http404("No such team.")
    team = (
        Team.objects.filter(slug=slug)
        .annotate(_viewer_role=Subquery(_membership_role(user)))
        .exclude(_viewer_role=None)
        .first()
    )
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


def memberships_by_role(team: Team) -> list[Membership]:
    """The team's memberships with their users: owners first, then by name."""
    memberships = team.memberships.select_related("user")
    return sorted(memberships, key=lambda m: (-Role.rank(m.role), m.user.name.lower()))
