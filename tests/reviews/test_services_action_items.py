"""action_item_create's due date: within Workback's range of dates, whoever calls it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reviews.models import ActionItem
from reviews.services.action_items import action_item_create
from tests.dates_cases import RANGE, days_out_of_range
from tests.documents.factories import InitiativeFactory
from wbapp.activity.models import Activity, Verb
from wbapp.dates import latest

pytestmark = pytest.mark.django_db


def create(cast, due_on):
    return action_item_create(
        user=cast.editor,
        initiative=InitiativeFactory(team=cast.team, owner=cast.editor),
        title="Ask legal",
        owner=cast.reviewer,
        due_on=due_on,
    )


@pytest.mark.parametrize("typed", days_out_of_range())
def test_a_due_date_out_of_range_is_refused_and_nothing_is_stored(cast, typed):
    with pytest.raises(ValidationError) as error:
        create(cast, date.fromisoformat(typed))

    assert error.value.message_dict["due_on"][0].startswith(RANGE)
    assert not ActionItem.objects.exists()
    assert not Activity.objects.filter(verb=Verb.ACTION_ITEM_ASSIGNED).exists()


def test_a_due_date_may_be_past_today_or_ten_years_ahead(cast):
    today = timezone.localdate()
    for due_on in (today - timedelta(days=3), today, latest(today), None):
        assert create(cast, due_on).due_on == due_on
