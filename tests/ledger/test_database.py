"""The database itself enforces the ledger, whatever the ORM does."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from exchanges.ledger.models import Account, Hold, Transfer
from exchanges.ledger.selectors import ledger_verify
from exchanges.models import Exchange
from tests.factories import member
from tests.ledger.conftest import account_of, held_for, issue, pot_of


@pytest.mark.django_db
def test_an_update_that_breaks_the_floor_raises_integrity_error(network, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account_of(alice, network).pk).update(balance=-601)


@pytest.mark.django_db
def test_a_pot_below_zero_raises_integrity_error(network):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=pot_of(network).pk).update(balance=-1)


@pytest.mark.django_db
def test_a_transfer_of_zero_minutes_raises_integrity_error(network, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            network=network, from_account=pot_of(network), to_account=account_of(alice, network), minutes=0, kind="gift"
        )


@pytest.mark.django_db
def test_a_transfer_cannot_be_saved_again_or_deleted_through_the_orm(network, alice):
    transfer = issue(network, account_of(alice, network), 10)
    with pytest.raises(ValueError):
        transfer.save()
    with pytest.raises(ValueError):
        transfer.delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE exchanges_transfer SET minutes = 1 WHERE id = %s", "DELETE FROM exchanges_transfer WHERE id = %s"],
)
def test_the_database_refuses_to_change_or_delete_a_transfer(network, alice, statement):
    transfer = issue(network, account_of(alice, network), 10)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [transfer.pk])
    assert Transfer.objects.get(pk=transfer.pk).minutes == 10


@pytest.mark.django_db
def test_the_database_refuses_a_transfer_to_an_account_of_another_network(network, other_network, alice):
    stranger = member(other_network).account
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            network=network, from_account=account_of(alice, network), to_account=stranger, minutes=5, kind="gift"
        )
    assert not Transfer.objects.filter(to_account=stranger).exists()


@pytest.mark.django_db
def test_the_database_refuses_a_transfer_filed_under_another_network_than_its_accounts(network, other_network, alice):
    """Both accounts in one network, the row in another: the keys compare the row's own network."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            network=other_network,
            from_account=pot_of(network),
            to_account=account_of(alice, network),
            minutes=5,
            kind="grant",
        )
    assert not Transfer.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_a_hold_on_an_account_of_another_network(network, other_network, alice, bob):
    from exchanges.ledger.models import Hold

    exchange = Exchange.objects.create(network=network, provider=bob, recipient=alice, minutes=5, proposed_by=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hold.objects.create(network=network, account=member(other_network).account, exchange=exchange, minutes=5)
    assert not Hold.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_to_move_an_account_with_transfers_to_another_network(network, other_network, alice):
    account = account_of(alice, network)
    issue(network, account, 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(network=other_network)
    assert Account.objects.get(pk=account.pk).network_id == network.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE exchanges_hold SET minutes = 1 WHERE id = %s",
        "UPDATE exchanges_hold SET released_at = NULL WHERE id = %s",
        "DELETE FROM exchanges_hold WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_a_hold_except_by_releasing_it_once(network, alice, bob, statement):
    from exchanges.ledger.services import hold_release

    exchange, hold = held_for(network, bob, alice, 30)
    if "released_at" in statement:
        hold_release(exchange=exchange)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [hold.pk])
    assert Hold.objects.filter(pk=hold.pk, minutes=30).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("column", ["balance", "held"])
def test_the_database_refuses_to_commit_a_balance_or_hold_changed_without_its_rows(network, alice, column):
    account = account_of(alice, network)
    issue(network, account, 10)
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE exchanges_account SET {column} = {column} + 7 WHERE id = %s", [account.pk])
    account.refresh_from_db()
    assert (account.balance, account.held) == (10, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_commit_a_transfer_that_moved_no_balance(network, alice):
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        Transfer.objects.create(
            network=network,
            from_account=pot_of(network),
            to_account=account_of(alice, network),
            minutes=5,
            kind="grant",
        )
    assert not Transfer.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_balance_moved_and_explained_by_hand_in_one_transaction_commits(network, alice):
    """The check is on the whole transaction: the statements may come in any order."""
    payer, payee = pot_of(network), account_of(alice, network)
    issue(network, payer, 50)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE exchanges_account SET balance = balance - 5 WHERE id = %s", [payer.pk])
        cursor.execute("UPDATE exchanges_account SET balance = balance + 5 WHERE id = %s", [payee.pk])
        Transfer.objects.create(network=network, from_account=payer, to_account=payee, minutes=5, kind="grant")
    assert ledger_verify() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_to_a_savepoint_leaves_nothing_to_explain(network, alice):
    account = account_of(alice, network)
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE exchanges_account SET balance = balance + 7 WHERE id = %s", [account.pk])
            raise RuntimeError("changed my mind")
        issue(network, account, 3)
    account.refresh_from_db()
    assert account.balance == 3


@pytest.mark.django_db
def test_verify_ledger_passes_on_a_sound_ledger(network, alice, capsys):
    issue(network, account_of(alice, network), 10)
    call_command("verify_ledger")
    assert "adds up" in capsys.readouterr().out


@pytest.mark.django_db
def test_verify_ledger_fails_on_a_balance_corrupted_behind_the_orms_back(network, alice, capsys):
    account = account_of(alice, network)
    issue(network, account, 10)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE exchanges_account SET balance = balance + 7 WHERE id = %s", [account.pk])
    with pytest.raises(CommandError):
        call_command("verify_ledger")
    err = capsys.readouterr().err
    assert f"account {account.pk}: balance 17 but its transfers sum to 10" in err
    assert f"network {network.pk}: accounts sum to 7, not 0" in err
    with connection.cursor() as cursor:
        # Put back before the test's end, where PostgreSQL would refuse the unexplained change.
        cursor.execute("UPDATE exchanges_account SET balance = balance - 7 WHERE id = %s", [account.pk])


@pytest.mark.django_db
def test_verify_ledger_names_held_minutes_with_no_open_hold(network, alice):
    account = account_of(alice, network)
    Account.objects.filter(pk=account.pk).update(held=30)
    assert ledger_verify() == [f"account {account.pk}: held 30 but its open holds sum to 0"]
    Account.objects.filter(pk=account.pk).update(held=0)


@pytest.mark.django_db
def test_verify_ledger_counts_open_holds(network, alice, bob):
    held_for(network, bob, alice, 30)
    assert ledger_verify() == []


@pytest.mark.django_db
def test_verify_ledger_names_an_exchange_whose_held_minutes_differ_from_its_hold(network, alice, bob):
    exchange, _ = held_for(network, bob, alice, 30)
    Exchange.objects.filter(pk=exchange.pk).update(held_minutes=20)
    assert ledger_verify() == [f"exchange {exchange.pk}: holds 20 minutes but its open hold is 30"]


@pytest.mark.django_db
def test_an_exchange_cannot_be_paid_twice(network, alice, bob):
    from exchanges.ledger.services import transfer_create
    from exchanges.models import Exchange

    exchange = Exchange.objects.create(
        network=network, provider=bob, recipient=alice, minutes=30, state="posted", proposed_by=bob
    )
    pay = {
        "network": network,
        "from_account": account_of(alice, network),
        "to_account": account_of(bob, network),
        "minutes": 30,
        "kind": "exchange",
        "created_by": bob,
        "exchange": exchange,
    }
    transfer_create(**pay)
    with pytest.raises(IntegrityError), transaction.atomic():
        transfer_create(**pay)
    assert account_of(bob, network).balance == 30
    assert Transfer.objects.filter(exchange=exchange).count() == 1
