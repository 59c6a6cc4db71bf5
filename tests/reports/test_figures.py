"""Each figure against a hand count of the `story` fixture (conftest.py), January–March 2026.

Exchange transfers: A→B 60 (Jan, category X, request L1), B→A 90 (Jan, Y), D→pot 30 (Jan), D→E 45
(Feb, X), A→B 60 (Feb, reversed in full in March), E→F 30 (Mar), coordinator C→G 30 (Mar).
Also: 600 issued to the pot, 120 issued to E, A donates 30, the pot grants F 60, B gives D 15.
"""

import pytest

from exchanges.reports.periods import period_parse
from exchanges.reports.selectors import COORDINATOR, report_network_for


@pytest.fixture
def full(story):
    network, people = story
    period = period_parse(start="2026-01", end="2026-03")
    return report_network_for(network=network, role=COORDINATOR, period=period), people


def test_hours_and_exchanges_count_exchange_transfers_net_of_reversals(full):
    report, _ = full
    assert report["totals"]["hours_exchanged"] == 4.75  # 60+90+30+45+0+30+30 minutes
    assert report["totals"]["exchanges"] == 6


def test_pot_and_coordinator_flows_are_reported_separately(full):
    totals = full[0]["totals"]
    assert totals["hours_issued"] == 12.0
    assert totals["hours_donated"] == 0.5
    assert totals["hours_granted"] == 1.0
    assert totals["hours_gifted"] == 0.25


def test_hours_by_month_book_a_reversal_against_the_month_it_corrects(full):
    rows = [(r["month"], r["hours_exchanged"], r["exchanges"], r["active_members"]) for r in full[0]["by_month"]]
    assert rows == [("2026-01", 3.0, 3, 3), ("2026-02", 0.75, 1, 2), ("2026-03", 1.0, 2, 4)]


def test_hours_by_category_use_the_listing_skill_category(full):
    rows = {r["category"]: (r["hours_exchanged"], r["exchanges"], r["members"]) for r in full[0]["by_category"]}
    uncategorised = rows.pop("uncategorised")
    assert uncategorised == (1.5, 3, 5)
    assert sorted(rows.values()) == [(1.5, 1, 2), (1.75, 2, 4)]


def test_members_registered_active_new_and_retained(full):
    totals = full[0]["totals"]
    assert totals["registered_members"] == 7  # six members and the coordinator; not the commissioner
    assert totals["active_members"] == 7
    assert totals["new_members"] == 3
    assert [r["new_members"] for r in full[0]["by_month"]] == [1, 1, 1]
    assert totals["retention"] == 1.0


def test_reciprocity_and_give_receive_bands(full):
    totals = full[0]["totals"]
    assert totals["give_receive_bands"] == {"gave_and_received": 3, "gave_only": 2, "received_only": 2}
    assert totals["reciprocity"] == 0.429
    assert [r["reciprocity"] for r in full[0]["by_month"]] == [0.667, 0.0, 0.0]


def test_connections_and_density(full):
    report = full[0]
    assert report["totals"]["new_connections"] == 4
    assert [r["new_connections"] for r in report["by_month"]] == [1, 1, 2]
    assert report["totals"]["network_density"] == 0.19  # 4 pairs of 21 possible


def test_members_with_no_exchange_for_30_and_90_days(full):
    report, people = full
    assert report["totals"]["no_exchange_30_days"] == 3
    assert report["totals"]["no_exchange_90_days"] == 0
    names = {row["display_name"] for row in report["no_exchange_members"]}
    assert names == {"Member A", "Member B", "Member D"}


def test_requests_met_unmet_and_median_days_to_agreement(full):
    totals = full[0]["totals"]
    assert (totals["requests"], totals["requests_met"], totals["requests_unmet"]) == (2, 1, 1)
    assert totals["median_days_to_accept"] == 7.0


def test_value_is_exchange_hours_times_the_rate_with_a_caveat(full):
    totals = full[0]["totals"]
    assert totals["value_pounds"] == 71.25
    assert totals["hourly_value_pounds"] == 15.0
    assert "proxy" in totals["value_caveat"]


def test_reach_counts_only_consenting_members_and_merges_rare_values(full):
    reach = full[0]["reach"]
    assert reach["consenting"] == 5
    assert reach["age_band"] == {"25_49": 5}
    assert reach["disability"] == {"other": 5}  # "no" (4) and "yes" (1) are both under k=5
    assert reach["ward"] == {"harlesden": 5}


def test_a_shorter_range_counts_only_its_own_months(story):
    network, _ = story
    report = report_network_for(network=network, role=COORDINATOR, period=period_parse(start="2026-02", end="2026-02"))
    assert report["totals"]["hours_exchanged"] == 0.75
    assert report["totals"]["active_members"] == 2
    assert report["totals"]["new_connections"] == 1


def test_value_is_worked_out_from_all_the_minutes_not_row_by_row(db):
    from decimal import Decimal

    from exchanges.reports.models import RollupMonthKind
    from tests.factories import NetworkFactory

    network = NetworkFactory(slug="pennies", hourly_value_pounds=Decimal("12.50"))
    # 9 minutes at £12.50 an hour is £1.875, so £1.88; valued month by month, 1 + 8 minutes came to £1.87.
    for month, stripe, minutes in [("2026-01-01", 0, 1), ("2026-02-01", 3, 8)]:
        RollupMonthKind.objects.create(
            network_pk=network.pk, month=month, kind="exchange", stripe=stripe, minutes=minutes, transfers=1
        )
    report = report_network_for(network=network, role=COORDINATOR, period=period_parse(start="2026-01", end="2026-02"))
    assert report["totals"]["value_pounds"] == 1.88
    assert report["totals"]["exchanges"] == 2
