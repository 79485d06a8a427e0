"""The user's teams and the invitations waiting for them, as the "My reviews" page lists them.

Each list is one query. Built by the ORM the two cost about 1 ms a page, most of it
building and compiling SQL; on PostgreSQL they are written here once (0.1 ms each),
elsewhere (SQLite under ``make run``) the ORM's run, and both give the same rows:
tests/accounts/test_my_teams.py holds them to each other.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.urls import reverse

from .models import Invitation, Role, Team

ROLE_LABELS = dict(Role.choices)

# Any slug no team has: the board's address is reversed with it once a page.
_STAND_IN = "team-slug-stand-in"


@dataclass(frozen=True)
class TeamLink:
    name: str
    url: str


@dataclass(frozen=True)
class InvitationRow:
    pk: int
    team_name: str
    role: str
    role_label: str
    invited_by: str | None  # their name; None when whoever invited has gone
    expires_at: datetime


def _board_address() -> list[str]:
    return reverse("team_board", args=[_STAND_IN]).split(_STAND_IN)


def my_teams(user) -> list[TeamLink]:
    """The user's teams by name (``Team.objects.for_user``), each with its board's address."""
    before, after = _board_address()
    if connection.vendor != "postgresql":
        rows = Team.objects.for_user(user).values_list("name", "slug")
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.name, t.slug FROM accounts_team t "
                "JOIN accounts_membership m ON m.team_id = t.id "
                "WHERE m.user_id = %s ORDER BY t.name",
                [user.pk],
            )
            rows = cursor.fetchall()
    return [TeamLink(name=name, url=f"{before}{slug}{after}") for name, slug in rows]


def my_invitations(user) -> list[InvitationRow]:
    """Pending invitations to the user's e-mail address (any case), newest first."""
    if connection.vendor != "postgresql":
        return [_row(i) for i in _pending(user)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.id, t.name, i.role, u.display_name, u.email, i.created_at "
            "FROM accounts_invitation i "
            "JOIN accounts_team t ON t.id = i.team_id "
            "LEFT JOIN accounts_user u ON u.id = i.invited_by_id "
            "WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.declined_at IS NULL "
            "AND UPPER(i.email::text) = UPPER(%s) "
            "ORDER BY i.created_at DESC",
            [user.email],
        )
        rows = cursor.fetchall()
    return [
        InvitationRow(
            pk=pk,
            team_name=team,
            role=role,
            role_label=ROLE_LABELS.get(role, role),
            # User.name, from its two columns; nobody when the inviter was deleted.
            invited_by=(display_name or email.split("@", 1)[0]) if email is not None else None,
            expires_at=Invitation(created_at=created_at).expires_at,
        )
        for pk, team, role, display_name, email, created_at in rows
    ]


def _pending(user):
    """The ORM's query (the reference)."""
    return (
        Invitation.objects.pending()
        .filter(email__iexact=user.email)
        .select_related("team", "invited_by")
    )


def _row(invitation: Invitation) -> InvitationRow:
    return InvitationRow(
        pk=invitation.pk,
        team_name=invitation.team.name,
        role=invitation.role,
        role_label=invitation.get_role_display(),
        invited_by=invitation.invited_by.name if invitation.invited_by else None,
        expires_at=invitation.expires_at,
    )
