"""The summary API: who sees what, whole months only, the error shape, CSV exports."""

import csv
import datetime
import io
import json
from unittest import mock

import pytest
from django.core.management import call_command

from exchanges.reports import figures
from exchanges.reports.suppression import path_steps
from members.models import Membership, User
from tests.factories import NetworkFactory, UserFactory, member
from tests.reports.conftest import at

URL = "/api/v1/reports/networks/harlesden/summary/?from=2026-01&to=2026-03"


def test_a_coordinator_sees_the_whole_report_with_names(api, story):
    network, people = story
    response = api.as_user(people["C"]).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["network"], body["from"], body["to"], body["k"]) == ("harlesden", "2026-01", "2026-03", 5)
    assert body["totals"]["hours_exchanged"] == 4.75
    assert len(body["by_month"]) == 3 and body["by_category"]
    assert body["suppressed"] == []
    assert {m["display_name"] for m in body["no_exchange_members"]} == {"Member A", "Member B", "Member D"}


def test_a_coordinators_report_catches_the_roll_ups_up_once(api, story):
    # The figures and the quiet members' days read the same roll-ups: one catch-up serves both.
    with mock.patch.object(figures, "rollups_catch_up", wraps=figures.rollups_catch_up) as catch_up:
        response = api.as_user(story[1]["C"]).get(URL)
    assert response.status_code == 200 and response.json()["no_exchange_members"]
    assert catch_up.call_count == 1


def test_a_member_sees_only_headline_figures(api, story):
    response = api.as_user(story[1]["A"]).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body["totals"]) == {
        "hours_exchanged", "exchanges", "registered_members", "active_members", "new_members", "reciprocity",
        "new_connections", "value_pounds",
    }  # fmt: skip
    assert body["by_month"] == [] and body["by_category"] == []
    assert "no_exchange_members" not in body and "reach" not in body
    assert body["totals"]["active_members"] == 7
    assert body["totals"]["new_members"] is None and "totals.new_members" in body["suppressed"]
    assert all(path.startswith("totals.") for path in body["suppressed"])


def test_a_commissioner_sees_a_suppressed_report_without_names(api, story):
    response = api.as_user(story[1]["K"]).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["totals"]["active_members"] == 7
    assert body["totals"]["new_members"] is None
    assert "totals.new_members" in body["suppressed"]
    assert body["totals"]["hours_donated"] is None  # one donor
    assert "no_exchange_members" not in body
    text = json.dumps(body)
    for person in story[1].values():
        assert person.display_name not in text and person.email not in text


def test_a_person_outside_the_network_gets_404(api, story):
    outsider = member(NetworkFactory(slug="elsewhere")).user
    response = api.as_user(outsider).get(URL)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


DEMO_LOADED = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_in_the_demo_no_hidden_total_is_the_sum_of_its_published_parts(api):
    """registered 11 − active 9 leaves 2 inactive people, so the 9 is hidden to protect them. The 12-month
    hours of the 9 say nothing about the 2 and every month's hours is published: hiding the total would only
    hide a sum anyone can do.

    At a fixed moment: the demo's history is dated back from the moment it is loaded, so which months
    hold few enough people to be hidden moved with the date and the hour (loaded on 2026-12-06 after
    23:00 UTC, an exchange of the last day of August fell into September and left August's hours hidden,
    where a reader may only learn the sum of the hidden months: `suppression.suppress`, tested in
    test_suppression.py). This test is about the arrangement in which every month is published."""
    with at(DEMO_LOADED):
        call_command("seed_demo", stdout=None)
        commissioner = User.objects.get(email="commissioner@example.org")
        body = api.as_user(commissioner).get("/api/v1/reports/networks/demo/summary/").json()
    totals, months, k = body["totals"], body["by_month"], body["k"]
    assert totals["active_members"] is None and "totals.active_members" in body["suppressed"]
    assert totals["registered_members"] >= k  # hidden for the inactive few, not for being few itself
    for key in ("hours_exchanged", "exchanges"):
        parts = [m[key] for m in months]
        if totals[key] is None:
            assert None in parts, key
        for m in months:
            if m[key]:  # published amounts are about k people or more
                assert m["active_members"] is not None and m["active_members"] >= k, (key, m["month"])
    assert totals["hours_exchanged"] == pytest.approx(sum(m["hours_exchanged"] for m in months))
    assert totals["value_pounds"] == pytest.approx(totals["hours_exchanged"] * totals["hourly_value_pounds"])
    # Nor can the hidden count be added back up from its give/receive bands, or divided out of a ratio.
    assert None in totals["give_receive_bands"].values()
    assert totals["reciprocity"] is None
    # No published zeros beside the hidden "both" band, which would make the hidden reciprocity 100 %.
    assert 0 not in totals["give_receive_bands"].values()
    for path in body["suppressed"]:
        node = body
        for step in path_steps(path):
            node = node[step]
        assert node is None, path


def test_a_commissioner_gets_404_for_a_network_they_do_not_fund(api, story):
    commissioner = UserFactory()
    member(NetworkFactory(slug="elsewhere"), role=Membership.Role.COMMISSIONER, user=commissioner)
    assert api.as_user(commissioner).get(URL).status_code == 404


def test_anonymous_callers_get_401(api, story):
    response = api.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-01-05&to=2026-03",
        "from=2026-01&to=2026-03-31",
        "from=2026-1&to=2026-03",
        "from=2026-13&to=2026-14",
        "from=2026-03&to=2026-01",
        "to=2026-03",
        "from=2026-01&to=2099-01",
        "from=junk&to=2026-03",
    ],
)
def test_a_part_month_or_malformed_range_answers_400(api, story, query):
    response = api.as_user(story[1]["K"]).get(f"/api/v1/reports/networks/harlesden/summary/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("query", ["from=9999-12&to=9999-12", "from=2026-01&to=9999-12", "from=9999-11&to=9999-12"])
@pytest.mark.parametrize("who", ["K", "C"])
def test_the_last_month_a_date_can_hold_answers_400_for_every_role(api, story, query, who):
    """The month after December 9999 has no date: it answered 500 before the range was checked."""
    for url in (
        f"/api/v1/reports/networks/harlesden/summary/?{query}",
        f"/api/v1/reports/networks/harlesden/summary/csv/?{query}",
    ):
        response = api.as_user(story[1][who]).get(url)
        assert response.status_code == 400, (url, response.status_code)
        assert response.json()["error"]["code"] == "validation_error"


def test_the_running_month_is_refused_to_commissioners_but_shown_to_coordinators(api, story):
    from django.utils import timezone

    month = f"{timezone.localdate():%Y-%m}"
    url = f"/api/v1/reports/networks/harlesden/summary/?from={month}&to={month}"
    assert api.as_user(story[1]["K"]).get(url).status_code == 400
    assert api.as_user(story[1]["C"]).get(url).status_code == 200


def test_the_cross_network_report_covers_only_funded_networks(api, story):
    network, people = story
    other = NetworkFactory(slug="unfunded")
    member(other)
    response = api.as_user(people["K"]).get("/api/v1/reports/summary/?from=2026-01&to=2026-03")
    assert response.status_code == 200
    body = response.json()
    assert body["networks"] == ["harlesden"]
    assert body["totals"]["hours_exchanged"] == 4.75


def test_the_cross_network_report_is_404_for_someone_who_funds_nothing(api, story):
    response = api.as_user(story[1]["C"]).get("/api/v1/reports/summary/?from=2026-01&to=2026-03")
    assert response.status_code == 404


def test_the_summary_exports_as_a_wide_csv_one_row_per_month_with_suppressed_cells_empty(api, story):
    response = api.as_user(story[1]["K"]).get("/api/v1/reports/networks/harlesden/summary/csv/?from=2026-01&to=2026-03")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Month",
        "Hours of help exchanged",
        "Exchanges",
        "Members who gave or received help",
        "New members",
        "New connections",
        "Both gave and received in the month",
    ]
    assert [r[0] for r in rows[1:5]] == ["January 2026", "February 2026", "March 2026", "January 2026 to March 2026"]
    body = api.as_user(story[1]["K"]).get("/api/v1/reports/networks/harlesden/summary/?from=2026-01&to=2026-03").json()
    # The period's row holds the same figures as the summary; hidden ones are empty cells.
    assert rows[4][1] == str(body["totals"]["hours_exchanged"]) and rows[4][3] == "7"
    assert body["totals"]["new_members"] is None and rows[4][4] == ""
    for month, row in zip(body["by_month"], rows[1:4], strict=True):
        assert row[1] == ("" if month["hours_exchanged"] is None else str(month["hours_exchanged"]))
    definitions = {r[0]: r for r in rows[6:] if len(r) == 3}
    assert definitions["Members"][1] == str(body["totals"]["registered_members"])
    assert "approved before the last month ended" in definitions["Members"][2]
    assert rows[-1][0].startswith("Empty cells are hidden")


@pytest.mark.parametrize("what", ["members", "listings", "exchanges", "transfers"])
def test_a_coordinator_exports_the_network_records_as_csv(api, story, what):
    response = api.as_user(story[1]["C"]).get(f"/api/v1/reports/networks/harlesden/export/{what}/")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    expected = {"members": 8, "listings": 3, "exchanges": 7, "transfers": 13}[what]
    assert len(lines) == expected + 1


def test_exports_are_for_coordinators_only(api, story):
    response = api.as_user(story[1]["K"]).get("/api/v1/reports/networks/harlesden/export/members/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert api.as_user(story[1]["C"]).get("/api/v1/reports/networks/harlesden/export/secrets/").status_code == 404


def test_without_months_the_summary_covers_the_last_twelve_whole_months_for_every_role(api, network, alice):
    from django.utils import timezone

    from exchanges.reports.periods import month_add

    response = api.as_user(alice).get(f"/api/v1/reports/networks/{network.slug}/summary/")

    assert response.status_code == 200, response.content
    this_month = timezone.localdate().replace(day=1)
    assert response.json()["to"] == month_add(this_month, -1).strftime("%Y-%m")
    assert response.json()["from"] == month_add(this_month, -12).strftime("%Y-%m")
