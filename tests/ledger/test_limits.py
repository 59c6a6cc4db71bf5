"""One largest transfer and one largest piece of help, whichever door asks (page, API, form)."""

import pytest
from django.test import Client

from exchanges.ledger.models import Transfer
from exchanges.limits import MAX_HELP_MINUTES, MAX_TRANSFER_MINUTES
from exchanges.models import Exchange, Listing
from tests.ledger.conftest import account_of, issue, ledger_counts

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def give_by_page(user, network, to, minutes, key):
    return page_client(user).post(
        f"/time/{network.slug}/give/",
        {"kind": "gift", "to_member": to.pk, "minutes": minutes, "key": key},
        follow=True,
    )


def give_by_api(api, user, network, to, minutes, key):
    return api.as_user(user).post(
        "/api/v1/transfers/",
        {"network": network.slug, "kind": "gift", "to_member": to.pk, "minutes": minutes},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_large_gift_within_the_limit_is_given_by_the_page_and_by_the_api_alike(api, network, alice, bob):
    issue(network, account_of(alice, network), 400_000)
    assert "3333 h 20 min given" in give_by_page(alice, network, bob, 200_000, "page").content.decode()
    assert account_of(bob, network).balance == 200_000
    assert give_by_api(api, alice, network, bob, 200_000, "api").status_code == 201
    assert account_of(bob, network).balance == 400_000


def test_a_gift_over_the_limit_is_refused_by_the_page_and_by_the_api_alike(api, network, alice, bob):
    issue(network, account_of(alice, network), MAX_TRANSFER_MINUTES)
    before = ledger_counts()
    response = give_by_page(alice, network, bob, MAX_TRANSFER_MINUTES + 1, "page")
    # The give page comes back with the form and what to correct.
    assert response.status_code == 400 and "less than or equal to" in response.content.decode()
    response = give_by_api(api, alice, network, bob, MAX_TRANSFER_MINUTES + 1, "api")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"
    assert ledger_counts() == before


def test_the_ledger_service_itself_refuses_more_than_the_limit(network, alice):
    from timebank.errors import ValidationError

    with pytest.raises(ValidationError):
        issue(network, account_of(alice, network), MAX_TRANSFER_MINUTES + 1)
    issue(network, account_of(alice, network), MAX_TRANSFER_MINUTES)
    assert Transfer.objects.get().minutes == MAX_TRANSFER_MINUTES


def test_one_piece_of_help_has_one_limit_at_every_door(api, network, alice, bob):
    too_many = MAX_HELP_MINUTES + 1
    body = {"network": network.slug, "provider": alice.pk, "recipient": bob.pk, "minutes": too_many}
    for path in ("/api/v1/exchanges/", "/api/v1/exchanges/record/"):
        response = api.as_user(alice).post(path, body, format="json")
        assert response.status_code == 400 and "minutes" in response.json()["error"]["fields"]
    listing = {"network": network.slug, "kind": "offer", "title": "Painting", "minutes_estimate": too_many}
    response = api.as_user(alice).post("/api/v1/listings/", listing, format="json")
    assert response.status_code == 400 and "minutes_estimate" in response.json()["error"]["fields"]
    page = page_client(alice).post(
        "/exchanges/record/?direction=gave",
        {"who": "me", "other": f"m:{bob.memberships.get(network=network).pk}", "minutes": too_many},
    )
    assert page.status_code == 200 and "minutes" in page.context["form"].errors
    assert not Exchange.objects.exists() and not Listing.objects.exists()

    body["minutes"] = MAX_HELP_MINUTES
    assert api.as_user(alice).post("/api/v1/exchanges/", body, format="json").status_code == 201
