"""Database helpers the apps share."""

import copy
import weakref
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


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


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class CompiledQuery:
    """A queryset whose SQL Django builds once per connection: later runs swap the ids in.

    Django builds a queryset and compiles it to SQL each time it runs. For the
    session lookup (five tables selected together, three filtered joins) that took
    1.4 ms of the 1.8 ms the lookup cost; PostgreSQL ran it, prepared, in 0.3 ms.
    ``build(*ids)`` returns the queryset; ``fetch(*ids)`` returns what
    ``list(build(*ids))`` would, from SQL compiled once with stand-in ids.

    Only for querysets whose SQL depends on the ids through their parameters alone:
    filters and joins on ids do; an id that may be None does not (it compiles to
    IS NULL). Compiling checks that each id arrived as a parameter.
    """

    # The ids while compiling: below every real id, and inside a 32-bit integer
    # (Django drops a lookup on a value its column cannot hold).
    STAND_INS = tuple(range(-2_000_000_000, -2_000_000_000 + 16))

    def __init__(self, build: Callable[..., QuerySet], *, using: str = DEFAULT_DB_ALIAS):
        self._build = build
        self._using = using
        # Per connection, so per thread: a compiler belongs to its connection.
        self._compiled = weakref.WeakKeyDictionary()

    def fetch(self, *ids: int) -> list:
        if not all(INT64_MIN <= value <= INT64_MAX for value in ids):
            # No row has an id no column can hold (Django's lookups say the same).
            return []
        on = connections[self._using]
        compiled = self._compiled.get(on)
        if compiled is None:
            compiled = self._compiled[on] = self._compile(len(ids))
        if len(ids) != compiled.count:
            raise TypeError(f"{self._build.__qualname__} takes {compiled.count} ids")
        sql = compiled.sql
        params = [ids[index] if index is not None else value for index, value in compiled.slots]
        # Django's own evaluation (related objects, annotations, converters), with a
        # compiler that has its SQL already.
        runner = copy.copy(compiled.compiler)
        runner.as_sql = lambda *args, **kwargs: (sql, params)
        query = copy.copy(compiled.queryset.query)
        query.get_compiler = lambda *args, **kwargs: runner
        run = compiled.queryset.all()
        run.query = query
        return list(run)

    def _compile(self, count: int):
        queryset = self._build(*self.STAND_INS[:count]).using(self._using)
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()
        slots = [
            (self.STAND_INS.index(value), None) if value in self.STAND_INS else (None, value)
            for value in params
        ]
        missing = set(range(count)) - {index for index, _ in slots}
        if missing:
            raise ValueError(
                f"{self._build.__qualname__}: ids {sorted(missing)} are not parameters of its "
                "SQL, so it cannot be compiled once."
            )
        return _Compiled(queryset, compiler, sql, slots, count)


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: SQLCompiler
    sql: str
    # Per parameter: (the index of the id it takes, None), or (None, its constant value).
    slots: list[tuple[int | None, object]]
    count: int
