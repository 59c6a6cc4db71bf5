"""Who acts for whom: the one rule that pages, the API, forms, listings, exchanges and the ledger all ask.

A person acts for themself while their membership is active; a supporter acts with the members linked to
them while their own membership is active in a supporting role; a coordinator acts with the supported
members of a network they coordinate. Nobody else acts for anyone.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from members.models import Membership, Network, SupportLink, User

# Roles whose support links count: a supporter, or a coordinator linked as someone's supporter.
# Demoted to member (or commissioner), their links stop counting at once, everywhere.
SUPPORTING_ROLES = (Membership.Role.SUPPORTER, Membership.Role.COORDINATOR)
# A member still in the network: someone who left or was declined has nobody acting for them.
STILL_IN = (Membership.Status.ACTIVE, Membership.Status.PENDING, Membership.Status.SUSPENDED)


def support_links(*, network: Network | None = None) -> QuerySet[SupportLink]:
    """Links that still count: an active supporter in a supporting role, and a member still in the network."""
    qs = SupportLink.objects.filter(
        supporter__status=Membership.Status.ACTIVE,
        supporter__role__in=SUPPORTING_ROLES,
        member__status__in=STILL_IN,
    )
    return qs.filter(network=network) if network is not None else qs


@dataclass(frozen=True)
class ActingScope:
    """What one person may do in some networks, read in three queries (lists reuse it per row)."""

    active: frozenset[int]  # network ids where they are active
    coordinating: frozenset[int]  # network ids where they coordinate
    supports: frozenset[tuple[int, int]]  # (network id, user id) of members linked to them
    supported: frozenset[tuple[int, int]]  # (network id, user id) of supported members where they coordinate

    def acts_for(self, *, network_id: int, user_id: int, actor_id: int) -> bool:
        if user_id == actor_id:
            return network_id in self.active
        return (network_id, user_id) in self.supports or (network_id, user_id) in self.supported

    def acts_with(self) -> frozenset[tuple[int, int]]:
        """(network id, user id) of everyone they act with besides themself."""
        return self.supports | self.supported


def acting_scope(*, actor: User, network_ids: Iterable[int] | QuerySet) -> ActingScope:
    if not actor.is_authenticated:
        return ActingScope(frozenset(), frozenset(), frozenset(), frozenset())
    rows = list(
        Membership.objects.filter(user=actor, status=Membership.Status.ACTIVE, network_id__in=network_ids).values_list(
            "network_id", "role"
        )
    )
    active = frozenset(n for n, _role in rows)
    coordinating = frozenset(n for n, role in rows if role == Membership.Role.COORDINATOR)
    supports = (
        frozenset(
            support_links()
            .filter(network_id__in=active, supporter__user=actor)
            .values_list("network_id", "member__user_id")
        )
        if active
        else frozenset()
    )
    supported = (
        frozenset(
            Membership.objects.filter(network_id__in=coordinating, is_supported=True, status__in=STILL_IN).values_list(
                "network_id", "user_id"
            )
        )
        if coordinating
        else frozenset()
    )
    return ActingScope(active, coordinating, supports, supported)


def acts_for(*, actor: User, member: User, network: Network, scope: ActingScope | None = None) -> bool:
    """True when `actor` may act as, or with, `member` in `network`."""
    scope = scope or acting_scope(actor=actor, network_ids=[network.pk])
    return scope.acts_for(network_id=network.pk, user_id=member.pk, actor_id=actor.pk)
