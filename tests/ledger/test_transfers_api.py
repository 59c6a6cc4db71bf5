"""POST /api/v1/transfers/: who may move which minutes, and every refusal writes nothing."""

import pytest

from exchanges.ledger.models import Transfer
from members.models import AuditEvent, Membership, SupportLink
from tests.factories import member
from tests.ledger.conftest import account_of, issuance_of, issue, ledger_counts, pot_of

pytestmark = pytest.mark.django_db


def refused(response, status, code, before):
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert ledger_counts() == before


def test_a_member_gives_hours_to_another_member(post_transfer, network, alice, bob):
    response = post_transfer(alice, {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 30})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "gift" and body["minutes"] == 30
    assert body["from"]["owner"] == alice.pk and body["to"]["owner"] == bob.pk
    assert account_of(alice, network).balance == -30
    assert account_of(bob, network).balance == 30
    assert AuditEvent.objects.filter(action="transfer.gift", actor=alice, target_id=body["id"]).exists()


def test_a_gift_records_its_memo_and_the_key(post_transfer, network, alice, bob):
    body = {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 5, "memo": "for the soup"}
    response = post_transfer(alice, body, key="soup-1")
    transfer = Transfer.objects.get(pk=response.json()["id"])
    assert (transfer.memo, transfer.idempotency_key, transfer.created_by) == ("for the soup", "soup-1", alice)
    assert response.json()["description"] == "Gift: for the soup"


def test_a_member_donates_hours_to_the_pot(post_transfer, network, alice):
    response = post_transfer(alice, {"network": network.slug, "kind": "donation", "minutes": 45})
    assert response.status_code == 201
    assert response.json()["to"]["owner"] == "pot"
    assert pot_of(network).balance == 45


def test_a_gift_that_would_cross_the_floor_is_refused(post_transfer, network, alice, bob):
    before = ledger_counts()
    response = post_transfer(alice, {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 601})
    refused(response, 409, "insufficient_balance", before)


def test_holds_count_against_what_a_member_can_give(post_transfer, network, alice, bob):
    from tests.ledger.conftest import held_for

    held_for(network, bob, alice, 600)
    before = ledger_counts()
    response = post_transfer(alice, {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 1})
    refused(response, 409, "insufficient_balance", before)


def test_a_member_cannot_give_another_members_hours(post_transfer, network, alice, bob):
    carol = member(network).user
    before = ledger_counts()
    body = {"network": network.slug, "kind": "gift", "from": bob.pk, "to_member": carol.pk, "minutes": 10}
    refused(post_transfer(alice, body), 403, "permission_denied", before)


def test_a_supporter_gives_hours_for_the_member_they_support(post_transfer, network, alice, bob):
    supporter = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(network=network, supporter=supporter, member=alice.memberships.get())
    body = {"network": network.slug, "kind": "gift", "from": alice.pk, "to_member": bob.pk, "minutes": 10}
    response = post_transfer(supporter.user, body)
    assert response.status_code == 201, response.content
    transfer = Transfer.objects.get(pk=response.json()["id"])
    assert (transfer.created_by, transfer.on_behalf_of) == (supporter.user, alice)
    assert account_of(alice, network).balance == -10


def test_a_supporter_cannot_give_hours_of_a_member_they_do_not_support(post_transfer, network, alice, bob):
    supporter = member(network, role=Membership.Role.SUPPORTER).user
    before = ledger_counts()
    body = {"network": network.slug, "kind": "gift", "from": alice.pk, "to_member": bob.pk, "minutes": 10}
    refused(post_transfer(supporter, body), 403, "permission_denied", before)


def test_a_coordinator_gives_hours_for_a_member_with_a_reason(post_transfer, network, coordinator, alice, bob):
    body = {"network": network.slug, "kind": "donation", "from": alice.pk, "minutes": 10, "reason": "Asked by phone"}
    response = post_transfer(coordinator, body)
    assert response.status_code == 201
    transfer = Transfer.objects.get(pk=response.json()["id"])
    assert (transfer.on_behalf_of, transfer.reason) == (alice, "Asked by phone")


def test_a_coordinator_cannot_move_a_members_hours_without_a_reason(post_transfer, network, coordinator, alice, bob):
    before = ledger_counts()
    body = {"network": network.slug, "kind": "gift", "from": alice.pk, "to_member": bob.pk, "minutes": 10}
    refused(post_transfer(coordinator, body), 400, "validation_error", before)


def test_another_networks_transfer_answers_not_found(post_transfer, network, other_network, alice):
    before = ledger_counts()
    body = {"network": other_network.slug, "kind": "donation", "minutes": 10}
    refused(post_transfer(alice, body), 404, "not_found", before)


def test_a_gift_to_someone_in_another_network_answers_not_found(post_transfer, network, other_network, alice):
    stranger = member(other_network).user
    before = ledger_counts()
    body = {"network": network.slug, "kind": "gift", "to_member": stranger.pk, "minutes": 10}
    refused(post_transfer(alice, body), 404, "not_found", before)


def test_a_gift_to_a_member_who_has_left_answers_not_found(post_transfer, network, alice):
    gone = member(network)
    Membership.objects.filter(pk=gone.pk).update(status=Membership.Status.LEFT)
    before = ledger_counts()
    body = {"network": network.slug, "kind": "gift", "to_member": gone.user.pk, "minutes": 10}
    refused(post_transfer(alice, body), 404, "not_found", before)


def test_a_member_cannot_give_to_themself(post_transfer, network, alice):
    before = ledger_counts()
    body = {"network": network.slug, "kind": "gift", "to_member": alice.pk, "minutes": 10}
    refused(post_transfer(alice, body), 400, "validation_error", before)


@pytest.mark.parametrize("kind", ["issue", "grant", "adjustment", "reversal"])
def test_a_member_cannot_do_a_coordinators_transfer(post_transfer, network, alice, bob, kind):
    original = issue(network, account_of(bob, network), 30)
    before = ledger_counts()
    body = {"network": network.slug, "kind": kind, "to_member": alice.pk, "from": bob.pk, "to": alice.pk}
    body.update(minutes=10, reason="because", transfer=original.pk)
    refused(post_transfer(alice, body), 403, "permission_denied", before)


def test_a_coordinator_issues_hours_to_the_pot_with_a_reason(post_transfer, network, coordinator):
    body = {"network": network.slug, "kind": "issue", "to_member": "pot", "minutes": 600, "reason": "Funder grant"}
    response = post_transfer(coordinator, body)
    assert response.status_code == 201, response.content
    assert pot_of(network).balance == 600
    assert issuance_of(network).balance == -600
    assert AuditEvent.objects.get(action="transfer.issue", target_id=response.json()["id"]).reason == "Funder grant"


def test_a_coordinators_transfer_without_a_reason_is_refused(post_transfer, network, coordinator, alice):
    before = ledger_counts()
    body = {"network": network.slug, "kind": "issue", "to_member": alice.pk, "minutes": 60}
    response = post_transfer(coordinator, body)
    refused(response, 400, "validation_error", before)
    assert "reason" in response.json()["error"]["fields"]


def test_a_coordinator_grants_hours_from_the_pot(post_transfer, network, coordinator, alice):
    issue(network, pot_of(network), 100)
    body = {"network": network.slug, "kind": "grant", "to_member": alice.pk, "minutes": 60, "reason": "Lift fund"}
    assert post_transfer(coordinator, body).status_code == 201
    assert (pot_of(network).balance, account_of(alice, network).balance) == (40, 60)


def test_a_grant_cannot_take_the_pot_below_zero(post_transfer, network, coordinator, alice):
    before = ledger_counts()
    body = {"network": network.slug, "kind": "grant", "to_member": alice.pk, "minutes": 1, "reason": "x"}
    refused(post_transfer(coordinator, body), 409, "insufficient_balance", before)


def test_a_coordinator_adjusts_between_a_member_and_the_pot(post_transfer, network, coordinator, alice):
    body = {"network": network.slug, "kind": "adjustment", "from": "pot", "to": alice.pk, "minutes": 1, "reason": "x"}
    refused(post_transfer(coordinator, body), 409, "insufficient_balance", ledger_counts())
    body.update({"from": alice.pk, "to": "pot", "minutes": 15})
    response = post_transfer(coordinator, body)
    assert response.status_code == 201, response.content
    assert (account_of(alice, network).balance, pot_of(network).balance) == (-15, 15)


def test_a_coordinator_reverses_a_transfer_once(post_transfer, network, coordinator, alice, bob):
    gift = post_transfer(alice, {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 20}).json()
    body = {"network": network.slug, "kind": "reversal", "transfer": gift["id"], "reason": "wrong person"}
    response = post_transfer(coordinator, body)
    assert response.status_code == 201, response.content
    assert response.json()["reverses"] == gift["id"]
    assert (account_of(alice, network).balance, account_of(bob, network).balance) == (0, 0)
    before = ledger_counts()
    refused(post_transfer(coordinator, body), 409, "invalid_transition", before)


def test_a_transfer_of_another_network_cannot_be_reversed(post_transfer, network, other_network, coordinator):
    elsewhere = issue(other_network, pot_of(other_network), 50)
    before = ledger_counts()
    body = {"network": network.slug, "kind": "reversal", "transfer": elsewhere.pk, "reason": "x"}
    refused(post_transfer(coordinator, body), 404, "not_found", before)


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "gift", "minutes": 0},
        {"kind": "gift", "minutes": -5},
        {"kind": "gift", "minutes": 1.5},
        {"kind": "gift", "minutes": "ten"},
        {"kind": "gift"},
        {"kind": "exchange", "minutes": 5},
        {"kind": "loan", "minutes": 5},
        {"kind": "gift", "minutes": 5, "to_member": "someone"},
        {"kind": "gift", "minutes": 5, "memo": "x" * 201},
    ],
)
def test_bad_input_answers_a_validation_error_and_writes_nothing(post_transfer, network, alice, bob, body):
    body = {"network": network.slug, "to_member": bob.pk, **body}
    before = ledger_counts()
    refused(post_transfer(alice, body), 400, "validation_error", before)


def test_anonymous_callers_are_not_authenticated(api, network):
    response = api.post("/api/v1/transfers/", {"network": network.slug}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
