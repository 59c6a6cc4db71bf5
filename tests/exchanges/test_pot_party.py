"""Nobody but a coordinator speaks for the pot: a claim with the pot as a party never auto-confirms,
it waits in the coordinator's queue (page and API), and only a coordinator confirms it for the pot."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from exchanges.ledger.models import Transfer
from exchanges.models import Exchange
from members.models import Membership
from tests.exchanges.conftest import account, issue, ledger_problems
from tests.factories import member

pytestmark = pytest.mark.django_db


def record(api, user, network, provider, recipient, minutes=600):
    response = api.as_user(user).post(
        "/api/v1/exchanges/record/",
        {"network": network.slug, "provider": provider, "recipient": recipient, "minutes": minutes},
        format="json",
    )
    assert response.status_code == 201, response.content
    return Exchange.objects.get(pk=response.json()["id"])


def long_ago(exchange, days=400):
    Exchange.objects.filter(pk=exchange.pk).update(claimed_at=timezone.now() - datetime.timedelta(days=days))


@pytest.mark.parametrize("pot_side", ["recipient", "provider"])
def test_a_claim_with_the_pot_as_a_party_is_never_auto_confirmed(api, network, coordinator, alice, pot_side):
    issue(network, None, 600)  # the pot can pay
    issue(network, alice, 600)  # and so can Alice
    parties = {"provider": alice.pk, "recipient": alice.pk, pot_side: "pot"}
    exchange = record(api, alice, network, parties["provider"], parties["recipient"])
    long_ago(exchange)
    balances = (account(network, alice).balance, account(network).balance)

    call_command("autoconfirm", stdout=StringIO())

    exchange.refresh_from_db()
    assert exchange.state == "claimed" and exchange.posted_at is None
    assert not Transfer.objects.filter(exchange=exchange).exists()
    assert (account(network, alice).balance, account(network).balance) == balances
    assert ledger_problems(network) == []


def test_a_claim_on_the_pot_waits_in_the_coordinators_queue_on_the_page_and_in_the_api(
    api, network, coordinator, alice
):
    issue(network, None, 600)
    exchange = record(api, alice, network, alice.pk, "pot")
    long_ago(exchange)
    call_command("autoconfirm", stdout=StringIO())

    client = Client()
    client.force_login(coordinator)
    page = client.get("/coordinator/exchanges/")
    assert page.status_code == 200
    assert list(page.context["sections"][0][1]["pot_claims"]) == [exchange]
    assert f"/exchanges/{exchange.pk}/" in page.content.decode()

    listed = api.as_user(coordinator).get("/api/v1/exchanges/", {"state": "claimed"}).json()["results"]
    assert [(e["id"], e["recipient"]) for e in listed] == [(exchange.pk, "pot")]
    assert {"confirm", "dispute", "resolve"} <= set(listed[0]["actions"])


def test_only_a_coordinator_confirms_for_the_pot(api, network, coordinator, alice, bob):
    issue(network, None, 600)
    exchange = record(api, alice, network, alice.pk, "pot")
    assert "confirm" not in api.as_user(alice).get(f"/api/v1/exchanges/{exchange.pk}/").json()["actions"]

    assert api.as_user(alice).post(f"/api/v1/exchanges/{exchange.pk}/confirm/").status_code == 403
    assert api.as_user(bob).post(f"/api/v1/exchanges/{exchange.pk}/confirm/").status_code == 404
    assert not Transfer.objects.filter(exchange=exchange).exists()

    response = api.as_user(coordinator).post(f"/api/v1/exchanges/{exchange.pk}/confirm/")
    assert response.status_code == 200 and response.json()["state"] == "posted"
    assert account(network, alice).balance == 600 and account(network).balance == 0
    assert ledger_problems(network) == []


def test_a_coordinator_can_settle_an_unanswered_pot_claim_with_a_reason(api, network, coordinator, alice):
    issue(network, None, 600)
    exchange = record(api, alice, network, alice.pk, "pot")
    response = api.as_user(coordinator).post(
        f"/api/v1/exchanges/{exchange.pk}/resolve/", {"minutes": 0, "reason": "Not community help"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert account(network, alice).balance == 0 and account(network).balance == 600


def test_a_claim_between_two_members_still_auto_confirms(api, network, alice, bob):
    issue(network, alice, 600)
    exchange = record(api, bob, network, bob.pk, alice.pk, minutes=60)
    long_ago(exchange, days=8)
    call_command("autoconfirm", stdout=StringIO())
    exchange.refresh_from_db()
    assert exchange.state == "posted" and account(network, bob).balance == 60


def test_a_coordinator_who_claims_from_the_pot_cannot_confirm_it_for_the_pot_themself(api, network, coordinator):
    issue(network, None, 600)
    exchange = record(api, coordinator, network, coordinator.pk, "pot")
    assert "confirm" not in api.as_user(coordinator).get(f"/api/v1/exchanges/{exchange.pk}/").json()["actions"]
    response = api.as_user(coordinator).post(f"/api/v1/exchanges/{exchange.pk}/confirm/")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert not Transfer.objects.filter(exchange=exchange).exists()

    colleague = member(network, role=Membership.Role.COORDINATOR).user
    assert api.as_user(colleague).post(f"/api/v1/exchanges/{exchange.pk}/confirm/").status_code == 200
    assert account(network, coordinator).balance == 600 and account(network).balance == 0


# A coordinator never pays themselves -----------------------------------------------------------


@pytest.fixture
def second_coordinator(network):
    return member(network, role=Membership.Role.COORDINATOR).user


def test_a_coordinator_cannot_settle_their_own_claim_on_the_pot_and_another_coordinator_can(
    api, network, coordinator, second_coordinator
):
    issue(network, None, 600)
    exchange = record(api, coordinator, network, coordinator.pk, "pot", minutes=60)
    body = {"minutes": 60, "reason": "my own hours"}
    refused = api.as_user(coordinator).post(f"/api/v1/exchanges/{exchange.pk}/resolve/", body, format="json")
    assert refused.status_code == 403, refused.content
    assert "Another coordinator" in refused.json()["error"]["message"]
    exchange.refresh_from_db()
    assert exchange.state == "claimed" and not Transfer.objects.filter(exchange=exchange).exists()

    settled = api.as_user(second_coordinator).post(
        f"/api/v1/exchanges/{exchange.pk}/resolve/", {"minutes": 60, "reason": "Carol ran the stall"}, format="json"
    )
    assert settled.status_code == 200, settled.content
    assert account(network, coordinator).balance == 60


@pytest.mark.parametrize(
    "move",
    [
        {"kind": "grant", "to_member": "me", "minutes": 60},
        {"kind": "issue", "to_member": "me", "minutes": 60},
        {"kind": "adjustment", "from": "pot", "to": "me", "minutes": 60},
    ],
)
def test_a_coordinator_cannot_move_minutes_into_their_own_account(api, network, coordinator, second_coordinator, move):
    issue(network, None, 600)
    mine = {key: coordinator.pk if value == "me" else value for key, value in move.items()}
    body = {"network": network.slug, "reason": "my own hours", **mine}
    before = (account(network, coordinator).balance, Transfer.objects.count())
    response = api.as_user(coordinator).post("/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="self-1")
    assert response.status_code == 403, response.content
    assert (account(network, coordinator).balance, Transfer.objects.count()) == before
    # The same move by another coordinator is an ordinary coordinator's step.
    allowed = api.as_user(second_coordinator).post(
        "/api/v1/transfers/", body, format="json", HTTP_IDEMPOTENCY_KEY="other-1"
    )
    assert allowed.status_code == 201, allowed.content
    assert account(network, coordinator).balance == before[0] + 60


def test_a_coordinator_cannot_reverse_minutes_back_into_their_own_account_or_lower_their_own_floor(
    api, network, coordinator, alice
):
    from exchanges.ledger.services import account_floor_set
    from timebank.errors import Forbidden

    issue(network, coordinator, 120)
    gift = api.as_user(coordinator).post(
        "/api/v1/transfers/",
        {"network": network.slug, "kind": "gift", "to_member": alice.pk, "minutes": 60},
        format="json",
        HTTP_IDEMPOTENCY_KEY="gift-1",
    )
    assert gift.status_code == 201
    reversal = api.as_user(coordinator).post(
        "/api/v1/transfers/",
        {"network": network.slug, "kind": "reversal", "transfer": gift.json()["id"], "reason": "changed my mind"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="rev-1",
    )
    assert reversal.status_code == 403, reversal.content
    assert account(network, alice).balance == 60
    with pytest.raises(Forbidden):
        account_floor_set(
            account=account(network, coordinator), actor=coordinator, floor_minutes=-6000, reason="more room"
        )
    assert account(network, coordinator).floor != -6000


def test_a_coordinator_never_gives_a_members_hours_to_themselves(api, network, coordinator, alice):
    issue(network, alice, 600)
    before = (account(network, coordinator).balance, account(network, alice).balance)
    response = api.as_user(coordinator).post(
        "/api/v1/transfers/",
        {
            "network": network.slug,
            "kind": "gift",
            "from": alice.pk,
            "to_member": coordinator.pk,
            "minutes": 300,
            "reason": "x",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="gift-self",
    )
    assert response.status_code == 403, response.content
    assert (account(network, coordinator).balance, account(network, alice).balance) == before


def test_a_coordinator_never_records_an_activity_that_pays_them(api, network, coordinator, second_coordinator):
    issue(network, None, 600)
    body = {
        "network": network.slug,
        "title": "Coffee morning",
        "happened_on": str(timezone.localdate()),
        "minutes": 120,
        "providers": [coordinator.pk],
        "recipients": ["pot"],
    }
    refused = api.as_user(coordinator).post("/api/v1/activities/", body, format="json", HTTP_IDEMPOTENCY_KEY="a-1")
    assert refused.status_code == 400, refused.content
    assert account(network, coordinator).balance == 0
    allowed = api.as_user(second_coordinator).post(
        "/api/v1/activities/", body, format="json", HTTP_IDEMPOTENCY_KEY="a-2"
    )
    assert allowed.status_code == 201, allowed.content
    assert account(network, coordinator).balance == 120


def test_a_coordinator_may_approve_help_they_receive_and_tighten_their_own_floor(network, coordinator, alice):
    from exchanges import services
    from exchanges.ledger.services import account_floor_set

    exchange = Exchange.objects.create(
        network=network, provider=alice, recipient=coordinator, minutes=60, state="awaiting_approval", proposed_by=alice
    )
    services.exchange_approve(actor=coordinator, exchange=exchange, reason="checked the helper")
    exchange.refresh_from_db()
    assert exchange.state == "accepted"
    account_floor_set(account=account(network, coordinator), actor=coordinator, floor_minutes=-60, reason="less room")
    assert account(network, coordinator).floor == -60
