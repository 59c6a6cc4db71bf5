"""Property: for random networks and month ranges, the commissioner's JSON publishes no count of
1..k−1 people, no difference of published cells that does, and no name, email or id."""

import json
import random

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchanges.ledger.services import network_accounts_open, transfer_create
from exchanges.models import Listing
from exchanges.reports.periods import period_parse
from exchanges.reports.selectors import COMMISSIONER, report_funded_for, report_network_for
from members.models import Membership, Skill, SkillCategory
from tests.factories import NetworkFactory, UserFactory, member
from tests.reports.conftest import at, exchange_posted

MONTHS = ["2025-06", "2025-07", "2025-08", "2025-09"]
PEOPLE_CELLS = [
    "registered_members", "active_members", "new_members", "new_connections", "no_exchange_30_days",
    "no_exchange_90_days", "requests", "requests_met", "requests_unmet",
]  # fmt: skip


def _counts(report: dict) -> list[tuple[str, int | None]]:
    t = report["totals"]
    out = [(f"totals.{p}", t[p]) for p in PEOPLE_CELLS]
    out += [(f"bands.{b}", v) for b, v in t["give_receive_bands"].items()]
    for row in report["by_month"]:
        out += [(f"{row['month']}.{p}", row[p]) for p in ("active_members", "new_members", "new_connections")]
    out += [(f"{row['category']}.members", row["members"]) for row in report["by_category"]]
    out.append(("reach.consenting", report["reach"]["consenting"]))
    for field in ("age_band", "disability", "ward"):
        out += [(f"reach.{field}.{key}", v) for key, v in report["reach"][field].items()]
    out.append(("wellbeing.respondents", report["wellbeing"]["respondents"]))
    return out


def _differences(report: dict) -> list[int]:
    """Every total minus the published cells that add up to it (when the total is published)."""
    t, reach = report["totals"], report["reach"]
    families = [
        (t["registered_members"], [t["active_members"]]),
        (t["active_members"], list(t["give_receive_bands"].values())),
        (t["new_members"], [r["new_members"] for r in report["by_month"]]),
        (t["new_connections"], [r["new_connections"] for r in report["by_month"]]),
        (t["requests"], [t["requests_met"], t["requests_unmet"]]),
        (t["no_exchange_30_days"], [t["no_exchange_90_days"]]),
        (t["registered_members"], [t["no_exchange_30_days"]]),
        (t["registered_members"], [reach["consenting"]]),
    ]
    families += [(reach["consenting"], list(reach[f].values())) for f in ("age_band", "disability", "ward")]
    return [parent - sum(c for c in children if c is not None) for parent, children in families if parent is not None]


def _single_hidden_amounts(report: dict) -> list[str]:
    """A published total with exactly one suppressed row would give that row's hours away."""
    problems = []
    for key in ("hours_exchanged", "exchanges"):
        if report["totals"][key] is None:
            continue
        for section in ("by_month", "by_category"):
            if sum(1 for row in report[section] if row[key] is None) == 1:
                problems.append(f"{section}.{key}")
    return problems


def _no_identity(report: dict, people) -> None:
    text = json.dumps(report)
    for person in people:
        assert person.email not in text
        assert person.display_name not in text

    def keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert not {"id", "user", "member", "email", "display_name", "no_exchange_members"} & set(keys(report))


def _build(seed: int, n_members: int, n_exchanges: int, k: int):
    rng = random.Random(seed)
    with at("2025-05-01T09:00"):
        network = NetworkFactory(slug=f"net-{seed}", member_floor_minutes=-100000, k=k)
        commissioner = UserFactory(display_name=f"Funder {seed}")
        member(network, role=Membership.Role.COMMISSIONER, user=commissioner)
        pot, issuance = network_accounts_open(network=network)
        transfer_create(
            network=network, from_account=issuance, to_account=pot, minutes=100_000, kind="issue", created_by=None
        )
    categories = [SkillCategory.objects.create(slug=f"c{seed}-{i}", name=f"Cat {seed} {i}") for i in range(3)]
    skills = [Skill.objects.create(slug=f"s{seed}-{i}", name=f"S{i}", category=c) for i, c in enumerate(categories)]
    people, joined = [], {}
    for i in range(n_members):
        month = rng.choice(["2025-05", *MONTHS])
        with at(f"{month}-0{rng.randint(1, 9)}T09:00"):
            user = UserFactory(display_name=f"Neighbour {seed}-{i}")
            member(network, user=user, reach_consent=rng.random() < 0.7, ward=rng.choice(["north", "south"]))
            people.append(user)
            joined[user] = month
    listings = []
    for i in range(4):
        with at(f"{rng.choice(MONTHS)}-02T09:00"):
            listing = Listing.objects.create(
                network=network, owner=rng.choice(people), kind=rng.choice(["offer", "request"]), title=f"L{i}"
            )
            if i < 3:
                listing.skills.add(skills[i])
            listings.append(listing)
    for _ in range(n_exchanges):
        month = rng.choice(MONTHS)
        present = [p for p in people if joined[p] <= month]
        if not present:
            continue
        provider, recipient = rng.sample([*present, None], 2)
        exchange_posted(
            network,
            provider=provider,
            recipient=recipient,
            minutes=rng.choice([15, 30, 60, 90]),
            listing=rng.choice([*listings, None]),
            when=f"{month}-{rng.randint(10, 28)}T10:00",
        )
    return network, commissioner, people


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    n_members=st.integers(2, 9),
    n_exchanges=st.integers(0, 14),
    k=st.sampled_from([3, 5]),
    first=st.integers(0, 3),
    length=st.integers(1, 4),
)
def test_commissioner_reports_never_reveal_a_small_count_or_a_person(
    db, fast_passwords, seed, n_members, n_exchanges, k, first, length
):
    with transaction.atomic():
        network, _, people = _build(seed, n_members, n_exchanges, k)
        period = period_parse(start=MONTHS[first], end=MONTHS[min(first + length, 4) - 1])
        for report in (
            report_network_for(network=network, role=COMMISSIONER, period=period),
            report_funded_for(networks=[network], period=period),
        ):
            for path, value in _counts(report):
                assert value is None or value == 0 or value >= k, (path, value)
            for difference in _differences(report):
                assert difference == 0 or difference >= k, difference
            assert _single_hidden_amounts(report) == []
            for row in report["by_month"]:
                if row["active_members"] is None:
                    assert row["hours_exchanged"] is None
            _no_identity(report, people)
        transaction.set_rollback(True)
