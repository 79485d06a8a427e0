"""wbapp/db.py: batch work plans each query afresh; a compiled query builds its SQL once."""

import threading
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.db.models.sql.compiler import SQLCompiler

from tests.factories import MembershipFactory
from wbapp.accounts.models import Membership, User
from wbapp.db import CompiledQuery, planned_per_query

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


# --- CompiledQuery ---------------------------------------------------------------------


def memberships_of(team_id: int, user_id: int):
    return (
        Membership.objects.filter(team_id=team_id, user_id=user_id, role__in=["owner", "editor"])
        .select_related("team", "user")
        .annotate(team_members=Count("team__memberships"))
    )


MEMBERSHIPS = CompiledQuery(memberships_of)


def seen(memberships) -> list:
    return [(m.pk, m.role, m.team.slug, m.user.email, m.team_members) for m in memberships]


def test_a_compiled_query_returns_what_the_queryset_would():
    owner, editor = MembershipFactory(role="owner"), MembershipFactory(role="editor")
    MembershipFactory(team=owner.team, role="viewer")
    asked = [
        (owner.team_id, owner.user_id),
        (editor.team_id, editor.user_id),
        (owner.team_id, editor.user_id),
        (2**70, owner.user_id),  # no such id, nor any column to hold it
    ]

    for ids in asked:
        assert seen(MEMBERSHIPS.fetch(*ids)) == seen(memberships_of(*ids))
    assert seen(MEMBERSHIPS.fetch(owner.team_id, owner.user_id)) == [
        (owner.pk, "owner", owner.team.slug, owner.user.email, 2)
    ]


def test_an_id_no_column_can_hold_matches_nothing_without_asking(django_assert_num_queries):
    membership = MembershipFactory(role="owner")

    with django_assert_num_queries(0):
        assert MEMBERSHIPS.fetch(2**63, membership.user_id) == []
        assert MEMBERSHIPS.fetch(membership.team_id, -(2**63) - 1) == []


def test_a_compiled_query_is_compiled_once_per_connection():
    membership = MembershipFactory(role="owner")
    compiled = CompiledQuery(memberships_of)
    compile_sql = SQLCompiler.as_sql

    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=compile_sql) as sql:
        runs = [compiled.fetch(membership.team_id, membership.user_id) for _ in range(3)]

    assert sql.call_count == 1
    assert [seen(run) for run in runs] == [
        seen(memberships_of(membership.team_id, membership.user_id))
    ] * 3


def test_another_thread_compiles_for_its_own_connection():
    membership = MembershipFactory(role="owner")
    MEMBERSHIPS.fetch(membership.team_id, membership.user_id)
    found = {}

    def elsewhere():
        try:
            # Its own connection, outside this test's transaction: nothing to see.
            found["rows"] = MEMBERSHIPS.fetch(membership.team_id, membership.user_id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()

    assert found["rows"] == []


def test_an_id_that_is_not_a_parameter_is_refused():
    # The user id never reaches the SQL: every run would answer for the first user.
    forgetful = CompiledQuery(lambda team_id, user_id: Membership.objects.filter(team_id=team_id))

    with pytest.raises(ValueError, match="ids \\[1\\] are not parameters"):
        forgetful.fetch(1, 2)


def test_the_ids_it_was_built_for_are_required():
    with pytest.raises(TypeError, match="takes 2 ids"):
        MEMBERSHIPS.fetch(1)
