"""Notifications: persisted per person, pushed live on commit, listed, marked read, emailed in digests."""

from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Network, User
from members.selectors import coordinators_of
from messaging.notifications.models import Notification, NotificationPreference
from messaging.notifications.push import push_after_commit
from timebank.errors import NotFound


def notification_serialize(notification: Notification) -> dict:
    return {
        "id": notification.pk,
        "network": notification.network.slug if notification.network else None,
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
    push_after_commit([user.pk], {"type": "notification.new", "notification": payload})
    return notification


def notification_read(*, notification_id: int, user: User) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=user).select_related("network").first()
    if notification is None:
        raise NotFound(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_preference_set(*, user: User, daily_digest: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.update_or_create(user=user, defaults={"daily_digest": daily_digest})
    return preference


def notification_read_all(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def coordinators_notify(
    *,
    network: Network,
    kind: str,
    text: str,
    url: str = "",
    data: dict | None = None,
    exclude: set[int] | frozenset[int] = frozenset(),
) -> None:
    """Tell every active coordinator of the network, but those in `exclude` (say, the one who acted)."""
    for coordinator in coordinators_of(network=network):
        if coordinator.pk not in exclude:
            notification_create(user=coordinator, kind=kind, text=text, network=network, url=url, data=data)
