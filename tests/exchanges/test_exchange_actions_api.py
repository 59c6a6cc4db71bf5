"""Every row of the exchange-actions table (PRODUCT §3) over the API: allowed, and refused with
403 (wrong actor), 404 (outside reach) and 409 (wrong state), each refusal changing nothing."""

import json

import pytest

from exchanges.ledger.models import Transfer
from exchanges.models import Exchange
from members.models import AuditEvent, Membership, Network
from tests.exchanges.conftest import account
from tests.exchanges.helpers import accepted, claimed, disputed, proposed
from tests.factories import member

pytestmark = pytest.mark.django_db


def act(api, user, exchange, action, body=None):
    return api.as_user(user).post(f"/api/v1/exchanges/{exchange.pk}/{action}/", body or {}, format="json")


def assert_unchanged(exchange, response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    before = exchange.state
    exchange.refresh_from_db()
    assert exchange.state == before


@pytest.fixture
def coordinator_elsewhere(other_network):
    return member(other_network, role=Membership.Role.COORDINATOR).user


# propose ------------------------------------------------------------------------------------


def test_a_party_proposes_an_exchange(api, network, alice, bob):
    body = {
        "network": network.slug,
        "provider": bob.pk,
        "recipient": alice.pk,
        "minutes": 60,
        "description": "Shopping",
    }
    response = api.as_user(alice).post("/api/v1/exchanges/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "proposed" and data["provider"] == bob.pk and data["recipient"] == alice.pk
    assert data["minutes"] == 60 and data["network"] == network.slug and data["actions"] == ["cancel"]


def test_a_coordinator_proposes_an_exchange_between_two_members(api, network, coordinator, alice, bob):
    body = {"network": network.slug, "provider": bob.pk, "recipient": alice.pk, "minutes": 30, "description": ""}
    response = api.as_user(coordinator).post("/api/v1/exchanges/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["proposed_by"] == coordinator.pk


def test_a_member_cannot_propose_an_exchange_between_two_others(api, network, alice, bob):
    carol = member(network).user
    body = {"network": network.slug, "provider": bob.pk, "recipient": carol.pk, "minutes": 30}
    response = api.as_user(alice).post("/api/v1/exchanges/", body, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Exchange.objects.exists()


def test_proposing_in_another_network_is_not_found(api, network, alice, bob, stranger):
    body = {"network": network.slug, "provider": bob.pk, "recipient": alice.pk, "minutes": 30}
    response = api.as_user(stranger).post("/api/v1/exchanges/", body, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not Exchange.objects.exists()


def test_a_proposal_with_bad_minutes_is_refused_with_the_field_named(api, network, alice, bob):
    body = {"network": network.slug, "provider": bob.pk, "recipient": alice.pk, "minutes": 0}
    response = api.as_user(alice).post("/api/v1/exchanges/", body, format="json")
    assert response.status_code == 400
    assert "minutes" in response.json()["error"]["fields"]
    assert not Exchange.objects.exists()


def test_a_member_cannot_help_themselves(api, network, alice):
    body = {"network": network.slug, "provider": alice.pk, "recipient": alice.pk, "minutes": 30}
    response = api.as_user(alice).post("/api/v1/exchanges/", body, format="json")
    assert response.status_code == 400
    assert not Exchange.objects.exists()


def test_someone_outside_the_network_cannot_be_a_party(api, network, alice, stranger):
    body = {"network": network.slug, "provider": stranger.pk, "recipient": alice.pk, "minutes": 30}
    response = api.as_user(alice).post("/api/v1/exchanges/", body, format="json")
    assert response.status_code == 400
    assert "provider" in response.json()["error"]["fields"]


# accept / decline ---------------------------------------------------------------------------


def test_the_other_party_accepts_and_the_recipients_minutes_are_held(api, network, alice, bob):
    exchange = proposed(network, bob, alice, 60, actor=alice)
    response = act(api, bob, exchange, "accept")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted" and response.json()["held_minutes"] == 60
    assert account(network, alice).held == 60


def test_the_proposer_cannot_accept_their_own_proposal(api, network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    assert_unchanged(exchange, act(api, alice, exchange, "accept"), 403, "permission_denied")
    assert account(network, alice).held == 0


def test_accepting_from_another_network_is_not_found(api, network, alice, bob, stranger):
    exchange = proposed(network, bob, alice, actor=alice)
    assert_unchanged(exchange, act(api, stranger, exchange, "accept"), 404, "not_found")


def test_a_member_who_is_not_a_party_cannot_see_the_exchange(api, network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    carol = member(network).user
    assert_unchanged(exchange, act(api, carol, exchange, "accept"), 404, "not_found")
    assert api.as_user(carol).get(f"/api/v1/exchanges/{exchange.pk}/").status_code == 404


def test_an_accepted_exchange_cannot_be_accepted_again(api, network, alice, bob):
    exchange = accepted(network, bob, alice)
    assert_unchanged(exchange, act(api, bob, exchange, "accept"), 409, "invalid_transition")
    assert account(network, alice).held == 60


def test_the_other_party_declines(api, network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    response = act(api, bob, exchange, "decline")
    assert response.status_code == 200 and response.json()["state"] == "declined"


def test_the_proposer_cannot_decline(api, network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    assert_unchanged(exchange, act(api, alice, exchange, "decline"), 403, "permission_denied")


def test_declining_from_another_network_is_not_found(api, network, alice, bob, stranger):
    exchange = proposed(network, bob, alice, actor=alice)
    assert_unchanged(exchange, act(api, stranger, exchange, "decline"), 404, "not_found")


def test_an_accepted_exchange_cannot_be_declined(api, network, alice, bob):
    exchange = accepted(network, bob, alice)
    assert_unchanged(exchange, act(api, bob, exchange, "decline"), 409, "invalid_transition")


# approve ------------------------------------------------------------------------------------


def needs_approval(network):
    Network.objects.filter(pk=network.pk).update(approval=Network.Approval.ALWAYS)
    network.refresh_from_db()


def test_when_the_network_asks_for_approval_accepting_waits_for_a_coordinator(api, network, coordinator, alice, bob):
    needs_approval(network)
    exchange = proposed(network, bob, alice, actor=alice)
    response = act(api, bob, exchange, "accept")
    assert response.json()["state"] == "awaiting_approval"
    assert account(network, alice).held == 60
    response = act(api, coordinator, exchange, "approve", {"reason": "Checked the lift"})
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    event = AuditEvent.objects.get(action="exchange.approve")
    assert event.actor == coordinator and event.reason == "Checked the lift"


def test_a_party_cannot_approve(api, network, coordinator, alice, bob):
    needs_approval(network)
    exchange = accepted(network, bob, alice)
    assert exchange.state == "awaiting_approval"
    assert_unchanged(exchange, act(api, alice, exchange, "approve"), 403, "permission_denied")


def test_a_coordinator_of_another_network_cannot_approve(api, network, alice, bob, coordinator_elsewhere):
    needs_approval(network)
    exchange = accepted(network, bob, alice)
    assert_unchanged(exchange, act(api, coordinator_elsewhere, exchange, "approve"), 404, "not_found")


def test_only_an_exchange_awaiting_approval_can_be_approved(api, network, coordinator, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    assert_unchanged(exchange, act(api, coordinator, exchange, "approve"), 409, "invalid_transition")


# cancel -------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["proposed", "awaiting_approval", "accepted"])
def test_a_party_cancels_and_the_hold_is_released(api, network, alice, bob, state):
    if state == "awaiting_approval":
        needs_approval(network)
    exchange = proposed(network, bob, alice, actor=alice) if state == "proposed" else accepted(network, bob, alice)
    assert exchange.state == state
    response = act(api, alice, exchange, "cancel")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert response.json()["held_minutes"] == 0
    assert account(network, alice).held == 0


def test_a_coordinator_cannot_cancel_for_members_who_act_for_themselves(api, network, coordinator, alice, bob):
    exchange = accepted(network, bob, alice)
    assert_unchanged(exchange, act(api, coordinator, exchange, "cancel"), 403, "permission_denied")


def test_cancelling_from_another_network_is_not_found(api, network, alice, bob, stranger):
    exchange = accepted(network, bob, alice)
    assert_unchanged(exchange, act(api, stranger, exchange, "cancel"), 404, "not_found")


def test_a_claimed_exchange_cannot_be_cancelled(api, network, alice, bob):
    exchange = claimed(network, bob, alice)
    assert_unchanged(exchange, act(api, alice, exchange, "cancel"), 409, "invalid_transition")
    assert account(network, alice).held == 60


# complete -----------------------------------------------------------------------------------


def test_a_party_claims_the_help_with_the_minutes_it_took(api, network, alice, bob):
    exchange = accepted(network, bob, alice)
    response = act(api, bob, exchange, "complete", {"minutes": 45})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "claimed" and response.json()["claimed_minutes"] == 45
    assert response.json()["actions"] == []


def test_completing_needs_whole_minutes(api, network, alice, bob):
    exchange = accepted(network, bob, alice)
    response = act(api, bob, exchange, "complete", {"minutes": "lots"})
    assert response.status_code == 400 and "minutes" in response.json()["error"]["fields"]


def test_a_coordinator_cannot_claim_for_members_who_act_for_themselves(api, network, coordinator, alice, bob):
    exchange = accepted(network, bob, alice)
    assert_unchanged(exchange, act(api, coordinator, exchange, "complete", {"minutes": 60}), 403, "permission_denied")


def test_completing_from_another_network_is_not_found(api, network, alice, bob, stranger):
    exchange = accepted(network, bob, alice)
    assert_unchanged(exchange, act(api, stranger, exchange, "complete", {"minutes": 60}), 404, "not_found")


def test_a_proposal_cannot_be_completed_before_it_is_accepted(api, network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    assert_unchanged(exchange, act(api, bob, exchange, "complete", {"minutes": 60}), 409, "invalid_transition")


# record -------------------------------------------------------------------------------------


def test_a_party_records_help_arranged_off_platform_in_one_step(api, network, alice, bob):
    body = {
        "network": network.slug,
        "provider": bob.pk,
        "recipient": alice.pk,
        "minutes": 90,
        "description": "Weeding the garden",
    }
    response = api.as_user(bob).post("/api/v1/exchanges/record/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "claimed" and data["claimed_minutes"] == 90 and data["held_minutes"] == 0


def test_a_coordinator_records_help_between_two_members(api, network, coordinator, alice, bob):
    body = {"network": network.slug, "provider": bob.pk, "recipient": alice.pk, "minutes": 90}
    response = api.as_user(coordinator).post("/api/v1/exchanges/record/", body, format="json")
    assert response.status_code == 201
    exchange = Exchange.objects.get()
    assert response.json()["state"] == "claimed"
    # Either member may confirm what the coordinator wrote down.
    assert act(api, alice, exchange, "confirm").json()["state"] == "posted"


def test_a_member_cannot_record_help_between_two_others(api, network, alice, bob):
    carol = member(network).user
    body = {"network": network.slug, "provider": bob.pk, "recipient": carol.pk, "minutes": 30}
    response = api.as_user(alice).post("/api/v1/exchanges/record/", body, format="json")
    assert response.status_code == 403
    assert not Exchange.objects.exists()


def test_recording_in_another_network_is_not_found(api, network, alice, bob, stranger):
    body = {"network": network.slug, "provider": bob.pk, "recipient": alice.pk, "minutes": 30}
    response = api.as_user(stranger).post("/api/v1/exchanges/record/", body, format="json")
    assert response.status_code == 404
    assert not Exchange.objects.exists()


# confirm / dispute --------------------------------------------------------------------------


def test_the_party_who_did_not_claim_confirms_and_the_minutes_move(api, network, alice, bob):
    exchange = claimed(network, bob, alice, 60, claim=45)
    response = act(api, alice, exchange, "confirm")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "posted" and response.json()["held_minutes"] == 0
    transfer = Transfer.objects.get(exchange=exchange)
    assert (transfer.kind, transfer.minutes, transfer.created_by) == ("exchange", 45, alice)
    assert account(network, alice).balance == -45 and account(network, alice).held == 0
    assert account(network, bob).balance == 45


def test_the_claimer_cannot_confirm_their_own_claim(api, network, alice, bob):
    exchange = claimed(network, bob, alice)
    assert_unchanged(exchange, act(api, bob, exchange, "confirm"), 403, "permission_denied")
    assert not Transfer.objects.filter(exchange=exchange).exists()


def test_confirming_from_another_network_is_not_found(api, network, alice, bob, stranger):
    exchange = claimed(network, bob, alice)
    assert_unchanged(exchange, act(api, stranger, exchange, "confirm"), 404, "not_found")


def test_an_exchange_cannot_be_confirmed_before_it_is_claimed(api, network, alice, bob):
    exchange = accepted(network, bob, alice)
    assert_unchanged(exchange, act(api, alice, exchange, "confirm"), 409, "invalid_transition")
    assert not Transfer.objects.exists()


def test_a_posted_exchange_cannot_be_confirmed_twice(api, network, alice, bob):
    exchange = claimed(network, bob, alice)
    act(api, alice, exchange, "confirm")
    exchange.refresh_from_db()
    assert_unchanged(exchange, act(api, alice, exchange, "confirm"), 409, "invalid_transition")
    assert Transfer.objects.filter(exchange=exchange).count() == 1


def test_the_party_who_did_not_claim_disputes(api, network, alice, bob):
    exchange = claimed(network, bob, alice)
    response = act(api, alice, exchange, "dispute", {"reason": "Only half an hour"})
    assert response.status_code == 200 and response.json()["state"] == "disputed"
    assert account(network, alice).held == 60


def test_the_claimer_cannot_dispute(api, network, alice, bob):
    exchange = claimed(network, bob, alice)
    assert_unchanged(exchange, act(api, bob, exchange, "dispute"), 403, "permission_denied")


def test_disputing_from_another_network_is_not_found(api, network, alice, bob, stranger):
    exchange = claimed(network, bob, alice)
    assert_unchanged(exchange, act(api, stranger, exchange, "dispute"), 404, "not_found")


def test_an_accepted_exchange_cannot_be_disputed(api, network, alice, bob):
    exchange = accepted(network, bob, alice)
    assert_unchanged(exchange, act(api, alice, exchange, "dispute"), 409, "invalid_transition")


# resolve ------------------------------------------------------------------------------------


def test_a_coordinator_resolves_a_dispute_with_minutes_and_a_reason(api, network, coordinator, alice, bob):
    exchange = disputed(network, bob, alice, 60)
    response = act(api, coordinator, exchange, "resolve", {"minutes": 30, "reason": "Agreed half an hour"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "posted" and response.json()["claimed_minutes"] == 30
    assert Transfer.objects.get(exchange=exchange).minutes == 30
    assert account(network, alice).held == 0
    assert AuditEvent.objects.get(action="exchange.resolve").reason == "Agreed half an hour"


def test_resolving_with_zero_minutes_cancels_and_releases_the_hold(api, network, coordinator, alice, bob):
    exchange = disputed(network, bob, alice, 60)
    response = act(api, coordinator, exchange, "resolve", {"minutes": 0, "reason": "It never happened"})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert account(network, alice).held == 0 and not Transfer.objects.exists()


def test_resolving_needs_a_reason(api, network, coordinator, alice, bob):
    exchange = disputed(network, bob, alice)
    response = act(api, coordinator, exchange, "resolve", {"minutes": 30, "reason": ""})
    assert_unchanged(exchange, response, 400, "validation_error")


def test_a_party_cannot_resolve(api, network, alice, bob):
    exchange = disputed(network, bob, alice)
    assert_unchanged(
        exchange, act(api, alice, exchange, "resolve", {"minutes": 60, "reason": "x"}), 403, "permission_denied"
    )


def test_a_coordinator_of_another_network_cannot_resolve(api, network, alice, bob, coordinator_elsewhere):
    exchange = disputed(network, bob, alice)
    body = {"minutes": 60, "reason": "x"}
    assert_unchanged(exchange, act(api, coordinator_elsewhere, exchange, "resolve", body), 404, "not_found")


def test_an_undisputed_claim_cannot_be_resolved(api, network, coordinator, alice, bob):
    exchange = claimed(network, bob, alice)
    body = {"minutes": 60, "reason": "x"}
    assert_unchanged(exchange, act(api, coordinator, exchange, "resolve", body), 409, "invalid_transition")


# repeat -------------------------------------------------------------------------------------


def test_a_party_repeats_a_posted_exchange_as_a_new_proposal(api, network, alice, bob):
    exchange = claimed(network, bob, alice, 60, claim=50)
    act(api, alice, exchange, "confirm")
    response = act(api, alice, exchange, "repeat")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"] != exchange.pk and data["state"] == "proposed"
    # Only a closed exchange is repeated: an open one is still under way.
    assert act(api, alice, Exchange.objects.get(pk=data["id"]), "repeat").status_code == 409
    assert (data["provider"], data["recipient"], data["minutes"]) == (bob.pk, alice.pk, 50)


def test_a_coordinator_cannot_repeat_for_members_who_act_for_themselves(api, network, coordinator, alice, bob):
    exchange = claimed(network, bob, alice)
    act(api, alice, exchange, "confirm")
    response = act(api, coordinator, exchange, "repeat")
    assert response.status_code == 403
    assert Exchange.objects.count() == 1


def test_an_unknown_action_is_not_found(api, network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    assert_unchanged(exchange, act(api, bob, exchange, "teleport"), 404, "not_found")


# lists --------------------------------------------------------------------------------------


def test_a_member_lists_only_their_own_exchanges_paginated(api, network, alice, bob):
    carol = member(network).user
    mine = [proposed(network, bob, alice, actor=alice) for _ in range(3)]
    proposed(network, bob, carol, actor=carol)
    response = api.as_user(alice).get("/api/v1/exchanges/?page_size=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert {e["id"] for e in body["results"]} <= {e.pk for e in mine}


def test_a_coordinator_lists_every_exchange_of_their_network(api, network, coordinator, alice, bob):
    carol = member(network).user
    proposed(network, bob, alice, actor=alice)
    proposed(network, bob, carol, actor=carol)
    response = api.as_user(coordinator).get(f"/api/v1/exchanges/?network={network.slug}")
    assert response.json()["count"] == 2


def test_listing_exchanges_of_another_network_is_not_found(api, network, other_network, alice):
    assert api.as_user(alice).get(f"/api/v1/exchanges/?network={other_network.slug}").status_code == 404


def test_the_api_schema_describes_the_exchange_endpoints(api, alice):
    response = api.as_user(alice).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert {"/api/v1/exchanges/{id}/{action}/", "/api/v1/exchanges/record/", "/api/v1/listings/{id}/"} <= set(paths)


def test_a_coordinator_must_give_a_reason_to_approve(api, network, coordinator, alice, bob):
    needs_approval(network)
    exchange = accepted(network, bob, alice)
    assert_unchanged(exchange, act(api, coordinator, exchange, "approve"), 400, "validation_error")
