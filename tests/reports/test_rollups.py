"""Roll-ups kept by the ledger service equal a recomputation from the ledger."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from exchanges.ledger.models import Account, Transfer, TransferFeed
from exchanges.reports.models import (
    RollupCategorySpan,
    RollupMemberCategory,
    RollupMemberMonth,
    RollupMemberSpan,
    RollupMonthKind,
    RollupPair,
    RollupPairMonth,
)
from exchanges.reports.rollups import rollups_catch_up, rollups_rebuild
from tests.factories import NetworkFactory
from tests.reports.conftest import account, coordinator_transfer

TABLES = {
    RollupMonthKind: ("network_pk", "month", "kind", "category_pk", "minutes", "transfers"),
    RollupMemberMonth: (
        "network_pk", "month", "user_pk", "given_minutes", "received_minutes", "given_count", "received_count",
        "last_exchange_at",
    ),
    RollupMemberCategory: ("network_pk", "month", "category_pk", "user_pk", "exchanges"),
    RollupPair: ("network_pk", "user_low", "user_high", "first_month", "exchanges", "transfers"),
    RollupPairMonth: ("network_pk", "month", "new_pairs"),
    RollupCategorySpan: ("network_pk", "category_pk", "user_pk", "block", "months_mask"),
    RollupMemberSpan: ("network_pk", "block", "user_pk", "gave_mask", "received_mask"),
}  # fmt: skip


def snapshot() -> dict:
    rollups_catch_up()  # what a reader sees: every transfer fed so far taken in
    tables = {model.__name__: sorted(model.objects.values_list(*fields)) for model, fields in TABLES.items()}
    # Month × kind figures are spread over stripes; what counts is their sum per key.
    tables["RollupMonthKind"] = sorted(
        RollupMonthKind.objects.values_list("network_pk", "month", "kind", "category_pk")
        .annotate(Sum("minutes"), Sum("transfers"))
        .order_by()
    )
    return tables


def test_rollups_kept_from_the_ledgers_feed_equal_a_rebuild_from_the_ledger(story):
    assert TransferFeed.objects.count() == Transfer.objects.count()  # one feed row per transfer, not yet read
    assert not RollupMonthKind.objects.exists()  # the ledger never writes reports' tables
    kept = snapshot()
    assert kept["RollupMonthKind"] and not TransferFeed.objects.exists()
    rollups_rebuild()
    assert snapshot() == kept


def test_rebuilding_twice_changes_nothing(story):
    call_command("rebuild_rollups")
    first = snapshot()
    call_command("rebuild_rollups", "harlesden")
    assert snapshot() == first


def test_a_rebuild_repairs_rollups_that_were_lost(story):
    kept = snapshot()
    RollupMonthKind.objects.all().delete()
    RollupPair.objects.filter(exchanges__gt=0).delete()
    call_command("rebuild_rollups", "harlesden")
    assert snapshot() == kept


def test_rebuilding_one_network_leaves_the_others_alone(story):
    other = NetworkFactory(slug="other")
    RollupMonthKind.objects.create(network_pk=other.pk, month="2026-01-01", kind="issue", minutes=5, transfers=1)
    rollups_rebuild(network_pks=[story[0].pk])
    assert RollupMonthKind.objects.filter(network_pk=other.pk).count() == 1


def test_rebuild_refuses_an_unknown_network(db):
    with pytest.raises(SystemExit):
        call_command("rebuild_rollups", "nowhere")


def test_transfers_under_one_key_spread_over_stripes_that_add_up(story):
    network, people = story
    pot = Account.objects.get(network=network, kind=Account.Kind.POT)
    for when in ("2026-03-26T10:00", "2026-03-27T10:00"):
        coordinator_transfer(
            network, kind="grant", frm=pot, to=account(network, people["G"]), minutes=20, when=when, by=people["C"]
        )
    rollups_catch_up()
    rows = RollupMonthKind.objects.filter(network_pk=network.pk, month="2026-03-01", kind="grant")
    # Consecutive transfers write different rows, so concurrent ones do not wait on each other's lock.
    assert sorted(rows.values_list("minutes", "transfers")) == [(20, 1), (20, 1)]
    assert len({stripe for stripe in rows.values_list("stripe", flat=True)}) == 2
    kept = snapshot()
    rollups_rebuild()
    assert rows.get().minutes == 40  # a rebuild folds the stripes into one row
    assert snapshot() == kept


def test_a_transfer_is_taken_in_once_however_often_readers_catch_up(story):
    kept = snapshot()
    assert rollups_catch_up() == 0
    network, people = story
    pot = Account.objects.get(network=network, kind=Account.Kind.POT)
    coordinator_transfer(
        network,
        kind="grant",
        frm=pot,
        to=account(network, people["G"]),
        minutes=7,
        when="2026-03-28T10:00",
        by=people["C"],
    )
    assert rollups_catch_up(network_pks=[network.pk]) == 1
    assert rollups_catch_up() == 0
    rollups_rebuild()
    after = snapshot()
    assert after != kept and rollups_catch_up() == 0


def test_a_rebuild_takes_in_what_was_fed_so_later_catch_ups_add_nothing(story):
    assert TransferFeed.objects.exists()
    rollups_rebuild()
    assert not TransferFeed.objects.exists()
    rebuilt = snapshot()
    rollups_rebuild()
    assert snapshot() == rebuilt
