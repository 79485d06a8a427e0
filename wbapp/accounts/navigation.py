"""The teams in a signed-in user's navigation bar, kept in the cache per user.

Every page shows them, and they change only when one of the user's memberships or
one of their teams does. The receivers below forget a user's entry after any such
save or delete (services, the admin and cascades alike), at once and after the commit;
the time limit bounds a page that read the old teams just as the change committed.
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wbapp.cache import forget_now_and_after_commit

from .models import Membership, Team

KEPT_SECONDS = 5 * 60


def _key(user_id: int) -> str:
    return f"accounts:nav-teams:{user_id}"


def nav_teams(user) -> list[Team]:
    """The user's teams, by name: one query when the cache has forgotten them."""
    return cache.get_or_set(_key(user.pk), lambda: list(Team.objects.for_user(user)), KEPT_SECONDS)


def forget_nav_teams(user_ids) -> None:
    """Read these users' teams again, now and after the change commits."""
    forget_now_and_after_commit([_key(user_id) for user_id in set(user_ids)])


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="nav-teams-membership")
def _membership_changed(sender, instance: Membership, **kwargs) -> None:
    forget_nav_teams([instance.user_id])


@receiver([post_save, post_delete], sender=Team, dispatch_uid="nav-teams-team")
def _team_changed(sender, instance: Team, created: bool = False, **kwargs) -> None:
    # A new team has no members yet; a deleted one takes its memberships along,
    # each of which is forgotten above.
    if not created and kwargs["signal"] is post_save:
        forget_nav_teams(instance.memberships.values_list("user_id", flat=True))
