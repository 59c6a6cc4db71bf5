"""Per-person limits shared by every process: token buckets and capped sets of holders.

In Redis when it is the cache (one script per call, timed by Redis's own clock, so every web and
socket process counts against the same bucket), in this process otherwise (the embedded default runs
one process). Both fail open: while Redis cannot be reached a limit lets people through, as the API
throttle does; Redis is a cache and a doorbell, never the reason a request fails.
"""

import logging
import math
import threading
import time
from dataclasses import dataclass

from django.core.cache import caches

from timebank.cache import RedisCache

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600}
# Every key this module stores starts so (tests give each test a prefix of its own).
PREFIX = "rl"


@dataclass(frozen=True)
class Rate:
    """`count` per `period` seconds on average, with up to `burst` at once."""

    count: int
    period: int
    burst: int

    @classmethod
    def parse(cls, text: str, *, burst: int) -> "Rate":
        """ "60/minute" and a burst; the same spelling as the API's rate setting."""
        count, _, period = text.partition("/")
        return cls(count=int(count), period=PERIODS[period.strip()], burst=burst)

    @property
    def interval(self) -> float:
        return self.period / self.count


# The generic cell rate algorithm: one number per bucket, the time at which it will be empty again
# ("tat"). A take is allowed while that stays within `burst` intervals of now.
_BUCKET_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval, capacity = tonumber(ARGV[1]), tonumber(ARGV[1]) * tonumber(ARGV[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or now), now)
local over = tat + interval - now - capacity
if over > 0 then return tostring(over) end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil((tat + interval - now) * 1000))
return '0'
"""

# One take given back: the bucket's empty time moves one interval earlier (never before now).
_GIVE_BACK_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]) or now) - tonumber(ARGV[1])
if tat <= now then redis.call('DEL', KEYS[1]) return 0 end
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil((tat - now) * 1000))
return 1
"""

# A set of holders (e.g. open sockets), each with an expiry it must renew; at most `limit` at once.
_SLOT_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
    return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3]) * 1000))
return 1
"""

_scripts: dict[tuple[int, str], object] = {}
_local_lock = threading.Lock()
_local_buckets: dict[str, float] = {}
_local_slots: dict[str, dict[str, float]] = {}


def _redis(key: str):
    """(the Redis client holding `key`, the key as stored), or None when the cache is not Redis."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    full_key = cache.make_and_validate_key(f"{PREFIX}:{key}")
    return cache._cache.get_client(full_key, write=True), full_key


def _redis_script(key: str, source: str):
    """(the script bound to the Redis client holding `key`, the key as stored), or None without Redis."""
    redis = _redis(key)
    if redis is None:
        return None
    client, full_key = redis
    script = _scripts.get((id(client), source))
    if script is None:
        script = _scripts[(id(client), source)] = client.register_script(source)
    return script, full_key


def rate_take(*, key: str, rate: Rate) -> float:
    """Take one from the bucket `key`. Returns 0 when allowed, else the seconds until one is free."""
    try:
        redis = _redis_script(key, _BUCKET_LUA)
        if redis is not None:
            script, full_key = redis
            return float(script(keys=[full_key], args=[rate.interval, rate.burst]))
    except Exception:  # noqa: BLE001 - a limit fails open: Redis errors vary (connection, OOM, timeouts)
        logger.warning("rate limit store unavailable; allowing %s", key, exc_info=True)
        return 0.0
    with _local_lock:
        now = time.monotonic()
        key = f"{PREFIX}:{key}"
        tat = max(_local_buckets.get(key, now), now)
        over = tat + rate.interval - now - rate.interval * rate.burst
        if over > 0:
            return over
        _local_buckets[key] = tat + rate.interval
        if len(_local_buckets) > 10_000:
            # An empty bucket is the same as none: forget those, so the dict stays the size of the busy.
            for stale in [k for k, until in _local_buckets.items() if until <= now]:
                del _local_buckets[stale]
        return 0.0


def rate_give_back(*, key: str, rate: Rate) -> None:
    """Undo one `rate_take` that turned out to cost nothing (e.g. a resend of what is already stored)."""
    try:
        redis = _redis_script(key, _GIVE_BACK_LUA)
        if redis is not None:
            script, full_key = redis
            script(keys=[full_key], args=[rate.interval])
            return
    except Exception:  # noqa: BLE001 - as a take fails open, a give back that fails costs one token at most
        logger.warning("rate limit store unavailable; %s keeps one take", key, exc_info=True)
        return
    with _local_lock:
        now = time.monotonic()
        key = f"{PREFIX}:{key}"
        tat = _local_buckets.get(key, now) - rate.interval
        if tat <= now:
            _local_buckets.pop(key, None)
        else:
            _local_buckets[key] = tat


def slot_take(*, key: str, holder: str, limit: int, ttl: float) -> bool:
    """Hold (or renew) a place in the set `key` for `ttl` seconds; False when `limit` others hold one."""
    try:
        redis = _redis_script(key, _SLOT_LUA)
        if redis is not None:
            script, full_key = redis
            return bool(script(keys=[full_key], args=[holder, limit, ttl]))
    except Exception:  # noqa: BLE001 - a limit fails open
        logger.warning("slot store unavailable; allowing %s", key, exc_info=True)
        return True
    with _local_lock:
        now = time.monotonic()
        key = f"{PREFIX}:{key}"
        held = {h: until for h, until in _local_slots.get(key, {}).items() if until > now}
        if holder not in held and len(held) >= limit:
            _local_slots[key] = held
            return False
        held[holder] = now + ttl
        _local_slots[key] = held
        return True


def slot_release(*, key: str, holder: str) -> None:
    """Give a place back; one never given back expires with its ttl."""
    try:
        redis = _redis(key)
        if redis is not None:
            client, full_key = redis
            client.zrem(full_key, holder)
            return
    except Exception:  # noqa: BLE001 - it expires by itself
        logger.warning("slot store unavailable; %s expires by itself", key, exc_info=True)
        return
    with _local_lock:
        _local_slots.get(f"{PREFIX}:{key}", {}).pop(holder, None)


def retry_after_seconds(wait: float) -> int:
    """Whole seconds for a Retry-After header: never 0 while refused."""
    return max(1, math.ceil(wait))
