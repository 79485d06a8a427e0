"""Two transitions racing on PostgreSQL: exactly one wins.

Each contender runs in its own thread with its own database connection and its
own (soon stale) copy of the session, released together by a barrier. The
winner, once its UPDATE has gone through, holds its transaction open until the
database shows the other contender waiting on the row lock, so every test
really exercises the blocked UPDATE that re-checks the phase after the commit,
not two calls that merely ran one after the other.
"""

import threading
import time

import pytest
from django.db import connection, connections

from reviews.models import ReviewSession, SessionOutcome, SessionPhase, SessionTransition
from reviews.services.common import IllegalTransition
from reviews.services.decisions import session_close
from reviews.services.phases import (
    session_end_reading_if_due,
    session_start_discussion,
    session_start_reading,
    sessions_end_due_readings,
)
from reviews.services.scheduling import session_cancel
from tests.reviews.factories import comment, reading_session, scheduled_session
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 10


def _another_backend_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Statistics are a snapshot per transaction unless cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def winner_waits_for_loser(monkeypatch):
    """Make the winning transition wait, after its UPDATE, until the loser is blocked on it."""
    create = SessionTransition.objects.create
    blocked = []

    def create_after_loser_blocks(**kwargs):
        if threading.current_thread() is threading.main_thread():
            return create(**kwargs)  # the test's own setup, not a contender
        deadline = time.monotonic() + WAIT_SECONDS
        while not _another_backend_waits_for_a_lock():
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        else:
            blocked.append(True)
        return create(**kwargs)

    monkeypatch.setattr(SessionTransition.objects, "create", create_after_loser_blocks)
    return blocked


def race(*contenders):
    """Run the callables at once, each in its own thread; return ("won", value) or ("lost", msg)."""
    barrier = threading.Barrier(len(contenders))
    results = [None] * len(contenders)

    def run(index, contender):
        try:
            barrier.wait(timeout=WAIT_SECONDS)
            results[index] = ("won", contender())
        except IllegalTransition as error:
            results[index] = ("lost", error.messages[0])
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = ("error", repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * WAIT_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    return results


def fresh(session) -> ReviewSession:
    """Another copy of the session, as another request would have loaded it."""
    return ReviewSession.objects.select_related("initiative__team").get(pk=session.pk)


def winners(results) -> int:
    return sum(1 for outcome, _ in results if outcome == "won")


def test_two_clicks_on_start_discussion_have_exactly_one_winner(cast, winner_waits_for_loser):
    session = reading_session(cast)
    comment(cast.reviewer, session)
    first, second = fresh(session), fresh(session)

    results = race(
        lambda: session_start_discussion(user=cast.editor, session=first),
        lambda: session_start_discussion(user=cast.editor, session=second),
    )

    assert winners(results) == 1, results
    assert sorted(results)[0] == (
        "lost",
        "The discussion cannot start: the session is already in discussion.",
    )
    assert winner_waits_for_loser == [True]
    assert SessionTransition.objects.filter(to_phase=SessionPhase.DISCUSSION).count() == 1
    # The reveal ran once: one event per comment, not two.
    assert Activity.objects.filter(verb=Verb.COMMENT_ADDED).count() == 1
    assert Activity.objects.filter(verb=Verb.SESSION_DISCUSSION).count() == 1


def test_the_facilitator_and_the_timer_have_exactly_one_winner(cast, winner_waits_for_loser):
    session = reading_session(cast)
    ReviewSession.objects.filter(pk=session.pk).update(reading_ends_at=session.reading_started_at)
    facilitators_copy = fresh(session)

    results = race(
        lambda: session_start_discussion(user=cast.editor, session=facilitators_copy),
        lambda: session_end_reading_if_due(session_id=session.pk),
    )

    facilitator, timer = results
    assert winner_waits_for_loser == [True]
    # The timer reports losing as False rather than raising.
    assert [facilitator[0], timer] in (
        ["won", ("won", False)],
        ["lost", ("won", True)],
    ), results
    assert SessionTransition.objects.filter(to_phase=SessionPhase.DISCUSSION).count() == 1


def test_two_timers_end_the_reading_once(cast, winner_waits_for_loser):
    session = reading_session(cast)
    ReviewSession.objects.filter(pk=session.pk).update(reading_ends_at=session.reading_started_at)

    results = race(
        lambda: session_end_reading_if_due(session_id=session.pk),
        lambda: sessions_end_due_readings(),
    )

    # One ends it (True, or a count of 1); the other finds nothing to do.
    assert [outcome for outcome, _ in results] == ["won", "won"], results
    assert sorted(int(value) for _, value in results) == [0, 1], results
    assert winner_waits_for_loser == [True]
    assert SessionTransition.objects.filter(to_phase=SessionPhase.DISCUSSION).count() == 1


def test_two_starts_of_the_reading_fix_one_end_time(cast, winner_waits_for_loser):
    session = scheduled_session(cast)
    first, second = fresh(session), fresh(session)

    results = race(
        lambda: session_start_reading(user=cast.editor, session=first).reading_ends_at,
        lambda: session_start_reading(user=cast.editor, session=second).reading_ends_at,
    )

    assert winners(results) == 1, results
    [ends_at] = [value for outcome, value in results if outcome == "won"]
    session.refresh_from_db()
    assert session.reading_ends_at == ends_at
    assert SessionTransition.objects.filter(to_phase=SessionPhase.READING).count() == 1


def test_two_closes_record_one_outcome(cast, winner_waits_for_loser):
    session = reading_session(cast)
    session_start_discussion(user=cast.editor, session=session)
    first, second = fresh(session), fresh(session)

    results = race(
        lambda: session_close(user=cast.editor, session=first, outcome="approved").outcome,
        lambda: session_close(user=cast.editor, session=second, outcome="shelved").outcome,
    )

    assert winners(results) == 1, results
    [outcome] = [value for result, value in results if result == "won"]
    session.refresh_from_db()
    assert session.outcome == outcome
    assert session.outcome in (SessionOutcome.APPROVED, SessionOutcome.SHELVED)
    session.initiative.refresh_from_db()
    assert session.initiative.status == outcome
    assert Activity.objects.filter(verb=Verb.DECISION_RECORDED).count() == 1


def test_cancel_and_start_reading_have_exactly_one_winner(cast, winner_waits_for_loser):
    session = scheduled_session(cast)
    first, second = fresh(session), fresh(session)

    results = race(
        lambda: session_cancel(user=cast.editor, session=first).phase,
        lambda: session_start_reading(user=cast.editor, session=second).phase,
    )

    assert winners(results) == 1, results
    session.refresh_from_db()
    assert [value for outcome, value in results if outcome == "won"] == [session.phase]
    assert SessionTransition.objects.filter(session=session).count() == 1


def test_a_comment_racing_the_reveal_is_announced_exactly_once(cast):
    # Whichever commits first, the comment is announced once: by the reveal if it
    # was made during the reading, at once if the discussion had already begun.
    for _ in range(5):
        session = reading_session(cast)
        facilitators_copy = fresh(session)

        results = race(
            lambda s=facilitators_copy: session_start_discussion(user=cast.editor, session=s),
            lambda s=session: comment(cast.reviewer, s),
        )

        assert [outcome for outcome, _ in results] == ["won", "won"], results
        made = results[1][1]
        announced = Activity.objects.filter(verb=Verb.COMMENT_ADDED, payload__comment_id=made.pk)
        assert announced.count() == 1
