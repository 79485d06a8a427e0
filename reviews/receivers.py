"""What reviews does when other apps tell it something happened."""

from django.dispatch import receiver

from documents.signals import iteration_saved

from . import carry


@receiver(iteration_saved, dispatch_uid="reviews.carry_forward")
def carry_threads_forward(sender, *, previous, revision, user, **kwargs):
    """A new iteration takes over the unresolved threads, in the same transaction."""
    carry.carry_forward(previous=previous, revision=revision, user=user)
