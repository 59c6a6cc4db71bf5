"""Django's Redis cache, with one Redis client per connection pool, and no outage passed on to requests.

Django's `RedisCacheClient.get_client` builds a `redis.Redis` for every cache call, and building one
registers ~200 response callbacks: about half a millisecond of CPU, several times per API request
(session, throttle). A `redis.Redis` is safe to share between threads; its pool hands out connections.

Redis is a cache and a doorbell here, never the truth: while it cannot be reached the cache acts as an
empty one that keeps nothing, answering as Django's dummy cache does: reads miss, writes are dropped and
`add` succeeds, so sessions (`cached_db`) are read from the database and the throttles and allauth's rate
limits let requests through (availability over rate limiting, by choice). Two exceptions fail closed: a
TOTP code's "used" mark (`add` answers False, so a code cannot be replayed during an outage), and keys
whose write or delete was lost: the process keeps them and deletes them before its next cache call, so
neither a session logged out during an outage nor a value older than the database's outlives it. Other
processes may still read such a key from Redis until one of them gets through; sessions are bounded by
their expiry. `incr`, `decr` and `clear` are not softened (nothing here uses them); `count_in_window`, the API
throttle's counter, is.
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


# Keys whose write or delete did not reach Redis, by server, for every thread of the process
# (Django gives each thread its own cache object).
_unsettled: dict[str, set[tuple[str, int | None]]] = {}
_unsettled_lock = threading.Lock()
# allauth.mfa marks a TOTP code used with `add`: refuse rather than allow a replay.
FAIL_CLOSED_ADD = ("allauth.mfa.totp.used",)


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._where = ",".join(self._servers) + "|" + self.key_prefix

    def _pending(self) -> set[tuple[str, int | None]]:
        return _unsettled.get(self._where, set())

    def _keep(self, keys, version) -> None:
        with _unsettled_lock:
            _unsettled.setdefault(self._where, set()).update((key, version) for key in keys)

    def _settle(self) -> None:
        """Delete the keys whose write or delete was lost; each leaves the set once deleted."""
        for key, version in list(self._pending()):
            super().delete(key, version=version)
            with _unsettled_lock:
                self._pending().discard((key, version))

    def _soft(self, answer_when_down, call, *args, lost_keys=(), version=None):
        try:
            if self._pending():
                self._settle()
            return call(*args)
        except UNREACHABLE as exc:
            logger.warning("cache unreachable, answering as an empty cache: %s", exc)
            if lost_keys:
                self._keep(lost_keys, version)
            return answer_when_down

    def get(self, key, default=None, version=None):
        return self._soft(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._soft({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._soft(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        answer = not key.startswith(FAIL_CLOSED_ADD)
        return self._soft(answer, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(None, super().set, key, value, timeout, version, lost_keys=[key], version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft([], super().set_many, data, timeout, version, lost_keys=list(data), version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft(False, super().delete, key, version, lost_keys=[key], version=version)

    def count_in_window(self, key, timeout: int, version=None) -> int:
        """Add one to a counter that lives `timeout` seconds from its first hit; one round trip.
        While Redis cannot be reached the count is 0, so a rate limit lets the request through."""
        key = self.make_and_validate_key(key, version=version)

        def hit():
            # MULTI/EXEC: the key cannot expire between the two, leaving an INCR-made key with no TTL.
            pipe = self._cache.get_client(key, write=True).pipeline(transaction=True)
            pipe.set(key, 0, ex=timeout, nx=True)
            pipe.incr(key)
            return pipe.execute()[1]

        return self._soft(0, hit)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._soft(None, super().delete_many, keys, version, lost_keys=keys, version=version)
