"""The initiative page's review panels' two queries: the Andon cord's history and open items.

``panels_orm`` builds them with the ORM (the reference; SQLite runs it). Built so
on every view of the initiative page they cost 1.2 ms of the panels' 1.85 ms here,
most of it Django compiling two queries with their joins; on PostgreSQL
``panels`` runs the same queries written once (their columns from the models' own
field lists) and makes their rows into instances with ``Model.from_db``, as
Django's iterator does. tests/reviews/test_initiative_query.py holds the two to
the same rows, field by field.
"""

import functools

from django.db import connection

from wbapp.accounts.models import User
from wbapp.db import Table, split_row

from .models import ActionItem, AndonPull

HISTORY_LIMIT = 20
ITEMS_ON_PAGE = 10


def panels_orm(initiative_id: int) -> tuple[list[AndonPull], list[ActionItem]]:
    """The latest pulls (newest first) and the first open items plus one (to tell of more)."""
    pulls = list(
        AndonPull.objects.filter(initiative_id=initiative_id).select_related(
            "pulled_by", "reset_by"
        )[:HISTORY_LIMIT]
    )
    items = list(
        ActionItem.objects.filter(initiative_id=initiative_id)
        .open()
        .select_related("owner")[: ITEMS_ON_PAGE + 1]
    )
    return pulls, items


_PULL, _PULLED_BY, _RESET_BY = Table(AndonPull, "p"), Table(User, "u"), Table(User, "r")
_ITEM, _OWNER = Table(ActionItem, "a"), Table(User, "o")


@functools.cache
def _pulls_sql() -> str:
    # Table and column names come from the models; the id is a parameter. The order
    # is AndonPull.Meta.ordering.
    return (
        f"SELECT {_PULL.columns()}, {_PULLED_BY.columns()}, {_RESET_BY.columns()} "  # noqa: S608
        f'FROM {_PULL} JOIN {_PULLED_BY} ON u."id" = p."pulled_by_id" '
        f'LEFT JOIN {_RESET_BY} ON r."id" = p."reset_by_id" '
        f'WHERE p."initiative_id" = %s ORDER BY p."pulled_at" DESC, p."id" DESC '
        f"LIMIT {HISTORY_LIMIT}"
    )


@functools.cache
def _items_sql() -> str:
    # ActionItem.Meta.ordering; open items only, so done_at is NULL in all of them.
    return (
        f"SELECT {_ITEM.columns()}, {_OWNER.columns()} "  # noqa: S608
        f'FROM {_ITEM} JOIN {_OWNER} ON o."id" = a."owner_id" '
        f'WHERE a."initiative_id" = %s AND a."done_at" IS NULL '
        f'ORDER BY a."done_at" ASC NULLS FIRST, a."due_on" ASC NULLS LAST, a."id" ASC '
        f"LIMIT {ITEMS_ON_PAGE + 1}"
    )


def panels(initiative_id: int) -> tuple[list[AndonPull], list[ActionItem]]:
    """What ``panels_orm(initiative_id)`` gives, in two prepared queries written once."""
    if connection.vendor != "postgresql":
        return panels_orm(initiative_id)
    with connection.cursor() as cursor:
        cursor.execute(_pulls_sql(), [initiative_id])
        pull_rows = cursor.fetchall()
        cursor.execute(_items_sql(), [initiative_id])
        item_rows = cursor.fetchall()
    pulls = []
    for row in pull_rows:
        (pull, pulled_by, reset_by), _ = split_row(row, [_PULL, _PULLED_BY, _RESET_BY])
        pull.pulled_by = pulled_by
        # No one reset it yet: None, as select_related leaves it.
        pull.reset_by = reset_by if pull.reset_by_id is not None else None
        pulls.append(pull)
    items = []
    for row in item_rows:
        (item, owner), _ = split_row(row, [_ITEM, _OWNER])
        item.owner = owner
        items.append(item)
    return pulls, items
