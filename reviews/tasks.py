"""Background work for review sessions: ending readings on time.

Two paths end a reading whose time is up, and both are safe to run any number
of times: a task enqueued for the exact end time when the reading starts (or is
extended), and a sweep every 15 seconds (``end-due-readings`` in
CELERY_BEAT_SCHEDULE) for readings whose task was lost, came early, or never ran.
The live endpoint also ends a due reading when a page polls, so a reading ends
even where no worker runs.
"""

from celery import shared_task

from .services.phases import session_end_reading_if_due, sessions_end_due_readings


@shared_task(name="reviews.tasks.end_reading_if_due")
def end_reading_if_due(session_id: int) -> bool:
    """End the session's reading if its time is up; True if this run ended it."""
    return session_end_reading_if_due(session_id=session_id)


@shared_task(name="reviews.tasks.end_due_readings")
def end_due_readings() -> int:
    """End every reading whose time is up; return how many this run ended."""
    return sessions_end_due_readings()
