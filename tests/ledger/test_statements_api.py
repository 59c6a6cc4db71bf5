"""GET /api/v1/accounts/ and /api/v1/transfers/: what each person may read, and the floor override."""

import pytest

from exchanges.ledger.models import Account
from members.models import AuditEvent, Membership, SupportLink
from tests.factories import member
from tests.ledger.conftest import account_of, issue, ledger_counts, pot_of

pytestmark = pytest.mark.django_db


def test_a_member_sees_only_their_own_account(api, network, alice, bob):
    response = api.as_user(alice).get("/api/v1/accounts/")
    assert response.status_code == 200
    account = account_of(alice, network)
    assert response.json()["results"] == [
        {
            "id": account.pk,
            "network": network.slug,
            "owner": alice.pk,
            "balance_minutes": 0,
            "available_minutes": 0,
            "floor_minutes": -600,
        }
    ]


def test_a_coordinator_sees_every_account_of_their_network(api, network, other_network, coordinator, alice, bob):
    member(other_network)
    response = api.as_user(coordinator).get(f"/api/v1/accounts/?network={network.slug}")
    owners = {row["owner"] for row in response.json()["results"]}
    assert owners == {coordinator.pk, alice.pk, bob.pk, "pot", "issuance"}
    assert response.json()["count"] == Account.objects.filter(network=network).count()


def test_the_issuance_account_says_it_has_no_floor(api, network, coordinator):
    rows = api.as_user(coordinator).get(f"/api/v1/accounts/?network={network.slug}").json()["results"]
    floors = {row["owner"]: row["floor_minutes"] for row in rows}
    assert floors["issuance"] is None and floors["pot"] == 0 and floors[coordinator.pk] == -600


def test_accounts_of_a_network_out_of_reach_answer_not_found(api, network, other_network, alice):
    response = api.as_user(alice).get(f"/api/v1/accounts/?network={other_network.slug}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_member_cannot_read_another_members_statement(api, network, alice, bob):
    response = api.as_user(alice).get(f"/api/v1/transfers/?member={bob.pk}")
    assert response.status_code == 404


def test_a_supporter_reads_the_statement_of_the_member_they_support(api, network, alice, bob):
    supporter = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(network=network, supporter=supporter, member=alice.memberships.get())
    issue(network, account_of(alice, network), 30)
    response = api.as_user(supporter.user).get(f"/api/v1/transfers/?member={alice.pk}")
    assert response.status_code == 200
    assert [row["to"]["owner"] for row in response.json()["results"]] == [alice.pk]


def test_a_statement_says_what_each_line_was_for_and_with_whom(api, post_transfer, network, alice, bob):
    bob.display_name = "Bob"
    bob.save()
    post_transfer(alice, {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 20, "memo": "tea"})
    issue(network, pot_of(network), 100)
    rows = api.as_user(alice).get("/api/v1/transfers/").json()["results"]
    assert len(rows) == 1
    assert rows[0]["description"] == "Gift: tea"
    assert rows[0]["to"] == {"account": account_of(bob, network).pk, "owner": bob.pk, "name": "Bob"}


def test_a_coordinator_reads_the_whole_networks_statement(api, post_transfer, network, coordinator, alice, bob):
    post_transfer(alice, {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 20})
    issue(network, pot_of(network), 100)
    assert api.as_user(coordinator).get("/api/v1/transfers/").json()["count"] == 2


def test_a_coordinator_overrides_a_members_floor_with_a_reason(api, network, coordinator, alice):
    account = account_of(alice, network)
    response = api.as_user(coordinator).post(
        f"/api/v1/accounts/{account.pk}/floor/", {"floor_minutes": -1200, "reason": "Long illness"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["floor_minutes"] == -1200
    account.refresh_from_db()
    assert (account.floor, account.floor_reason) == (-1200, "Long illness")
    event = AuditEvent.objects.get(action="account.floor")
    assert (event.actor, event.reason, event.data) == (coordinator, "Long illness", {"from": -600, "to": -1200})


def test_a_member_cannot_override_their_own_floor(api, network, alice):
    account = account_of(alice, network)
    before = ledger_counts()
    response = api.as_user(alice).post(
        f"/api/v1/accounts/{account.pk}/floor/", {"floor_minutes": -6000, "reason": "please"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert ledger_counts() == before


def test_a_floor_cannot_be_set_above_what_the_member_already_uses(api, post_transfer, network, coordinator, alice, bob):
    post_transfer(alice, {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 300})
    account = account_of(alice, network)
    before = ledger_counts()
    response = api.as_user(coordinator).post(
        f"/api/v1/accounts/{account.pk}/floor/", {"floor_minutes": -100, "reason": "tighten"}, format="json"
    )
    assert response.status_code == 400
    assert ledger_counts() == before


def test_the_pots_floor_cannot_be_changed(api, network, coordinator):
    response = api.as_user(coordinator).post(
        f"/api/v1/accounts/{pot_of(network).pk}/floor/", {"floor_minutes": -100, "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert pot_of(network).floor == 0


def test_an_account_of_another_network_answers_not_found(api, network, other_network, coordinator):
    response = api.as_user(coordinator).post(
        f"/api/v1/accounts/{pot_of(other_network).pk}/floor/", {"floor_minutes": -100, "reason": "x"}, format="json"
    )
    assert response.status_code == 404


def test_the_transfer_endpoint_is_in_the_openapi_schema(api, alice):
    response = api.as_user(alice).get("/api/schema/?format=json")
    schema = response.json()
    post = schema["paths"]["/api/v1/transfers/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in post["parameters"])


def test_a_transfers_answer_is_what_its_declared_fields_give(api, post_transfer, network, coordinator, alice, bob):
    from rest_framework import serializers

    from exchanges.ledger.apis import TransferOutput
    from exchanges.ledger.models import Transfer

    bob.display_name = "Bob"
    bob.save()
    post_transfer(alice, {"network": network.slug, "kind": "gift", "to_member": bob.pk, "minutes": 20, "memo": "tea"})
    gift = Transfer.objects.get(kind="gift")
    post_transfer(coordinator, {"network": network.slug, "kind": "reversal", "transfer": gift.pk, "reason": "typo"})
    issue(network, pot_of(network), 60, by=coordinator)
    transfers = list(Transfer.objects.order_by("pk"))
    assert [t.kind for t in transfers] == ["gift", "reversal", "issue"]
    for transfer in transfers:
        output = TransferOutput(transfer)
        declared = serializers.Serializer.to_representation(output, transfer)
        assert output.data == declared
        assert list(output.data) == list(output.fields)


def test_a_floors_reason_is_words_not_a_number(api, network, coordinator, alice):
    from tests.ledger.conftest import account_of

    account = account_of(alice, network)
    response = api.as_user(coordinator).post(
        f"/api/v1/accounts/{account.pk}/floor/", {"floor_minutes": -600, "reason": 0}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
