"""The cache: Redis with one redis-py client per pool; kept values and kept HTML; forgetting.

The one rule for HTML kept between requests: it is kept only under a key made of
what it shows (``html_key``: the row's primary key with something that changes
whenever what it shows changes — a version, or an immutable id and its creation
time — and a digest of the templates' source), and only HTML that looks the same
to every viewer is kept: forms, buttons and CSRF tokens are rendered per request
around it. So no write ever has to forget kept HTML: it changes the version.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache call, and
redis-py's constructor copies its table of about 170 response callbacks each time:
0.17 ms here, six times on a reading view. A ``redis.Redis`` is safe to share
between threads (each command takes a connection from the pool), so one per pool
is kept and reused.
"""

import functools
import hashlib
import inspect
from collections.abc import Callable, Iterable
from types import ModuleType

from django.core.cache import cache, caches
from django.core.cache.backends import redis
from django.db import transaction
from django.template.loader import get_template


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


def kept(key: str, compute, timeout: int):
    """A value that does not change for ``key``: this process's copy, else the shared one.

    ``compute()`` runs only when neither cache has it; both then keep the value for
    ``timeout`` seconds, and this process answers the next asks without a round trip
    to Redis. Only for keys whose value never changes (versioned, or derived from
    what never changes): one process cannot tell another to forget its copy.
    """
    process = caches["process"]
    value = process.get(key)
    if value is None:
        value = cache.get_or_set(key, compute, timeout)
        process.set(key, value, timeout)
    return value


def forget_now_and_after_commit(keys: list[str]) -> None:
    """Drop ``keys`` now, for the rest of this transaction, and again after it commits.

    The second time covers a concurrent page that read the old rows, before the
    commit, and kept what it read.
    """
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


@functools.cache
def templates_digest(*names: str) -> str:
    """A short hash of these templates' source, read once per process.

    Part of every kept HTML key: a deployment with a changed template never serves
    HTML rendered from the old one.
    """
    source = "".join(get_template(name).template.source for name in names)
    return hashlib.blake2b(source.encode(), digest_size=6).hexdigest()


@functools.cache
def code_digest(*modules: ModuleType) -> str:
    """A short hash of these modules' source, read once per process.

    Part of the key of HTML that Python code makes (Markdown rendered, a diff laid
    out), so that a deployment that makes it differently never serves the old HTML.
    """
    source = "".join(inspect.getsource(module) for module in modules)
    return hashlib.blake2b(source.encode(), digest_size=6).hexdigest()


def html_key(templates: Iterable[str], *shown, code: Iterable[ModuleType] = ()) -> str:
    """The key of HTML rendered from ``templates`` (and by ``code``) showing ``shown``.

    ``shown``: what the HTML is a picture of — a primary key with its version, or an
    immutable id with its creation time — and anything else it varies by (the time
    zone its times are shown in). Never a viewer's rights or a form. ``code``: the
    modules whose functions make the HTML when templates are not all of it.
    """
    digests = [templates_digest(*templates)]
    code = tuple(code)
    if code:
        digests.append(code_digest(*code))
    return ":".join(["html", *digests, *(str(part) for part in shown)])


def kept_many(compute: dict[str, Callable[[], str]], timeout: int) -> dict[str, str]:
    """The values of many keys whose value never changes: from Redis, else computed and kept.

    One round trip to fetch them all and at most one to keep what was computed.
    """
    found = cache.get_many(list(compute)) if compute else {}
    new = {key: make() for key, make in compute.items() if key not in found}
    if new:
        cache.set_many(new, timeout)
    return found | new
