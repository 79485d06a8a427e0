"""The team board: a team's initiatives by status, its members and its recent activity.

The page of a team (``/t/<slug>/``); it lives with the documents it lists, above
the accounts app whose team it shows. Members and activity are read as plain
values: a team of 160 members would otherwise build 320 model rows to show a line
of names. The recent activity (the newest rows with their actor's and initiative's
names) cost 1.5–2 ms of CPU built by the ORM and 0.3 ms written once
(``activity_rows``; SQLite runs ``activity_rows_orm``, which a test holds it to);
the members likewise (``member_rows``).
"""

import functools
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wbapp.accounts.lookups import get_team_for_user
from wbapp.accounts.models import Membership, Role, Team, User, person_name
from wbapp.activity.models import Activity, Verb
from wbapp.http import HtmxHttpRequest, url_for_id

from ..models import Initiative
from .cards import time_label
from .initiatives import board_initiatives

RECENT_ACTIVITY = 20
VERBS = dict(Verb.choices)


def member_rows_orm(team_id: int):
    """Each member's role, display name and e-mail (the reference; SQLite runs this one)."""
    return Membership.objects.filter(team=team_id).values_list(
        "role", "user__display_name", "user__email"
    )


@functools.cache
def _member_sql() -> str:
    membership, user = Membership._meta.db_table, User._meta.db_table
    return (
        f'SELECT m."role", u."display_name", u."email" FROM "{membership}" m '  # noqa: S608
        f'JOIN "{user}" u ON u."id" = m."user_id" WHERE m."team_id" = %s'
    )


def member_rows(team_id: int) -> list[tuple[str, str, str]]:
    """What ``member_rows_orm(team_id)`` gives (in no order), in one query written once."""
    if connection.vendor != "postgresql":
        return list(member_rows_orm(team_id))
    with connection.cursor() as cursor:
        cursor.execute(_member_sql(), [team_id])
        return cursor.fetchall()


def _members(team: Team) -> list[tuple[str, str]]:
    """(role, name) of each member: owners first, then by name."""
    rows = member_rows(team.pk)
    members = [(role, person_name(display_name, email)) for role, display_name, email in rows]
    return sorted(members, key=lambda m: (-Role.rank(m[0]), m[1].lower()))


ACTIVITY_VALUES = (
    "verb",
    "payload",
    "created_at",
    "initiative_id",
    "initiative__title",
    "actor__display_name",
    "actor__email",
)


def activity_rows_orm(team_id: int):
    """The recent activity as the ORM reads it (the reference; SQLite runs this one)."""
    return Activity.objects.filter(team=team_id).values(*ACTIVITY_VALUES)[:RECENT_ACTIVITY]


@functools.cache
def _activity_sql() -> str:
    activity, initiative = Activity._meta.db_table, Initiative._meta.db_table
    user = User._meta.db_table
    # Table names come from the models; the team and the limit are parameters. The
    # order is Activity.Meta.ordering.
    return (
        'SELECT a."verb", a."payload", a."created_at", a."initiative_id", i."title", '  # noqa: S608
        f'u."display_name", u."email" FROM "{activity}" a '
        f'LEFT JOIN "{initiative}" i ON i."id" = a."initiative_id" '
        f'LEFT JOIN "{user}" u ON u."id" = a."actor_id" '
        'WHERE a."team_id" = %s ORDER BY a."created_at" DESC, a."id" DESC LIMIT %s'
    )


def activity_rows(team_id: int) -> list[dict]:
    """What ``activity_rows_orm(team_id)`` gives, in one prepared query."""
    if connection.vendor != "postgresql":
        return list(activity_rows_orm(team_id))
    with connection.cursor() as cursor:
        cursor.execute(_activity_sql(), [team_id, RECENT_ACTIVITY])
        rows = [dict(zip(ACTIVITY_VALUES, row, strict=True)) for row in cursor.fetchall()]
    # The JSON comes as text, as Django has it come; the field decodes it as for the ORM.
    payload = Activity._meta.get_field("payload")
    for row in rows:
        row["payload"] = payload.from_db_value(row["payload"], None, connection)
    return rows


def _activities(team: Team) -> list[dict]:
    """The team's recent activity, with what each sentence needs."""
    rows = activity_rows(team.pk)
    activities = []
    for row in rows:
        iso, label = time_label(row["created_at"])
        actor = row["actor__email"] and person_name(row["actor__display_name"], row["actor__email"])
        initiative_id = row["initiative_id"]
        activities.append(
            {
                "verb": row["verb"],
                "verb_display": VERBS.get(row["verb"], row["verb"]),
                "payload": row["payload"],
                "created_iso": iso,
                "created_label": label,
                "actor": actor,
                "initiative_title": row["initiative__title"],
                "initiative_url": initiative_id and url_for_id("initiative_detail", initiative_id),
            }
        )
    return activities


@login_required
@require_GET
def team_board(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug)
    members = _members(team)
    role_counts = Counter(role for role, _ in members)
    context = {
        "team": team,
        # The lookup brought the viewer's role with the team.
        "my_role": Role(team._viewer_role).label,
        "member_count": len(members),
        "member_names": [name for _, name in members],
        "role_counts": [
            (value, label, role_counts[value])
            for value, label in Role.choices
            if role_counts[value]
        ],
        "activities": _activities(team),
        "board": board_initiatives(team, request.user),
    }
    return render(request, "documents/team_board.html", context)
