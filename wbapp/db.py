"""Database helpers the apps share."""

import functools
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection


@contextmanager
def planned_per_query():
    """Batch work without prepared statements: PostgreSQL plans each query for its values.

    Web requests repeat a few queries, and preparing them (wbapp/settings.py) saves
    their planning. A digest chunk's queries carry lists of recipients that change
    from chunk to chunk, and the generic plan PostgreSQL settles on for a prepared
    statement made the digest run slower (2,000 recipients: 21.5 s against 17.4 s).
    Usable as a decorator.
    """
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        if connection.connection is raw:
            raw.prepare_threshold = before


# Any id a 64-bit column can hold; larger ones match nothing (as Django's lookups say).
ID_RANGE = range(-(2**63), 2**63)


@dataclass(frozen=True)
class Table:
    """One table of a hand-written query: a model under an alias, with every concrete field.

    Its columns come from the model's own field list, so a new field is selected
    without an edit; ``make`` builds the instance as Django's iterator does
    (``Model.from_db``), passing each value through its field's ``from_db_value``
    where it has one (a JSON column arrives as text, as Django asks psycopg for it).
    """

    model: type
    alias: str
    skip: tuple = ()  # attnames left out (deferred on the instance)

    @functools.cached_property
    def fields(self) -> list:
        return [f for f in self.model._meta.concrete_fields if f.attname not in self.skip]

    @functools.cached_property
    def _attnames(self) -> list[str]:
        return [f.attname for f in self.fields]

    @functools.cached_property
    def _converters(self) -> list[tuple[int, object]]:
        # (position, field) of the fields that convert what the database returns.
        return [(i, f) for i, f in enumerate(self.fields) if hasattr(f, "from_db_value")]

    @property
    def width(self) -> int:
        return len(self.fields)

    def __str__(self) -> str:
        return f'"{self.model._meta.db_table}" {self.alias}'

    def columns(self) -> str:
        return ", ".join(f'{self.alias}."{field.column}"' for field in self.fields)

    def make(self, values):
        values = list(values)
        for at, field in self._converters:
            values[at] = field.from_db_value(values[at], None, connection)
        return self.model.from_db(connection.alias, self._attnames, values)


def split_row(row, tables) -> tuple[list, tuple]:
    """Instances of ``tables`` made from the front of ``row``, and the values left after them."""
    objects, at = [], 0
    for table in tables:
        objects.append(table.make(row[at : at + table.width]))
        at += table.width
    return objects, tuple(row[at:])
