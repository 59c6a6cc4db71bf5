"""How much one person may chat and how many sockets they may hold, across every process and door.

Chat messages (socket, API, page) share one bucket per person; a socket's other frames share the
person's API budget with their HTTP requests; sockets are capped per person. Each socket also keeps a
bucket of its own, so a flood is refused before it costs a round trip to Redis.
"""

import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils.translation import gettext as _

from timebank import ratelimit
from timebank.errors import RateLimited
from timebank.throttling import api_budget_take

# People do not type faster: 60 messages a minute, 20 at once (a pasted list, a quick back and forth).
CHAT_RATE = ratelimit.Rate.parse(settings.TIMEBANK_CHAT_RATE, burst=settings.TIMEBANK_CHAT_BURST)
SOCKETS_PER_PERSON = settings.TIMEBANK_SOCKETS_PER_PERSON
# A socket renews its place at every session check; one whose process died is forgotten after this.
SOCKET_SLOT_SECONDS = 3 * getattr(settings, "TIMEBANK_WS_SESSION_CHECK_SECONDS", 30)


def chat_send_allow(*, user_id: int) -> None:
    """Take one message from the person's chat bucket, or raise `RateLimited`."""
    wait = ratelimit.rate_take(key=f"chat:{user_id}", rate=CHAT_RATE)
    if wait:
        raise RateLimited(
            _("You are sending messages too fast. Wait a moment and send again."),
            retry_after=ratelimit.retry_after_seconds(wait),
        )


def chat_send_give_back(*, user_id: int) -> None:
    """Give back the message `chat_send_allow` took for one that was already stored (a resend)."""
    ratelimit.rate_give_back(key=f"chat:{user_id}", rate=CHAT_RATE)


@sync_to_async(thread_sensitive=False)
def frame_allow(*, user_id: int) -> int:
    """One socket frame against the person's API budget: 0 when allowed, else seconds to wait."""
    return api_budget_take(user_id=user_id)


def _socket_key(user_id: int) -> str:
    return f"sockets:{user_id}"


@sync_to_async(thread_sensitive=False)
def socket_slot_take(*, user_id: int, channel_name: str) -> bool:
    """Hold (or renew) one of the person's socket places; False when all are held."""
    return ratelimit.slot_take(
        key=_socket_key(user_id), holder=channel_name, limit=SOCKETS_PER_PERSON, ttl=SOCKET_SLOT_SECONDS
    )


@sync_to_async(thread_sensitive=False)
def socket_slot_release(*, user_id: int, channel_name: str) -> None:
    ratelimit.slot_release(key=_socket_key(user_id), holder=channel_name)


class TokenBucket:
    """`rate` tokens a second up to `burst`; each frame takes one. One socket's own, in memory."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
