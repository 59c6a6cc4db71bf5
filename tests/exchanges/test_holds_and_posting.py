"""Holds (placed, released, respected), posting through the ledger service, the pot as a party,
supported members acting through others, and the trail every step leaves."""

from unittest import mock

import pytest

from exchanges import services
from exchanges.ledger.models import Transfer
from exchanges.models import Exchange
from members.models import AuditEvent, Network
from messaging.notifications.models import Notification
from tests.exchanges.conftest import account, issue, ledger_problems
from tests.exchanges.helpers import accepted, claimed, proposed
from tests.factories import member
from timebank.errors import Forbidden, InsufficientBalance

pytestmark = pytest.mark.django_db


def test_accepting_is_refused_when_the_hold_would_cross_the_recipients_floor(network, alice, bob):
    exchange = proposed(network, bob, alice, 601, actor=alice)  # the floor is -600
    with pytest.raises(InsufficientBalance):
        services.exchange_accept(actor=bob, exchange=exchange)
    exchange.refresh_from_db()
    assert exchange.state == "proposed" and exchange.held_minutes == 0
    assert account(network, alice).held == 0


def test_holds_add_up_and_the_next_accept_that_would_cross_the_floor_is_refused(api, network, alice, bob):
    accepted(network, bob, alice, 400)
    second = proposed(network, bob, alice, 300, actor=alice)
    response = api.as_user(bob).post(f"/api/v1/exchanges/{second.pk}/accept/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_balance"
    assert account(network, alice).held == 400


def test_help_that_was_held_for_can_always_be_paid(network, alice, bob):
    exchange = accepted(network, bob, alice, 600)
    carol = member(network).user
    # Other help Alice confirms cannot eat into what is held: it waits for a coordinator instead.
    other = services.exchange_record(actor=carol, network=network, provider=carol, recipient=alice, minutes=1)
    other = services.exchange_confirm(actor=alice, exchange=other)
    assert other.state == "claimed" and other.needs_coordinator
    exchange = services.exchange_complete(actor=bob, exchange=exchange, minutes=600)
    exchange = services.exchange_confirm(actor=alice, exchange=exchange)
    assert exchange.state == "posted"
    assert account(network, alice).balance == -600 and account(network, alice).held == 0
    assert ledger_problems(network) == []


def test_posting_goes_through_the_ledger_service(network, alice, bob):
    exchange = claimed(network, bob, alice, 60)
    from exchanges.ledger import services as ledger

    with mock.patch("exchanges.lifecycle.settle.transfer_create", wraps=ledger.transfer_create) as spy:
        services.exchange_confirm(actor=alice, exchange=exchange)
    assert spy.call_count == 1
    kwargs = spy.call_args.kwargs
    assert kwargs["kind"] == "exchange" and kwargs["minutes"] == 60 and kwargs["release_hold"] == 60
    assert kwargs["exchange"].pk == exchange.pk


def test_a_claim_above_the_hold_that_would_cross_the_floor_goes_to_the_coordinator(network, coordinator, alice, bob):
    exchange = accepted(network, bob, alice, 500)
    exchange = services.exchange_complete(actor=bob, exchange=exchange, minutes=700)
    exchange = services.exchange_confirm(actor=alice, exchange=exchange)
    assert exchange.state == "claimed" and exchange.needs_coordinator
    assert not Transfer.objects.filter(exchange=exchange).exists()
    assert account(network, alice).held == 500
    assert Notification.objects.filter(user=coordinator, kind="exchange.needs_coordinator").exists()
    # The coordinator settles it, e.g. by posting what fits.
    exchange = services.exchange_resolve(actor=coordinator, exchange=exchange, minutes=600, reason="Up to the limit")
    assert exchange.state == "posted" and account(network, alice).balance == -600
    assert ledger_problems(network) == []


def test_a_claim_above_the_hold_that_fits_is_paid_in_full(network, alice, bob):
    exchange = claimed(network, bob, alice, 60, claim=90)
    exchange = services.exchange_confirm(actor=alice, exchange=exchange)
    assert exchange.state == "posted" and Transfer.objects.get(exchange=exchange).minutes == 90
    assert account(network, alice).balance == -90 and account(network, alice).held == 0


def test_the_pot_pays_for_help_to_the_community(network, coordinator, alice):
    issue(network, None, 300)
    exchange = services.exchange_propose(
        actor=alice, network=network, provider=alice, recipient=None, minutes=120, description="Coffee morning"
    )
    exchange = services.exchange_accept(actor=coordinator, exchange=exchange)
    assert account(network).held == 120
    exchange = services.exchange_complete(actor=alice, exchange=exchange, minutes=120)
    exchange = services.exchange_confirm(actor=coordinator, exchange=exchange)
    assert exchange.state == "posted"
    assert account(network).balance == 180 and account(network, alice).balance == 120
    assert ledger_problems(network) == []


def test_the_pot_cannot_promise_minutes_it_does_not_have(network, coordinator, alice):
    exchange = services.exchange_propose(actor=alice, network=network, provider=alice, recipient=None, minutes=60)
    with pytest.raises(InsufficientBalance):
        services.exchange_accept(actor=coordinator, exchange=exchange)


def test_the_pot_can_receive_so_a_member_is_not_charged_for_support(api, network, coordinator, alice):
    body = {"network": network.slug, "provider": "pot", "recipient": alice.pk, "minutes": 60}
    response = api.as_user(alice).post("/api/v1/exchanges/", body, format="json")
    assert response.status_code == 201 and response.json()["provider"] == "pot"
    exchange = Exchange.objects.get()
    exchange = services.exchange_accept(actor=coordinator, exchange=exchange)
    exchange = services.exchange_complete(actor=coordinator, exchange=exchange, minutes=60)
    exchange = services.exchange_confirm(actor=alice, exchange=exchange)
    assert account(network).balance == 60 and account(network, alice).balance == -60


def test_only_a_coordinator_acts_for_the_pot(network, alice, bob):
    exchange = services.exchange_propose(actor=alice, network=network, provider=alice, recipient=None, minutes=60)
    with pytest.raises(Forbidden):
        services.exchange_accept(actor=bob, exchange=exchange)


def test_a_supporter_accepts_for_the_member_they_support_and_the_record_says_so(network, alice, dora, sam):
    exchange = proposed(network, alice, dora, 60, actor=alice)
    services.exchange_accept(actor=sam, exchange=exchange)
    event = AuditEvent.objects.get(action="exchange.accept")
    assert event.actor == sam and event.on_behalf_of == dora


def test_a_coordinator_confirms_for_a_supported_member_and_the_transfer_says_so(network, coordinator, alice, dora):
    exchange = services.exchange_propose(actor=coordinator, network=network, provider=alice, recipient=dora, minutes=60)
    exchange = services.exchange_accept(actor=alice, exchange=exchange)
    exchange = services.exchange_complete(actor=alice, exchange=exchange, minutes=60)
    services.exchange_confirm(actor=coordinator, exchange=exchange)
    transfer = Transfer.objects.get(exchange=exchange)
    assert transfer.created_by == coordinator and transfer.on_behalf_of == dora


def test_a_supporter_cannot_act_for_a_member_they_do_not_support(network, alice, bob, sam):
    exchange = proposed(network, alice, bob, actor=alice)
    with pytest.raises(Forbidden):
        services.exchange_accept(actor=sam, exchange=exchange)


def test_a_supporter_sees_the_exchanges_of_the_member_they_support(api, network, alice, dora, sam):
    exchange = proposed(network, alice, dora, actor=alice)
    response = api.as_user(sam).get("/api/v1/exchanges/")
    assert [e["id"] for e in response.json()["results"]] == [exchange.pk]
    assert response.json()["results"][0]["actions"] == ["accept", "decline", "cancel"]


def test_every_step_is_audited_and_tells_the_other_party(network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    assert Notification.objects.filter(user=bob, kind="exchange.proposed").count() == 1
    services.exchange_accept(actor=bob, exchange=exchange)
    assert Notification.objects.filter(user=alice, kind="exchange.accepted").count() == 1
    services.exchange_complete(actor=bob, exchange=exchange, minutes=60)
    assert Notification.objects.filter(user=alice, kind="exchange.claimed").count() == 1
    services.exchange_confirm(actor=alice, exchange=exchange)
    assert Notification.objects.filter(user=bob, kind="exchange.posted").count() == 1
    actions = list(AuditEvent.objects.filter(target_type="exchange").order_by("pk").values_list("action", flat=True))
    assert actions == ["exchange.propose", "exchange.accept", "exchange.complete", "exchange.confirm"]
    assert not Notification.objects.filter(user=alice, kind__in=["exchange.proposed", "exchange.posted"]).exists()


def test_both_parties_get_a_live_update_when_the_step_commits(network, alice, bob, django_capture_on_commit_callbacks):
    exchange = proposed(network, bob, alice, actor=alice)
    with mock.patch("exchanges.lifecycle.common.push_to_user") as push:
        with django_capture_on_commit_callbacks(execute=True):
            services.exchange_accept(actor=bob, exchange=exchange)
    pushed = {call.args[0]: call.args[1] for call in push.call_args_list}
    assert set(pushed) == {alice.pk, bob.pk}
    assert pushed[alice.pk]["type"] == "exchange.updated"
    assert pushed[alice.pk]["exchange"]["state"] == "accepted"


def test_a_sensitive_skill_needs_approval_in_a_network_that_asks_for_it(network, alice, bob, skills):
    from exchanges.listings import listing_create

    assert network.approval == Network.Approval.SENSITIVE
    skill = skills["lifts"]
    listing = listing_create(actor=bob, network=network, kind="offer", title="Lifts", skills=[skill])
    exchange = services.exchange_propose(
        actor=alice, network=network, provider=bob, recipient=alice, minutes=60, listing=listing
    )
    assert services.exchange_accept(actor=bob, exchange=exchange).state == "awaiting_approval"
    plain = proposed(network, bob, alice, actor=alice)
    assert services.exchange_accept(actor=bob, exchange=plain).state == "accepted"


def test_no_exchange_code_moves_minutes_except_through_the_ledger_service():
    from pathlib import Path

    import exchanges

    root = Path(exchanges.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "ledger" not in path.parts
        and "migrations" not in path.parts
        and any(word in path.read_text() for word in ("balance=F(", "held=F(", "Transfer.objects.create"))
    ]
    assert offenders == []


def test_one_coordinator_answering_for_the_pot_answers_for_them_all(network, coordinator, alice):
    """Every coordinator is asked to confirm help to the pot; once one has, it leaves what needs the others."""
    from messaging.notifications.models import Notification
    from tests.factories import member

    other = member(network, role="coordinator").user
    issue(network, None, 300)
    exchange = services.exchange_propose(
        actor=alice, network=network, provider=alice, recipient=None, minutes=60, description="Coffee morning"
    )
    exchange = services.exchange_accept(actor=coordinator, exchange=exchange)
    exchange = services.exchange_complete(actor=alice, exchange=exchange, minutes=60)
    url = f"/exchanges/{exchange.pk}/"
    assert Notification.objects.filter(user=other, url=url, read_at__isnull=True).exists()
    services.exchange_confirm(actor=coordinator, exchange=exchange)
    assert not Notification.objects.filter(user__in=[coordinator, other], url=url, read_at__isnull=True).exists()
    # Alice did not act on the confirmation: she is told it was confirmed.
    assert Notification.objects.filter(user=alice, url=url, read_at__isnull=True).exists()
