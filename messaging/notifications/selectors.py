"""Reads of a person's notifications and preferences."""

from django.db.models import QuerySet

from members.models import Network, User
from messaging.notifications.models import Notification, NotificationPreference


def notifications_of(*, user: User, network: Network | None = None, unread: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user).select_related("network").order_by("-created_at", "-id")
    if network is not None:
        qs = qs.filter(network=network)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs


def daily_digest_of(*, user: User) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.daily_digest if preference else True
