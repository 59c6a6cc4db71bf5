"""Each exchange step tells the other party (and, for a supported member, their supporter), never the actor;
settling tells both parties."""

import pytest

from exchanges.ledger.moves import transfer_request
from exchanges.lifecycle.agree import exchange_accept, exchange_cancel, exchange_decline
from exchanges.lifecycle.settle import exchange_complete, exchange_confirm, exchange_dispute, exchange_resolve
from exchanges.lifecycle.start import exchange_propose, exchange_record
from messaging.notifications.models import Notification
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(network, alice, bob, coordinator):
    transfer_request(actor=coordinator, network=network, kind="issue", to_member=bob.pk, minutes=600, reason="Start")
    Notification.objects.all().delete()


def propose(network, alice, bob, minutes=60):
    return exchange_propose(
        actor=alice, network=network, provider=alice, recipient=bob, minutes=minutes, description="Shopping"
    )


def test_the_whole_journey_tells_the_other_party_at_each_step(network, alice, bob, funded):
    exchange = propose(network, alice, bob)
    assert told() == [(bob.pk, "exchange.proposed", None)]
    exchange_accept(actor=bob, exchange=exchange)
    assert told()[-1] == (alice.pk, "exchange.accepted", None)
    exchange_complete(actor=alice, exchange=exchange, minutes=45)
    assert told()[-1] == (bob.pk, "exchange.claimed", None)
    exchange_confirm(actor=bob, exchange=exchange)
    # Settled: both parties hear, but bob confirmed it himself.
    assert told()[-1] == (alice.pk, "exchange.posted", None)
    assert len(told()) == 4
    assert Notification.objects.get(kind="exchange.posted").shown == (
        f"Confirmed: {bob.name} paid {alice.name} 45 minutes."
    )


def test_decline_and_cancel_tell_the_other_party(network, alice, bob, funded):
    exchange_decline(actor=bob, exchange=propose(network, alice, bob))
    assert told()[-1] == (alice.pk, "exchange.declined", None)
    exchange_cancel(actor=alice, exchange=propose(network, alice, bob))
    assert told()[-1] == (bob.pk, "exchange.cancelled", None)


def test_a_dispute_tells_the_claimant_and_the_coordinators(network, alice, bob, coordinator, funded):
    exchange = propose(network, alice, bob)
    exchange_accept(actor=bob, exchange=exchange)
    exchange_complete(actor=alice, exchange=exchange, minutes=60)
    Notification.objects.all().delete()
    exchange_dispute(actor=bob, exchange=exchange, reason="It was shorter")
    assert sorted(told()) == sorted(
        [(alice.pk, "exchange.disputed", None), (coordinator.pk, "exchange.dispute_needs_you", None)]
    )
    Notification.objects.all().delete()
    exchange_resolve(actor=coordinator, exchange=exchange, minutes=30, reason="Agreed on half an hour")
    assert sorted(told()) == sorted([(alice.pk, "exchange.resolved", None), (bob.pk, "exchange.resolved", None)])


def test_recorded_help_asks_the_other_party_to_confirm(network, alice, bob, funded):
    exchange_record(actor=alice, network=network, provider=alice, recipient=bob, minutes=30, description="Weeding")
    assert told() == [(bob.pk, "exchange.recorded", None)]


def test_a_proposal_to_a_supported_member_reaches_her_supporter_marked_for_her(network, alice, edna, supporter):
    exchange_propose(actor=alice, network=network, provider=alice, recipient=edna, minutes=30, description="Tea")
    assert told() == [(edna.pk, "exchange.proposed", None), (supporter.pk, "exchange.proposed", edna.pk)]
