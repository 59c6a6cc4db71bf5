"""A form's `next` is the path it came from. A bare word there (`x`, `-1`, a date) made `redirect` look it up
as a view's name: a 500 when there is none, or a jump to that view when there is."""

import pytest
from django.test import Client

from exchanges.lifecycle.start import exchange_propose
from tests.factories import member, pending

pytestmark = pytest.mark.django_db

WORDS = ["x", "-1", "2026-02-30", "account_logout"]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("back", WORDS)
def test_asking_to_join_goes_back_to_the_networks(network, other_network, back):
    response = signed_in(member(network).user).post(f"/networks/{other_network.slug}/join/", {"next": back})
    assert response.status_code == 302
    assert response["Location"] == "/networks/"


@pytest.mark.parametrize("back", WORDS)
def test_a_coordinators_decision_goes_back_to_the_queue(network, coordinator, back):
    asking = pending(network)
    response = signed_in(coordinator).post(
        f"/networks/{network.slug}/members/{asking.user_id}/approve/", {"next": back, "reason": "Met them"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/networks/{network.slug}/queue/"


@pytest.mark.parametrize("back", WORDS)
def test_an_exchange_action_goes_back_to_the_exchange(network, alice, bob, back):
    exchange = exchange_propose(actor=alice, network=network, provider=alice, recipient=bob, minutes=30)
    response = signed_in(alice).post(f"/exchanges/{exchange.pk}/cancel/", {"next": back})
    assert response.status_code == 302
    assert response["Location"] == f"/exchanges/{exchange.pk}/"


def test_a_path_on_this_site_is_still_where_it_goes_back_to(network, alice, bob):
    exchange = exchange_propose(actor=alice, network=network, provider=alice, recipient=bob, minutes=30)
    response = signed_in(alice).post(f"/exchanges/{exchange.pk}/cancel/", {"next": "/coordinator/exchanges/"})
    assert response["Location"] == "/coordinator/exchanges/"
