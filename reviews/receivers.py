"""What reviews does when other apps tell it something happened."""

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from documents.signals import iteration_saved

from . import live
from .models import Comment
from .services.carry import carry_forward

# What a comment card shows of a person: ``User.name`` is made of these.
_NAME_FIELDS = {"display_name", "email"}


@receiver(iteration_saved, dispatch_uid="reviews.carry_forward")
def carry_threads_forward(sender, *, previous, revision, user, **kwargs):
    """A new iteration takes over the unresolved threads, in the same transaction."""
    carry_forward(previous=previous, revision=revision, user=user)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="reviews.renamed")
def show_a_new_name(sender, *, instance, created, update_fields=None, **kwargs):
    """A person renamed: the cards of their comments and replies show the new name."""
    if created or (update_fields is not None and not _NAME_FIELDS & set(update_fields)):
        return
    threads = Comment.objects.filter(Q(author=instance) | Q(replies__author=instance))
    live.changed(comment_ids=threads.values_list("pk", flat=True).distinct())
