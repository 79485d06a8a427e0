"""The reader's own comments during the reading, read by one hand-written query on PostgreSQL.

``readers_comments`` returns what ``Comment.objects.visible_in_session(session, user)
.in_document_order().filter(rows_filter(rows))`` returns. The ORM built and compiled
that query in about 0.45 ms of the reading page's 0.8; PostgreSQL runs it, prepared,
in a fraction of that. It is written only where the rule's answer is already known
to be "the user's own comments of this session": the session not yet revealed and
the user's membership of its team read by the session's lookup
(``known_team_membership``, as ``visible_in_session`` asks). Anywhere else, and on
SQLite, the ORM's query runs. tests/reviews/test_reading_query.py holds the two to
the same comments, field by field.
"""

import functools

from django.db import connection

from wbapp.accounts.rules import known_team_membership

from .models import REVEALED_PHASES, Comment


def _orm(session, user, rows):
    comments = Comment.objects.visible_in_session(session, user).in_document_order()
    return comments if rows is None else comments.filter(section_key__in=rows)


@functools.cache
def _sql(with_rows: bool) -> str:
    # The columns from the model's own field list: a new field is selected without an edit.
    columns = ", ".join(f'"{field.column}"' for field in Comment._meta.concrete_fields)
    rows = 'AND "section_key" = ANY(%s) ' if with_rows else ""
    return (
        f"SELECT {columns} FROM {Comment._meta.db_table} "  # noqa: S608 - names from the model
        f'WHERE "session_id" = %s AND "author_id" = %s {rows}'
        'ORDER BY "document_order", "created_at", "id"'
    )


def readers_comments(session, user, rows: list[str] | None = None) -> list[Comment]:
    """The comments of ``session`` that ``user`` sees (of the sections ``rows``), in order."""
    written = (
        connection.vendor == "postgresql"
        and session.phase not in REVEALED_PHASES
        and known_team_membership(user, session.initiative.team_id) is True
    )
    if not written:
        return list(_orm(session, user, rows))
    params = [session.pk, user.pk] + ([list(rows)] if rows is not None else [])
    return list(Comment.objects.raw(_sql(rows is not None), params))
