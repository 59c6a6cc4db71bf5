"""`manage.py autoconfirm`: claims past the network's delay are posted once; supported members' never."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from exchanges import services
from exchanges.ledger.models import Transfer
from exchanges.models import Exchange, Listing
from exchanges.selectors import exchange_actions
from messaging.notifications.models import Notification
from tests.exchanges.conftest import account, ledger_problems
from tests.exchanges.helpers import claimed
from tests.factories import member

pytestmark = pytest.mark.django_db


def age(exchange, days):
    Exchange.objects.filter(pk=exchange.pk).update(claimed_at=timezone.now() - datetime.timedelta(days=days))


def test_a_claim_past_the_networks_delay_is_confirmed_automatically(network, alice, bob):
    exchange = claimed(network, bob, alice, 60)
    age(exchange, 8)
    call_command("autoconfirm")
    exchange.refresh_from_db()
    assert exchange.state == "posted"
    transfer = Transfer.objects.get(exchange=exchange)
    assert transfer.created_by is None and transfer.minutes == 60
    assert account(network, bob).balance == 60
    assert Notification.objects.filter(user=bob, kind="exchange.posted").exists()
    assert ledger_problems(network) == []


def test_a_claim_within_the_delay_waits(network, alice, bob):
    exchange = claimed(network, bob, alice, 60)
    age(exchange, 6)
    assert services.exchanges_autoconfirm() == 0
    exchange.refresh_from_db()
    assert exchange.state == "claimed"


def test_the_delay_is_the_networks_own(network, alice, bob):
    network.autoconfirm_days = 2
    network.save()
    exchange = claimed(network, bob, alice, 60)
    age(exchange, 3)
    assert services.exchanges_autoconfirm() == 1


def test_a_claim_involving_a_supported_member_is_never_auto_confirmed(network, coordinator, alice, dora):
    exchange = services.exchange_record(actor=alice, network=network, provider=alice, recipient=dora, minutes=60)
    age(exchange, 400)
    assert services.exchanges_autoconfirm() == 0
    exchange.refresh_from_db()
    assert exchange.state == "claimed" and not Transfer.objects.exists()
    from exchanges.selectors import coordinator_queue

    assert list(coordinator_queue(user=coordinator, network=network)["supported_claims"]) == [exchange]


def test_a_supported_member_as_provider_is_never_auto_confirmed_either(network, alice, dora, sam):
    exchange = services.exchange_record(actor=sam, network=network, provider=dora, recipient=alice, minutes=60)
    age(exchange, 400)
    assert services.exchanges_autoconfirm() == 0


def test_running_autoconfirm_twice_posts_once(network, alice, bob):
    exchange = claimed(network, bob, alice, 60)
    age(exchange, 8)
    assert services.exchanges_autoconfirm() == 1
    assert services.exchanges_autoconfirm() == 0
    assert Transfer.objects.filter(exchange=exchange).count() == 1


def test_an_auto_confirm_over_the_floor_goes_to_the_coordinator(network, coordinator, alice, bob):
    exchange = services.exchange_record(actor=bob, network=network, provider=bob, recipient=alice, minutes=700)
    age(exchange, 8)
    assert services.exchanges_autoconfirm() == 0
    exchange.refresh_from_db()
    assert exchange.needs_coordinator and exchange.state == "claimed"
    assert Notification.objects.filter(user=coordinator, kind="exchange.needs_coordinator").count() == 1
    services.exchanges_autoconfirm()
    assert Notification.objects.filter(user=coordinator, kind="exchange.needs_coordinator").count() == 1


def test_expired_listings_close_themselves_and_the_owner_is_told(network, alice):
    listing = services.listing_create(actor=alice, network=network, kind="offer", title="Dog walks")
    Listing.objects.filter(pk=listing.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    call_command("autoconfirm")
    listing.refresh_from_db()
    assert listing.status == "closed"
    assert Notification.objects.filter(user=alice, kind="listing.expired").count() == 1
    call_command("autoconfirm")
    assert Notification.objects.filter(user=alice, kind="listing.expired").count() == 1


def test_a_coordinator_settles_a_supported_members_claim_the_other_party_never_answered(network, coordinator, alice):
    dora = member(network, is_supported=True).user
    exchange = services.exchange_record(actor=coordinator, network=network, provider=dora, recipient=alice, minutes=60)
    assert "resolve" in exchange_actions(user=coordinator, exchange=exchange)
    exchange = services.exchange_resolve(
        actor=coordinator, exchange=exchange, minutes=60, reason="Alice agreed by phone"
    )
    assert exchange.state == "posted" and account(network, dora).balance == 60
