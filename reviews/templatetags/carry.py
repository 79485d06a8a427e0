"""Thread counts and the outdated side list on the documents app's iteration pages.

documents never imports reviews; its templates load these tags instead:

    {% load carry %}
    {% iteration_threads revision %}            counts + the outdated side list
    {% iteration_threads revision outdated=False %}        counts only (the iteration page)
    {% iteration_status_counts document as counts %}      the iteration list: one query
    {% thread_counts counts revision %}                    ...then per row, no query

Every count and list goes through ``Comment.objects.visible_to(user).revealed()``:
the same numbers for every member, and nothing about a reading's private comments.
"""

from django import template

from ..models import Anchoring, Comment, CommentStatus, StatusCounts, mark_where_it_was
from ..thread_counts import iteration_counts

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


def team_threads(user):
    """The comments every member sees (the base of every count)."""
    return Comment.objects.visible_to(user).revealed()


def outdated_threads(user, revision) -> list[Comment]:
    """The iteration's threads whose words are gone, unresolved, in document order.

    Each has ``was_number`` and ``was_id`` ("where it was", see
    carry.mark_where_it_was). Two queries, none more for more threads.
    """
    threads = list(
        team_threads(user)
        .filter(revision=revision, anchoring=Anchoring.LOST)
        .exclude(status=CommentStatus.RESOLVED)
        .select_related("author")
        .in_document_order()
    )
    mark_where_it_was(threads, revision)
    return threads


def iteration_threads_context(user, revision, *, outdated: bool = True) -> dict:
    """Context for reviews/carry/iteration_threads.html (1 query; up to 3 with ``outdated``).

    The counts are team_threads' (visible_to, revealed): through visible_on, which
    skips the membership join where the page's lookup already read the user's role
    (reviews/thread_counts.py, which counts per section for the review tools too).
    """
    return {
        "revision": revision,
        "document": revision.document,
        # One query the review tools share (reviews/thread_counts.py).
        "counts": iteration_counts(user, revision).status,
        "outdated": outdated_threads(user, revision) if outdated else [],
    }


@register.inclusion_tag("reviews/carry/iteration_threads.html", takes_context=True)
def iteration_threads(context, revision, outdated=True):
    """Counts by status, and (unless ``outdated=False``) the outdated side list.

    The iteration page passes ``outdated=False``: its review tools
    (``{% iteration_comments %}``) list those threads as full cards.
    """
    return iteration_threads_context(_user(context), revision, outdated=outdated)


@register.simple_tag(takes_context=True)
def iteration_status_counts(context, document) -> dict[int, StatusCounts]:
    """{revision id: StatusCounts} for every iteration of ``document``, in one query."""
    return (
        team_threads(_user(context)).filter(revision__document=document).status_counts_by_revision()
    )


@register.inclusion_tag("reviews/carry/counts.html")
def thread_counts(counts, revision):
    return {"counts": counts.get(revision.pk, StatusCounts()), "compact": True}
