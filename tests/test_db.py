"""wbapp/db.py: batch work plans each query afresh; the rest is prepared after five runs."""

import pytest
from django.db import connection

from wbapp.accounts.models import User
from wbapp.db import planned_per_query

pytestmark = pytest.mark.django_db


def prepared_user_queries() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "accounts_user" WHERE "accounts_user"."email" = %'],
        )
        return cursor.fetchone()[0]


def ask_six_times() -> None:
    for _ in range(6):
        list(User.objects.filter(email="nobody@example.com"))


def test_batch_work_prepares_no_statement():
    with planned_per_query():
        ask_six_times()

    assert prepared_user_queries() == 0


def test_the_connection_prepares_again_afterwards():
    with planned_per_query():
        ask_six_times()
    ask_six_times()

    assert prepared_user_queries() == 1
