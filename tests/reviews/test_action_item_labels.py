"""An action item's due day reads as the ``date:"j M"`` filter writes it."""

import datetime

import pytest
from django.template import Context, Template

from reviews.models import ActionItem

AS_THE_FILTER_WRITES = Template('{{ day|date:"j M" }}')


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("day", [1, 9, 10, 28])
def test_the_due_label_is_what_the_date_filter_writes(month, day):
    due_on = datetime.date(2026, month, day)

    expected = AS_THE_FILTER_WRITES.render(Context({"day": due_on}))

    assert ActionItem(due_on=due_on).due_label == expected


def test_an_item_without_a_due_day_has_no_label():
    assert ActionItem(due_on=None).due_label == ""
