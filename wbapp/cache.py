"""The cache: Redis with one redis-py client per pool; kept values; forgetting them.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache call, and
redis-py's constructor copies its table of about 170 response callbacks each time:
0.17 ms here, six times on a reading view. A ``redis.Redis`` is safe to share
between threads (each command takes a connection from the pool), so one per pool
is kept and reused.
"""

from django.core.cache import cache, caches
from django.core.cache.backends import redis
from django.db import transaction


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
