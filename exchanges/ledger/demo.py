"""Demo ledger history for seed_demo: a funder's hours to the pot, a few gifts and
donations, all written through the ledger services."""

from exchanges.ledger.moves import transfer_request
from members.models import Membership, Network, User


def ledger_demo(*, network: Network, coordinator: User, memberships: list[Membership]) -> None:
    """Call once when the demo network is first seeded (seed_demo is idempotent around it)."""
    members = [m for m in memberships if m.role == Membership.Role.MEMBER and hasattr(m, "account")]
    transfer_request(
        actor=coordinator, network=network, kind="issue", to_member="pot", minutes=1200, reason="Council grant"
    )
    # Welcome hours were issued when each account opened (the network's welcome_minutes).
    for giver, receiver in zip(members, members[1:], strict=False):
        transfer_request(
            actor=giver.user, network=network, kind="gift", to_member=receiver.user_id, minutes=30, memo="Thank you"
        )
    if members:
        transfer_request(actor=members[0].user, network=network, kind="donation", minutes=60, memo="For the coffee")
