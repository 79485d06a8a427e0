"""reviews/initiative_query.py: the written panel queries give what the ORM queries give.

Field by field, for each pull with its puller and resetter and each open action
item with its owner, in the same order and to the same limits: pulls reset and
active, items due and not, done, beyond the page and of another initiative.
"""

import datetime

import pytest
from django.utils import timezone

from reviews.initiative_query import HISTORY_LIMIT, ITEMS_ON_PAGE, panels, panels_orm
from reviews.services.decisions import andon_pull, andon_reset
from tests.documents.factories import InitiativeFactory
from tests.reviews.factories import ActionItemFactory

pytestmark = pytest.mark.django_db


def _loaded(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def _assert_same(written, built, related):
    assert [row.pk for row in written] == [row.pk for row in built]
    for one, other in zip(written, built, strict=True):
        assert _loaded(one) == _loaded(other)
        for name in related:
            a, b = getattr(one, name), getattr(other, name)
            assert (a is None) == (b is None), name
            if a is not None:
                assert _loaded(a) == _loaded(b), name


def test_the_written_queries_give_what_the_orm_gives(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    other = InitiativeFactory(team=cast.team, owner=cast.editor)
    for n in range(HISTORY_LIMIT + 1):
        andon_pull(user=cast.reviewer, initiative=initiative, reason=f"Stop {n}")
        andon_reset(user=cast.editor, initiative=initiative, resolution=f"Fixed {n}")
    andon_pull(user=cast.reviewer, initiative=initiative, reason="Stop again")
    andon_pull(user=cast.reviewer, initiative=other, reason="Elsewhere")
    today = timezone.localdate()
    for n in range(ITEMS_ON_PAGE + 3):
        due = today + datetime.timedelta(days=n % 4 - 1) if n % 3 else None
        ActionItemFactory(initiative=initiative, due_on=due, owner=cast.member("reviewer"))
    ActionItemFactory(initiative=initiative, done_at=timezone.now())
    ActionItemFactory(initiative=other)

    pulls, items = panels(initiative.pk)
    built_pulls, built_items = panels_orm(initiative.pk)

    assert len(pulls) == HISTORY_LIMIT and pulls[0].is_active
    assert len(items) == ITEMS_ON_PAGE + 1
    _assert_same(pulls, built_pulls, ["pulled_by", "reset_by"])
    _assert_same(items, built_items, ["owner"])


def test_an_initiative_never_pulled_and_without_items(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    assert panels(initiative.pk) == panels_orm(initiative.pk) == ([], [])
