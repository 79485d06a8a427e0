"""reviews/session_query.py: the hand-written session query gives what the ORM query gives.

Field by field, for the session and each object it carries, and every extra the
ORM annotates; for a participant and a member who is not one, with the Andon cord
pulled and not, and for sessions and users that do not match. A field Django
would convert on its way from the database, or a model change the SQL misses,
fails here.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews import session_query
from reviews.models import ReviewSession
from reviews.services.decisions import andon_pull
from reviews.services.scheduling import session_cancel
from reviews.session_query import EXTRAS, session_with_viewer, sessions_for
from tests.reviews.factories import reading_session, scheduled_session

pytestmark = pytest.mark.django_db

RELATED = ("initiative", "initiative.team", "document", "revision", "facilitator")


def _attribute(obj, dotted: str):
    for name in dotted.split("."):
        obj = getattr(obj, name)
    return obj


def _loaded(obj) -> dict:
    """Every field value the instance holds (deferred fields left out, as Django does)."""
    deferred = obj.get_deferred_fields()
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.attname not in deferred
    }


def assert_same(written: ReviewSession, built: ReviewSession) -> None:
    assert _loaded(written) == _loaded(built)
    for dotted in RELATED:
        one, other = _attribute(written, dotted), _attribute(built, dotted)
        assert type(one) is type(other)
        assert _loaded(one) == _loaded(other), dotted
        assert one.get_deferred_fields() == other.get_deferred_fields(), dotted
    assert {name: getattr(written, name) for name in EXTRAS} == {
        name: getattr(built, name) for name in EXTRAS
    }


@pytest.mark.parametrize("who", ["reviewer", "viewer", "outsider"])
def test_the_written_query_gives_what_the_orm_gives(cast, who):
    session = reading_session(cast)
    user = cast.member(who) if who != "outsider" else cast.outsider

    written = session_with_viewer(user.pk, session.pk)

    assert_same(written, sessions_for(user.pk, session.pk).first())
    assert written.revision.get_deferred_fields() == {"content", "rendered"}


def test_it_sees_the_andon_cord_pulled(cast):
    session = reading_session(cast)
    pull = andon_pull(user=cast.reviewer, initiative=session.initiative, reason="Legal")

    written = session_with_viewer(cast.reviewer.pk, session.pk)

    assert written._andon_pull_id == pull.pk
    assert_same(written, sessions_for(cast.reviewer.pk, session.pk).first())


def test_no_such_session_is_none_and_an_id_no_column_holds_asks_nothing(cast):
    session = reading_session(cast)

    assert session_with_viewer(cast.reviewer.pk, session.pk + 1000) is None
    with CaptureQueriesContext(connection) as queries:
        assert session_with_viewer(cast.reviewer.pk, 10**30) is None
    assert len(queries) == 0


def test_it_is_one_query(cast):
    session = reading_session(cast)

    with CaptureQueriesContext(connection) as queries:
        written = session_with_viewer(cast.reviewer.pk, session.pk)
        shown = (written.initiative.team.name, written.revision.number, written.facilitator.name)

    assert len(queries) == 1
    assert shown == (cast.team.name, session.revision.number, cast.editor.name)


def test_the_written_iteration_sessions_are_the_orms_in_the_same_order(cast, monkeypatch):
    first = reading_session(cast)
    revision = first.revision
    # The same start (newest id first), an earlier and a later one, one of them cancelled;
    # another iteration's session stays out.
    start = timezone.now() + timedelta(days=2)
    one = scheduled_session(cast, revision=revision, starts_at=start)
    same = scheduled_session(cast, revision=revision, starts_at=start)
    later = scheduled_session(cast, revision=revision, starts_at=start + timedelta(days=1))
    scheduled_session(cast, revision=revision, starts_at=start - timedelta(days=1))
    session_cancel(user=cast.editor, session=later)
    scheduled_session(cast)

    written = session_query.iteration_sessions(revision)
    built = session_query.iteration_sessions_orm(revision)

    assert [s.pk for s in written] == [s.pk for s in built]
    assert [s.pk for s in written][:3] == [later.pk, same.pk, one.pk] and len(written) == 5
    assert [_loaded(s) for s in written] == [_loaded(s) for s in built]
    assert all(s.revision is revision and not s.get_deferred_fields() for s in written)
    assert all(s.revision is revision for s in built)
    monkeypatch.setattr(session_query.connection, "vendor", "sqlite")
    assert [_loaded(s) for s in session_query.iteration_sessions(revision)] == [
        _loaded(s) for s in built
    ]
