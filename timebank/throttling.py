"""API rate limits that fail open: a Redis outage may cost the limit, never the request."""

import logging

from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)


class FailOpenUserThrottle(UserRateThrottle):
    """The usual per-user throttle, except that an unreachable cache lets the request through."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - the cache backend's connection errors vary
            logger.warning("throttle cache unavailable; allowing the request", exc_info=True)
            return True
