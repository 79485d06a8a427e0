"""The live version: bumped in the database by every visible change, published to Redis."""

import pytest
from django.core.cache import cache

from reviews import live
from reviews.models import ReviewSession
from reviews.services.action_items import action_item_create
from reviews.services.comments import (
    comment_edit,
    comment_reopen,
    comment_resolve,
    comment_toggle_plus_one,
    reply_create,
)
from reviews.services.decisions import session_close
from reviews.services.phases import (
    participant_mark_done,
    participant_mark_reading,
    participant_open,
    session_extend,
    session_focus,
    session_start_discussion,
    session_start_reading,
)
from tests.reviews.factories import comment, reading_session, scheduled_session

pytestmark = pytest.mark.django_db


def db_version(session) -> int:
    return ReviewSession.objects.values_list("state_version", flat=True).get(pk=session.pk)


def test_the_version_is_published_after_the_commit(cast, django_capture_on_commit_callbacks):
    session = scheduled_session(cast)
    live.refresh_state_version(session.pk)
    published = live.live_state_version(session.pk)

    with django_capture_on_commit_callbacks() as callbacks:
        session_start_reading(user=cast.editor, session=session)
    # Not yet committed: the cache still holds the old number.
    assert live.live_state_version(session.pk) == published

    for callback in callbacks:
        callback()
    assert live.live_state_version(session.pk) == db_version(session) == published + 1


def test_a_cache_miss_reads_the_database_and_refills_the_cache(cast):
    session = scheduled_session(cast)
    cache.delete(live.cache_key(session.pk))

    assert live.live_state_version(session.pk) == db_version(session)
    assert cache.get(live.cache_key(session.pk)) == db_version(session)


def test_an_unknown_session_has_no_version(db):
    assert live.live_state_version(999_999) is None


def test_publishing_never_lowers_the_cached_version(cast):
    session = scheduled_session(cast)
    key = live.cache_key(session.pk)
    cache.set(key, 7)

    # An older commit's hook running late must not hide the newer change.
    assert live._raise_to(session.pk, 5) == 7
    assert cache.get(key) == 7
    assert live._raise_to(session.pk, 9) == 9
    assert cache.get(key) == 9


def test_the_cached_version_lives_in_redis_under_the_contract_key(cast, settings):
    import redis

    session = scheduled_session(cast)
    live.refresh_state_version(session.pk)

    client = redis.Redis.from_url(settings.REDIS_URL)
    assert int(client.get(cache.make_key(f"session:{session.pk}:v"))) == db_version(session)
    assert 0 < client.ttl(cache.make_key(f"session:{session.pk}:v")) <= live.TTL_SECONDS


def test_a_comment_during_the_reading_leaves_the_version_alone(
    cast, django_capture_on_commit_callbacks
):
    session = reading_session(cast)
    before = db_version(session)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        comment(cast.reviewer, session)

    # Other readers' pages must not be able to tell that someone commented.
    assert db_version(session) == before
    assert callbacks == []


def test_a_comment_during_the_discussion_bumps_the_version(
    cast, django_capture_on_commit_callbacks
):
    session = reading_session(cast)
    session_start_discussion(user=cast.editor, session=session)
    live.refresh_state_version(session.pk)
    before = db_version(session)

    with django_capture_on_commit_callbacks(execute=True):
        comment(cast.reviewer, session)

    assert db_version(session) == before + 1
    assert live.live_state_version(session.pk) == before + 1


def test_every_live_change_bumps_the_version(cast, django_capture_on_commit_callbacks):
    session = reading_session(cast)
    mine = comment(cast.reviewer, session)
    steps = [
        lambda: participant_open(user=cast.reviewer, session=session),
        lambda: session_extend(user=cast.editor, session=session, minutes=2),
        lambda: participant_mark_done(user=cast.reviewer, session=session),
        lambda: participant_mark_reading(user=cast.reviewer, session=session),
        lambda: session_start_discussion(user=cast.editor, session=session),
        lambda: session_focus(user=cast.editor, session=session, comment=mine),
        lambda: reply_create(user=cast.editor, comment=mine, body="Good point"),
        lambda: comment_toggle_plus_one(user=cast.editor, comment=mine),
        lambda: comment_resolve(user=cast.editor, comment=mine),
        lambda: comment_reopen(user=cast.editor, comment=mine),
        lambda: comment_edit(user=cast.reviewer, comment=mine, body="Why not?"),
        lambda: action_item_create(
            user=cast.editor,
            initiative=session.initiative,
            comment=mine,
            title="Size it",
            owner=cast.reviewer,
        ),
        lambda: session_close(user=cast.editor, session=session, outcome="iterate"),
    ]
    for step in steps:
        before = db_version(session)
        with django_capture_on_commit_callbacks(execute=True):
            step()
        assert db_version(session) == before + 1, step
        assert live.live_state_version(session.pk) == before + 1
