"""Reads of a person's notifications and preferences."""

from django.db.models import QuerySet

from members.acting import STILL_IN, acting_scope
from members.models import Membership, Network, User
from messaging.notifications.models import Notification, NotificationPreference
from timebank.errors import NotFound


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


def notifications_with(*, actor: User, member_id: int) -> tuple[User, QuerySet[Notification]]:
    """A supported member's notifications, for the supporter (or coordinator) who acts with them: those
    from the networks where the actor may act for them. Anyone else: 404."""
    memberships = list(Membership.objects.filter(user_id=member_id, status__in=STILL_IN).select_related("user"))
    scope = acting_scope(actor=actor, network_ids=[m.network_id for m in memberships])
    networks = [
        m.network_id
        for m in memberships
        if scope.acts_for(network_id=m.network_id, user_id=m.user_id, actor_id=actor.pk)
    ]
    if not networks or member_id == actor.pk:
        raise NotFound("No such member in your networks.")
    member = memberships[0].user
    return member, notifications_of(user=member).filter(network_id__in=networks)
