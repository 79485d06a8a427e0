import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.functional import SimpleLazyObject

from tests.factories import MembershipFactory, TeamFactory, UserFactory
from wbapp.accounts import services
from wbapp.accounts.models import Membership, Role
from wbapp.activity.models import Activity, Verb


def membership(team, user) -> Membership:
    return Membership.objects.select_related("team", "user").get(team=team, user=user)


# --- membership_change_role --------------------------------------------------------


@pytest.mark.django_db
def test_owner_changes_a_role_and_the_activity_says_from_what_to_what(cast):
    target = membership(cast.team, cast.viewer)

    services.membership_change_role(membership=target, by=cast.owner, role=Role.EDITOR)

    assert membership(cast.team, cast.viewer).role == Role.EDITOR
    activity = Activity.objects.get(team=cast.team, verb=Verb.ROLE_CHANGED)
    assert activity.actor == cast.owner
    assert activity.payload["old_role"] == "viewer"
    assert activity.payload["new_role"] == "editor"
    assert activity.payload["member"] == cast.viewer.name


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_only_owners_change_roles(cast, role):
    target = membership(cast.team, cast.viewer)

    with pytest.raises(PermissionDenied):
        services.membership_change_role(membership=target, by=cast.member(role), role=Role.EDITOR)


@pytest.mark.django_db
def test_the_last_owner_cannot_be_demoted(cast):
    target = membership(cast.team, cast.owner)

    with pytest.raises(ValidationError, match="only owner"):
        services.membership_change_role(membership=target, by=cast.owner, role=Role.EDITOR)

    assert membership(cast.team, cast.owner).role == Role.OWNER


@pytest.mark.django_db
def test_an_owner_may_step_down_once_there_is_another_owner(cast):
    services.membership_change_role(
        membership=membership(cast.team, cast.editor), by=cast.owner, role=Role.OWNER
    )

    services.membership_change_role(
        membership=membership(cast.team, cast.owner), by=cast.owner, role=Role.VIEWER
    )

    assert membership(cast.team, cast.owner).role == Role.VIEWER
    # The permission cache on the user object follows the change.
    assert not cast.owner.has_perm("accounts.manage_team", cast.team)


@pytest.mark.django_db
def test_the_permission_cache_follows_the_change_through_request_users_lazy_proxy(cast):
    MembershipFactory(team=cast.team, role=Role.OWNER)
    request_user = SimpleLazyObject(lambda: cast.owner)
    assert request_user.has_perm("accounts.manage_team", cast.team)

    services.membership_change_role(
        membership=membership(cast.team, cast.owner), by=request_user, role=Role.EDITOR
    )

    assert not request_user.has_perm("accounts.manage_team", cast.team)


@pytest.mark.django_db
def test_two_owners_demoting_each_other_leave_one_owner(cast):
    second = UserFactory()
    MembershipFactory(team=cast.team, user=second, role=Role.OWNER)
    # Both loaded their pages while both were owners.
    owner_row = membership(cast.team, cast.owner)
    second_row = membership(cast.team, second)

    services.membership_change_role(membership=second_row, by=cast.owner, role=Role.EDITOR)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.membership_change_role(membership=owner_row, by=second, role=Role.EDITOR)

    assert Membership.objects.filter(team=cast.team, role=Role.OWNER).count() == 1


@pytest.mark.django_db
def test_the_owner_check_locks_the_owner_rows(cast):
    target = membership(cast.team, cast.viewer)

    with CaptureQueriesContext(connection) as queries:
        services.membership_change_role(membership=target, by=cast.owner, role=Role.EDITOR)

    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 1
    assert 'FROM "accounts_membership"' in locking[0]


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_demotion_waits_for_the_lock_and_sees_the_other_one():
    """Two owners demote each other at the same moment; the second waits and is refused.

    The main thread holds the owner locks and demotes B; a second thread, on its own
    connection, tries to demote A and must block until the first commits, then see
    that A is the only owner left. Without select_for_update it would read both
    owners from its snapshot and demote A too.
    """
    team = TeamFactory()
    a, b = UserFactory(), UserFactory()
    a_row = MembershipFactory(team=team, user=a, role=Role.OWNER)
    b_row = MembershipFactory(team=team, user=b, role=Role.OWNER)
    outcome = {}

    def demote_a():
        try:
            services.membership_change_role(
                membership=Membership.objects.select_related("team", "user").get(pk=a_row.pk),
                by=b,
                role=Role.EDITOR,
            )
            outcome["result"] = "demoted"
        except ValidationError as exc:
            outcome["result"] = exc.messages[0]
        finally:
            connections.close_all()

    with transaction.atomic():
        services.membership_change_role(
            membership=Membership.objects.select_related("team", "user").get(pk=b_row.pk),
            by=a,
            role=Role.EDITOR,
        )
        thread = threading.Thread(target=demote_a)
        thread.start()
        # Commit only once the other transaction is queued behind our row locks.
        with connection.cursor() as cursor:
            for _ in range(2000):
                # Statistics views are snapshotted per transaction; look afresh each time.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                if cursor.fetchone()[0]:
                    break
                if not thread.is_alive():
                    pytest.fail(f"The second demotion did not wait for the lock: {outcome}")
                thread.join(timeout=0.005)
            else:
                pytest.fail(f"The second demotion did not wait for the lock: {outcome}")
    thread.join(timeout=30)

    assert "only owner" in outcome["result"]
    assert list(Membership.objects.filter(team=team, role=Role.OWNER)) == [a_row]


# --- membership_remove -------------------------------------------------------------


@pytest.mark.django_db
def test_owner_removes_a_member(cast):
    services.membership_remove(membership=membership(cast.team, cast.reviewer), by=cast.owner)

    assert not Membership.objects.filter(team=cast.team, user=cast.reviewer).exists()
    activity = Activity.objects.get(team=cast.team, verb=Verb.MEMBER_REMOVED)
    assert activity.payload["member"] == cast.reviewer.name


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_only_owners_remove_members(cast, role):
    with pytest.raises(PermissionDenied):
        services.membership_remove(
            membership=membership(cast.team, cast.viewer), by=cast.member(role)
        )


@pytest.mark.django_db
def test_the_last_owner_cannot_be_removed(cast):
    with pytest.raises(ValidationError, match="only owner"):
        services.membership_remove(membership=membership(cast.team, cast.owner), by=cast.owner)

    assert Membership.objects.filter(team=cast.team, user=cast.owner).exists()


@pytest.mark.django_db
def test_one_of_two_owners_can_be_removed(cast):
    MembershipFactory(team=cast.team, role=Role.OWNER)

    services.membership_remove(membership=membership(cast.team, cast.owner), by=cast.owner)

    assert not Membership.objects.filter(team=cast.team, user=cast.owner).exists()


# --- membership_leave --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_a_member_leaves(cast, role):
    user = cast.member(role)

    services.membership_leave(user=user, team=cast.team)

    assert not Membership.objects.filter(team=cast.team, user=user).exists()
    assert not user.has_perm("accounts.view_team", cast.team)
    assert Activity.objects.get(team=cast.team, verb=Verb.MEMBER_LEFT).actor == user


@pytest.mark.django_db
def test_the_last_owner_cannot_leave_and_is_told_to_promote_someone(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_leave(user=cast.owner, team=cast.team)

    assert "Promote another member to owner first" in excinfo.value.messages[0]
    assert Membership.objects.filter(team=cast.team, user=cast.owner).exists()


@pytest.mark.django_db
def test_an_outsider_cannot_leave(cast):
    with pytest.raises(PermissionDenied):
        services.membership_leave(user=cast.outsider, team=cast.team)


# --- profile_update ------------------------------------------------------------------


@pytest.mark.django_db
def test_profile_update_saves_name_and_time_zone():
    user = UserFactory()

    services.profile_update(user=user, display_name="  Maya  ", time_zone="Asia/Tokyo")

    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Maya", "Asia/Tokyo")


@pytest.mark.django_db
def test_profile_update_refuses_an_unknown_time_zone():
    user = UserFactory()

    with pytest.raises(ValidationError):
        services.profile_update(user=user, display_name="", time_zone="Mars/Olympus")
