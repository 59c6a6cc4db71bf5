"""Network settings (GET/PATCH /api/v1/networks/{slug}/settings/, the settings page, create_network):
coordinators change the rules, each change audited with its reason, old → new; bounds refused."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from members.models import AuditEvent, Membership, Network
from tests.factories import member

pytestmark = pytest.mark.django_db

URL = "/api/v1/networks/harlesden/settings/"


def test_a_coordinator_reads_the_settings(api, network, coordinator):
    response = api.as_user(coordinator).get(URL)
    assert response.status_code == 200
    data = response.json()
    assert set(data) >= {
        "name",
        "description",
        "approval",
        "floor_minutes",
        "autoconfirm_days",
        "hourly_value_pounds",
        "k",
        "welcome_minutes",
    }
    assert data["name"] == "Harlesden KeyRing" and data["floor_minutes"] == network.member_floor_minutes


def test_a_change_is_saved_and_audited_with_its_reason_old_to_new(api, network, coordinator):
    before = network.approval
    body = {"approval": "always", "k": 7, "hourly_value_pounds": 18.5, "reason": "Trustees asked for it"}
    response = api.as_user(coordinator).patch(URL, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["approval"] == "always" and response.json()["hourly_value_pounds"] == 18.5
    network.refresh_from_db()
    assert network.approval == "always" and network.k == 7 and network.hourly_value_pounds == Decimal("18.50")
    event = AuditEvent.objects.get(action="network.settings")
    assert event.reason == "Trustees asked for it" and event.actor == coordinator
    assert event.data["approval"] == {"from": before, "to": "always"}
    assert event.data["k"] == {"from": 5, "to": 7}
    assert "name" not in event.data  # unchanged settings are not recorded as changes


def test_the_reason_is_required(api, network, coordinator):
    response = api.as_user(coordinator).patch(URL, {"k": 9}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    network.refresh_from_db()
    assert network.k == 5 and not AuditEvent.objects.filter(action="network.settings").exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("floor_minutes", 1),
        ("floor_minutes", -1_000_001),
        ("k", 1),
        ("k", 51),
        ("autoconfirm_days", 0),
        ("autoconfirm_days", 61),
        ("approval", "sometimes"),
        ("welcome_minutes", -5),
        ("hourly_value_pounds", -1),
        ("name", ""),
        ("name", 12),
    ],
)
def test_values_out_of_bounds_are_refused_and_change_nothing(api, network, coordinator, field, value):
    response = api.as_user(coordinator).patch(URL, {field: value, "reason": "try"}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    fresh = Network.objects.get(pk=network.pk)
    assert (fresh.k, fresh.approval, fresh.member_floor_minutes, fresh.name) == (
        network.k,
        network.approval,
        network.member_floor_minutes,
        network.name,
    )


def test_a_member_gets_403(api, network, alice):
    assert api.as_user(alice).get(URL).status_code == 403
    response = api.as_user(alice).patch(URL, {"k": 9, "reason": "x"}, format="json")
    assert response.status_code == 403
    network.refresh_from_db()
    assert network.k == 5


def test_another_networks_coordinator_gets_404(api, network, other_network):
    elsewhere = member(other_network, role=Membership.Role.COORDINATOR).user
    assert api.as_user(elsewhere).get(URL).status_code == 404
    assert api.as_user(elsewhere).patch(URL, {"k": 9, "reason": "x"}, format="json").status_code == 404


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_form(network, **changes) -> dict:
    data = {
        "name": network.name,
        "description": network.description,
        "approval": network.approval,
        "floor_hours": "10",
        "autoconfirm_days": "7",
        "hourly_value_pounds": "15",
        "k": "5",
        "welcome_hours": "0",
        "join_questions": "",
        "reason": "Agreed at the steering group",
    }
    data.update(changes)
    return data


def test_the_settings_page_saves_through_the_same_service(network, coordinator):
    client = page_client(coordinator)
    assert client.get("/networks/harlesden/settings/").status_code == 200
    form = page_form(network, approval="never", floor_hours="5", join_questions="Why join?\nWhat can you offer?")
    response = client.post("/networks/harlesden/settings/", form)
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.approval == "never" and network.member_floor_minutes == -300
    assert network.join_questions == ["Why join?", "What can you offer?"]
    event = AuditEvent.objects.get(action="network.settings")
    assert event.reason == "Agreed at the steering group"
    assert event.data["floor_minutes"] == {"from": -600, "to": -300}


def test_a_floor_and_welcome_of_any_whole_minutes_show_and_save_exactly_on_the_page(api, network, coordinator):
    body = {"floor_minutes": -455, "welcome_minutes": 125, "reason": "Agreed"}
    assert api.as_user(coordinator).patch(URL, body, format="json").status_code == 200
    client = page_client(coordinator)
    form = client.get("/networks/harlesden/settings/").context["form"]
    shown = {name: form[name].value() for name in form.fields}
    assert (shown["floor_hours"], shown["floor_more_minutes"]) == (7, 35)
    assert (shown["welcome_hours"], shown["welcome_more_minutes"]) == (2, 5)
    untouched = {name: "" if value is None else value for name, value in shown.items()}
    untouched["join_questions"], untouched["reason"] = "", "Renamed"
    untouched["name"] = "Harlesden Circle"
    response = client.post("/networks/harlesden/settings/", untouched)
    assert response.status_code == 302, response.context["form"].errors
    network.refresh_from_db()
    assert (network.member_floor_minutes, network.welcome_minutes, network.name) == (-455, 125, "Harlesden Circle")


def test_the_settings_page_refuses_without_a_reason(network, coordinator):
    response = page_client(coordinator).post("/networks/harlesden/settings/", page_form(network, reason="", k="9"))
    assert response.status_code == 400
    network.refresh_from_db()
    assert network.k == 5


def test_the_settings_page_is_403_for_a_member_and_404_elsewhere(network, other_network, alice):
    assert page_client(alice).get("/networks/harlesden/settings/").status_code == 403
    elsewhere = member(other_network, role=Membership.Role.COORDINATOR).user
    assert page_client(elsewhere).get("/networks/harlesden/settings/").status_code == 404


def test_create_network_takes_the_same_settings(db):
    call_command(
        "create_network",
        "--slug=brent",
        "--name=Brent KeyRing",
        "--coordinator-email=Coord@Example.org",
        "--approval=always",
        "--floor-minutes=-300",
        "--k=8",
        "--welcome-minutes=60",
        "--join-question=Why would you like to join?",
    )
    network = Network.objects.get(slug="brent")
    assert (network.approval, network.member_floor_minutes, network.k, network.welcome_minutes) == (
        "always",
        -300,
        8,
        60,
    )
    assert network.join_questions == ["Why would you like to join?"]


def test_create_network_refuses_a_setting_out_of_bounds(db):
    with pytest.raises(CommandError):
        call_command("create_network", "--slug=brent", "--name=Brent", "--coordinator-email=c@example.org", "--k=1")
    assert not Network.objects.filter(slug="brent").exists()


def test_join_answers_reach_the_coordinator(api, network, coordinator):
    from tests.factories import UserFactory

    Network.objects.filter(pk=network.pk).update(join_questions=["Why would you like to join?"])
    person = UserFactory(display_name="Winston")
    response = api.as_user(person).post(
        "/api/v1/networks/harlesden/join/", {"answers": ["To meet neighbours"]}, format="json"
    )
    assert response.status_code == 201, response.content
    membership = Membership.objects.get(user=person, network=network)
    assert membership.join_answers == [{"question": "Why would you like to join?", "answer": "To meet neighbours"}]
    html = page_client(coordinator).get("/networks/harlesden/queue/").content.decode()
    assert "Why would you like to join?" in html and "To meet neighbours" in html
    desk = page_client(coordinator).get("/coordinator/").content.decode()
    assert "Winston" in desk and "To meet neighbours" in desk


def test_more_answers_than_questions_are_refused(api, network):
    from tests.factories import UserFactory

    person = UserFactory()
    response = api.as_user(person).post("/api/v1/networks/harlesden/join/", {"answers": ["x"]}, format="json")
    assert response.status_code == 400
    assert not Membership.objects.filter(user=person).exists()
