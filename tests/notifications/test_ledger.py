"""Every move of minutes tells the members whose accounts moved, and nobody else (never who moved them)."""

import pytest

from exchanges.ledger.models import Transfer
from exchanges.ledger.moves import transfer_request
from messaging.notifications.models import Notification
from messaging.notifications.services import notification_serialize
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet(network, alice, bob, coordinator):
    """Start each test from nobody told anything (opening accounts may have)."""
    Notification.objects.all().delete()


def give(actor, network, **body):
    return transfer_request(actor=actor, network=network, **body)


def test_a_gift_tells_the_recipient_only(network, alice, bob, coordinator, quiet):
    give(coordinator, network, kind="issue", to_member=alice.pk, minutes=120, reason="Start")
    Notification.objects.all().delete()
    give(alice, network, kind="gift", to_member=bob.pk, minutes=30)
    assert told() == [(bob.pk, "transfer.gift", None)]
    note = Notification.objects.get()
    assert notification_serialize(note)["text"] == f"{alice.name} gave you 30 minutes."


def test_a_donation_tells_nobody_when_the_giver_gives(network, alice, coordinator, quiet):
    give(coordinator, network, kind="issue", to_member=alice.pk, minutes=60, reason="Start")
    Notification.objects.all().delete()
    give(alice, network, kind="donation", minutes=20)
    assert told() == []


def test_a_supporter_giving_with_a_member_tells_the_member_and_the_recipient(
    network, edna, supporter, bob, coordinator
):
    give(coordinator, network, kind="issue", to_member=edna.pk, minutes=60, reason="Start")
    Notification.objects.all().delete()
    give(supporter, network, kind="gift", from_member=edna.pk, to_member=bob.pk, minutes=15)
    # Edna hears her minutes went; the supporter who did it is not told (nor relayed a copy); Bob hears.
    assert sorted(told()) == sorted([(edna.pk, "transfer.gift_given", None), (bob.pk, "transfer.gift", None)])
    assert Notification.objects.get(user=bob).data["name"] == edna.name


@pytest.mark.parametrize("kind", ["grant", "issue"])
def test_a_coordinators_grant_or_issue_tells_the_member(network, alice, coordinator, quiet, kind):
    if kind == "grant":
        give(coordinator, network, kind="issue", to_member="pot", minutes=100, reason="Fund the pot")
    give(coordinator, network, kind=kind, to_member=alice.pk, minutes=45, reason="Welcome")
    assert told() == [(alice.pk, f"transfer.{kind}", None)]


def test_an_adjustment_tells_both_members(network, alice, bob, coordinator, quiet):
    give(coordinator, network, kind="adjustment", from_member=alice.pk, to_member=bob.pk, minutes=10, reason="Typo")
    assert sorted(told()) == sorted(
        [(alice.pk, "transfer.adjustment_out", None), (bob.pk, "transfer.adjustment_in", None)]
    )


def test_a_reversal_tells_both_members(network, alice, bob, coordinator, quiet):
    give(coordinator, network, kind="issue", to_member=alice.pk, minutes=60, reason="Start")
    gift = give(alice, network, kind="gift", to_member=bob.pk, minutes=30)
    Notification.objects.all().delete()
    give(coordinator, network, kind="reversal", transfer=gift.pk, reason="Sent by mistake")
    assert sorted(told()) == sorted([(bob.pk, "transfer.reversal_out", None), (alice.pk, "transfer.reversal_in", None)])


def test_a_coordinator_moving_the_pot_tells_no_member(network, coordinator, quiet):
    give(coordinator, network, kind="issue", to_member="pot", minutes=100, reason="Fund the pot")
    assert not Transfer.objects.filter(kind="issue", to_account__membership__isnull=False).exists()
    assert told() == []


def test_a_refused_move_tells_nobody(network, alice, bob, quiet):
    from timebank.errors import InsufficientBalance

    with pytest.raises(InsufficientBalance):
        give(alice, network, kind="gift", to_member=bob.pk, minutes=10_000)
    assert told() == []
