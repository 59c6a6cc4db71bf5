"""The live push: channel-layer group sends to a user's sockets, after commit and best effort.

The channel layer is a doorbell, the database is the truth: a lost push loses liveness, never data.
"""

import asyncio
import logging
import threading
from contextlib import contextmanager

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 1.0

_deferred = threading.local()


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


async def _group_send_all(layer, user_ids: list[int], event: dict) -> None:
    # Bounded, so an unreachable Redis delays a committed write by at most this, never hangs it.
    sends = [layer.group_send(user_group(user_id), event) for user_id in user_ids]
    await asyncio.wait_for(asyncio.gather(*sends), timeout=PUSH_TIMEOUT_SECONDS)


def push_to_users(user_ids: list[int], event: dict) -> None:
    """Send an event to every socket of these users, in one hop to the event loop. Best effort:
    losing it loses liveness, never data."""
    layer = get_channel_layer()
    if layer is None or not user_ids:
        return
    pushes = getattr(_deferred, "pushes", None)
    if pushes is not None:
        pushes.append((list(user_ids), event))
        return
    try:
        async_to_sync(_group_send_all)(layer, list(user_ids), event)
    except Exception:  # noqa: BLE001 - a dead Redis must never fail the write that already committed
        logger.warning("live push to users %s failed", user_ids, exc_info=True)


@contextmanager
def pushes_deferred():
    """For code run from an event loop's worker thread: pushes made in this thread (committed ones only:
    `push_after_commit` still waits for the commit) are collected in the yielded list instead of sent,
    so the caller sends them with `push_now` back on its loop, without a hop from this thread."""
    outer = getattr(_deferred, "pushes", None)
    pushes: list[tuple[list[int], dict]] = []
    _deferred.pushes = pushes
    try:
        yield pushes
    finally:
        _deferred.pushes = outer


async def push_now(pushes: list[tuple[list[int], dict]]) -> None:
    """Send pushes collected by `pushes_deferred`, from the event loop. Best effort, like every push."""
    layer = get_channel_layer()
    for user_ids, event in pushes:
        try:
            await _group_send_all(layer, user_ids, event)
        except Exception:  # noqa: BLE001 - a dead Redis must never fail the write that already committed
            logger.warning("live push to users %s failed", user_ids, exc_info=True)


def push_to_user(user_id: int, event: dict) -> None:
    """Send an event to every socket of a user. Best effort: losing it loses liveness, not data."""
    push_to_users([user_id], event)


def push_after_commit(user_ids, event: dict) -> None:
    ids = list(user_ids)
    transaction.on_commit(lambda: push_to_users(ids, event))
