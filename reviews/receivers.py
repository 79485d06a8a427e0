"""What reviews does when other apps tell it something happened."""

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from documents.signals import iteration_saved

from . import live
from .models import Comment, ReviewSession, SessionPhase
from .services.carry import carry_forward

# What a comment card shows of a person: ``User.name`` is made of these.
_NAME_FIELDS = {"display_name", "email"}


@receiver(iteration_saved, dispatch_uid="reviews.carry_forward")
def carry_threads_forward(sender, *, previous, revision, user, **kwargs):
    """A new iteration takes over the unresolved threads, in the same transaction.

    Returns how many, for the iteration's activity (documents.signals).
    """
    result = carry_forward(previous=previous, revision=revision, user=user)
    return {"carried": result.carried, "outdated": result.outdated}


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="reviews.renamed")
def show_a_new_name(sender, *, instance, created, update_fields=None, **kwargs):
    """A person renamed: their comments' and replies' cards, and the discussions that show
    their name (the thread being discussed, the action items they own), say the new one."""
    if created or (update_fields is not None and not _NAME_FIELDS & set(update_fields)):
        return
    threads = Comment.objects.filter(Q(author=instance) | Q(replies__author=instance))
    live.changed(comment_ids=threads.values_list("pk", flat=True).distinct())
    discussions = ReviewSession.objects.filter(phase=SessionPhase.DISCUSSION).filter(
        Q(comments__author=instance) | Q(action_items__owner=instance)
    )
    for session_id in discussions.values_list("pk", flat=True).distinct():
        live.changed(session_id=session_id)
