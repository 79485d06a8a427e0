"""Recording what happened: one Activity row, in the transaction of the change it describes.

The notification pipeline (``wbapp.notifications``) reads these rows afterwards:
its fan-out task is enqueued here by name, so the core imports nothing above it.
"""

from wbapp import jobs

from .models import Activity


def activity_record(*, team, actor, verb: str, initiative=None, **payload) -> Activity:
    """Record one event. Call it inside the transaction of the change it describes.

    Its notifications are written right after that transaction commits (the fan-out).
    """
    activity = Activity.objects.create(
        team=team, actor=actor, verb=verb, initiative=initiative, payload=payload
    )
    # Robust: the change is committed by then; a failing fan-out (or, without Redis,
    # its in-process run) is logged and left to the sweep, never turned into an error
    # page for a change that did happen.
    jobs.enqueue("wbapp.notifications.tasks.fan_out_activities", robust=True)
    return activity
