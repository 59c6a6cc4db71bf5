"""Reads about networks and memberships, scoped to what the caller may see."""

from django.db.models import QuerySet

from members.models import Membership, Network, SupportLink, User
from timebank.errors import NotFound

TRADING_ROLES = (Membership.Role.MEMBER, Membership.Role.SUPPORTER, Membership.Role.COORDINATOR)


def membership_get(*, user: User, network: Network) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, network=network).first()


def active_membership(*, user: User, network: Network) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, network=network, status=Membership.Status.ACTIVE).first()


def is_coordinator(*, user: User, network: Network) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, network=network, status=Membership.Status.ACTIVE, role=Membership.Role.COORDINATOR
    ).exists()


def network_in_reach(*, user: User, slug: str) -> Network:
    """The network, if the caller is an active member of it (any role); otherwise NotFound."""
    network = Network.objects.filter(slug=slug).first()
    if network is None or active_membership(user=user, network=network) is None:
        raise NotFound("No such network.")
    return network


def networks_of(*, user: User, roles=None) -> QuerySet[Network]:
    """Networks where the user is an active member (optionally with one of `roles`)."""
    qs = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
    if roles:
        qs = qs.filter(role__in=roles)
    return Network.objects.filter(pk__in=qs.values("network_id"))


def supports(*, supporter: User, member: User, network: Network) -> bool:
    return SupportLink.objects.filter(
        network=network,
        supporter__user=supporter,
        supporter__status=Membership.Status.ACTIVE,
        member__user=member,
    ).exists()


def can_act_for(*, actor: User, member: User, network: Network) -> bool:
    """The member themself, a coordinator of the network, or a supporter linked to the member."""
    if actor.pk == member.pk:
        return active_membership(user=actor, network=network) is not None
    return is_coordinator(user=actor, network=network) or supports(supporter=actor, member=member, network=network)
