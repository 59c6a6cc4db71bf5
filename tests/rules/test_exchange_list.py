"""The exchanges list is one selector (exchanges.selectors.exchanges_list): the page shows a person
exactly the exchanges the API lists for them, a coordinator's whole network included (PRODUCT §3, §4)."""

import pytest
from django.test import Client

from exchanges import services
from members.models import Membership, SupportLink
from tests.factories import member


@pytest.fixture
def people(network, other_network):
    alice, bob, carol = member(network), member(network), member(network)
    sam = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(network=network, supporter=sam, member=carol)
    coordinator = member(network, role=Membership.Role.COORDINATOR)
    outsider = member(other_network)
    for provider, recipient in ((alice, bob), (bob, carol), (carol, alice), (alice, coordinator)):
        services.exchange_propose(
            actor=recipient.user, network=network, provider=provider.user, recipient=recipient.user, minutes=30
        )
    services.exchange_propose(
        actor=outsider.user, network=other_network, provider=None, recipient=outsider.user, minutes=30
    )
    return [m.user for m in (alice, bob, carol, sam, coordinator, outsider)]


@pytest.mark.django_db
def test_the_page_and_the_api_list_the_same_exchanges_for_everyone(people):
    seen = {}
    for person in people:
        client = Client()
        client.force_login(person)
        api = [row["id"] for row in client.get("/api/v1/exchanges/", {"page_size": 200}).json()["results"]]
        page = [exchange.pk for exchange in client.get("/exchanges/").context["page"]]
        assert page == api, person.email
        seen[person.pk] = len(api)
    alice, bob, carol, sam, coordinator, outsider = people
    assert (seen[alice.pk], seen[sam.pk], seen[coordinator.pk], seen[outsider.pk]) == (3, 2, 4, 1)
