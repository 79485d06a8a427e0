"""How many threads an iteration has: by status for the team, and per section for the viewer.

The iteration page showed them from two queries over the same comments: the
counts by status (``{% iteration_threads %}``: what every member sees, revealed)
and the threads per section of the review tools (``iteration_comment_context``:
what this viewer sees, their own private ones too, and how many lost their words).
``iteration_counts`` answers both from one query, grouped by section, lost or not,
status and revealed or not, and keeps the answer on the iteration the page's
lookup made (one request's object), so the second asker runs no query.
tests/reviews/test_thread_counts.py holds it to the two queries it replaces.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import REVEALED_PHASES, Anchoring, Comment, CommentStatus, StatusCounts


@dataclass(frozen=True)
class IterationCounts:
    # visible_on(...).revealed().status_counts(): the same for every member.
    status: StatusCounts
    # The viewer's visible threads whose words are in the iteration, per section key
    # (a section whose threads all lost their words is there with 0)...
    sections: dict[str, int]
    # ...and those whose words are gone (anchoring "lost").
    outdated: int


def _count(visible) -> IterationCounts:
    revealed = Q(session__isnull=True) | Q(session__phase__in=REVEALED_PHASES)
    rows = (
        visible.order_by()
        .values_list("section_key", Q(anchoring=Anchoring.LOST), "status", revealed)
        .annotate(Count("pk"))
    )
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
        team_id = revision.document.initiative.team_id
        kept[user.pk] = _count(Comment.objects.visible_on(revision, user, team_id=team_id))
    return kept[user.pk]
