"""Following and muting an initiative: who hears about it, and why."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.notifications.notify_helpers import async_comment, iteration
from tests.reviews.factories import scheduled_session
from wbapp.activity.models import InitiativeMute
from wbapp.notifications import follows


def test_owners_follow_by_default_and_mute_silences_them(cast):
    initiative = iteration(cast).document.initiative

    assert follows.follow_state(user=cast.editor, initiative=initiative).label == (
        "Following (you own it)"
    )
    muted = follows.initiative_mute(user=cast.editor, initiative=initiative)
    assert (muted.following, muted.label) == (False, "Muted")
    assert follows.initiative_unmute(user=cast.editor, initiative=initiative).following


def test_following_explicitly_lifts_a_mute(cast):
    initiative = iteration(cast).document.initiative
    follows.initiative_mute(user=cast.viewer, initiative=initiative)

    state = follows.initiative_follow(user=cast.viewer, initiative=initiative)

    assert (state.explicit, state.muted, state.following) == (True, False, True)
    assert not InitiativeMute.objects.exists()
    unfollowed = follows.initiative_unfollow(user=cast.viewer, initiative=initiative)
    assert (unfollowed.following, unfollowed.label) == (False, "Not following")


def test_invitees_and_commenters_follow_by_default(cast):
    session = scheduled_session(cast)
    initiative = session.initiative
    async_comment(cast.owner, session.revision)

    assert follows.follow_state(user=cast.reviewer, initiative=initiative).implicit == (
        "participant"
    )
    assert follows.follow_state(user=cast.owner, initiative=initiative).implicit == "commenter"


@pytest.mark.parametrize(
    "action",
    ["follow_state", "initiative_follow", "initiative_unfollow", "initiative_mute"],
)
def test_outsiders_cannot_follow_or_mute(cast, action):
    initiative = iteration(cast).document.initiative

    with pytest.raises(PermissionDenied):
        getattr(follows, action)(user=cast.outsider, initiative=initiative)


def test_followed_initiatives_lists_every_kind_in_fixed_queries(cast, django_assert_num_queries):
    owned = iteration(cast).document.initiative
    invited = scheduled_session(cast).initiative
    muted = iteration(cast).document.initiative
    follows.initiative_mute(user=cast.reviewer, initiative=muted)
    follows.initiative_follow(user=cast.reviewer, initiative=owned)

    # explicit follows; mutes; sessions as participant; as facilitator; commented; the rows
    with django_assert_num_queries(6):
        rows = follows.followed_initiatives(cast.reviewer)

    states = {initiative.pk: state for initiative, state in rows}
    assert states[owned.pk].explicit
    assert states[invited.pk].implicit == "participant"
    assert states[muted.pk].muted
    assert follows.followed_initiatives(cast.outsider) == []
