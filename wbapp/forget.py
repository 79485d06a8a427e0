"""Forgetting kept values whose source a transaction changes."""

from django.core.cache import cache
from django.db import transaction


def forget_now_and_after_commit(keys: list[str]) -> None:
    """Drop ``keys`` now, for the rest of this transaction, and again after it commits.

    The second time covers a concurrent page that read the old rows, before the
    commit, and kept what it read.
    """
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
