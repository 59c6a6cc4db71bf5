"""Django's Redis cache, with one Redis client per connection pool, and no outage passed on to requests.

Django's `RedisCacheClient.get_client` builds a `redis.Redis` for every cache call, and building one
registers ~200 response callbacks: about half a millisecond of CPU, several times per API request
(session, throttle). A `redis.Redis` is safe to share between threads; its pool hands out connections.

Redis is a cache and a doorbell here, never the truth: while it cannot be reached the cache acts as an
empty one that keeps nothing, answering as Django's dummy cache does: reads miss, writes are dropped and
`add` succeeds, so sessions (`cached_db`) are read from the database and the throttles and allauth's rate
limits let requests through. A delete that could not reach Redis is tried again before this process's
next cache call, so a session logged out during an outage does not live on in the cache after it.
"""

import logging
import threading

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._undeleted: set[tuple[str, int | None]] = set()
        self._undeleted_lock = threading.Lock()

    def _soft(self, answer_when_down, call, *args, **kwargs):
        try:
            if self._undeleted:
                self._delete_undeleted()
            return call(*args, **kwargs)
        except UNREACHABLE as exc:
            logger.warning("cache unreachable, answering as a cache miss: %s", exc)
            return answer_when_down

    def _delete_undeleted(self) -> None:
        with self._undeleted_lock:
            pending, self._undeleted = self._undeleted, set()
        try:
            for key, version in pending:
                super().delete(key, version=version)
        except UNREACHABLE:
            with self._undeleted_lock:
                self._undeleted |= pending
            raise

    def get(self, key, default=None, version=None):
        return self._soft(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._soft({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._soft(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(True, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft([], super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        try:
            return self._soft_raise(super().delete, key, version)
        except UNREACHABLE as exc:
            logger.warning("cache unreachable, delete of %r kept for later: %s", key, exc)
            with self._undeleted_lock:
                self._undeleted.add((key, version))
            return False

    def delete_many(self, keys, version=None):
        keys = list(keys)
        try:
            return self._soft_raise(super().delete_many, keys, version)
        except UNREACHABLE as exc:
            logger.warning("cache unreachable, %d deletes kept for later: %s", len(keys), exc)
            with self._undeleted_lock:
                self._undeleted |= {(key, version) for key in keys}
            return None

    def _soft_raise(self, call, *args):
        if self._undeleted:
            self._delete_undeleted()
        return call(*args)
