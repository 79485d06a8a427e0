"""One notification per thing, not per event: what an activity is about, and folding.

An afternoon of review makes dozens of events for each reviewer: every reply in
every thread, the reveal of a reading's comments, each step of the session, the
iteration and the threads it carried. Told one by one they bury what matters. So
each activity has a topic, and while a recipient's notification of that topic is
unread and no e-mail has covered it yet, a new activity folds into it: the
fan-out replaces the row by one that points at the newest activity, counts them
all and keeps the strongest reason ("In your thread" over "You follow"). Reading
it, or an e-mail covering it, closes it: what comes next starts a new row.

Topics:

- ``thread:<comment id>``: the comment, its replies, "addressed";
- ``reveal:<session id>``: the comments a silent read kept back, revealed together;
- ``session:<session id>``: the session's steps, scheduled to decided (the row says
  where it stands);
- ``iteration:<document id>:<number>``: the iteration and the threads carried to it.

Mentions, action items, cords and the rest stand alone: each is addressed to
someone, or rare, and is never folded away.
"""

from wbapp.activity.models import Activity

THREAD_VERBS = frozenset({"comment_added", "reply_added", "comment_addressed"})
# A session's steps: one topic per session; the fan-out also tells its people personally.
SESSION_VERBS = frozenset(
    {
        "session_scheduled",
        "session_rescheduled",
        "session_cancelled",
        "session_started",
        "session_discussion",
        "decision_recorded",
    }
)
ITERATION_VERBS = frozenset({"iteration_saved", "iteration_restored", "comments_carried"})


def _id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def topic_of(activity: Activity) -> str:
    """What the activity is about, for folding; "" for an activity that stands alone."""
    p, verb = activity.payload, activity.verb
    if verb == "comment_added" and p.get("revealed") and _id(p.get("session_id")):
        return f"reveal:{p['session_id']}"
    if verb in THREAD_VERBS and _id(p.get("comment_id")):
        return f"thread:{p['comment_id']}"
    if verb in SESSION_VERBS and _id(p.get("session_id")):
        return f"session:{p['session_id']}"
    if verb in ITERATION_VERBS and _id(p.get("document_id")) and _id(p.get("number")):
        return f"iteration:{p['document_id']}:{p['number']}"
    return ""


def summary(topic: str, count: int) -> str:
    """What a folded notification adds to its newest line ("3 new messages in this thread")."""
    if count < 2:
        return ""
    kind = topic.split(":", 1)[0]
    if kind == "thread":
        return f"{count} new messages in this thread"
    if kind == "reveal":
        return f"{count} comments from the silent read"
    if kind == "session":
        return f"{count} updates on this review"
    if kind == "iteration":
        return ""
    return f"{count} updates"
