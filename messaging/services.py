"""Notifications (and, with the messaging work, conversations and messages).

Rows are saved first; the live push is sent on commit. The channel layer is a doorbell, the
database is the truth.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from members.models import Network, User
from messaging.models import Notification


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def push_to_user(user_id: int, event: dict) -> None:
    """Send an event to every socket of a user. Best effort: losing it loses liveness, not data."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(user_group(user_id), event)
    except Exception:  # noqa: BLE001 - a dead Redis must never fail the write that already committed
        import logging

        logging.getLogger(__name__).warning("live push to user %s failed", user_id, exc_info=True)


def notification_serialize(notification: Notification) -> dict:
    return {
        "id": notification.pk,
        "network": notification.network.slug if notification.network_id else None,
        "kind": notification.kind,
        "text": notification.text,
        "url": notification.url,
        "data": notification.data,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def notification_create(
    *, user: User, kind: str, text: str, network: Network | None = None, url: str = "", data: dict | None = None
) -> Notification:
    notification = Notification.objects.create(
        user=user, kind=kind, text=text[:300], network=network, url=url, data=data or {}
    )
    payload = notification_serialize(notification)
    transaction.on_commit(lambda: push_to_user(user.pk, {"type": "notification.new", "notification": payload}))
    return notification
