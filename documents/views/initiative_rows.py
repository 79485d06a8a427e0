"""The initiative page's two lists, each read by a query written once: documents, iterations.

Built by the ORM, the documents with their iteration count and latest number (a
GROUP BY) and the newest iterations with their authors cost about 0.7 ms of CPU
each, most of it compiling the SQL; written once they cost a third of that. On
PostgreSQL ``documents_with_summary`` and ``recent_iteration_rows`` run the written
queries; elsewhere (SQLite under ``make run``) their ORM twins run, and
tests/documents/test_views_initiative_detail.py holds the two to the same results.
"""

import functools

from django.db import connection

from wbapp.accounts.models import User
from wbapp.db import Table, split_row

from ..models import Document, Initiative, Revision

RECENT_ITERATIONS = 8
ITERATION_VALUES = (
    "number",
    "note",
    "created_at",
    "document_id",
    "author__display_name",
    "author__email",
)
_DOCUMENT = Table(Document, "d")


def documents_with_summary_orm(initiative: Initiative) -> list[Document]:
    """The initiative's documents with ``iteration_count`` and ``latest_iteration_number``."""
    return list(initiative.documents.with_iteration_summary())


def recent_iteration_rows_orm(initiative: Initiative):
    """The initiative's newest iterations of any document, as ``ITERATION_VALUES``."""
    return (
        Revision.objects.filter(document__initiative=initiative)
        .order_by("-created_at", "-pk")
        .values(*ITERATION_VALUES)[:RECENT_ITERATIONS]
    )


@functools.cache
def _sql() -> tuple[str, str]:
    revision, user = Revision._meta.db_table, User._meta.db_table
    # Table names come from the models; the initiative and the limit are parameters.
    documents = (
        f'SELECT {_DOCUMENT.columns()}, COUNT(r."id"), MAX(r."number") '  # noqa: S608
        f'FROM {_DOCUMENT} LEFT JOIN "{revision}" r ON r."document_id" = d."id" '
        'WHERE d."initiative_id" = %s GROUP BY d."id" ORDER BY d."created_at", d."id"'
    )
    iterations = (
        'SELECT r."number", r."note", r."created_at", r."document_id", '  # noqa: S608
        f'u."display_name", u."email" FROM "{revision}" r '
        f'JOIN {_DOCUMENT} ON d."id" = r."document_id" JOIN "{user}" u ON u."id" = r."author_id" '
        'WHERE d."initiative_id" = %s ORDER BY r."created_at" DESC, r."id" DESC LIMIT %s'
    )
    return documents, iterations


def documents_with_summary(initiative: Initiative) -> list[Document]:
    if connection.vendor != "postgresql":
        return documents_with_summary_orm(initiative)
    with connection.cursor() as cursor:
        cursor.execute(_sql()[0], [initiative.pk])
        rows = cursor.fetchall()
    documents = []
    for row in rows:
        (document,), (count, latest) = split_row(row, [_DOCUMENT])
        document.iteration_count, document.latest_iteration_number = count, latest
        document.initiative = initiative  # as the related manager leaves it
        documents.append(document)
    return documents


def recent_iteration_rows(initiative: Initiative) -> list[dict]:
    if connection.vendor != "postgresql":
        return list(recent_iteration_rows_orm(initiative))
    with connection.cursor() as cursor:
        cursor.execute(_sql()[1], [initiative.pk, RECENT_ITERATIONS])
        return [dict(zip(ITERATION_VALUES, row, strict=True)) for row in cursor.fetchall()]
