"""Notifications: persisted per person, pushed live on commit, delivered to phones from the outbox, listed,
marked read, emailed in digests."""

import base64
import binascii
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Network, User
from members.selectors import coordinators_of
from messaging.notifications import delivery
from messaging.notifications.models import Notification, NotificationPreference, PushSubscription
from messaging.notifications.push import push_after_commit
from timebank.errors import DomainError, NotFound


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
    with transaction.atomic(savepoint=False):
        notification = Notification.objects.create(
            user=user, kind=kind, text=text[:300], network=network, url=url, data=data or {}
        )
        # The outbox rows commit with the notification, or neither does (delivery.py).
        delivery.deliveries_create(notification=notification)
    payload = notification_serialize(notification)
    push_after_commit([user.pk], {"type": "notification.new", "notification": payload})
    return notification


def notification_read(*, notification_id: int, user: User) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user=user).select_related("network").first()
    if notification is None:
        raise NotFound("No such notification.")
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


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _b64url_bytes(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, binascii.Error):
        return None


def push_subscription_check(*, endpoint: str, p256dh: str, auth: str) -> None:
    """A push service's address over https (loopback http too in development, for a local push service), the
    browser's P-256 public key and its 16-byte secret, as base64url."""
    fields: dict = {}
    url = urlsplit(endpoint)
    local = settings.PUSH_ALLOW_LOOPBACK_HTTP and url.scheme == "http" and url.hostname in LOOPBACK_HOSTS
    if not ((url.scheme == "https" and url.hostname) or local):
        fields["endpoint"] = [_("A push service's address starts with https://.")]
    key = _b64url_bytes(p256dh)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key or b"")
    except ValueError:
        fields.setdefault("keys", {})["p256dh"] = [_("This is not a browser's push key (65 bytes, base64url).")]
    if len(_b64url_bytes(auth) or b"") != 16:
        fields.setdefault("keys", {})["auth"] = [_("This is not a browser's push secret (16 bytes, base64url).")]
    if fields:
        raise DomainError(_("This push subscription cannot be used."), fields=fields)


def push_subscription_create(*, user: User, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Save a browser's subscription. The same browser subscribing again (its endpoint is its identity) keeps
    one subscription, now with its latest keys and for whoever is signed in on it."""
    push_subscription_check(endpoint=endpoint, p256dh=p256dh, auth=auth)
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth, "created_at": timezone.now()}
    )
    return subscription


def push_subscription_delete(*, user: User, subscription_id: int) -> None:
    deleted, _ = PushSubscription.objects.filter(pk=subscription_id, user=user).delete()
    if not deleted:
        raise NotFound("No such push subscription.")


def push_public_key() -> str:
    """The VAPID public key, as a browser's `pushManager.subscribe` takes it (`applicationServerKey`)."""
    return settings.VAPID_PUBLIC_KEY
