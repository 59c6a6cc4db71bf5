"""Demo history for seed_demo, written through the same services the product uses."""

from members.models import Membership, Network, User


def demo_history(*, network: Network, coordinator: User, memberships: list[Membership]) -> None:
    """Profiles, listings and a few months of exchanges. Each area adds its part here."""
