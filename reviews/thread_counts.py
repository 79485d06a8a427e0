"""How many threads an iteration has: by status for the team, and per section for the viewer.

The iteration page showed them from two queries over the same comments: the
counts by status (``{% iteration_threads %}``: what every member sees, revealed)
and the threads per section of the review tools (``iteration_comment_context``:
what this viewer sees, their own private ones too, and how many lost their words).
``iteration_counts`` answers both from one query, grouped by section, lost or not,
status and revealed or not, and keeps the answer on the iteration the page's
lookup made (one request's object), so the second asker runs no query.

Built by the ORM the query cost 1.5 ms of CPU a request, most of it compiling. On
PostgreSQL, where the page's lookup already read the viewer's membership of the
team (so visible_on needs no join for it), the same query runs written once
(``_SQL``). Elsewhere, or without that membership read, the ORM builds it.
tests/reviews/test_thread_counts.py holds both to the two queries it replaces.
"""

import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q

from wbapp.accounts.rules import known_team_membership

from .models import REVEALED_PHASES, Anchoring, Comment, CommentStatus, ReviewSession, StatusCounts


@dataclass(frozen=True)
class IterationCounts:
    # visible_on(...).revealed().status_counts(): the same for every member.
    status: StatusCounts
    # The viewer's visible threads whose words are in the iteration, per section key
    # (a section whose threads all lost their words is there with 0)...
    sections: dict[str, int]
    # ...and those whose words are gone (anchoring "lost").
    outdated: int


def count_rows_orm(visible):
    """(section key, lost, status, revealed, count) of ``visible`` (the reference)."""
    revealed = Q(session__isnull=True) | Q(session__phase__in=REVEALED_PHASES)
    return (
        visible.order_by()
        .values_list("section_key", Q(anchoring=Anchoring.LOST), "status", revealed)
        .annotate(Count("pk"))
    )


@functools.cache
def _sql() -> str:
    comment, session = Comment._meta.db_table, ReviewSession._meta.db_table
    # visible_on for a member: not made in a session still scheduled or reading, unless
    # by the viewer. Table names come from the models; every value is a parameter.
    return (
        'SELECT c."section_key", c."anchoring" = %s, c."status", '  # noqa: S608
        '(c."session_id" IS NULL OR s."phase" = ANY(%s)), COUNT(c."id") '
        f'FROM "{comment}" c LEFT JOIN "{session}" s ON s."id" = c."session_id" '
        'WHERE c."revision_id" = %s '
        'AND (c."session_id" IS NULL OR s."phase" = ANY(%s) OR c."author_id" = %s) '
        "GROUP BY 1, 2, 3, 4"
    )


def count_rows(user, revision) -> list[tuple]:
    """What ``count_rows_orm(Comment.objects.visible_on(revision, user, team_id=...))``
    gives, written once where it may be (a member whose role the page's lookup read)."""
    team_id = revision.document.initiative.team_id
    member = user.is_authenticated and known_team_membership(user, team_id)
    if connection.vendor != "postgresql" or member is None:
        return list(count_rows_orm(Comment.objects.visible_on(revision, user, team_id=team_id)))
    if not member:
        return []
    phases = [phase.value for phase in REVEALED_PHASES]
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [Anchoring.LOST.value, phases, revision.pk, phases, user.pk])
        return cursor.fetchall()


def _count(rows) -> IterationCounts:
    status = dict.fromkeys(CommentStatus.values, 0)
    sections, outdated = {}, 0
    for key, lost, state, shown_to_all, n in rows:
        if shown_to_all:
            status[state] += n
        outdated += n if lost else 0
        sections[key] = sections.get(key, 0) + (0 if lost else n)
    return IterationCounts(StatusCounts(**status), sections, outdated)


def iteration_counts(user, revision) -> IterationCounts:
    """The counts of the threads on ``revision`` (a lookup's, with its document and
    initiative) for ``user``: one query the first time in a request, none after."""
    kept = revision.__dict__.setdefault("_thread_counts", {})
    if user.pk not in kept:
        kept[user.pk] = _count(count_rows(user, revision))
    return kept[user.pk]
