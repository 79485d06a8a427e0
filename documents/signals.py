"""Signals other apps listen to, so that documents never imports them.

``iteration_saved`` is sent inside the transaction that creates the iteration,
after the row exists: a receiver's writes commit or roll back with it (reviews
carries open comments forward this way, so a saved iteration never lacks a
thread of the one before). Arguments: ``previous`` (the iteration before, or
None for the first), ``revision`` (the new one) and ``user`` (who saved it).

A receiver may return a dict of what it did, in words the iteration's activity
keeps (reviews returns ``{"carried": 12, "outdated": 1}``): the one notification
of a new iteration then says it ("carrying 12 open comments forward").
"""

from django.dispatch import Signal

iteration_saved = Signal()

# What receivers may report (see above); anything else they return is ignored.
REPORTED = ("carried", "outdated")


def iteration_saved_send(*, previous, revision, user) -> dict[str, int]:
    """Send ``iteration_saved``; return what the receivers did, added up."""
    reported = dict.fromkeys(REPORTED, 0)
    for _, response in iteration_saved.send(
        sender=type(revision), previous=previous, revision=revision, user=user
    ):
        if isinstance(response, dict):
            for name in REPORTED:
                value = response.get(name)
                if isinstance(value, int):
                    reported[name] += value
    return reported
