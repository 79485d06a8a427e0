"""A review afternoon, replayed through the services: what one reviewer is told, and how often.

Issue 24: after one afternoon a reviewer had 25–32 unread notifications, and
their first immediate e-mail bundled 28 updates, the team's backlog from before
they joined among them. Here the same afternoon: a backlog recorded while the
fan-out was down; a reviewer who joins; iteration 1 reviewed in a session of 12
comments and replies by several people across threads; the decision; iteration
2 saved, carrying the open threads forward. Each step runs its after-commit work
for real (fan-out, the immediate e-mail's window, the send), as if minutes passed
between steps, which is the most e-mail it can make.
"""

import pytest
from django.core import mail

from reviews.models import ParticipantRole
from reviews.services.comments import reply_create
from reviews.services.decisions import session_close
from reviews.services.phases import session_start_discussion, session_start_reading
from tests.factories import MembershipFactory, UserFactory
from tests.reviews.carrying import comment_on, prfaq_with, save, write
from tests.reviews.factories import mention, scheduled_session
from wbapp.activity.models import Frequency, Notification, NotificationPreference, Reason
from wbapp.notifications import inbox

SUMMARY = (
    "Customers return items from home. Returns are free. A courier collects the parcel. "
    "Refunds arrive in two days. Labels print at home. Fraud checks run on every return."
)
# (who, the words commented on, the comment): four by each of the three readers.
READING = [
    ("reviewer", "Customers return items", "Which customers?"),
    ("lee", "from home", "What about lockers?"),
    ("owner", "Returns are free", "Free for how long?"),
    ("reviewer", "A courier collects", "Which courier?"),
    ("lee", "the parcel", "Parcel size limits?"),
    ("owner", "Refunds arrive", "Before or after inspection?"),
    ("reviewer", "in two days", "Can we promise two days?"),
    ("lee", "Labels print", "Not everyone has a printer."),
    ("owner", "at home", "Or at a shop?"),
    ("reviewer", "Fraud checks", "Who runs them?"),
    ("lee", "on every return", "Every single one?"),
    ("owner", "Fraud checks run", "What do they cost?"),
]


@pytest.fixture
def afternoon(cast, django_capture_on_commit_callbacks):
    """Run each step with its after-commit work, as the web process and workers would."""

    def happens(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return happens


def test_a_review_afternoon_tells_a_reviewer_little_and_loses_nothing(cast, afternoon):
    # The backlog: an iteration and a thread recorded while the fan-out was down.
    document = prfaq_with(cast, summary=SUMMARY)
    first = save(cast, document, note="First full draft")
    backlog = comment_on(cast.reviewer, first, "summary", "Returns are free", body="Old question")
    reply_create(user=cast.editor, comment=backlog, body="Old answer")
    # Lee joins the team, with e-mails "immediately", as does the cast's reviewer.
    lee = UserFactory(display_name="Lee")
    MembershipFactory(team=cast.team, user=lee, role="reviewer")
    for user in (lee, cast.reviewer):
        NotificationPreference.objects.create(user=user, frequency=Frequency.IMMEDIATE)
    people = {"reviewer": cast.reviewer, "lee": lee, "owner": cast.owner}

    session = afternoon(
        scheduled_session,
        cast,
        revision=first,
        title="Returns review",
        participants=[
            (cast.reviewer, ParticipantRole.REVIEWER),
            (lee, ParticipantRole.BAR_RAISER),
            (cast.owner, ParticipantRole.REVIEWER),
        ],
    )
    afternoon(session_start_reading, user=cast.editor, session=session)
    threads = {}
    for who, quote, body in READING:
        if (who, quote) == ("reviewer", "Fraud checks"):
            body = f"{mention(lee)} who runs them?"
        threads[quote] = afternoon(
            comment_on, people[who], first, "summary", quote, session=session, body=body
        )
    afternoon(session_start_discussion, user=cast.editor, session=session)
    # Replies in three threads: two on a thread of Lee's, one naming Lee.
    conversation = [
        (cast.editor, "from home", "Lockers next quarter."),
        (cast.reviewer, "from home", "Good, lockers matter."),
        (cast.owner, "Returns are free", "Thirty days."),
        (cast.editor, "Returns are free", "Thirty days, yes."),
        (cast.reviewer, "Returns are free", f"{mention(lee)} does thirty days work for you?"),
        (cast.editor, "Fraud checks", "The risk team."),
        (cast.owner, "Fraud checks", "And they are cheap."),
    ]
    for user, quote, body in conversation:
        afternoon(reply_create, user=user, comment=threads[quote], body=body)
    afternoon(
        session_close,
        user=cast.editor,
        session=session,
        outcome="iterate",
        decision_notes="Sharpen the refund promise.",
    )
    write(cast, document, summary=SUMMARY + " Lockers come next quarter.")
    afternoon(save, cast, document, note="Second draft")

    for user in (lee, cast.reviewer):
        assert Notification.objects.filter(user=user).count() <= 10
        assert len([m for m in mail.outbox if m.to == [user.email]]) <= 3

    # Nothing important lost for Lee: every event is counted in some notification...
    rows = list(Notification.objects.filter(user=lee).select_related("activity"))
    events = (
        4  # the session: scheduled, reading, discussion, decision
        + 8  # the reading's comments by others, revealed together
        + 1  # the reviewer's comment naming Lee
        + 2 + 3 + 2  # replies in three threads
        + 1  # the reply naming Lee
        + 2  # iteration 2 saved, and the threads it carried
    )  # fmt: skip
    assert sum(n.count for n in rows) == events
    # ...nothing from before Lee joined...
    joined_at = lee.memberships.get().joined_at
    assert all(n.activity.created_at >= joined_at for n in rows)
    # ...the mentions and the replies to Lee's own thread stand out...
    page = inbox.inbox(lee)
    mentions = [n for n in page if n.reason == Reason.MENTION]
    assert len(mentions) == 2
    assert {n.line.text for n in mentions} == {"mentioned you"}
    [own] = [n for n in page if n.reason == Reason.THREAD]
    assert (own.count, own.line.excerpt) == (2, "Good, lockers matter.")
    assert own.line.path.endswith(f"#comment-{threads['from home'].pk}")
    # ...and the iteration says what it carried.
    [iteration] = [n for n in page if n.topic.startswith("iteration:")]
    assert iteration.line.text == "saved iteration 2 of PR/FAQ, carrying 13 open comments forward"

    lees = [m for m in mail.outbox if m.to == [lee.email]]
    told = "\n".join(m.body for m in lees)
    assert "Old question" not in told and "Old answer" not in told
    assert "mentioned you" in told
    assert "2 new messages in this thread" in told
    assert "carrying 13 open comments forward" in told
