"""Per-user lookups: the only way views fetch a team from a URL.

Outsiders get 404 (never a 403 that would confirm the team exists); members
without the permission get 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Invitation, Team


def get_team_for_user(user, slug: str, *, perm: str = "accounts.view_team") -> Team:
    team = Team.objects.for_user(user).filter(slug=slug).first()
    if team is None:
        raise Http404("No such team.")
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
