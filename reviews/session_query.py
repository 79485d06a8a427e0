"""The one query behind every session page and live status: the session and the viewer's place.

``sessions_for`` builds it with the ORM: the session with its initiative, team,
document, iteration (without its words) and facilitator, and three LEFT JOINs of
at most one row each — the viewer's membership of the team, their participant row
and the active Andon pull. Joins rather than subqueries: Django compiles a
subquery as a whole query of its own.

Built that way it cost 3.0 ms a request here, 2.2 ms of it Django building and
compiling the SQL; PostgreSQL ran it, prepared, in 0.14 ms. So on PostgreSQL
``session_with_viewer`` runs the same query written once (``_SQL``: its columns
come from the models' own field lists, so a new field is selected without an
edit) and makes its row into instances with ``Model.from_db``, as Django's
iterator does: 0.4 ms. PostgreSQL returns these columns' values as Django would
(no converter applies to them; the iteration's JSON is not selected). Elsewhere
(SQLite under ``make run``) the ORM query runs. tests/reviews/test_session_query.py
holds the two to the same objects, fields and extras, field by field.
"""

import functools

from django.db import connection
from django.db.models import F, FilteredRelation, Q

from documents.models import BODY_FIELDS, Document, Initiative, Revision
from wbapp.accounts.models import Membership, Team, User
from wbapp.db import ID_RANGE, Table, split_row

from .models import AndonPull, Participant, ReviewSession


def sessions_for(user_id: int, session_id: int):
    """The session as the ORM builds it (the reference; SQLite runs this one)."""
    return (
        ReviewSession.objects.filter(pk=session_id)
        .select_related("initiative__team", "document", "revision", "facilitator")
        # The iteration's words and HTML are read where needed (Revision.load_body); its
        # outline and rendered memo are kept (Revision.outline, reviews/rendered.py).
        .defer(*(f"revision__{name}" for name in BODY_FIELDS))
        .annotate(
            me=FilteredRelation("participants", condition=Q(participants__user=user_id)),
            membership=FilteredRelation(
                "initiative__team__memberships",
                condition=Q(initiative__team__memberships__user=user_id),
            ),
            # An active pull (not reset), for the Andon banner (templatetags/andon.py).
            pull=FilteredRelation(
                "initiative__andon_pulls",
                condition=Q(initiative__andon_pulls__reset_at__isnull=True),
            ),
        )
        .annotate(
            _viewer_role=F("membership__role"),
            _my_participant_id=F("me__pk"),
            _my_role=F("me__role"),
            _my_invited_at=F("me__invited_at"),
            _my_joined_at=F("me__joined_at"),
            _my_done_at=F("me__done_at"),
            _andon_pull_id=F("pull__pk"),
        )
    )


# The extras ``sessions_for`` annotates, in the order _SQL selects them.
EXTRAS = (
    "_viewer_role",
    "_my_participant_id",
    "_my_role",
    "_my_invited_at",
    "_my_joined_at",
    "_my_done_at",
    "_andon_pull_id",
)


_PARTS = (
    Table(ReviewSession, "s"),
    Table(Initiative, "i"),
    Table(Team, "t"),
    Table(Document, "d"),
    Table(Revision, "r", skip=BODY_FIELDS),
    Table(User, "f"),
)


@functools.cache
def _sql() -> str:
    session, initiative, team, document, revision, facilitator = _PARTS
    membership = Membership._meta.db_table
    participant = Participant._meta.db_table
    pull = AndonPull._meta.db_table
    columns = ", ".join(part.columns() for part in _PARTS)
    # Table and column names come from the models; the ids are parameters.
    return (
        f'SELECT {columns}, m."role", p."id", p."role", p."invited_at", '  # noqa: S608
        f'p."joined_at", p."done_at", a."id" '
        f"FROM {session} "
        f'JOIN {initiative} ON i."id" = s."initiative_id" '
        f'JOIN {team} ON t."id" = i."team_id" '
        f'JOIN {document} ON d."id" = s."document_id" '
        f'JOIN {revision} ON r."id" = s."revision_id" '
        f'JOIN {facilitator} ON f."id" = s."facilitator_id" '
        f'LEFT JOIN "{membership}" m ON m."team_id" = i."team_id" AND m."user_id" = %s '
        f'LEFT JOIN "{participant}" p ON p."session_id" = s."id" AND p."user_id" = %s '
        f'LEFT JOIN "{pull}" a ON a."initiative_id" = s."initiative_id" '
        f'AND a."reset_at" IS NULL WHERE s."id" = %s'
    )


def session_with_viewer(user_id: int, session_id: int) -> ReviewSession | None:
    """What ``sessions_for(user_id, session_id).first()`` returns, in one prepared query."""
    if session_id not in ID_RANGE:
        return None
    if connection.vendor != "postgresql":
        return sessions_for(user_id, session_id).first()
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [user_id, user_id, session_id])
        row = cursor.fetchone()
    if row is None:
        return None
    objects, extras = split_row(row, _PARTS)
    session, initiative, team, document, revision, facilitator = objects
    initiative.team = team
    session.initiative, session.document = initiative, document
    session.revision, session.facilitator = revision, facilitator
    for name, value in zip(EXTRAS, extras, strict=True):
        setattr(session, name, value)
    return session


def iteration_sessions_orm(revision: Revision) -> list[ReviewSession]:
    """The sessions that review ``revision``, newest first, as the ORM reads them (the
    reference; SQLite runs this one)."""
    return list(revision.sessions.order_by("-starts_at", "-pk"))


_SESSION = Table(ReviewSession, "s")


@functools.cache
def _iteration_sessions_sql() -> str:
    return (
        f"SELECT {_SESSION.columns()} FROM {_SESSION} "  # noqa: S608 - names from the model
        'WHERE s."revision_id" = %s ORDER BY s."starts_at" DESC, s."id" DESC'
    )


def iteration_sessions(revision: Revision) -> list[ReviewSession]:
    """What ``iteration_sessions_orm(revision)`` gives, in one prepared query written once
    (the iteration page lists them on every request; the ORM spent most of the cost
    compiling the SQL). tests/reviews/test_session_query.py holds the two together."""
    if connection.vendor != "postgresql":
        return iteration_sessions_orm(revision)
    with connection.cursor() as cursor:
        cursor.execute(_iteration_sessions_sql(), [revision.pk])
        sessions = [_SESSION.make(values) for values in cursor.fetchall()]
    for session in sessions:
        session.revision = revision  # as the related manager leaves it
    return sessions
