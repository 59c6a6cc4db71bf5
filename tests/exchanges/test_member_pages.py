"""The member's pages tell the story of an exchange in plain words: what and with whom, a met request no
longer open, why it was disputed and what the coordinator decided, availability as days and times."""

import pytest
from django.test import Client

from exchanges import services
from exchanges.models import Listing
from tests.exchanges.helpers import claimed, disputed, funded

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def garden_request(network, alice):
    return services.listing_create(
        actor=alice, network=network, kind=Listing.Kind.REQUEST, title="Gardening", availability=["sat-morning"]
    )


def test_a_request_met_by_a_confirmed_exchange_is_no_longer_open(network, alice, bob, garden_request):
    funded(network, alice)
    exchange = services.exchange_propose(
        actor=alice, network=network, provider=bob, recipient=alice, minutes=60, listing=garden_request
    )
    services.exchange_accept(actor=bob, exchange=exchange)
    services.exchange_complete(actor=bob, exchange=exchange, minutes=60)
    services.exchange_confirm(actor=alice, exchange=exchange)
    garden_request.refresh_from_db()
    assert garden_request.status == Listing.Status.CLOSED
    page = client_for(alice).get(f"/listings/{garden_request.pk}/").content.decode()
    assert "Closed" in page and "· Open" not in page


def test_an_offer_stays_open_after_its_help_is_paid(network, alice, bob):
    offer = services.listing_create(actor=bob, network=network, kind=Listing.Kind.OFFER, title="Dog walks")
    funded(network, alice)
    exchange = services.exchange_propose(
        actor=alice, network=network, provider=bob, recipient=alice, minutes=30, listing=offer
    )
    services.exchange_accept(actor=bob, exchange=exchange)
    services.exchange_complete(actor=bob, exchange=exchange, minutes=30)
    services.exchange_confirm(actor=alice, exchange=exchange)
    offer.refresh_from_db()
    assert offer.status == Listing.Status.OPEN


def test_the_exchange_list_names_each_by_what_and_who(network, alice, bob, garden_request):
    services.exchange_propose(
        actor=alice, network=network, provider=bob, recipient=alice, minutes=75, listing=garden_request
    )
    page = client_for(alice).get("/exchanges/").content.decode()
    assert f"Gardening with {bob.name}, 1 h 15 min" in page
    assert "Exchange " not in page
    assert f"Gardening for {alice.name}, 1 h 15 min" in client_for(bob).get("/exchanges/").content.decode()


def test_the_exchange_shows_the_dispute_reason_and_the_coordinators_decision(network, coordinator, alice, bob):
    funded(network, alice)
    exchange = claimed(network, bob, alice, minutes=60)
    services.exchange_dispute(actor=alice, exchange=exchange, reason="It was only half an hour")
    services.exchange_resolve(actor=coordinator, exchange=exchange, minutes=30, reason="Both agreed on 30 minutes")
    page = client_for(alice).get(f"/exchanges/{exchange.pk}/").content.decode()
    assert "Why it was disputed" in page and "It was only half an hour" in page
    assert "What the coordinator decided" in page and "30 min paid." in page
    assert "Both agreed on 30 minutes" in page


def test_a_dispute_without_a_reason_says_so(network, alice, bob):
    funded(network, alice)
    exchange = disputed(network, bob, alice)
    page = client_for(bob).get(f"/exchanges/{exchange.pk}/").content.decode()
    assert "Why it was disputed" in page and "No reason was given." in page


def test_availability_reads_as_days_and_times(network, alice, garden_request):
    page = client_for(alice).get(f"/listings/{garden_request.pk}/").content.decode()
    assert "Saturday morning" in page and "sat-morning</dd>" not in page


def test_times_read_as_plain_phrases_and_a_request_says_when(network, alice):
    every_evening_and_weekends = [f"{day}-evening" for day in ("mon", "tue", "wed", "thu", "fri")] + [
        f"{day}-{part}" for day in ("sat", "sun") for part in ("morning", "afternoon", "evening")
    ]
    offer = services.listing_create(
        actor=alice, network=network, kind=Listing.Kind.OFFER, title="Lifts", availability=every_evening_and_weekends
    )
    page = client_for(alice).get(f"/listings/{offer.pk}/").content.decode()
    assert "<dt>Free</dt><dd>Weekends, Every evening</dd>" in page
    request = services.listing_create(
        actor=alice, network=network, kind=Listing.Kind.REQUEST, title="Lift home", availability=["tue-evening"]
    )
    page = client_for(alice).get(f"/listings/{request.pk}/").content.decode()
    assert "<dt>When</dt><dd>Tuesday evening</dd>" in page
    welsh = client_for(alice)
    welsh.cookies["django_language"] = "cy"
    assert "Penwythnosau, Bob min nos" in welsh.get(f"/listings/{offer.pk}/").content.decode()
