"""Upgrading a database from before holds were rows: the holds of open exchanges are recorded as rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("exchanges", "0011_reports_month_kind_stripes")]
AFTER = [("exchanges", "0014_ledger_invariants")]


@pytest.fixture
def back_to_latest():
    """Whatever happens, the test database ends at the latest schema for the tests after this one."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_upgrading_records_a_hold_row_for_each_exchange_that_holds_minutes(back_to_latest):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # The people tables as migrating the ledger back left them: the latest members migration still applied
    # (later ones that depend on the ledger's own are unapplied with it).
    executor = MigrationExecutor(connection)
    applied = [key for key in executor.loader.applied_migrations if key[0] == "members"]
    members = [max(applied, key=lambda key: len(executor.loader.graph.forwards_plan(key)))]
    old = executor.loader.project_state(BEFORE + members).apps
    Network, User = old.get_model("members", "Network"), old.get_model("members", "User")
    Membership, Account = old.get_model("members", "Membership"), old.get_model("exchanges", "Account")
    Exchange = old.get_model("exchanges", "Exchange")
    network = Network.objects.create(slug="upgrade", name="Upgrade")
    pot = Account.objects.create(network=network, kind="pot")
    people, accounts = [], []
    for n in range(2):
        user = User.objects.create(email=f"upgrade{n}@example.org")
        membership = Membership.objects.create(network=network, user=user, status="active")
        people.append(user)
        accounts.append(Account.objects.create(network=network, kind="member", membership=membership, floor=-600))
    Account.objects.filter(pk=accounts[1].pk).update(held=40)
    Account.objects.filter(pk=pot.pk).update(balance=100, held=25)
    Account.objects.create(network=network, kind="issuance", balance=-100)

    def exchange(**fields):
        return Exchange.objects.create(network=network, provider=people[0], proposed_by=people[0], **fields)

    held = exchange(recipient=people[1], minutes=40, held_minutes=40, state="accepted")
    from_pot = exchange(recipient=None, minutes=25, held_minutes=25, state="claimed")
    exchange(recipient=people[1], minutes=30, held_minutes=0, state="posted")
    exchange(recipient=people[1], minutes=15, held_minutes=0, state="proposed")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Hold, AuditEvent = new.get_model("exchanges", "Hold"), new.get_model("members", "AuditEvent")
    holds = {
        (h.exchange_id, h.account_id, h.minutes, h.released_at) for h in Hold.objects.filter(network_id=network.pk)
    }
    assert holds == {(held.pk, accounts[1].pk, 40, None), (from_pot.pk, pot.pk, 25, None)}
    assert AuditEvent.objects.filter(action="hold.place", network_id=network.pk).count() == 2

    from exchanges.ledger.selectors import ledger_verify
    from members.models import Network as CurrentNetwork

    # The current models read the current schema: upgrade the rest of the way first.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # Balances were set by hand above; the holds are what this upgrade is about.
    problems = ledger_verify(network=CurrentNetwork.objects.get(pk=network.pk))
    assert not [p for p in problems if "held" in p or "hold" in p], problems
