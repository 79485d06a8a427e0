"""Per-user lookups: the only way views fetch initiatives and their parts from a URL.

Outsiders get 404 (never a 403 that would confirm the object exists); members
without the permission get 403. Each lookup is one query: the user's role in the
team comes back with the row and primes the role cache that the permission
predicates read (``wbapp.accounts.rules.team_role``).

The two lookups behind every initiative and document page (``initiatives_for``,
``documents_for``: the row with its initiative, team and owner, and the viewer's
role) cost 1.5–1.9 ms of CPU each built by the ORM, most of it compiling the SQL.
On PostgreSQL they run the same query written once (``_written``: its columns
come from the models' field lists) and make the instances as Django does.
Elsewhere (SQLite under ``make run``) the ORM query runs.
tests/documents/test_written_lookups.py holds the two to the same objects, field by field.

So does the iteration lookup (``revisions_for``, 2.3 ms built by the ORM), which
also brings the document's newest number and what apps above documents ask
about the initiative (``INITIATIVE_FLAGS``: whether the Andon cord is pulled);
tests/documents/test_written_revision_lookup.py holds it to the ORM's.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.http import Http404

from wbapp.accounts.models import Membership, Team, User
from wbapp.accounts.rules import remember_team_role
from wbapp.db import ID_RANGE, Table, split_row

from .models import AppendixImage, Document, DraftSection, FaqEntry, Initiative, Revision

VIEW = "documents.view_initiative"
EDIT = "documents.edit_initiative"


def _role_of(user, team_path: str):
    return Subquery(
        Membership.objects.filter(team=OuterRef(team_path), user=user).values("role")[:1]
    )


def _check(user, initiative: Initiative, role: str | None, *, write: bool) -> None:
    if role is None:
        raise Http404("No such initiative.")
    remember_team_role(user, initiative.team_id, role)
    if not user.has_perm(EDIT if write else VIEW, initiative):
        raise PermissionDenied


def initiatives_for(user, initiative_id: int):
    """The initiative lookup as the ORM builds it (the reference; SQLite runs this one)."""
    return (
        Initiative.objects.select_related("team", "owner")
        .annotate(_viewer_role=_role_of(user, "team"))
        .filter(pk=initiative_id)
    )


def documents_for(user, initiative_id: int, document_id: int):
    """The document lookup as the ORM builds it (the reference; SQLite runs this one)."""
    return (
        Document.objects.select_related("initiative__team", "initiative__owner")
        .annotate(_viewer_role=_role_of(user, "initiative__team"))
        .filter(pk=document_id, initiative_id=initiative_id)
    )


_DOCUMENT, _INITIATIVE, _TEAM, _OWNER = (
    Table(Document, "d"),
    Table(Initiative, "i"),
    Table(Team, "t"),
    Table(User, "o"),
)


@functools.cache
def _sql(*, document: bool) -> str:
    tables = [_DOCUMENT] * document + [_INITIATIVE, _TEAM, _OWNER]
    membership = Membership._meta.db_table
    columns = ", ".join(table.columns() for table in tables)
    # Table and column names come from the models; the ids are parameters.
    sql = (
        f'SELECT {columns}, (SELECT m."role" FROM "{membership}" m '  # noqa: S608
        'WHERE m."team_id" = i."team_id" AND m."user_id" = %s LIMIT 1) '
        f"FROM {tables[0]} "
    )
    if document:
        sql += f'JOIN {_INITIATIVE} ON i."id" = d."initiative_id" '
    sql += f'JOIN {_TEAM} ON t."id" = i."team_id" JOIN {_OWNER} ON o."id" = i."owner_id" '
    if document:
        return sql + 'WHERE d."id" = %s AND d."initiative_id" = %s'
    return sql + 'WHERE i."id" = %s'


def _written(user, *ids: int):
    """The initiative (``ids``: its id) or document (initiative and document ids) with
    its initiative, team and owner and the viewer's role set as the ORM sets them."""
    if any(pk not in ID_RANGE for pk in ids):
        return None
    document = len(ids) == 2
    with connection.cursor() as cursor:
        cursor.execute(_sql(document=document), [user.pk, *reversed(ids)])
        row = cursor.fetchone()
    if row is None:
        return None
    tables = [_DOCUMENT] * document + [_INITIATIVE, _TEAM, _OWNER]
    objects, (role,) = split_row(row, tables)
    *front, initiative, team, owner = objects
    initiative.team, initiative.owner = team, owner
    found = initiative
    if document:
        found = front[0]
        found.initiative = initiative
    found._viewer_role = role
    return found


def get_initiative_for_user(user, initiative_id: int, *, write: bool = False) -> Initiative:
    if not user.is_authenticated:
        raise Http404("No such initiative.")
    if connection.vendor == "postgresql":
        initiative = _written(user, initiative_id)
    else:
        initiative = initiatives_for(user, initiative_id).first()
    _check(user, initiative, getattr(initiative, "_viewer_role", None), write=write)
    return initiative


def get_document_for_user(
    user, initiative_id: int, document_id: int, *, write: bool = False
) -> Document:
    if not user.is_authenticated:
        raise Http404("No such document.")
    if connection.vendor == "postgresql":
        document = _written(user, initiative_id, document_id)
    else:
        document = documents_for(user, initiative_id, document_id).first()
    if document is None:
        raise Http404("No such document.")
    _check(user, document.initiative, document._viewer_role, write=write)
    return document


def draft_rows_orm(document: Document):
    """A document's sections and FAQ entries as the ORM reads them (the reference)."""
    return list(document.sections.all()), list(document.faq_entries.all())


_SECTION, _FAQ_ENTRY = Table(DraftSection, "s"), Table(FaqEntry, "s")


@functools.cache
def _rows_sql(table: Table) -> str:
    # The models' own order (Meta.ordering), written out: position within the document,
    # FAQ entries by audience first.
    order = {DraftSection: '"position", "id"', FaqEntry: '"audience", "position", "id"'}
    return (
        f"SELECT {table.columns()} FROM {table} "  # noqa: S608 - names from the models
        f'WHERE s."document_id" = %s ORDER BY {order[table.model]}'
    )


def draft_rows(document: Document) -> tuple[list[DraftSection], list[FaqEntry]]:
    """What ``draft_rows_orm(document)`` gives, in two prepared queries written once.

    The drafting page reads every row of its document: built by the ORM the two
    queries cost 1.8 ms of CPU for 40 rows, written 0.9 ms. So is its latest
    iteration (``latest_iteration``).
    """
    if connection.vendor != "postgresql":
        return draft_rows_orm(document)
    found = []
    for table in (_SECTION, _FAQ_ENTRY):
        with connection.cursor() as cursor:
            cursor.execute(_rows_sql(table), [document.pk])
            rows = [table.make(values) for values in cursor.fetchall()]
        for row in rows:
            row.document = document  # as the related manager leaves it
        found.append(rows)
    sections, faq_entries = found
    return sections, faq_entries


LATEST_VALUES = ("number", "created_at", "author__display_name", "author__email")


def latest_iteration_orm(document: Document) -> dict | None:
    """The document's newest iteration as ``LATEST_VALUES`` (the reference; SQLite runs it)."""
    return document.revisions.order_by("-number").values(*LATEST_VALUES).first()


@functools.cache
def _latest_sql() -> str:
    revision, user = Revision._meta.db_table, User._meta.db_table
    return (
        'SELECT r."number", r."created_at", u."display_name", u."email" '  # noqa: S608
        f'FROM "{revision}" r JOIN "{user}" u ON u."id" = r."author_id" '
        'WHERE r."document_id" = %s ORDER BY r."number" DESC LIMIT 1'
    )


def latest_iteration(document: Document) -> dict | None:
    """What ``latest_iteration_orm(document)`` gives, in one prepared query written once."""
    if connection.vendor != "postgresql":
        return latest_iteration_orm(document)
    with connection.cursor() as cursor:
        cursor.execute(_latest_sql(), [document.pk])
        row = cursor.fetchone()
    return None if row is None else dict(zip(LATEST_VALUES, row, strict=True))


# What an app above documents learns about an iteration's initiative from the iteration
# lookup's own query (documents never imports it): {name: (ORM expression given the path
# to the initiative, the same as SQL over the initiative's alias ``i``)}. Each comes back
# set on the initiative under its name. reviews adds ``andon_pulled`` (reviews/lookups.py).
INITIATIVE_FLAGS: dict[str, tuple] = {}


@dataclass(frozen=True)
class CardExtra:
    """What an app above documents shows on an initiative's board card, read with the
    card's own query (documents never imports it). ``columns`` name the values; ``orm``
    gives them as ORM expressions over the initiative's rows (``OuterRef("pk")``);
    ``lateral`` is the same as one SQL subquery over the initiative's alias ``i``,
    selecting at most one row of those columns in that order (a LEFT JOIN LATERAL);
    ``make`` turns the values into what the card shows (None: nothing)."""

    columns: tuple[str, ...]
    orm: Callable[[], dict]
    lateral: str
    make: Callable[..., object]


# {name: CardExtra}; each comes back on the card as ``card.extras[name]``. reviews adds
# ``andon``: the active pull's reason, who pulled it and when (reviews/lookups.py).
CARD_EXTRAS: dict[str, CardExtra] = {}


def revisions_for(user, initiative_id: int, document_id: int, number: int):
    """The iteration lookup as the ORM builds it (the reference; SQLite runs this one):
    the iteration with its document, initiative, team and author, the viewer's role,
    the document's newest number and the initiative's flags (``INITIATIVE_FLAGS``)."""
    newest = Revision.objects.filter(document=OuterRef("document")).order_by("-number")
    flags = {
        f"_flag_{name}": orm("document__initiative") for name, (orm, _) in INITIATIVE_FLAGS.items()
    }
    return (
        Revision.objects.select_related("document__initiative__team", "author")
        .annotate(
            _viewer_role=_role_of(user, "document__initiative__team"),
            _newest_number=Subquery(newest.values("number")[:1]),
            **flags,
        )
        .filter(document_id=document_id, document__initiative_id=initiative_id, number=number)
    )


_REVISION, _AUTHOR = Table(Revision, "r"), Table(User, "a")
_REVISION_TABLES = (_REVISION, _DOCUMENT, _INITIATIVE, _TEAM, _AUTHOR)


@functools.cache
def _revision_sql(flags: tuple[str, ...]) -> str:
    membership = Membership._meta.db_table
    columns = ", ".join(table.columns() for table in _REVISION_TABLES)
    extras = "".join(f", ({sql})" for sql in flags)
    # Table and column names come from the models (the flags' SQL from the apps that
    # add them); the ids are parameters.
    return (
        f'SELECT {columns}, (SELECT m."role" FROM "{membership}" m '  # noqa: S608
        'WHERE m."team_id" = i."team_id" AND m."user_id" = %s LIMIT 1), '
        f'(SELECT n."number" FROM {Table(Revision, "n")} WHERE n."document_id" = r."document_id" '
        f'ORDER BY n."number" DESC LIMIT 1){extras} '
        f"FROM {_REVISION} "
        f'JOIN {_DOCUMENT} ON d."id" = r."document_id" '
        f'JOIN {_INITIATIVE} ON i."id" = d."initiative_id" '
        f'JOIN {_TEAM} ON t."id" = i."team_id" JOIN {_AUTHOR} ON a."id" = r."author_id" '
        'WHERE r."document_id" = %s AND d."initiative_id" = %s AND r."number" = %s'
    )


def _written_revision(user, initiative_id: int, document_id: int, number: int):
    """What ``revisions_for(...).first()`` returns, in one prepared query written once."""
    if any(pk not in ID_RANGE for pk in (initiative_id, document_id, number)):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            _revision_sql(tuple(sql for _, sql in INITIATIVE_FLAGS.values())),
            [user.pk, document_id, initiative_id, number],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    (revision, document, initiative, team, author), extras = split_row(row, _REVISION_TABLES)
    initiative.team = team
    document.initiative = initiative
    revision.document, revision.author = document, author
    revision._viewer_role, revision._newest_number, *flags = extras
    for name, value in zip(INITIATIVE_FLAGS, flags, strict=True):
        setattr(revision, f"_flag_{name}", value)
    return revision


IMAGE_VALUES = ("pk", "original_name")


def appendix_images_orm(initiative_id: int) -> list[dict]:
    """An initiative's images as the drafting page lists them (the reference; SQLite runs it)."""
    return list(AppendixImage.objects.filter(initiative_id=initiative_id).values(*IMAGE_VALUES))


@functools.cache
def _images_sql() -> str:
    # AppendixImage.Meta.ordering; the table's name from the model, the id a parameter.
    return (
        f'SELECT a."id", a."original_name" FROM "{AppendixImage._meta.db_table}" a '  # noqa: S608
        'WHERE a."initiative_id" = %s ORDER BY a."created_at" DESC, a."id" DESC'
    )


def appendix_images(initiative_id: int) -> list[dict]:
    """What ``appendix_images_orm`` gives, in one prepared query written once (0.1 ms, not 0.35)."""
    if connection.vendor != "postgresql":
        return appendix_images_orm(initiative_id)
    with connection.cursor() as cursor:
        cursor.execute(_images_sql(), [initiative_id])
        return [dict(zip(IMAGE_VALUES, row, strict=True)) for row in cursor.fetchall()]


def get_revision_for_user(
    user, initiative_id: int, document_id: int, number: int, *, write: bool = False
) -> Revision:
    """An iteration by its number. ``write`` asks for the right to restore it.

    ``revision.newest_number`` is the document's newest iteration's number, and its
    initiative carries ``INITIATIVE_FLAGS``: both from the same query.
    """
    if not user.is_authenticated:
        raise Http404("No such iteration.")
    if connection.vendor == "postgresql":
        revision = _written_revision(user, initiative_id, document_id, number)
    else:
        revision = revisions_for(user, initiative_id, document_id, number).first()
    if revision is None:
        raise Http404("No such iteration.")
    initiative = revision.document.initiative
    _check(user, initiative, revision._viewer_role, write=write)
    revision.newest_number = revision._newest_number
    for name in INITIATIVE_FLAGS:
        setattr(initiative, name, getattr(revision, f"_flag_{name}"))
    return revision


def get_image_for_user(user, initiative_id: int, image_id: int) -> AppendixImage:
    if not user.is_authenticated:
        raise Http404("No such image.")
    image = (
        AppendixImage.objects.select_related("initiative__team")
        .annotate(_viewer_role=_role_of(user, "initiative__team"))
        .filter(pk=image_id, initiative_id=initiative_id)
        .first()
    )
    if image is None:
        raise Http404("No such image.")
    _check(user, image.initiative, image._viewer_role, write=False)
    return image


def get_section(document: Document, key: str) -> DraftSection:
    """A section of a document the caller already looked up with the user's rights."""
    section = document.sections.filter(key=key).first()
    if section is None:
        raise Http404("No such section.")
    return section


def get_faq_entry(document: Document, key: str) -> FaqEntry:
    entry = document.faq_entries.filter(key=key).first()
    if entry is None:
        raise Http404("No such FAQ entry.")
    return entry
