"""Reads of safeguarding checks and concerns, scoped to what the caller may see."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Membership, Network, User
from members.safeguarding.models import Concern, SafeguardingCheck
from members.selectors import MAX_ID
from timebank.errors import NotFound


def checks_of(*, membership: Membership) -> QuerySet[SafeguardingCheck]:
    return SafeguardingCheck.objects.filter(membership=membership).order_by("-checked_on", "-pk")


def check_in_network(*, network: Network, user_id: int, check_id: int) -> SafeguardingCheck:
    if not (0 < user_id <= MAX_ID and 0 < check_id <= MAX_ID):
        raise NotFound(_("No such check."))
    check = SafeguardingCheck.objects.filter(network=network, membership__user_id=user_id, pk=check_id).first()
    if check is None:
        raise NotFound(_("No such check."))
    return check


def reviews_due(*, network: Network, within_days: int = 30) -> QuerySet[SafeguardingCheck]:
    """Checks whose review date is past or within the next `within_days`, soonest first."""
    until = timezone.localdate() + datetime.timedelta(days=within_days)
    return (
        SafeguardingCheck.objects.filter(network=network, review_on__isnull=False, review_on__lte=until)
        .exclude(membership__status__in=[Membership.Status.LEFT, Membership.Status.DECLINED])
        .select_related("membership__user")
        .order_by("review_on", "pk")
    )


def concerns_visible(*, user: User, network: Network | None = None) -> QuerySet[Concern]:
    """Concerns the caller raised, and the queue of the networks they coordinate.

    The queue never holds one about the caller: not about them, their exchanges, or their conversations.
    """
    coordinated = Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE, role=Membership.Role.COORDINATOR
    ).values("network_id")
    # Followed through the concern's own links, so safeguarding needs no import of exchanges or chat.
    about_me = (
        Q(about_user=user)
        | Q(about_exchange__provider=user)
        | Q(about_exchange__recipient=user)
        | Q(about_conversation__participants__user=user)
    )
    qs = Concern.objects.filter(Q(raised_by=user) | (Q(network_id__in=coordinated) & ~about_me))
    if network is not None:
        qs = qs.filter(network=network)
    return qs.select_related("network", "raised_by", "about_user").order_by("-created_at", "-pk")


def concern_in_queue(*, user: User, concern_id: int) -> Concern:
    if not 0 < concern_id <= MAX_ID:
        raise NotFound(_("No such concern."))
    concern = concerns_visible(user=user).filter(pk=concern_id).first()
    if concern is None:
        raise NotFound(_("No such concern."))
    return concern


def checks_by_membership(*, network: Network) -> dict[int, list[SafeguardingCheck]]:
    out: dict[int, list[SafeguardingCheck]] = {}
    for check in SafeguardingCheck.objects.filter(network=network).order_by("-checked_on", "-pk"):
        out.setdefault(check.membership_id, []).append(check)
    return out
