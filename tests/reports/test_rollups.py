"""Roll-ups kept by the ledger service equal a recomputation from the ledger."""

import pytest
from django.core.management import call_command

from exchanges.reports.models import (
    RollupCategorySpan,
    RollupMemberCategory,
    RollupMemberMonth,
    RollupMemberSpan,
    RollupMonthKind,
    RollupPair,
    RollupPairMonth,
)
from exchanges.reports.rollups import rollups_rebuild
from tests.factories import NetworkFactory

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
    return {model.__name__: sorted(model.objects.values_list(*fields)) for model, fields in TABLES.items()}


def test_rollups_kept_by_the_ledger_equal_a_rebuild_from_the_ledger(story):
    kept = snapshot()
    assert kept["RollupMonthKind"]  # the ledger service wrote them
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
