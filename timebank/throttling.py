"""API rate limits that fail open: a Redis outage may cost the limit, never the request."""

import logging

from allauth.account.adapter import get_adapter
from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)


def count_in_window(cache, key: str, timeout: int) -> int:
    """One more hit on a counter that expires `timeout` seconds after its first hit. (On the database
    and file caches `incr` rewrites the expiry to the default 300 s: fine for per-minute rates.)"""
    if hasattr(cache, "count_in_window"):  # timebank.cache.RedisCache: one round trip
        return cache.count_in_window(key, timeout)
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: this is the window's first hit
        cache.add(key, 1, timeout)
        return 1


class FailOpenUserThrottle(UserRateThrottle):
    """The per-user rate, counted in fixed windows of the rate's period, failing open.

    DRF's own throttle keeps the time of every request of the last period in one cache value and
    reads and rewrites it on each request: at a generous rate that is thousands of timestamps sent
    both ways per request. A counter per window costs one round trip and stays one integer. A client
    can spend its allowance at the end of one window and again at the start of the next.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        return self.allow_key(key)

    def allow_key(self, key: str) -> bool:
        now = self.timer()
        window, elapsed = divmod(int(now), self.duration)
        self.retry_after = self.duration - elapsed
        try:
            count = count_in_window(self.cache, f"{key}:{window}", self.duration)
        except Exception:  # noqa: BLE001 - the cache backend's connection errors vary
            logger.warning("throttle cache unavailable; allowing the request", exc_info=True)
            return True
        return count <= self.num_requests

    def wait(self):
        return self.retry_after

    def get_ident(self, request):
        # One rule for a client's address, the trusted-proxy settings allauth's login limits use; DRF's
        # own reading trusts a client's X-Forwarded-For unless NUM_PROXIES is set too.
        return get_adapter(request).get_client_ip(request)


def api_budget_take(*, user_id: int) -> int:
    """Count one request against a person's API budget, the counter the API throttle keeps, so a socket's
    frames and HTTP requests share it. 0 when within it, else the seconds until the window ends."""
    throttle = FailOpenUserThrottle()
    if throttle.rate is None:
        return 0
    key = throttle.cache_format % {"scope": throttle.scope, "ident": user_id}
    return 0 if throttle.allow_key(key) else throttle.wait()
