"""Fixtures the notification tests share."""

import pytest

from tests.factories import MembershipFactory
from tests.notifications.notify_helpers import async_comment, iteration
from wbapp.notifications import follows
from wbapp.notifications.fanout import fan_out_pending


@pytest.fixture
def readers(cast):
    """The initiative's owner (the editor) and four followers, each with a comment to read."""
    revision = iteration(cast)
    followers = [MembershipFactory(team=cast.team, role="viewer").user for _ in range(4)]
    for user in followers:
        follows.initiative_follow(user=user, initiative=revision.document.initiative)
    for n in range(3):
        async_comment(cast.reviewer, revision, body=f"Comment {n}")
    fan_out_pending()
    return [cast.editor, *followers]
