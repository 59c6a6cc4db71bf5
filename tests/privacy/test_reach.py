"""Who reaches whom: commissioners see figures not people, suspended members lose their conversations,
support links count only while the supporter is one, and only in their own network."""

import pytest

from exchanges.models import Listing
from exchanges.services import exchange_propose, listing_create
from members.models import Membership, SupportLink
from members.services import membership_role_change, membership_suspend
from messaging.services import conversation_direct_open, message_send
from tests.factories import NetworkFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner(network):
    return member(network, role=Membership.Role.COMMISSIONER).user


def test_a_commissioner_sees_no_listings_of_a_funded_network(api, network, alice, commissioner):
    listing_create(actor=alice, network=network, kind=Listing.Kind.OFFER, title="Dog walking")
    client = api.as_user(commissioner)
    assert client.get("/api/v1/listings/").json()["results"] == []
    assert client.get(f"/api/v1/listings/?network={network.slug}").json()["results"] == []
    assert client.get(f"/api/v1/listings/{Listing.objects.get().pk}/").status_code == 404


def test_a_commissioner_finds_no_people_by_searching_a_funded_network(api, network, alice, commissioner):
    listing_create(actor=alice, network=network, kind=Listing.Kind.REQUEST, title="Walk my dog please")
    member_sees = api.as_user(member(network).user).get("/api/v1/search/", {"q": "dog walking"}).json()
    assert [m["member"]["id"] for m in member_sees["results"]] == [alice.pk]
    client = api.as_user(commissioner)
    assert client.get("/api/v1/search/", {"q": "dog walking"}).json()["results"] == []
    assert client.get("/api/v1/search/", {"q": "dog walking", "network": network.slug}).json()["results"] == []


def test_a_commissioner_cannot_open_a_conversation_with_a_member(api, network, alice, commissioner):
    response = api.as_user(commissioner).post(
        "/api/v1/conversations/", {"network": network.slug, "member": alice.pk}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_suspended_member_can_neither_read_nor_send_messages(api, network, alice, bob, coordinator):
    conversation, _ = conversation_direct_open(network=network, user=alice, other_id=bob.pk)
    message_send(conversation=conversation.pk, sender=bob, body="See you Tuesday", client_id="c1")
    membership_suspend(
        membership=Membership.objects.get(user=alice, network=network), actor=coordinator, reason="Safeguarding"
    )
    client = api.as_user(alice)
    assert client.get(f"/api/v1/conversations/{conversation.pk}/messages/").status_code == 404
    sent = client.post(f"/api/v1/conversations/{conversation.pk}/messages/", {"body": "hi"}, format="json")
    assert sent.status_code == 404
    assert client.get("/api/v1/conversations/").json()["results"] == []


def test_a_supporter_whose_role_changed_loses_contact_details_and_the_right_to_act(api, network, alice, coordinator):
    alice_membership = Membership.objects.get(user=alice, network=network)
    alice_membership.phone = "07700 900123"
    alice_membership.save(update_fields=["phone"])
    sam = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(network=network, supporter=sam, member=alice_membership)
    client = api.as_user(sam.user)
    assert client.get(f"/api/v1/networks/{network.slug}/profile/?member={alice.pk}").json()["phone"] == "07700 900123"

    membership_role_change(membership=sam, actor=coordinator, role=Membership.Role.MEMBER, reason="Moved away")

    profile = client.get(f"/api/v1/networks/{network.slug}/profile/?member={alice.pk}")
    assert profile.status_code in (403, 404)
    donation = client.post(
        "/api/v1/transfers/",
        {"network": network.slug, "kind": "donation", "from": alice.pk, "minutes": 10},
        format="json",
        HTTP_IDEMPOTENCY_KEY="former-supporter",
    )
    assert donation.status_code in (403, 404)


def test_a_support_link_counts_only_in_its_own_network(api, network, alice, bob):
    elsewhere = NetworkFactory(slug="elsewhere", name="Elsewhere")
    sam = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(
        network=network, supporter=sam, member=Membership.objects.get(user=alice, network=network)
    )
    member(elsewhere, user=sam.user)
    member(elsewhere, user=alice)
    carol = member(elsewhere).user
    there = exchange_propose(actor=alice, network=elsewhere, provider=carol, recipient=alice, minutes=30)
    here = exchange_propose(actor=alice, network=network, provider=bob, recipient=alice, minutes=30)
    ids = {e["id"] for e in api.as_user(sam.user).get("/api/v1/exchanges/").json()["results"]}
    assert here.pk in ids
    assert there.pk not in ids
