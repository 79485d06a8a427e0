"""One activity as one line: the words and the link to the exact place."""

from django.utils.text import Truncator

from reviews.services.comments import reply_create
from reviews.services.decisions import session_close
from tests.notifications.notify_helpers import async_comment, iteration
from tests.reviews.factories import comment, discussion_session
from wbapp.activity.models import Activity
from wbapp.notifications.lines import EXCERPT_CHARS, _short, describe, describe_all


def latest(verb: str) -> Activity:
    return (
        Activity.objects.select_related("actor", "initiative", "team")
        .filter(verb=verb)
        .latest("pk")
    )


def test_a_session_comment_links_to_the_session_page(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session, body="Said in the meeting")

    [line] = describe_all([latest("comment_added")])

    assert line.path == f"/s/{session.pk}/#comment-{thread.pk}"
    assert line.excerpt == "Said in the meeting"


def test_a_reply_links_to_its_thread(cast):
    revision = iteration(cast)
    thread = async_comment(cast.reviewer, revision)
    reply_create(user=cast.editor, comment=thread, body="An answer")

    [line] = describe_all([latest("reply_added")])

    assert line.actor == "Editor"
    assert line.path.endswith(f"/iterations/1/#comment-{thread.pk}")
    assert line.excerpt == "An answer"


def test_a_decision_links_to_its_session_and_quotes_the_notes(cast):
    session = discussion_session(cast)
    session_close(
        user=cast.editor, session=session, outcome="iterate", decision_notes="Sharpen the quote"
    )

    line = describe(latest("decision_recorded"))

    assert line.text == "closed “Review of iteration 1” with the decision: iterate"
    assert line.path == f"/s/{session.pk}/"
    assert line.excerpt == "Sharpen the quote"


def test_the_reading_ended_by_the_timer_has_no_actor(cast):
    session = discussion_session(cast)
    activity = latest("session_discussion")
    activity.actor = None
    activity.payload["by_timer"] = True

    line = describe(activity)

    assert line.actor == ""
    assert line.text.startswith(f"The reading of “{session.title}” ended")


def test_an_unknown_verb_still_reads_and_links(cast):
    revision = iteration(cast)
    activity = Activity(
        team=cast.team,
        actor=cast.owner,
        initiative=revision.document.initiative,
        verb="something_new",
    )

    line = describe(activity)

    assert line.path == f"/i/{revision.document.initiative_id}/"
    assert line.text


def test_excerpts_are_one_line_and_cut_past_their_length():
    decomposed = "Cafe\u0301 au lait,\n  please"  # "é" as "e" and a combining accent
    long = "word " * 100

    assert _short(decomposed) == "Café au lait, please"
    assert _short(long) == Truncator(" ".join(long.split())).chars(EXCERPT_CHARS)
    assert len(_short(long)) == EXCERPT_CHARS and _short(long).endswith("…")
    assert _short(None) == ""
