"""What changed on the session pages: the one call every write makes, and the live state.

Every write that changes what an open session page shows calls ``changed()`` once,
from inside its service's transaction. It raises the version of each thread whose
card changed (``Comment.version``: a card's kept HTML is keyed by it, see
rendered.py) and the session's ``state_version``, and after the commit publishes
the new state version to the cache key ``session:<id>:v``. The live endpoint
compares it with the version the page already has (in a signed ETag, below) and
answers 304 without touching the session's rows; when it moved, open pages fetch
their margins again.

Publishing only ever raises the cached number. Two changes committed close
together run their on-commit hooks in any order; a plain SET could leave the
older number in the cache, and every page would then miss the newer change.
On Redis the "raise only" is one atomic Lua script; without Redis (the embedded
development setup, one process) a lock does the same for the local cache.
"""

import functools
import threading
from collections.abc import Iterable

import redis
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from wbapp.cache import kept

from .models import Comment, ReviewSession, SessionPhase

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


def changed(*, session_id: int | None = None, comment_ids: Iterable[int] = ()) -> None:
    """Record what a write changed on the pages; call once, inside the write's transaction.

    ``comment_ids``: the threads whose card shows something new (their text, kind,
    status, replies, +1s, action items, where they continue). ``session_id``: the
    session whose open pages must learn of the change. Leave it out while the change
    must stay private (a reader's own comment during the reading): a raised state
    version would tell every other page that something happened.
    """
    comment_ids = list(comment_ids)
    if comment_ids:
        Comment.objects.filter(pk__in=comment_ids).update(version=F("version") + 1)
    if session_id is not None:
        ReviewSession.objects.filter(pk=session_id).update(state_version=F("state_version") + 1)
        transaction.on_commit(functools.partial(refresh_state_version, session_id))


# What every member of a discussion sees alike of it — the threads per section, the
# thread being discussed, the action items — as plain values (never model rows),
# kept per the session's state version: every write that changes them raises it
# (changed()). The limit bounds what no service raises it for (an edit in the admin).
SHARED_SECONDS = 60


def shared(session: ReviewSession, name: str, compute):
    """What ``compute()`` returns for the session at its loaded state version, kept.

    Loaded after the version it is kept under was committed, the value is at least
    that new; a page reloaded between two changes, and every participant's status
    after one, then cost no query for it (three a discussion page: 3 ms of CPU).
    """
    return kept(f"session:{session.pk}:{session.state_version}:{name}", compute, SHARED_SECONDS)


def live_state_version(session_id: int) -> int | None:
    """The session's current state version: from the cache, else from the database.

    None if there is no such session. The caller checks permissions first.
    """
    version = cache.get(cache_key(session_id))
    if version is None:
        return refresh_state_version(session_id)
    return int(version)


# --- The signed ETag of a page's live status ----------------------------------------

# A 304 is given for an ETag at most this old; then one full answer. If a version
# published to the cache were ever lost (a process killed between commit and
# publish), pages would still catch up within this time.
ETAG_MAX_AGE_SECONDS = 20


def live_etag(session, user, *, phase: str) -> str:
    """An ETag only this user can have been given for this state of the session.

    It carries what the 304 path needs without reading the session row: the
    version, the phase the page shows, when the reading ends (a poll after the
    end is never a 304) and when it was issued. Signed, so that nobody can forge
    one to learn whether a session they cannot see has changed.
    """
    ends = int(session.reading_ends_at.timestamp()) if session.reading_ends_at else 0
    issued = int(timezone.now().timestamp())
    return _sign_etag(session.pk, user.pk, f"{session.state_version}.{phase}.{ends}.{issued}")


def _sign_etag(session_id: int, user_id: int, value: str) -> str:
    signature = salted_hmac(
        "reviews.live", f"{session_id}:{user_id}:{value}", algorithm="sha256"
    ).hexdigest()[:20]
    return f'"{value}.{signature}"'


def etag_is_current(request: HttpRequest, session_id: int, phase: str) -> tuple[bool, str]:
    """Whether If-None-Match names the session's current state: the cheap 304 path.

    No query at all: the signed-in user's id comes from the login session (kept in
    the cache, see SESSION_ENGINE) without loading the user (the view activates
    the user's time zone only after this), and the version from the cache the
    services raise after each commit. Only the user the ETag was signed for, in a
    login session, gets a 304; anyone else goes the full way, through the
    permission checks. A 304 tells nothing new, and ETags age out within
    ETAG_MAX_AGE_SECONDS, so a user signed out elsewhere meanwhile learns nothing
    from one.
    """
    user_id = request.session.get(SESSION_KEY)
    if user_id is None:
        return False, ""
    sent = request.headers.get("If-None-Match", "").strip().removeprefix("W/")
    value = sent.strip('"').rpartition(".")[0]
    parts = value.split(".")
    if len(parts) != 4 or parts[1] != phase:
        return False, ""
    try:
        version, ends, issued = int(parts[0]), int(parts[2]), int(parts[3])
    except ValueError:
        return False, ""
    if not constant_time_compare(_sign_etag(session_id, user_id, value), sent):
        return False, ""
    now = timezone.now().timestamp()
    if now - issued > ETAG_MAX_AGE_SECONDS:
        return False, ""
    if phase == SessionPhase.READING and ends <= now:
        return False, ""
    return live_state_version(session_id) == version, sent
