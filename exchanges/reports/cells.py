"""The cells of a report document for suppression: which figures count people, which families of
cells add up to a total (and what part of it is never published), and what goes with what."""

from exchanges.reports.suppression import Cells, Family

REACH_FIELDS = ("age_band", "disability", "ward")


def report_cells(document: dict, *, per_month: dict, months: list, hidden: dict) -> Cells:
    t = document["totals"]
    c = Cells()
    for key, value in t.items():
        if key != "give_receive_bands":
            c.add(f"totals.{key}", value)
    people = [
        "registered_members",
        "active_members",
        "new_members",
        "new_connections",
        "no_exchange_30_days",
        "no_exchange_90_days",
        "requests",
        "requests_met",
        "requests_unmet",
    ]
    c.people |= {f"totals.{p}" for p in people}
    bands = [f"totals.give_receive_bands.{b}" for b in t["give_receive_bands"]]
    for path, value in zip(bands, t["give_receive_bands"].values(), strict=True):
        c.add(path, value, person_count=True)
    for name, value in hidden.items():
        c.add(f"_{name}", value, person_count=True)

    inactive = max(t["registered_members"] - hidden["active_registered"], 0)
    c.families += [
        Family("totals.registered_members", ("totals.active_members",), hidden=inactive),
        Family("totals.active_members", tuple(bands)),
        Family("totals.requests", ("totals.requests_met", "totals.requests_unmet")),
        Family(
            "totals.no_exchange_30_days",
            ("totals.no_exchange_90_days",),
            hidden=t["no_exchange_30_days"] - t["no_exchange_90_days"],
        ),
        Family(
            "totals.registered_members",
            ("totals.no_exchange_30_days",),
            hidden=t["registered_members"] - t["no_exchange_30_days"],
        ),
        Family("_at_start", ("_retained",), hidden=hidden["at_start"] - hidden["retained"]),
    ]
    # Amounts about the people a count counts (their hours) go when that count is small; figures that
    # reveal another (pounds from hours, ratios) go whenever it goes, even only as a complement.
    c.about("totals.hours_exchanged", "totals.active_members")
    c.about("totals.exchanges", "totals.active_members")
    c.depend("totals.value_pounds", "totals.hours_exchanged")
    c.depend("totals.reciprocity", "totals.active_members", bands[0])
    c.depend("totals.retention", "_at_start", "_retained")
    c.depend("totals.network_density", "_pairs", "totals.registered_members")
    c.about("totals.median_days_to_accept", "totals.requests_met")
    c.about("totals.hours_donated", "_donors")
    c.about("totals.hours_granted", "_grantees")
    c.about("totals.hours_issued", "_issued_to")
    c.about("totals.hours_gifted", "_givers")

    rows = {"hours_exchanged": [], "exchanges": [], "new_members": [], "new_connections": []}
    for i, row in enumerate(document["by_month"]):
        p = f"by_month[{i}]"
        for key, value in row.items():
            if key != "month":
                c.add(f"{p}.{key}", value, person_count=key in ("active_members", "new_members", "new_connections"))
        stats = per_month.get(months[i], {"active": 0, "both": 0})
        c.add(f"{p}._both", stats["both"], person_count=True)
        c.families.append(Family(f"{p}.active_members", (f"{p}._both",), hidden=stats["active"] - stats["both"]))
        c.about(f"{p}.hours_exchanged", f"{p}.active_members")
        c.about(f"{p}.exchanges", f"{p}.active_members")
        c.depend(f"{p}.reciprocity", f"{p}.active_members", f"{p}._both")
        for key in rows:
            rows[key].append(f"{p}.{key}")
    c.families += [
        Family("totals.hours_exchanged", tuple(rows["hours_exchanged"]), measure=True),
        Family("totals.exchanges", tuple(rows["exchanges"]), measure=True),
        Family("totals.new_members", tuple(rows["new_members"])),
        Family("totals.new_connections", tuple(rows["new_connections"])),
    ]

    cat_hours, cat_exchanges = [], []
    for j, row in enumerate(document["by_category"]):
        p = f"by_category[{j}]"
        c.add(f"{p}.members", row["members"], person_count=True)
        c.add(f"{p}.hours_exchanged", row["hours_exchanged"])
        c.add(f"{p}.exchanges", row["exchanges"])
        c.about(f"{p}.hours_exchanged", f"{p}.members")
        c.about(f"{p}.exchanges", f"{p}.members")
        cat_hours.append(f"{p}.hours_exchanged")
        cat_exchanges.append(f"{p}.exchanges")
    c.families += [
        Family("totals.hours_exchanged", tuple(cat_hours), measure=True),
        Family("totals.exchanges", tuple(cat_exchanges), measure=True),
    ]

    reach = document["reach"]
    c.add("reach.consenting", reach["consenting"], person_count=True)
    c.families.append(
        Family("totals.registered_members", ("reach.consenting",), hidden=t["registered_members"] - reach["consenting"])
    )
    for f in REACH_FIELDS:
        paths = []
        for value, count in reach[f].items():
            c.add(f"reach.{f}.{value}", count, person_count=True)
            paths.append(f"reach.{f}.{value}")
        c.families.append(Family("reach.consenting", tuple(paths)))

    wellbeing = document["wellbeing"]
    c.add("wellbeing.respondents", wellbeing["respondents"], person_count=True)
    for key, value in wellbeing["change"].items():
        c.add(f"wellbeing.change.{key}", value)
        c.depend(f"wellbeing.change.{key}", "wellbeing.respondents")
    return c
