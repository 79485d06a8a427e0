"""Initiative cards: the board's first few of each status and a status's list, as plain values.

A card shows an initiative's title, owner, latest iteration and last activity; it
is read with ``values()`` (no model rows), its address is written by url_for_id and
its times are formatted here by the template filters' own functions: a card's
template then only prints strings (rendered by the template engine, the filters
and the number's localizing cost three times as much).

The board's cards come from one query. Built by the ORM (``board_rows_orm``: a
window numbering each status's initiatives, another counting them, and the
latest iteration for the first few) it cost 3.7 ms of CPU a request on the bench
team, most of it Django compiling the SQL; so on PostgreSQL ``board_rows`` runs
the same query written once (``_BOARD_SQL``), which also finds the latest
iteration only for the cards shown (a LATERAL join). Elsewhere (SQLite under
``make run``) the ORM query runs. tests/documents/test_views_board.py holds the
two to the same rows.

Apps above documents add to a card through ``lookups.CARD_EXTRAS`` (reviews: the
Andon cord, when pulled, with who pulled it and why): their values come with the
same query, a LEFT JOIN LATERAL in the written one, subqueries in the ORM's.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from django.db import connection
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.timesince import timesince
from django.utils.timezone import localtime

from wbapp.accounts.models import User, person_name
from wbapp.http import url_for_id

from ..lookups import CARD_EXTRAS
from ..models import Document, Initiative, Revision

# What a card shows, as ``values()`` names.
CARD_VALUES = (
    "pk",
    "title",
    "status",
    "updated_at",
    "owner__display_name",
    "owner__email",
    "latest_iteration_number",
)


def time_label(moment: datetime) -> tuple[str, str]:
    """``moment`` as the templates print it in the viewer's time zone: |date:'c' and
    |date:"j M Y, H:i". Written out here (the month's name still translated as
    Django's ``M`` does): through the filter it costs five times as much, and a
    board shows fifty of them. tests/documents/test_views_board.py pins it to the filter.
    """
    local = localtime(moment)
    month = MONTHS_3[local.month].title()
    return (
        local.isoformat(),
        f"{local.day} {month} {local.year:04d}, {local.hour:02d}:{local.minute:02d}",
    )


@dataclass
class Card:
    """One initiative as documents/includes/board.html (its "cards" partial) shows it."""

    pk: int
    title: str
    status: str
    updated_at: datetime
    owner_name: str
    # The number as the template would print it; "" for none.
    latest_iteration: str
    url: str
    # What apps above documents show on it (lookups.CARD_EXTRAS), by name; absent: nothing.
    extras: dict = field(default_factory=dict)

    @cached_property
    def updated(self) -> tuple[str, str]:
        return time_label(self.updated_at)

    @property
    def updated_iso(self) -> str:
        return self.updated[0]

    @property
    def updated_title(self) -> str:
        return self.updated[1]

    @property
    def updated_ago(self) -> str:
        return ago(self.updated_at)


def ago(moment: datetime, now: datetime | None = None) -> str:
    """How long ago ``moment`` was, as a card says it: "just now" under a minute
    (timesince would say "0 minutes"), else "3 hours ago"."""
    now = now or timezone.now()
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now)} ago"


def extra_names() -> tuple[str, ...]:
    """The row names of the card extras' values: ``<extra>_<column>``."""
    return tuple(
        f"{name}_{column}" for name, extra in CARD_EXTRAS.items() for column in extra.columns
    )


def with_extras(initiatives):
    """An initiative queryset annotated with the card extras' values (the ORM's)."""
    annotations = {}
    for name, extra in CARD_EXTRAS.items():
        annotations |= {f"{name}_{column}": value for column, value in extra.orm().items()}
    return initiatives.annotate(**annotations)


def _extras(row: dict) -> dict:
    shown = {}
    for name, extra in CARD_EXTRAS.items():
        value = extra.make(*(row[f"{name}_{column}"] for column in extra.columns))
        if value is not None:
            shown[name] = value
    return shown


def cards(rows: Iterable[dict]) -> list[Card]:
    """Cards from rows of ``CARD_VALUES`` and the extras' values (``with_extras``)."""
    return [
        Card(
            pk=row["pk"],
            title=row["title"],
            status=row["status"],
            updated_at=row["updated_at"],
            owner_name=person_name(row["owner__display_name"], row["owner__email"]),
            latest_iteration=str(row["latest_iteration_number"] or ""),
            url=url_for_id("initiative_detail", row["pk"]),
            extras=_extras(row),
        )
        for row in rows
    ]


def board_rows_orm(team_id: int, per_status: int):
    """The board's rows as the ORM builds them (the reference; SQLite runs this one).

    The first ``per_status`` initiatives of each status (newest activity first),
    each with its status's count, newest first.
    """
    place = Window(
        RowNumber(), partition_by=F("status"), order_by=[F("updated_at").desc(), F("pk").desc()]
    )
    return (
        with_extras(
            Initiative.objects.filter(team=team_id)
            .annotate(place=place, status_count=Window(Count("pk"), partition_by=F("status")))
            .filter(place__lte=per_status)
            .with_latest_iteration()
        )
        .order_by("-updated_at", "-pk")
        .values(*CARD_VALUES, "status_count", *extra_names())
    )


@functools.cache
def _board_sql(extras: tuple[str, ...]) -> str:
    initiative, user = Initiative._meta.db_table, User._meta.db_table
    document, revision = Document._meta.db_table, Revision._meta.db_table
    # Each extra: one LEFT JOIN LATERAL over i, its columns selected after the card's.
    columns = "".join(
        f', x{n}."{column}"'
        for n, name in enumerate(extras)
        for column in CARD_EXTRAS[name].columns
    )
    joins = "".join(
        f" LEFT JOIN LATERAL ({CARD_EXTRAS[name].lateral}) x{n} ON TRUE"
        for n, name in enumerate(extras)
    )
    # Table names come from the models (the extras' SQL from the apps that add them);
    # the team and the count are parameters.
    return (
        'SELECT i."id", i."title", i."status", i."updated_at", u."display_name", '  # noqa: S608
        f'u."email", latest."number", i."status_count"{columns} FROM ('
        'SELECT "id", "title", "status", "updated_at", "owner_id", '
        'ROW_NUMBER() OVER (PARTITION BY "status" ORDER BY "updated_at" DESC, "id" DESC) '
        'AS "place", COUNT(*) OVER (PARTITION BY "status") AS "status_count" '
        f'FROM "{initiative}" WHERE "team_id" = %s) i '
        f'JOIN "{user}" u ON u."id" = i."owner_id" '
        f'LEFT JOIN LATERAL (SELECT r."number" FROM "{revision}" r '
        f'JOIN "{document}" d ON d."id" = r."document_id" WHERE d."initiative_id" = i."id" '
        f'ORDER BY r."created_at" DESC, r."id" DESC LIMIT 1) latest ON TRUE{joins} '
        'WHERE i."place" <= %s ORDER BY i."updated_at" DESC, i."id" DESC'
    )


def board_rows(team_id: int, per_status: int) -> list[dict]:
    """What ``board_rows_orm(team_id, per_status)`` gives, in one prepared query."""
    if connection.vendor != "postgresql":
        return list(board_rows_orm(team_id, per_status))
    names = (*CARD_VALUES, "status_count", *extra_names())
    with connection.cursor() as cursor:
        cursor.execute(_board_sql(tuple(CARD_EXTRAS)), [team_id, per_status])
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
