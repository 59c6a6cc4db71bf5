"""Safeguarding checks (coordinators only) and concerns (never shown to the person concerned)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from exchanges.models import Exchange
from members.models import AuditEvent
from members.safeguarding.models import Concern, SafeguardingCheck
from members.safeguarding.services import check_create
from messaging.notifications.models import Notification
from tests.factories import member
from tests.members.helpers import assert_error, membership_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def checks_url(user) -> str:
    return f"/api/v1/networks/harlesden/members/{user.pk}/checks/"


def dbs(**extra) -> dict:
    body = {
        "kind": "dbs",
        "dbs_level": "enhanced",
        "certificate_number": "001234567890",
        "decision": "clear",
        "checked_on": str(TODAY - datetime.timedelta(days=300)),
        "review_on": str(TODAY + datetime.timedelta(days=20)),
    }
    return {**body, **extra}


def test_a_coordinator_records_a_dbs_check_and_it_is_audited_without_the_certificate(api, network, coordinator, alice):
    response = api.as_user(coordinator).post(checks_url(alice), dbs(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["member"], body["kind"], body["dbs_level"], body["decision"]) == (alice.pk, "dbs", "enhanced", "clear")
    check = SafeguardingCheck.objects.get()
    assert check.membership == membership_of(alice, network) and check.recorded_by == coordinator
    event = AuditEvent.objects.get(action="check.create")
    assert "001234567890" not in str(event.data)


def test_a_member_cannot_see_or_record_checks(api, network, alice, bob):
    client = api.as_user(bob)
    assert_error(client.get(checks_url(alice)), 403, "permission_denied")
    assert_error(client.post(checks_url(alice), dbs(), format="json"), 403, "permission_denied")
    assert not SafeguardingCheck.objects.exists()


def test_a_supporter_cannot_see_the_checks_of_the_member_they_support(api, network, alice, supporter):
    assert_error(api.as_user(supporter).get(checks_url(alice)), 403, "permission_denied")


def test_a_coordinator_of_another_network_gets_404_for_checks(api, network, alice, other_coordinator):
    assert_error(api.as_user(other_coordinator).get(checks_url(alice)), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (dbs(dbs_level="super"), "dbs_level"),
        (dbs(kind="horoscope"), "kind"),
        (dbs(checked_on=str(TODAY + datetime.timedelta(days=3))), "checked_on"),
        (dbs(review_on=str(TODAY - datetime.timedelta(days=400))), "review_on"),
        (dbs(checked_on="yesterday"), "checked_on"),
        (dbs(checked_on="0001-01-01", review_on=None), "checked_on"),
        (dbs(checked_on="2001-12-31", review_on=None), "checked_on"),
        ({"kind": "reference", "referee": "GP", "checked_on": "1899-12-31"}, "checked_on"),
        ({"kind": "reference", "checked_on": str(TODAY)}, "referee"),
        ({"kind": "insurance", "checked_on": str(TODAY), "certificate_number": "123"}, "dbs_level"),
    ],
)
def test_a_bad_check_answers_400_and_writes_nothing(api, network, coordinator, alice, body, field):
    response = api.as_user(coordinator).post(checks_url(alice), body, format="json")
    assert field in assert_error(response, 400, "validation_error")["fields"]
    assert not SafeguardingCheck.objects.exists()
    assert not AuditEvent.objects.filter(action="check.create").exists()


def test_a_coordinator_updates_and_deletes_a_check_with_the_trail_kept(api, network, coordinator, alice):
    check = check_create(
        membership=membership_of(alice, network),
        actor=coordinator,
        **{k: v for k, v in dbs().items() if k not in ("checked_on", "review_on")},
        checked_on=TODAY,
        review_on=None,
    )
    client = api.as_user(coordinator)
    response = client.patch(f"{checks_url(alice)}{check.pk}/", {"decision": "accepted"}, format="json")
    assert response.status_code == 200 and response.json()["decision"] == "accepted"
    response = client.delete(f"{checks_url(alice)}{check.pk}/", {"reason": "Entered twice"}, format="json")
    assert response.status_code == 204
    assert not SafeguardingCheck.objects.exists()
    assert AuditEvent.objects.get(action="check.delete").reason == "Entered twice"


def test_a_check_of_another_member_cannot_be_reached_through_the_wrong_path(api, network, coordinator, alice, bob):
    check = check_create(
        membership=membership_of(alice, network),
        actor=coordinator,
        kind="reference",
        referee="Her GP",
        checked_on=TODAY,
    )
    response = api.as_user(coordinator).patch(f"{checks_url(bob)}{check.pk}/", {"decision": "refused"}, format="json")
    assert_error(response, 404, "not_found")
    check.refresh_from_db()
    assert check.decision == "pending"


def test_reviews_coming_up_are_listed_soonest_first(api, network, coordinator, alice, bob):
    later = check_create(
        membership=membership_of(alice, network),
        actor=coordinator,
        kind="reference",
        referee="Neighbour",
        checked_on=TODAY,
        review_on=TODAY + datetime.timedelta(days=25),
    )
    soon = check_create(
        membership=membership_of(bob, network),
        actor=coordinator,
        kind="reference",
        referee="Neighbour",
        checked_on=TODAY,
        review_on=TODAY + datetime.timedelta(days=2),
    )
    check_create(
        membership=membership_of(bob, network),
        actor=coordinator,
        kind="reference",
        referee="Far off",
        checked_on=TODAY,
        review_on=TODAY + datetime.timedelta(days=200),
    )
    body = api.as_user(coordinator).get("/api/v1/networks/harlesden/checks/due/").json()
    assert [r["id"] for r in body["results"]] == [soon.pk, later.pk]
    assert_error(api.get("/api/v1/networks/harlesden/checks/due/?days=-1"), 400, "validation_error")


def test_anyone_in_the_network_raises_a_concern_that_reaches_the_coordinators(api, network, coordinator, alice, bob):
    response = api.as_user(alice).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "member": bob.pk, "description": "He seemed very low and had not eaten."},
        format="json",
    )
    assert response.status_code == 201, response.content
    concern = Concern.objects.get()
    assert (concern.raised_by, concern.about_user, concern.status) == (alice, bob, "open")
    assert AuditEvent.objects.filter(action="concern.raise", actor=alice, target_id=concern.pk).exists()
    assert Notification.objects.filter(user=coordinator, kind="concern.raised").exists()
    assert not Notification.objects.filter(user=bob).exists()
    queue = api.as_user(coordinator).get("/api/v1/concerns/?network=harlesden").json()
    assert [r["id"] for r in queue["results"]] == [concern.pk]


def test_the_concern_is_invisible_to_the_person_concerned(api, network, coordinator, alice, bob):
    api.as_user(alice).post(
        "/api/v1/concerns/", {"network": "harlesden", "member": bob.pk, "description": "Worried."}, format="json"
    )
    concern = Concern.objects.get()
    api.force_authenticate(bob)
    assert api.get("/api/v1/concerns/").json()["results"] == []
    assert api.get("/api/v1/concerns/?network=harlesden").json()["count"] == 0
    assert_error(api.post(f"/api/v1/concerns/{concern.pk}/close/", {"resolution": "x"}), 404, "not_found")


def test_a_coordinator_never_sees_a_concern_about_themself(api, network, coordinator, alice):
    member_coordinator = coordinator
    api.as_user(alice).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "member": member_coordinator.pk, "description": "Shouted at me."},
        format="json",
    )
    assert api.as_user(member_coordinator).get("/api/v1/concerns/").json()["count"] == 0
    assert not Notification.objects.filter(user=member_coordinator, kind="concern.raised").exists()


def test_a_concern_about_an_exchange_is_hidden_from_its_parties(api, network, coordinator, alice, bob):
    exchange = Exchange.objects.create(network=network, provider=alice, recipient=bob, minutes=60, proposed_by=alice)
    response = api.as_user(coordinator).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "exchange": exchange.pk, "description": "Odd hours claimed."},
        format="json",
    )
    assert response.status_code == 201
    api.force_authenticate(alice)
    assert api.get("/api/v1/concerns/").json()["count"] == 0
    api.force_authenticate(coordinator)
    assert api.get("/api/v1/concerns/").json()["count"] == 1


def test_the_raiser_sees_their_own_concern_and_a_coordinator_closes_it(api, network, coordinator, alice):
    api.as_user(alice).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "happened_offline": True, "description": "Saw a fall at the bus stop."},
        format="json",
    )
    concern = Concern.objects.get()
    assert api.get("/api/v1/concerns/").json()["results"][0]["happened_offline"] is True
    assert_error(api.post(f"/api/v1/concerns/{concern.pk}/close/", {"resolution": "x"}), 403, "permission_denied")
    api.force_authenticate(coordinator)
    response = api.post(f"/api/v1/concerns/{concern.pk}/close/", {"resolution": "Visited; all well."})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert AuditEvent.objects.get(action="concern.close").reason == "Visited; all well."


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"network": "harlesden", "happened_offline": True}, 400, "validation_error"),
        ({"network": "harlesden", "happened_offline": True, "description": "   "}, 400, "validation_error"),
        ({"network": "harlesden", "member": "bob", "description": "Worried"}, 400, "validation_error"),
        ({"network": "harlesden", "member": 999999, "description": "Worried"}, 404, "not_found"),
        ({"network": "harlesden", "exchange": 999999, "description": "Worried"}, 404, "not_found"),
        ({"network": "elsewhere", "happened_offline": True, "description": "Worried"}, 404, "not_found"),
        ({"network": "no-such", "happened_offline": True, "description": "Worried"}, 404, "not_found"),
    ],
)
def test_a_bad_concern_answers_4xx_and_writes_nothing(api, network, other_network, alice, body, status, code):
    response = api.as_user(alice).post("/api/v1/concerns/", body, format="json")
    assert_error(response, status, code)
    assert not Concern.objects.exists()
    assert not AuditEvent.objects.filter(action="concern.raise").exists()


def test_a_concern_about_someone_in_another_network_answers_404(api, network, other_network, alice, other_coordinator):
    response = api.as_user(alice).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "member": other_coordinator.pk, "description": "Worried"},
        format="json",
    )
    assert_error(response, 404, "not_found")
    assert not Concern.objects.exists()


def test_a_supporter_raises_a_concern_with_their_member_and_the_record_says_so(api, network, alice, bob, supporter):
    response = api.as_user(supporter).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "member": bob.pk, "on_behalf_of": alice.pk, "description": "Alice is scared."},
        format="json",
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(action="concern.raise")
    assert (event.actor, event.on_behalf_of) == (supporter, alice)


def test_a_supporter_cannot_raise_a_concern_for_a_member_they_do_not_support(api, network, alice, bob, supporter):
    response = api.as_user(supporter).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "member": alice.pk, "on_behalf_of": bob.pk, "description": "Not theirs to say."},
        format="json",
    )
    assert_error(response, 403, "permission_denied")
    assert not Concern.objects.exists()


def test_closing_a_concern_without_saying_what_was_done_answers_400(api, network, coordinator, alice):
    api.as_user(alice).post(
        "/api/v1/concerns/", {"network": "harlesden", "happened_offline": True, "description": "A fall"}, format="json"
    )
    concern = Concern.objects.get()
    api.force_authenticate(coordinator)
    response = api.post(f"/api/v1/concerns/{concern.pk}/close/", {"resolution": ""}, format="json")
    assert "resolution" in assert_error(response, 400, "validation_error")["fields"]
    concern.refresh_from_db()
    assert concern.status == "open"
    assert not AuditEvent.objects.filter(action="concern.close").exists()


def test_a_bad_check_update_answers_400_and_changes_nothing(api, network, coordinator, alice):
    check = check_create(
        membership=membership_of(alice, network), actor=coordinator, kind="reference", referee="GP", checked_on=TODAY
    )
    client = api.as_user(coordinator)
    response = client.patch(f"{checks_url(alice)}{check.pk}/", {"decision": "maybe"}, format="json")
    assert "decision" in assert_error(response, 400, "validation_error")["fields"]
    response = client.patch(f"{checks_url(alice)}{check.pk}/", {"referee": ""}, format="json")
    assert "referee" in assert_error(response, 400, "validation_error")["fields"]
    response = client.delete(f"{checks_url(alice)}{check.pk}/", {"reason": "x" * 1001}, format="json")
    assert_error(response, 400, "validation_error")
    check.refresh_from_db()
    assert (check.decision, check.referee) == ("pending", "GP")
    assert not AuditEvent.objects.filter(action__in=["check.update", "check.delete"]).exists()


def test_malformed_json_answers_400_with_the_error_shape(api, network, alice):
    response = api.as_user(alice).post("/api/v1/concerns/", "{not json", content_type="application/json")
    assert_error(response, 400, "validation_error")
    assert not Concern.objects.exists()


def test_a_coordinator_who_is_party_to_the_exchange_is_not_told_of_a_concern_about_it(api, network, coordinator, alice):
    exchange = Exchange.objects.create(
        network=network, provider=coordinator, recipient=alice, minutes=60, proposed_by=alice
    )
    response = api.as_user(alice).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "exchange": exchange.pk, "description": "Pressured me."},
        format="json",
    )
    assert response.status_code == 201
    assert not Notification.objects.filter(user=coordinator, kind="concern.raised").exists()
    assert api.as_user(coordinator).get("/api/v1/concerns/").json()["count"] == 0


def test_a_member_who_raises_a_concern_about_their_own_exchange_still_sees_it(api, network, alice, bob):
    exchange = Exchange.objects.create(network=network, provider=bob, recipient=alice, minutes=60, proposed_by=alice)
    api.as_user(alice).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "exchange": exchange.pk, "description": "He asked for money."},
        format="json",
    )
    assert api.get("/api/v1/concerns/").json()["count"] == 1
    api.force_authenticate(bob)
    assert api.get("/api/v1/concerns/").json()["count"] == 0


def test_a_commissioner_cannot_raise_a_concern_or_see_the_names_on_the_form(api, network, alice):
    commissioner = member(network, role="commissioner").user
    response = api.as_user(commissioner).post(
        "/api/v1/concerns/", {"network": "harlesden", "member": alice.pk, "description": "x"}, format="json"
    )
    assert_error(response, 403, "permission_denied")
    assert not Concern.objects.exists()
    client = Client()
    client.force_login(commissioner)
    assert client.get("/networks/harlesden/concerns/new/").status_code == 403


def test_a_check_dated_before_checks_could_be_made_is_refused_with_the_earliest_year(api, network, coordinator, alice):
    response = api.as_user(coordinator).post(
        checks_url(alice), dbs(checked_on="0001-01-01", review_on=None), format="json"
    )
    assert assert_error(response, 400, "validation_error")["fields"]["checked_on"] == [
        "A check cannot be dated before 2002."
    ]
    old_reference = {"kind": "reference", "referee": "GP", "checked_on": "1990-01-01", "decision": "clear"}
    assert api.as_user(coordinator).post(checks_url(alice), old_reference, format="json").status_code == 201


def test_a_concern_that_names_nobody_is_accepted_when_it_says_what_happened(api, network, coordinator, alice):
    body = {"network": "harlesden", "description": "Someone frightened me at the coffee morning."}
    response = api.as_user(alice).post("/api/v1/concerns/", body, format="json")
    assert response.status_code == 201, response.content
    concern = Concern.objects.get()
    assert (concern.about_user, concern.about_exchange, concern.happened_offline) == (None, None, False)
    assert Notification.objects.filter(kind="concern.raised", user=coordinator).exists()


@pytest.fixture
def their_chat(network, bob):
    """A conversation between Bob and Carol, which Alice is not in."""
    from messaging.services import conversation_direct_open

    carol = member(network).user
    return conversation_direct_open(network=network, user=bob, other_id=carol.pk)[0]


def test_a_concern_cannot_name_a_conversation_the_raiser_is_not_in(api, network, coordinator, alice, their_chat):
    response = api.as_user(alice).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "conversation": their_chat.pk, "description": "Let me see it."},
        format="json",
    )
    assert_error(response, 404, "not_found")
    assert not Concern.objects.exists()
    assert not Notification.objects.filter(kind="concern.raised").exists()


def test_the_concern_page_cannot_name_a_conversation_the_raiser_is_not_in(network, coordinator, alice, their_chat):
    page = Client()
    page.force_login(alice)
    response = page.post(
        "/networks/harlesden/concerns/new/", {"conversation": their_chat.pk, "description": "Let me see it."}
    )
    assert response.status_code == 404
    assert not Concern.objects.exists()


def test_a_concern_names_a_conversation_the_raiser_is_in(api, network, coordinator, alice, bob):
    from messaging.services import conversation_direct_open

    chat = conversation_direct_open(network=network, user=alice, other_id=bob.pk)[0]
    response = api.as_user(alice).post(
        "/api/v1/concerns/",
        {"network": "harlesden", "conversation": chat.pk, "description": "He frightened me."},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Concern.objects.get().about_conversation == chat
