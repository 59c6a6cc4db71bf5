"""The ledger services against the database: holds, leaving, welcome hours, the one transfer service."""

import pytest
from django.core.exceptions import ValidationError

from exchanges.ledger.models import Account, Hold, Transfer
from exchanges.ledger.services import account_settle, hold_release, transfer_create
from exchanges.models import Exchange
from members.models import AuditEvent, Membership
from tests.factories import NetworkFactory, member
from tests.ledger.conftest import account_of, held_for, issuance_of, issue, pot_of
from timebank.errors import Forbidden, InsufficientBalance, InvalidTransition

pytestmark = pytest.mark.django_db


def leave(membership):
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.LEFT)
    membership.refresh_from_db()
    return membership


def test_a_network_has_a_pot_with_floor_zero_and_an_issuance_account(network):
    assert pot_of(network).floor == 0
    assert issuance_of(network).kind == Account.Kind.ISSUANCE


def test_a_new_member_gets_the_networks_welcome_hours_from_issuance(db):
    network = NetworkFactory(welcome_minutes=120)
    account = member(network).account
    assert account.balance == 120
    assert issuance_of(network).balance == -120
    assert Transfer.objects.get(to_account=account).kind == Transfer.Kind.ISSUE


def test_issuance_has_no_floor(network, alice):
    issue(network, account_of(alice, network), 1_000_000)
    assert issuance_of(network).balance == -1_000_000


def test_a_hold_reduces_what_is_available_and_its_release_restores_it(network, alice, bob):
    account = account_of(alice, network)
    exchange, hold = held_for(network, bob, alice, 100)
    account.refresh_from_db()
    assert (account.balance, account.held, account.available) == (0, 100, -100)
    assert hold_release(exchange=exchange, actor=alice) == 100
    account.refresh_from_db()
    hold.refresh_from_db()
    assert account.held == 0 and hold.released_at is not None


def test_a_hold_is_a_row_with_its_audit_events(network, alice, bob):
    exchange, hold = held_for(network, bob, alice, 45)
    assert (hold.account, hold.exchange, hold.minutes, hold.released_at) == (
        account_of(alice, network),
        exchange,
        45,
        None,
    )
    hold_release(exchange=exchange, actor=bob)
    events = AuditEvent.objects.filter(target_type="hold", target_id=hold.pk).order_by("pk")
    assert [(e.action, e.actor, e.data["minutes"]) for e in events] == [
        ("hold.place", bob, 45),
        ("hold.release", bob, 45),
    ]


def test_a_hold_past_the_floor_is_refused(network, alice, bob):
    account = account_of(alice, network)
    with pytest.raises(InsufficientBalance):
        held_for(network, bob, alice, 601)
    account.refresh_from_db()
    assert account.held == 0 and not Hold.objects.exists()


def test_releasing_an_exchange_that_holds_nothing_releases_nothing(network, alice, bob):
    exchange = Exchange.objects.create(network=network, provider=bob, recipient=alice, minutes=5, proposed_by=bob)
    assert hold_release(exchange=exchange) == 0
    assert account_of(alice, network).held == 0


def test_a_hold_is_released_once(network, alice, bob):
    exchange, _ = held_for(network, bob, alice, 30)
    assert hold_release(exchange=exchange) == 30
    assert hold_release(exchange=exchange) == 0
    assert account_of(alice, network).held == 0


def test_paying_an_exchange_releases_its_hold_in_the_same_write(network, alice, bob):
    payer = account_of(alice, network)
    exchange, hold = held_for(network, bob, alice, 600)
    transfer_create(
        network=network,
        from_account=payer,
        to_account=account_of(bob, network),
        minutes=600,
        kind="exchange",
        created_by=alice,
        exchange=exchange,
        release_hold=600,
    )
    payer.refresh_from_db()
    hold.refresh_from_db()
    assert (payer.balance, payer.held) == (-600, 0)
    assert hold.released_at is not None
    assert AuditEvent.objects.filter(action="hold.release", target_id=hold.pk, actor=alice).count() == 1


def test_a_payment_naming_a_hold_the_exchange_does_not_have_is_refused(network, alice, bob):
    payer = account_of(alice, network)
    exchange, _ = held_for(network, bob, alice, 60)
    with pytest.raises(ValidationError):
        transfer_create(
            network=network,
            from_account=payer,
            to_account=account_of(bob, network),
            minutes=60,
            kind="exchange",
            created_by=alice,
            exchange=exchange,
            release_hold=59,
        )
    payer.refresh_from_db()
    assert (payer.balance, payer.held) == (0, 60) and not Transfer.objects.exists()


def test_a_refused_transfer_leaves_the_callers_transaction_usable(network, alice, bob):
    from django.db import transaction

    with transaction.atomic():
        with pytest.raises(InsufficientBalance):
            transfer_create(
                network=network,
                from_account=account_of(alice, network),
                to_account=account_of(bob, network),
                minutes=601,
                kind="exchange",
                created_by=alice,
            )
        # The exchanges service goes on to hand the posting to a coordinator.
        assert Account.objects.filter(pk=account_of(alice, network).pk).exists()


def test_accounts_of_two_networks_cannot_trade(network, other_network, alice):
    with pytest.raises(ValidationError):
        transfer_create(
            network=network,
            from_account=account_of(alice, network),
            to_account=pot_of(other_network),
            minutes=5,
            kind="gift",
            created_by=alice,
        )
    assert Transfer.objects.count() == 0


def test_a_leaving_members_credit_goes_to_the_pot(network, alice):
    issue(network, account_of(alice, network), 90)
    transfer = account_settle(membership=leave(alice.memberships.get()), actor=alice)
    assert (transfer.kind, transfer.minutes) == (Transfer.Kind.DONATION, 90)
    assert (account_of(alice, network).balance, pot_of(network).balance) == (0, 90)


def test_a_leaving_member_can_name_who_gets_their_credit(network, alice, bob):
    issue(network, account_of(alice, network), 90)
    account_settle(membership=leave(alice.memberships.get()), actor=alice, to_member=bob)
    assert account_of(bob, network).balance == 90


def test_a_leaving_members_debt_waits_for_a_coordinator(network, alice, bob):
    transfer_create(
        network=network,
        from_account=account_of(alice, network),
        to_account=account_of(bob, network),
        minutes=120,
        kind="gift",
        created_by=alice,
    )
    assert account_settle(membership=leave(alice.memberships.get()), actor=alice) is None
    assert account_of(alice, network).balance == -120
    assert AuditEvent.objects.filter(action="account.settle_pending").exists()


@pytest.mark.parametrize("source", ["pot", "issuance"])
def test_a_coordinator_settles_a_leavers_debt(network, coordinator, alice, bob, source):
    issue(network, pot_of(network), 500)
    transfer_create(
        network=network,
        from_account=account_of(alice, network),
        to_account=account_of(bob, network),
        minutes=120,
        kind="gift",
        created_by=alice,
    )
    membership = leave(alice.memberships.get())
    transfer = account_settle(membership=membership, actor=coordinator, settle_from=source, reason="Moved away")
    assert transfer.on_behalf_of == alice and transfer.reason == "Moved away"
    assert account_of(alice, network).balance == 0
    assert pot_of(network).balance == (380 if source == "pot" else 500)


def test_an_active_members_account_is_not_settled(network, coordinator, alice):
    with pytest.raises(InvalidTransition):
        account_settle(membership=alice.memberships.get(), actor=coordinator)


def test_another_member_cannot_settle_a_leavers_account(network, alice, bob):
    issue(network, account_of(alice, network), 90)
    with pytest.raises(Forbidden):
        account_settle(membership=leave(alice.memberships.get()), actor=bob, to_member=bob)
    assert account_of(bob, network).balance == 0


def test_the_demo_history_is_written_through_the_services_and_adds_up(network, coordinator):
    from exchanges.ledger.demo import ledger_demo
    from exchanges.ledger.selectors import ledger_verify

    memberships = [member(network) for _ in range(3)]
    ledger_demo(network=network, coordinator=coordinator, memberships=memberships)
    assert pot_of(network).balance == 1260
    assert Transfer.objects.filter(kind="gift").count() == 2
    assert ledger_verify() == []
