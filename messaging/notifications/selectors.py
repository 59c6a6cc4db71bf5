"""Reads of a person's notifications (and a supported member's, for those acting with them) and preferences."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from members.acting import acting_scope, support_links
from members.language import language_or_site
from members.models import Membership, Network, User
from messaging.notifications.kinds import PUSH_GROUPS
from messaging.notifications.models import Notification, NotificationPreference
from timebank.errors import NotFound


def still_theirs() -> Q:
    """A notification its reader may still read: their own, or a copy relayed to them for a member they still
    act with in that network (as their supporter, or as a coordinator). Once a supporter is unlinked, demoted or
    gone, the copies about that member go from their list, badge and digest (the one home of that rule)."""
    supporting = support_links().filter(
        network_id=OuterRef("network_id"), supporter__user_id=OuterRef("user_id"), member__user_id=OuterRef("about_id")
    )
    coordinating = Membership.objects.filter(
        user_id=OuterRef("user_id"),
        network_id=OuterRef("network_id"),
        status=Membership.Status.ACTIVE,
        role=Membership.Role.COORDINATOR,
    )
    return Q(about__isnull=True) | Exists(supporting) | Exists(coordinating)


def notifications_of(*, user: User, network: Network | None = None, unread: bool = False) -> QuerySet[Notification]:
    """A person's own notifications and the copies relayed to them for the members they support."""
    qs = (
        Notification.objects.filter(still_theirs(), user=user)
        .select_related("network", "about")
        .order_by("-created_at", "-id")
    )
    if network is not None:
        qs = qs.filter(network=network)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notifications_of_member(
    *, actor: User, member_id: int, network: Network | None = None, unread: bool = False
) -> QuerySet[Notification]:
    """A member's own notifications, for a supporter of theirs or a coordinator acting with them, in the
    networks where they do; anyone else finds nothing to read (404)."""
    network_ids = Membership.objects.filter(user_id=member_id).values_list("network_id", flat=True)
    scope = acting_scope(actor=actor, network_ids=network_ids)
    reach = {n for n in scope.active if scope.acts_for(network_id=n, user_id=member_id, actor_id=actor.pk)}
    if network is not None:
        reach &= {network.pk}
    if not reach:
        raise NotFound(_("No such member."))
    qs = (
        Notification.objects.filter(user_id=member_id, network_id__in=reach)
        .select_related("network", "about")
        .order_by("-created_at", "-id")
    )
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs


def language_of(*, user_id: int) -> str:
    """The language a person reads in: the one they chose (`User.language`), or the site's."""
    chosen = User.objects.filter(pk=user_id).values_list("language", flat=True).first() or ""
    return language_or_site(chosen)


def preferences_get(*, user: User) -> dict:
    """A person's preferences, PRODUCT §4's shape (defaults until they change one)."""
    preference = NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
    return {
        "language": language_or_site(user.language),
        "push": preference.push,
        "email_digest": preference.email_digest,
        "sms": preference.sms,
        "push_groups": push_groups_of(preference),
    }


def push_groups_of(preference: NotificationPreference) -> dict[str, bool]:
    """Each push group (`kinds.PUSH_GROUPS`), true when its notifications may be pushed."""
    off = set(preference.push_off or ())
    return {group: group not in off for group in PUSH_GROUPS}


def email_digest_of(*, user: User) -> str:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.email_digest if preference else NotificationPreference.Digest.DAILY


def member_of_notifications(*, member_id: int) -> User:
    """The member whose notifications are read with them; call after `notifications_of_member` said yes."""
    return User.objects.get(pk=member_id)


def notification_serialize(notification: Notification, *, language: str | None = None) -> dict:
    """The API's and the socket's shape, its `text` in `language` (by default the reader's)."""
    with translation.override(language or language_of(user_id=notification.user_id)):
        text = notification.shown
    about = notification.about if notification.about_id else None
    return {
        "id": notification.pk,
        "network": notification.network.slug if notification.network else None,
        "kind": notification.kind,
        "text": text,
        "url": notification.url,
        "data": notification.data,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
        "for_member": {"id": about.pk, "display_name": about.name} if about is not None else None,
    }
