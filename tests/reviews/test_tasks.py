"""Ending readings in the background: the tasks, the beat entry, and a real worker."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from reviews import tasks
from reviews.models import ReviewSession, SessionPhase, SessionTransition
from tests.reviews.factories import reading_session
from wbapp.celery import app

pytestmark = pytest.mark.django_db


def overdue(session):
    ReviewSession.objects.filter(pk=session.pk).update(
        reading_ends_at=timezone.now() - timedelta(seconds=1)
    )
    return session


def phase(session) -> str:
    return ReviewSession.objects.values_list("phase", flat=True).get(pk=session.pk)


def _wait_for(predicate, *, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_the_timed_task_ends_a_due_reading_once(cast):
    session = overdue(reading_session(cast))

    assert tasks.end_reading_if_due.delay(session.pk).get() is True
    assert tasks.end_reading_if_due.delay(session.pk).get() is False
    assert phase(session) == SessionPhase.DISCUSSION


def test_the_timed_task_leaves_a_reading_that_is_not_due(cast):
    session = reading_session(cast)

    assert tasks.end_reading_if_due.delay(session.pk).get() is False
    assert phase(session) == SessionPhase.READING


def test_the_sweep_task_ends_all_due_readings(cast):
    due = [overdue(reading_session(cast)) for _ in range(2)]
    running = reading_session(cast)

    assert tasks.end_due_readings.delay().get() == 2
    assert [phase(s) for s in due] == [SessionPhase.DISCUSSION] * 2
    assert phase(running) == SessionPhase.READING


def test_beat_sweeps_every_15_seconds_with_a_registered_task():
    entry = settings.CELERY_BEAT_SCHEDULE["end-due-readings"]

    assert entry == {"task": "reviews.tasks.end_due_readings", "schedule": 15}
    assert entry["task"] in app.tasks


# --- A real worker on Redis --------------------------------------------------------------------


def test_a_worker_ends_the_reading_at_its_eta(cast, celery_worker):
    session = reading_session(cast)
    ends_at = timezone.now() + timedelta(seconds=2)
    ReviewSession.objects.filter(pk=session.pk).update(reading_ends_at=ends_at)

    tasks.end_reading_if_due.apply_async(args=[session.pk], eta=ends_at, queue=celery_worker.queue)

    assert _wait_for(lambda: phase(session) == SessionPhase.DISCUSSION), celery_worker.output()
    session.refresh_from_db()
    # Nobody was there: the timer ended it, not before its time.
    assert session.discussion_started_at >= ends_at
    transition = SessionTransition.objects.filter(session=session).last()
    assert transition.to_phase == SessionPhase.DISCUSSION
    assert transition.by is None


def test_a_worker_runs_the_sweep(cast, celery_worker):
    session = overdue(reading_session(cast))

    tasks.end_due_readings.apply_async(queue=celery_worker.queue)

    assert _wait_for(lambda: phase(session) == SessionPhase.DISCUSSION), celery_worker.output()
