"""The inbox reads, preferences, follow and mute, and unsubscribe tokens."""

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

from tests.notifications.notify_helpers import async_comment, iteration, reply
from tests.reviews.factories import scheduled_session
from wbapp.activity.models import Frequency, InitiativeMute, Notification, NotificationPreference
from wbapp.notifications import services
from wbapp.notifications.fanout import fan_out_pending

# --- Inbox ------------------------------------------------------------------------------------


def test_the_unread_count_counts_only_the_users_unread_notifications(cast):
    revision = iteration(cast)
    for n in range(3):
        async_comment(cast.reviewer, revision, body=f"Comment {n}")
    fan_out_pending()
    first = Notification.objects.filter(user=cast.editor).order_by("pk").first()

    services.mark_read(user=cast.editor, ids=[first.pk])

    assert services.unread_count(cast.editor) == 2
    assert services.unread_count(cast.reviewer) == 0


def test_the_kept_unread_count_is_counted_again_after_a_fan_out(cast, django_assert_num_queries):
    revision = iteration(cast)
    assert services.unread_count(cast.editor) == 0
    with django_assert_num_queries(0):
        assert services.unread_count(cast.editor) == 0

    async_comment(cast.reviewer, revision, body="After the first count")
    fan_out_pending()

    assert services.unread_count(cast.editor) == 1


def test_the_unread_count_forgets_a_team_the_user_left(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision, body="Before leaving")
    fan_out_pending()
    assert services.unread_count(cast.editor) == 1

    cast.team.memberships.filter(user=cast.editor).delete()

    assert services.unread_count(cast.editor) == 0


def test_the_inbox_is_newest_first_with_lines_linking_to_the_thread(cast):
    revision = iteration(cast)
    thread = async_comment(cast.reviewer, revision, body="Who pays the courier?")
    reply(cast.owner, thread, body="We do, for now.")
    fan_out_pending()

    newest, oldest = services.inbox(cast.editor)

    assert newest.line.text == "replied to a comment on iteration 1 of Narrative"
    assert newest.line.excerpt == "We do, for now."
    assert oldest.line.excerpt == "Who pays the courier?"
    assert oldest.line.path.endswith(f"/iterations/1/#comment-{thread.pk}")
    assert oldest.line.actor == "Reviewer"


def test_the_inbox_takes_the_same_queries_for_a_page_of_any_length(cast, django_assert_num_queries):
    revision = iteration(cast)
    thread = async_comment(cast.reviewer, revision)
    for n in range(30):
        reply(cast.owner, thread, body=f"Reply {n}")
    fan_out_pending()

    # notifications with actor, initiative and team; comment excerpts; reply excerpts
    with django_assert_num_queries(3):
        page = services.inbox(cast.editor, limit=20)

    assert len(page) == 20
    older = services.inbox(cast.editor, limit=20, before=page[-1].pk)
    assert len(older) == 11


def test_the_inbox_hides_teams_the_user_has_left(cast):
    revision = iteration(cast)
    services.initiative_follow(user=cast.viewer, initiative=revision.document.initiative)
    async_comment(cast.reviewer, revision)
    fan_out_pending()

    cast.viewer.memberships.filter(team=cast.team).delete()

    assert services.inbox(cast.viewer) == []


def test_mark_read_never_touches_someone_elses_notifications(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision)
    fan_out_pending()
    editors = Notification.objects.get(user=cast.editor)

    assert services.mark_read(user=cast.reviewer, ids=[editors.pk]) == 0
    assert services.unread_count(cast.editor) == 1


def test_mark_all_read_up_to_keeps_what_arrived_after_the_page(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision, body="Seen on the page")
    fan_out_pending()
    shown = Notification.objects.get(user=cast.editor).pk
    async_comment(cast.reviewer, revision, body="Arrived later")
    fan_out_pending()

    assert services.mark_read(user=cast.editor, all=True, up_to=shown) == 1
    assert services.unread_count(cast.editor) == 1


def test_mark_read_needs_ids_or_all(cast):
    with pytest.raises(TypeError):
        services.mark_read(user=cast.editor)


# --- Preferences ---------------------------------------------------------------------------


def test_preferences_default_to_a_daily_digest_at_eight_without_writing(cast):
    preference = services.preferences_get(cast.viewer)

    assert (preference.frequency, preference.hour, preference.weekday) == ("daily", 8, 0)
    assert not NotificationPreference.objects.exists()


def test_preferences_are_saved(cast):
    services.preferences_update(user=cast.viewer, frequency="weekly", hour=17, weekday=4)

    saved = services.preferences_get(cast.viewer)
    assert (saved.frequency, saved.hour, saved.weekday) == ("weekly", 17, 4)


@pytest.mark.parametrize(
    ("frequency", "hour", "weekday", "field"),
    [
        ("hourly", 8, 0, "frequency"),
        ("daily", 24, 0, "hour"),
        ("daily", -1, 0, "hour"),
        ("weekly", 8, 7, "weekday"),
    ],
)
def test_invalid_preferences_are_refused_by_field(cast, frequency, hour, weekday, field):
    with pytest.raises(ValidationError) as error:
        services.preferences_update(
            user=cast.viewer, frequency=frequency, hour=hour, weekday=weekday
        )

    assert field in error.value.message_dict


# --- Follow and mute ---------------------------------------------------------------------------


def test_owners_follow_by_default_and_mute_silences_them(cast):
    initiative = iteration(cast).document.initiative

    assert services.follow_state(user=cast.editor, initiative=initiative).label == (
        "Following (you own it)"
    )
    muted = services.initiative_mute(user=cast.editor, initiative=initiative)
    assert (muted.following, muted.label) == (False, "Muted")
    assert services.initiative_unmute(user=cast.editor, initiative=initiative).following


def test_following_explicitly_lifts_a_mute(cast):
    initiative = iteration(cast).document.initiative
    services.initiative_mute(user=cast.viewer, initiative=initiative)

    state = services.initiative_follow(user=cast.viewer, initiative=initiative)

    assert (state.explicit, state.muted, state.following) == (True, False, True)
    assert not InitiativeMute.objects.exists()
    unfollowed = services.initiative_unfollow(user=cast.viewer, initiative=initiative)
    assert (unfollowed.following, unfollowed.label) == (False, "Not following")


def test_invitees_and_commenters_follow_by_default(cast):
    session = scheduled_session(cast)
    initiative = session.initiative
    async_comment(cast.owner, session.revision)

    assert services.follow_state(user=cast.reviewer, initiative=initiative).implicit == (
        "participant"
    )
    assert services.follow_state(user=cast.owner, initiative=initiative).implicit == "commenter"


@pytest.mark.parametrize(
    "action",
    ["follow_state", "initiative_follow", "initiative_unfollow", "initiative_mute"],
)
def test_outsiders_cannot_follow_or_mute(cast, action):
    initiative = iteration(cast).document.initiative

    with pytest.raises(PermissionDenied):
        getattr(services, action)(user=cast.outsider, initiative=initiative)


def test_followed_initiatives_lists_every_kind_in_fixed_queries(cast, django_assert_num_queries):
    owned = iteration(cast).document.initiative
    invited = scheduled_session(cast).initiative
    muted = iteration(cast).document.initiative
    services.initiative_mute(user=cast.reviewer, initiative=muted)
    services.initiative_follow(user=cast.reviewer, initiative=owned)

    # explicit follows; mutes; sessions as participant; as facilitator; commented; the rows
    with django_assert_num_queries(6):
        rows = services.followed_initiatives(cast.reviewer)

    states = {initiative.pk: state for initiative, state in rows}
    assert states[owned.pk].explicit
    assert states[invited.pk].implicit == "participant"
    assert states[muted.pk].muted
    assert services.followed_initiatives(cast.outsider) == []


# --- Unsubscribe tokens ------------------------------------------------------------------------


def test_an_unsubscribe_token_names_its_user(cast):
    token = services.unsubscribe_token(cast.viewer)

    assert services.user_from_unsubscribe_token(token) == cast.viewer


def test_a_tampered_or_foreign_token_names_nobody(cast):
    token = services.unsubscribe_token(cast.viewer)
    forged = signing.Signer(salt="another-salt").sign_object({"u": cast.owner.pk, "e": "x"})

    assert services.user_from_unsubscribe_token(token[:-2] + "xx") is None
    assert services.user_from_unsubscribe_token(forged) is None


def test_a_token_stops_working_when_the_address_changes(cast):
    token = services.unsubscribe_token(cast.viewer)
    cast.viewer.email = "new-address@example.com"
    cast.viewer.save(update_fields=["email"])

    assert services.user_from_unsubscribe_token(token) is None


def test_unsubscribing_turns_every_email_off(cast):
    services.unsubscribe(user=cast.viewer)

    assert services.preferences_get(cast.viewer).frequency == Frequency.OFF
