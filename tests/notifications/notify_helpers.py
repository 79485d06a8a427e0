"""Small helpers for the notification tests: an initiative with a thread, and the outbox."""

from reviews.services.comments import reply_create
from tests.reviews.factories import comment, revision_for
from wbapp.activity.models import Notification
from wbapp.notifications.fanout import fan_out_pending


def notified(activity_verb: str | None = None) -> dict[int, str]:
    """{user id: reason} of every notification (of one verb), after fanning out."""
    fan_out_pending()
    rows = Notification.objects.all()
    if activity_verb:
        rows = rows.filter(activity__verb=activity_verb)
    return dict(rows.values_list("user_id", "reason"))


def iteration(cast):
    """Iteration 1 of a document in an initiative owned by the cast's editor."""
    return revision_for(cast)


def async_comment(user, revision, body="Why is this free?", **kwargs):
    return comment(user, revision, body=body, **kwargs)


def reply(user, to, body="Because returns drive loyalty."):
    return reply_create(user=user, comment=to, body=body)
