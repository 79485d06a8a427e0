"""reviews/thread_counts.py: one query gives what the iteration page's two count queries gave.

The counts by status (visible_on(...).revealed().status_counts(): every member the
same) and the threads per section and outdated (visible_on: the viewer's own
private ones too), for each role, a former member and an outsider, over comments
in every status, anchored or lost, asynchronous or made in sessions of each phase,
by the viewer and by others.
"""

import itertools

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from reviews import thread_counts
from reviews.models import Anchoring, Comment, CommentStatus, SessionOutcome, SessionPhase
from reviews.thread_counts import count_rows_orm, iteration_counts
from tests.reviews.factories import CommentFactory, SessionFactory, revision_for
from wbapp.accounts.models import Membership
from wbapp.accounts.rules import remember_team_role

pytestmark = pytest.mark.django_db

PHASES = [None, *SessionPhase.values]


def _session(revision, phase):
    now = timezone.now()
    times = {}
    if phase not in (SessionPhase.SCHEDULED, SessionPhase.CANCELLED):
        times = {"reading_started_at": now, "reading_ends_at": now}
    outcome = SessionOutcome.values[0] if phase == SessionPhase.CLOSED else ""
    return SessionFactory(revision=revision, phase=phase, outcome=outcome, **times)


def _as_before(user, revision) -> tuple:
    """The two queries the page ran before."""
    team_id = revision.document.initiative.team_id
    visible = Comment.objects.visible_on(revision, user, team_id=team_id)
    status = visible.revealed().status_counts()
    lost = Q(anchoring=Anchoring.LOST)
    sections, outdated = {}, 0
    for key, gone, n in visible.order_by().values_list("section_key", lost).annotate(Count("pk")):
        outdated += n if gone else 0
        sections[key] = sections.get(key, 0) + (0 if gone else n)
    return status, sections, outdated


@pytest.mark.parametrize("who", ["owner", "editor", "reviewer", "viewer", "former", "outsider"])
def test_one_query_counts_what_the_two_counted(cast, who, django_assert_num_queries):
    revision = revision_for(cast)
    other = revision_for(cast)  # another iteration's comments stay out
    user = cast.outsider if who == "outsider" else cast.member("viewer" if who == "former" else who)
    authors = [user, cast.reviewer, cast.editor]
    sessions = {phase: phase and _session(revision, phase) for phase in PHASES}
    cases = itertools.product(
        PHASES, authors, CommentStatus.values, [Anchoring.ORIGINAL, Anchoring.LOST]
    )
    for n, (phase, author, status, anchoring) in enumerate(cases):
        CommentFactory(
            revision=revision,
            author=author,
            session=sessions[phase],
            status=status,
            anchoring=anchoring,
            section_key=["summary", "q-ext1", "q-int1"][n % 3],
        )
    CommentFactory(revision=other, author=cast.reviewer)
    # Only lost threads in a section: the section is counted with 0, as before.
    CommentFactory(
        revision=revision, author=cast.reviewer, anchoring=Anchoring.LOST, section_key="headline"
    )
    if who == "former":
        Membership.objects.filter(user=user, team=cast.team).delete()
    revision = type(revision).objects.select_related("document__initiative").get(pk=revision.pk)
    # As the page's lookup leaves it: the viewer's role in the team read.
    member = who not in ("former", "outsider")
    remember_team_role(user, cast.team.pk, who if member else None)

    with django_assert_num_queries(1 if member else 0):
        found = iteration_counts(user, revision)
        assert iteration_counts(user, revision) is found  # kept on the iteration

    # The written query's rows are the ORM's (the membership read or not).
    visible = Comment.objects.visible_on(revision, user, team_id=cast.team.pk)
    assert sorted(thread_counts.count_rows(user, revision)) == sorted(count_rows_orm(visible))
    user = type(user).objects.get(pk=user.pk)  # no role read: the ORM query
    assert iteration_counts(user, revision) is found
    assert thread_counts._count(thread_counts.count_rows(user, revision)) == found

    status, sections, outdated = _as_before(user, revision)
    assert (found.status, found.sections, found.outdated) == (status, sections, outdated)
    if not member:
        assert found.status.total == found.outdated == 0 and found.sections == {}
    else:
        assert found.status.total > 0 and found.outdated > 0 and found.sections["headline"] == 0
        assert found.status.total < sum(found.sections.values()) + found.outdated


def test_off_postgresql_the_orm_query_runs(cast, monkeypatch):
    revision = revision_for(cast)
    CommentFactory(revision=revision, author=cast.reviewer)
    remember_team_role(cast.viewer, cast.team.pk, "viewer")
    monkeypatch.setattr(thread_counts.connection, "vendor", "sqlite")

    found = iteration_counts(cast.viewer, revision)

    assert (found.status.open, found.sections, found.outdated) == (1, {"summary": 1}, 0)
