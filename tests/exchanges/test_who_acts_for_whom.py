"""One rule decides who acts for whom, and every door asks it: a supporter demoted to member no longer
acts with the member they supported, at the API, the pages, the forms, listings and the ledger."""

import pytest
from django.test import Client

from exchanges.forms import RecordForm
from exchanges.ledger.models import Transfer
from exchanges.models import Exchange, Listing
from members.acting import acts_for
from members.models import Membership
from members.services import membership_role_change, support_link
from tests.exchanges.conftest import issue
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def demoted(network, coordinator, dora, sam):
    """Sam supported Dora; a coordinator made Sam a plain member (the link row is still there)."""
    membership_role_change(
        membership=sam.memberships.get(network=network), actor=coordinator, role="member", reason="Moved away"
    )
    return sam


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def exchange_body(network, provider, recipient):
    return {"network": network.slug, "provider": provider.pk, "recipient": recipient.pk, "minutes": 60}


def test_a_supporter_acts_with_the_member_they_support(network, dora, sam):
    assert acts_for(actor=sam, member=dora, network=network)
    form = RecordForm(user=sam)
    assert any(label.startswith(dora.name) for _value, label in form.fields["who"].choices)


def test_a_demoted_supporter_no_longer_acts_for_anyone_in_the_rule(network, dora, demoted):
    assert not acts_for(actor=demoted, member=dora, network=network)
    assert acts_for(actor=demoted, member=demoted, network=network)


@pytest.mark.parametrize("path", ["/api/v1/exchanges/", "/api/v1/exchanges/record/"])
def test_a_demoted_supporter_cannot_start_an_exchange_for_their_old_member_through_the_api(
    api, network, alice, dora, demoted, path
):
    response = api.as_user(demoted).post(path, exchange_body(network, dora, alice), format="json")
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Exchange.objects.exists()


def test_a_demoted_supporter_cannot_post_a_listing_for_their_old_member(api, network, dora, demoted):
    response = api.as_user(demoted).post(
        "/api/v1/listings/",
        {"network": network.slug, "kind": "offer", "title": "Knitting", "owner": dora.pk},
        format="json",
    )
    assert response.status_code == 403, response.content
    assert not Listing.objects.exists()


def test_the_record_form_no_longer_offers_the_old_member(network, dora, demoted):
    form = RecordForm(user=demoted)
    assert [value for value, _label in form.fields["who"].choices] == ["me"]


def test_a_demoted_supporter_cannot_record_help_for_their_old_member_on_the_page(network, alice, dora, demoted):
    dora_membership = dora.memberships.get(network=network)
    alice_membership = alice.memberships.get(network=network)
    response = page_client(demoted).post(
        "/exchanges/record/?direction=gave",
        {"who": f"m:{dora_membership.pk}", "other": f"m:{alice_membership.pk}", "minutes": 60},
    )
    assert response.status_code == 200
    assert "who" in response.context["form"].errors
    assert not Exchange.objects.exists()


def test_a_demoted_supporter_cannot_give_their_old_members_hours(api, network, bob, dora, demoted):
    issue(network, dora, 120)
    response = api.as_user(demoted).post(
        "/api/v1/transfers/",
        {"network": network.slug, "kind": "gift", "from": dora.pk, "to_member": bob.pk, "minutes": 30},
        format="json",
        HTTP_IDEMPOTENCY_KEY="demoted-gift",
    )
    assert response.status_code == 403
    assert not Transfer.objects.filter(kind="gift").exists()


def test_a_coordinator_linked_as_a_supporter_acts_with_a_member_who_is_not_marked_supported(
    api, network, coordinator, alice, bob
):
    other = member(network, role=Membership.Role.COORDINATOR).user
    support_link(
        supporter=other.memberships.get(network=network),
        member=alice.memberships.get(network=network),
        actor=coordinator,
    )
    response = api.as_user(other).post("/api/v1/exchanges/", exchange_body(network, alice, bob), format="json")
    assert response.status_code == 201, response.content
    assert Exchange.objects.get().proposed_by == other


def test_a_supporter_who_recorded_their_own_help_to_their_member_cannot_dispute_it_for_her(network, dora, sam):
    from exchanges import selectors, services
    from timebank.errors import Forbidden

    exchange = services.exchange_record(actor=sam, network=network, provider=sam, recipient=dora, minutes=20)
    assert "dispute" not in selectors.exchange_actions(user=sam, exchange=exchange)
    with pytest.raises(Forbidden):
        services.exchange_dispute(actor=sam, exchange=exchange)
