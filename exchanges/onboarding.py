"""A new person's next step, from signing up to their first offer: join a network, wait for a
coordinator, then offer the help they can give. Read by the home and welcome pages."""

from dataclasses import dataclass

from django.db.models import Q

from exchanges.models import Exchange, Listing
from members.models import Membership, Network, User

JOIN = "join"
WAITING = "waiting"
FIRST_OFFER = "first_offer"


@dataclass(frozen=True)
class NextStep:
    kind: str  # JOIN, WAITING or FIRST_OFFER
    network: Network | None = None


def next_step(*, user: User) -> NextStep | None:
    """What a person who is new should do next; None once they take part (or never trade: a coordinator
    or commissioner only, a supporter acting for others)."""
    memberships = list(Membership.objects.filter(user=user).select_related("network").order_by("created_at", "pk"))
    active = [m for m in memberships if m.status == Membership.Status.ACTIVE]
    if not active:
        pending = [m for m in memberships if m.status == Membership.Status.PENDING]
        if pending:
            return NextStep(WAITING, pending[0].network)
        if any(m.status == Membership.Status.SUSPENDED for m in memberships):
            return None
        return NextStep(JOIN)
    trading = [m for m in active if m.role == Membership.Role.MEMBER]
    if not trading:
        return None
    taken_part = (
        Listing.objects.filter(owner=user).exists()
        or Exchange.objects.filter(Q(provider=user) | Q(recipient=user)).exists()
    )
    return None if taken_part else NextStep(FIRST_OFFER, trading[0].network)
