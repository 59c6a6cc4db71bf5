"""Notification fixtures: a supporter linked to a supported member, and a way to read who was told what."""

import pytest

from members.models import Membership, SupportLink
from messaging.notifications.models import Notification
from tests.factories import member


@pytest.fixture
def edna(network):
    """A supported member (no login of her own)."""
    return member(network, is_supported=True).user


@pytest.fixture
def supporter(network, edna):
    helper = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(
        network=network, supporter=helper, member=Membership.objects.get(network=network, user=edna)
    )
    return helper.user


def told(**filters) -> list[tuple[int, str, int | None]]:
    """(reader, kind, about) of every notification written, oldest first."""
    rows = Notification.objects.filter(**filters).order_by("pk")
    return [(n.user_id, n.kind, n.about_id) for n in rows]
