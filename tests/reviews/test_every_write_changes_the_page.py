"""Every review write shows on the next load of the page it changes, kept HTML and all.

One scenario per public function of reviews/services/: load the page (which keeps
what may be kept: the memo, each card's body), write through the service, load it
again as the same viewer and expect it to differ. A write that forgot to call
``reviews.live.changed`` would serve a kept card body that no longer says what is
true, and the two loads would be the same. Writes an open session page must hear of
raise its state version (reviews/live.py publishes it after the commit); a
reader's own comment during the reading must not.

The first test walks the services modules, so a new write cannot go untested.
"""

import inspect
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import InitiativeStatus
from reviews.models import ParticipantRole, ReviewSession, SessionOutcome
from reviews.services import action_items, carry, comments, decisions, phases, scheduling
from tests.reviews.carrying import comment_on, prfaq_with, save
from tests.reviews.factories import (
    action_item,
    comment,
    discussion_session,
    reading_session,
    scheduled_session,
)

pytestmark = pytest.mark.django_db

MODULES = (scheduling, phases, comments, action_items, decisions, carry)
# Public functions of those modules that write nothing: they answer a question.
READS = {
    "suggested_reading_minutes",  # a number for the form
    "initiative_can_be_approved",  # the rule session_close and initiative_set_status ask
    "carryable",  # the threads a new iteration would take over
    "texts_of",  # an iteration's plain text per section
}


@dataclass
class Scene:
    url: str  # the page the write changes
    viewer: object  # who looks at it (not the writer, where others see the change)
    write: object  # the write, through the service
    session: ReviewSession | None = None  # whose open pages hear of it
    heard: bool = True  # False: it must stay private (no state version raised)


def session_url(session) -> str:
    return reverse("session_detail", args=[session.pk])


def iteration_url(revision) -> str:
    document = revision.document
    return reverse("iteration_detail", args=[document.initiative_id, document.pk, revision.number])


def in_discussion(cast, **kwargs):
    return discussion_session(cast, **kwargs)


def scene_session_schedule(cast):
    session = scheduled_session(cast)
    revision = session.revision
    return Scene(
        iteration_url(revision),
        cast.viewer,
        lambda: scheduled_session(cast, revision=revision, title="A second look"),
    )


def scene_session_reschedule(cast):
    session = scheduled_session(cast)
    return Scene(
        session_url(session),
        cast.reviewer,
        lambda: scheduling.session_reschedule(user=cast.editor, session=session, title="Renamed"),
        session,
    )


def scene_session_cancel(cast):
    session = scheduled_session(cast)
    write = lambda: scheduling.session_cancel(user=cast.editor, session=session)  # noqa: E731
    return Scene(session_url(session), cast.reviewer, write, session)


def scene_session_start_reading(cast):
    session = scheduled_session(cast)
    return Scene(
        session_url(session),
        cast.reviewer,
        lambda: phases.session_start_reading(user=cast.editor, session=session),
        session,
    )


def scene_session_extend(cast):
    session = reading_session(cast)
    return Scene(
        session_url(session),
        cast.reviewer,
        lambda: phases.session_extend(user=cast.editor, session=session, minutes=5),
        session,
    )


def scene_session_start_discussion(cast):
    session = reading_session(cast)
    return Scene(
        session_url(session),
        cast.reviewer,
        lambda: phases.session_start_discussion(user=cast.editor, session=session),
        session,
    )


def _due(session) -> None:
    ReviewSession.objects.filter(pk=session.pk).update(
        reading_ends_at=timezone.now() - timedelta(seconds=1)
    )


def scene_session_end_reading_if_due(cast):
    session = reading_session(cast)

    def write():
        _due(session)
        assert phases.session_end_reading_if_due(session_id=session.pk)

    return Scene(session_url(session), cast.viewer, write, session)


def scene_sessions_end_due_readings(cast):
    session = reading_session(cast)

    def write():
        _due(session)
        assert phases.sessions_end_due_readings() == 1

    return Scene(session_url(session), cast.viewer, write, session)


def scene_participant_open(cast):
    session = reading_session(cast)
    # The facilitator's panel counts who joined.
    return Scene(
        session_url(session),
        cast.editor,
        lambda: phases.participant_open(user=cast.reviewer, session=session),
        session,
    )


def scene_participant_mark_done(cast):
    session = reading_session(cast)
    return Scene(
        session_url(session),
        cast.editor,
        lambda: phases.participant_mark_done(user=cast.reviewer, session=session),
        session,
    )


def scene_participant_mark_reading(cast):
    session = reading_session(cast)
    phases.participant_mark_done(user=cast.reviewer, session=session)
    return Scene(
        session_url(session),
        cast.editor,
        lambda: phases.participant_mark_reading(user=cast.reviewer, session=session),
        session,
    )


def scene_session_focus(cast):
    session = in_discussion(cast)
    thread = comment(cast.reviewer, session)
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: phases.session_focus(user=cast.editor, session=session, comment=thread),
        session,
    )


def scene_session_focus_next(cast):
    session = in_discussion(cast)
    comment(cast.reviewer, session)
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: phases.session_focus_next(user=cast.editor, session=session),
        session,
    )


def scene_comment_create(cast):
    session = in_discussion(cast)
    write = lambda: comment(cast.reviewer, session, body="A new thread")  # noqa: E731
    return Scene(session_url(session), cast.viewer, write, session)


def scene_comment_edit(cast):
    session = in_discussion(cast)
    thread = comment(cast.reviewer, session, body="First words")
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: comments.comment_edit(user=cast.reviewer, comment=thread, body="Better words"),
        session,
    )


def scene_comment_delete(cast):
    session = reading_session(cast)
    thread = comment(cast.reviewer, session, body="Taken back")
    # Only its author ever saw it: nobody else may hear that anything happened.
    return Scene(
        session_url(session),
        cast.reviewer,
        lambda: comments.comment_delete(user=cast.reviewer, comment=thread),
        session,
        heard=False,
    )


def scene_reply_create(cast):
    session = in_discussion(cast)
    thread = comment(cast.reviewer, session)
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: comments.reply_create(user=cast.editor, comment=thread, body="Because."),
        session,
    )


def scene_comment_resolve(cast):
    session = in_discussion(cast)
    thread = comment(cast.reviewer, session)
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: comments.comment_resolve(user=cast.reviewer, comment=thread),
        session,
    )


def scene_comment_reopen(cast):
    session = in_discussion(cast)
    thread = comment(cast.reviewer, session)
    comments.comment_resolve(user=cast.reviewer, comment=thread)
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: comments.comment_reopen(user=cast.reviewer, comment=thread),
        session,
    )


def scene_comment_toggle_plus_one(cast):
    session = in_discussion(cast)
    thread = comment(cast.reviewer, session)
    # +1s show to those who may give one.
    return Scene(
        session_url(session),
        cast.reviewer,
        lambda: comments.comment_toggle_plus_one(user=cast.owner, comment=thread),
        session,
    )


def scene_comment_mark_addressed(cast):
    session = in_discussion(cast)
    thread = comment(cast.reviewer, session)
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: comments.comment_mark_addressed(user=cast.editor, comment=thread),
        session,
    )


def scene_action_item_create(cast):
    session = in_discussion(cast)
    thread = comment(cast.reviewer, session)
    write = lambda: action_item(cast.editor, thread, title="Size the fraud risk")  # noqa: E731
    return Scene(session_url(session), cast.viewer, write, session)


def scene_action_item_set_done(cast):
    session = in_discussion(cast)
    item = action_item(cast.editor, comment(cast.reviewer, session))
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: action_items.action_item_set_done(user=cast.reviewer, item=item),
        session,
    )


def scene_session_close(cast):
    session = in_discussion(cast)
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: decisions.session_close(
            user=cast.editor, session=session, outcome=SessionOutcome.ITERATE
        ),
        session,
    )


def scene_andon_pull(cast):
    session = in_discussion(cast)
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: decisions.andon_pull(
            user=cast.reviewer, initiative=session.initiative, reason="Legal has not seen it"
        ),
    )


def scene_andon_reset(cast):
    session = in_discussion(cast)
    initiative = session.initiative
    decisions.andon_pull(user=cast.reviewer, initiative=initiative, reason="Legal has not seen it")
    return Scene(
        session_url(session),
        cast.viewer,
        lambda: decisions.andon_reset(
            user=cast.editor, initiative=initiative, resolution="Legal agreed"
        ),
    )


def scene_initiative_set_status(cast):
    session = scheduled_session(cast)
    initiative = session.initiative
    return Scene(
        reverse("initiative_detail", args=[initiative.pk]),
        cast.viewer,
        lambda: decisions.initiative_set_status(
            user=cast.editor, initiative=initiative, status=InitiativeStatus.SHELVED
        ),
    )


def scene_carry_forward(cast):
    document = prfaq_with(cast, summary="Customers return items from home. Returns are free.")
    first = save(cast, document)
    comment_on(cast.reviewer, first, "summary", "Returns are free")
    # Saving iteration 2 carries the thread; its copy on iteration 1 says where it went.
    return Scene(iteration_url(first), cast.viewer, lambda: save(cast, document))


def scene_carry_to_latest(cast):
    document = prfaq_with(cast, summary="Customers return items from home. Returns are free.")
    first = save(cast, document)
    session = scheduled_session(
        cast, revision=first, participants=[(cast.reviewer, ParticipantRole.REVIEWER)]
    )
    phases.session_start_reading(user=cast.editor, session=session)
    comment_on(cast.reviewer, first, "summary", "Returns are free", session=session)
    phases.session_start_discussion(user=cast.editor, session=session)
    save(cast, document)  # the discussion keeps its threads for now
    # Closing the session carries them on (carry_to_latest, inside session_close).
    return Scene(
        iteration_url(first),
        cast.viewer,
        lambda: decisions.session_close(
            user=cast.editor, session=session, outcome=SessionOutcome.ITERATE
        ),
    )


SCENES = {
    name.removeprefix("scene_"): scene
    for name, scene in globals().items()
    if name.startswith("scene_")
}
# The reading's private comment: the one write no other page may hear of.
PRIVATE = {"comment_delete"}


def test_every_write_of_the_review_services_has_a_scenario():
    writes = {
        name
        for module in MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    } - READS

    assert sorted(writes - SCENES.keys()) == []
    assert sorted(SCENES.keys() - writes) == []


# What differs between two loads of an unchanged page: tokens, clocks, the ETag, and
# the state version (checked on its own below, so the pages must differ in content).
VOLATILE = re.compile(
    r'(name="csrfmiddlewaretoken" value|data-etag|data-server-now|data-version)="[^"]*"'
    r"|hx-headers='[^']*'"
    r'|<span class="countdown-value" data-countdown-value>[^<]*</span>'
)


def state_version(session) -> int:
    # The database's: the cache hears of it after the commit, which tests roll back.
    return ReviewSession.objects.values_list("state_version", flat=True).get(pk=session.pk)


def load(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return VOLATILE.sub("", response.content.decode())


@pytest.mark.parametrize("name", sorted(SCENES))
def test_the_page_a_write_changes_shows_it_on_the_next_load(name, cast, client_for):
    scene = SCENES[name](cast)
    client = client_for(scene.viewer)
    before = load(client, scene.url)
    assert load(client, scene.url) == before  # the second load serves what was kept
    version = state_version(scene.session) if scene.session else None

    scene.write()

    assert load(client, scene.url) != before
    if scene.session is not None:
        raised = state_version(scene.session) > version
        assert raised is scene.heard


def test_a_comment_during_the_reading_shows_to_its_author_and_to_nobody_else(cast, client_for):
    session = reading_session(cast)
    other = client_for(cast.editor)
    others_page = load(other, session_url(session))
    version = state_version(session)

    comment(cast.reviewer, session, body="Only mine for now")

    assert load(other, session_url(session)) == others_page
    assert state_version(session) == version
    assert "Only mine for now" in load(client_for(cast.reviewer), session_url(session))
