"""The periodic entries of notifications exist and name real tasks."""

from django.conf import settings

from wbapp.celery import app


def test_digests_are_sent_every_quarter_hour_and_lost_work_swept_every_minute():
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["send-due-digests"] == {
        "task": "wbapp.notifications.tasks.send_due_digests",
        "schedule": 15 * 60,
    }
    assert schedule["sweep-notifications"]["schedule"] == 60
    app.loader.import_default_modules()
    for entry in ("send-due-digests", "sweep-notifications"):
        assert schedule[entry]["task"] in app.tasks


def test_the_sweep_catches_up_on_an_activity_whose_fan_out_was_lost(cast):
    from tests.notifications.notify_helpers import async_comment, iteration
    from wbapp.activity.models import Notification
    from wbapp.notifications.tasks import sweep_notifications

    revision = iteration(cast)
    async_comment(cast.reviewer, revision)  # its on-commit fan-out never ran

    sweep_notifications.apply()

    assert Notification.objects.filter(user=cast.editor).count() == 1
