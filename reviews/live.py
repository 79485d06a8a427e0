"""The live state of a session, cached so that polling costs almost nothing.

Every change an open session page must show bumps ``ReviewSession.state_version``
in the database; after the commit, the services publish the new number to the
cache key ``session:<id>:v``. The live endpoint compares it with the version the
page already has and answers 304 without touching the session's rows.

Publishing only ever raises the cached number. Two changes committed close
together run their on-commit hooks in any order; a plain SET could leave the
older number in the cache, and every page would then miss the newer change.
On Redis the "raise only" is one atomic Lua script; without Redis (the embedded
development setup, one process) a lock does the same for the local cache.
"""

import functools
import threading

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from wbapp.cache import kept

from .models import ReviewSession

# Long enough to outlive any session; a miss costs one query and refills it.
TTL_SECONDS = 12 * 60 * 60

_RAISE_TO = """
local current = tonumber(redis.call('GET', KEYS[1]))
local new = tonumber(ARGV[1])
if current == nil or new > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return new
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return current
"""

_local_lock = threading.Lock()


def cache_key(session_id: int) -> str:
    return f"session:{session_id}:v"


@functools.cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def _raise_to(session_id: int, version: int) -> int:
    """Set the cached version to ``version`` unless it already holds a newer one."""
    key = cache_key(session_id)
    if settings.REDIS_URL:
        # Django's Redis cache stores integers as plain numbers, so cache.get()
        # reads what this script writes under the same (prefixed) key.
        client = _redis_client(settings.REDIS_URL)
        return int(client.eval(_RAISE_TO, 1, cache.make_key(key), version, TTL_SECONDS))
    with _local_lock:
        current = cache.get(key)
        if current is None or version > current:
            cache.set(key, version, TTL_SECONDS)
            return version
        return current


def refresh_state_version(session_id: int) -> int | None:
    """Read the session's version from the database and publish it."""
    version = (
        ReviewSession.objects.filter(pk=session_id).values_list("state_version", flat=True).first()
    )
    if version is None:
        return None
    return _raise_to(session_id, version)


def publish_on_commit(session_id: int) -> None:
    """Publish the session's version once the current transaction commits."""
    transaction.on_commit(functools.partial(refresh_state_version, session_id))


def live_state_version(session_id: int) -> int | None:
    """The session's current state version: from the cache, else from the database.

    None if there is no such session. The caller checks permissions first.
    """
    version = cache.get(cache_key(session_id))
    if version is None:
        return refresh_state_version(session_id)
    return int(version)


# A value kept per state version is right until the next bump; this limit bounds
# what no service bumps for (a participant renamed, an edit in the admin).
STATE_KEPT_SECONDS = 60


def kept_per_state(session: ReviewSession, name: str, compute):
    """What ``compute()`` returns for the session at its loaded state version, kept.

    For what every member sees alike once the comments are revealed (the focused
    thread, the counts per section, the action items). Every service that changes
    those bumps the version in its own transaction, so a value computed after the
    session was loaded is at least as new as the version it is kept under. Pages
    reloaded between two changes then cost no query for it.
    """
    key = f"session:{session.pk}:{session.state_version}:{name}"
    return kept(key, compute, STATE_KEPT_SECONDS)
