"""The audit trail (GET /api/v1/networks/{slug}/audit/ and its page) and who may be isolated
(GET /api/v1/networks/{slug}/isolation/ and its page): coordinators only."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from exchanges.models import Exchange
from members.models import AuditEvent, Membership
from members.services import network_settings_set
from tests.exchanges.conftest import issue
from tests.exchanges.helpers import proposed
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_audit_trail_is_newest_first_and_filters_by_member_and_kind(api, network, coordinator, alice, bob):
    network_settings_set(network=network, actor=coordinator, changes={"k": 6}, reason="first")
    network_settings_set(network=network, actor=coordinator, changes={"k": 7}, reason="second")
    issue(network, alice, 60)
    proposed(network, bob, alice, actor=alice, description="Weeding")
    everything = api.as_user(coordinator).get("/api/v1/networks/harlesden/audit/").json()
    assert everything["count"] >= 3
    times = [e["created_at"] for e in everything["results"]]
    assert times == sorted(times, reverse=True)
    settings = api.as_user(coordinator).get("/api/v1/networks/harlesden/audit/?kind=network.settings").json()
    assert [e["reason"] for e in settings["results"]] == ["second", "first"]
    assert settings["results"][0]["data"]["k"] == {"from": 6, "to": 7}
    grouped = api.as_user(coordinator).get("/api/v1/networks/harlesden/audit/?kind=network").json()
    assert {e["kind"] for e in grouped["results"]} >= {"network.settings", "network.create"}
    mine = api.as_user(coordinator).get(f"/api/v1/networks/harlesden/audit/?member={alice.pk}").json()
    assert mine["count"] >= 1
    assert all(
        e["actor"] == alice.pk or e["on_behalf_of"] == alice.pk or e["target_type"] in ("membership", "user")
        for e in mine["results"]
    )
    assert "exchange.propose" in {e["kind"] for e in mine["results"]}
    assert "network.settings" not in {e["kind"] for e in mine["results"]}


@pytest.mark.parametrize("query", ["member=0", "member=abc", "kind=DROP%20TABLE", "kind=%00"])
def test_bad_filters_are_400(api, network, coordinator, query):
    response = api.as_user(coordinator).get(f"/api/v1/networks/harlesden/audit/?{query}")
    assert response.status_code == 400


def test_the_audit_trail_is_for_coordinators(api, network, other_network, alice):
    assert api.as_user(alice).get("/api/v1/networks/harlesden/audit/").status_code == 403
    elsewhere = member(other_network, role=Membership.Role.COORDINATOR).user
    assert api.as_user(elsewhere).get("/api/v1/networks/harlesden/audit/").status_code == 404
    assert page_client(alice).get("/networks/harlesden/audit/").status_code == 403
    assert page_client(elsewhere).get("/networks/harlesden/audit/").status_code == 404


def test_the_audit_page_searches_by_member_and_kind(network, coordinator, alice):
    network_settings_set(network=network, actor=coordinator, changes={"k": 6}, reason="Trustees asked")
    html = page_client(coordinator).get("/networks/harlesden/audit/?kind=network.settings").content.decode()
    assert "Trustees asked" in html and "5 → 6" in html
    other = page_client(coordinator).get(f"/networks/harlesden/audit/?member={alice.pk}").content.decode()
    assert "Trustees asked" not in other


def posted_on(network, provider, recipient, days_ago):
    # At noon, local time, `days_ago` calendar days ago: `days_ago` × 24 hours back from late evening
    # crosses into the next day when the clocks changed in between (23:15 GMT is 00:15 BST).
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    return Exchange.objects.create(
        network=network,
        provider=provider,
        recipient=recipient,
        minutes=30,
        claimed_minutes=30,
        state="posted",
        proposed_by=provider,
        posted_at=when,
    )


def test_isolation_lists_never_first_then_the_longest_gap(api, network, coordinator, alice, bob):
    carol = member(network, user=UserFactory(display_name="Carol")).user
    posted_on(network, alice, coordinator, days_ago=90)
    posted_on(network, bob, carol, days_ago=3)
    posted_on(network, coordinator, bob, days_ago=10)  # bob's latest is 3 days ago, as provider
    response = api.as_user(coordinator).get("/api/v1/networks/harlesden/isolation/")
    assert response.status_code == 200
    rows = response.json()["results"]
    days = {r["member"]: r["days_since_last_exchange"] for r in rows}
    assert days[alice.pk] == 90 and days[bob.pk] == 3 and days[carol.pk] == 3 and days[coordinator.pk] == 10
    never = member(network).user
    rows = api.as_user(coordinator).get("/api/v1/networks/harlesden/isolation/").json()["results"]
    assert rows[0]["member"] == never.pk and rows[0]["days_since_last_exchange"] is None
    assert [r["member"] for r in rows[1:3]] == [alice.pk, coordinator.pk]


def test_isolation_is_for_coordinators(api, network, other_network, alice):
    assert api.as_user(alice).get("/api/v1/networks/harlesden/isolation/").status_code == 403
    elsewhere = member(other_network, role=Membership.Role.COORDINATOR).user
    assert api.as_user(elsewhere).get("/api/v1/networks/harlesden/isolation/").status_code == 404
    assert page_client(alice).get("/networks/harlesden/isolation/").status_code == 403
    assert page_client(elsewhere).get("/networks/harlesden/isolation/").status_code == 404


def test_the_isolation_page_offers_to_get_in_touch(network, coordinator):
    lonely = member(network, user=UserFactory(display_name="Edna")).user
    html = page_client(coordinator).get("/networks/harlesden/isolation/").content.decode()
    assert "Get in touch with Edna" in html
    response = page_client(coordinator).post(
        "/conversations/start/", {"network": "harlesden", "member": str(lonely.pk)}
    )
    assert response.status_code == 302 and "/conversations/" in response["Location"]
    assert AuditEvent.objects.exists()


def test_the_audit_page_names_actions_targets_and_accounts_in_plain_words(network, coordinator, alice):
    alice.display_name = "Alice"
    alice.save(update_fields=["display_name"])
    issue(network, alice, 60)
    html = page_client(coordinator).get("/networks/harlesden/audit/").content.decode()
    assert "New hours issued" in html and "transfer.issue" not in html.split("<select", 1)[0]
    assert "new hours (issuance)" in html and "Alice’s account" in html and "1 h" in html
    assert "Account opened" in html and "Transfer no." in html
    assert ">from<" not in html and ">minutes<" not in html
    choices = html.split('name="kind"', 1)[1].split("</select>", 1)[0]
    assert "New hours issued" in choices and "Transfer: every kind" in choices
    coordinator.language = "cy"
    coordinator.save(update_fields=["language"])
    welsh = page_client(coordinator).get("/networks/harlesden/audit/").content.decode()
    assert "Cyhoeddwyd oriau newydd" in welsh and "cyfrif Alice" in welsh
