"""Group activities (POST /api/v1/activities/): a register of who came, every leg posted through the
ledger in one transaction, idempotent, each leg notified; coordinators only."""

import datetime
import uuid

import pytest
from django.utils import timezone

from exchanges.ledger.models import Transfer
from exchanges.models import Activity, Exchange
from members.models import Membership
from messaging.notifications.models import Notification
from tests.exchanges.conftest import account, issue, ledger_problems
from tests.factories import member

pytestmark = pytest.mark.django_db


def post(api, user, body, key=None):
    return api.as_user(user).post(
        "/api/v1/activities/", body, format="json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex
    )


def body(network, providers, recipients, **extra):
    return {
        "network": network.slug,
        "title": "Coffee morning",
        "happened_on": timezone.localdate().isoformat(),
        "minutes": 60,
        "providers": providers,
        "recipients": recipients,
        **extra,
    }


def test_a_coffee_morning_for_six_pays_the_leader_from_each_attendee(api, network, coordinator):
    leader = member(network).user
    guests = [member(network).user for _ in range(6)]
    for guest in guests:
        issue(network, guest, 120)
    response = post(api, coordinator, body(network, [leader.pk], [g.pk for g in guests]))
    assert response.status_code == 201, response.content
    data = response.json()
    assert len(data["exchanges"]) == 6
    exchanges = Exchange.objects.filter(pk__in=data["exchanges"])
    assert {e.state for e in exchanges} == {"posted"}
    assert {e.activity_id for e in exchanges} == {data["id"]}
    assert account(network, leader).balance == 360
    assert all(account(network, g).balance == 60 for g in guests)
    assert Transfer.objects.filter(exchange__activity_id=data["id"], kind="exchange").count() == 6
    assert ledger_problems(network) == []
    told = Notification.objects.filter(kind="activity.recorded")
    assert set(told.values_list("user_id", flat=True)) == {leader.pk, *(g.pk for g in guests)}
    assert told.filter(user=guests[0]).get().data["activity"] == data["id"]


def test_many_helpers_paid_by_the_pot(api, network, coordinator):
    volunteers = [member(network).user for _ in range(3)]
    issue(network, None, 600)
    response = post(api, coordinator, body(network, [v.pk for v in volunteers], ["pot"], minutes=90))
    assert response.status_code == 201, response.content
    assert all(account(network, v).balance == 90 for v in volunteers)
    assert account(network, None).balance == 600 - 270


def test_a_replay_gives_the_same_answer_and_writes_nothing(api, network, coordinator, alice, bob):
    issue(network, None, 600)
    first = post(api, coordinator, body(network, [alice.pk, bob.pk], ["pot"]), key="register-1")
    again = post(api, coordinator, body(network, [alice.pk, bob.pk], ["pot"]), key="register-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Activity.objects.count() == 1 and Exchange.objects.count() == 2


def test_the_key_is_required(api, network, coordinator, alice, bob):
    response = api.as_user(coordinator).post("/api/v1/activities/", body(network, [alice.pk], [bob.pk]), format="json")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Activity.objects.exists()


def test_all_or_nothing_when_one_attendee_cannot_pay(api, network, coordinator, alice, bob):
    poor = member(network).user
    from exchanges.ledger.models import Account

    Account.objects.filter(membership__user=poor).update(floor=0)
    issue(network, bob, 120)
    response = post(api, coordinator, body(network, [alice.pk], [bob.pk, poor.pk]))
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "insufficient_balance"
    assert not Activity.objects.exists() and not Exchange.objects.exists()
    assert account(network, bob).balance == 120 and account(network, alice).balance == 0


@pytest.mark.parametrize(
    "providers, recipients, field",
    [
        (["a", "b"], ["b2", "c"], "providers"),  # many to many
        (["a"], ["a"], "recipients"),  # yourself
        (["pot"], ["pot"], "recipients"),
        (["pot", "a"], ["b"], "providers"),
        (["a"], ["b", "b"], "recipients"),
        (["a"], [], "recipients"),
        (["a"], ["stranger"], "recipients"),
    ],
)
def test_refused_registers_change_nothing(api, network, other_network, coordinator, providers, recipients, field):
    people = {"a": member(network).user.pk, "b": member(network).user.pk, "b2": member(network).user.pk}
    people["c"] = member(network).user.pk
    people["stranger"] = member(other_network).user.pk
    people["pot"] = "pot"
    response = post(api, coordinator, body(network, [people[p] for p in providers], [people[p] for p in recipients]))
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Exchange.objects.exists()


@pytest.mark.parametrize("day", [timezone.localdate() + datetime.timedelta(days=1), datetime.date(2000, 1, 1)])
def test_the_day_is_in_the_last_year(api, network, coordinator, alice, bob, day):
    response = post(api, coordinator, body(network, [alice.pk], [bob.pk], happened_on=day.isoformat()))
    assert response.status_code == 400
    assert "happened_on" in response.json()["error"]["fields"]


def test_a_member_may_not_record_an_activity(api, network, alice, bob):
    response = post(api, alice, body(network, [alice.pk], [bob.pk]))
    assert response.status_code == 403
    assert not Exchange.objects.exists()


def test_another_networks_coordinator_gets_404(api, network, other_network, alice, bob):
    elsewhere = member(other_network, role=Membership.Role.COORDINATOR).user
    response = post(api, elsewhere, body(network, [alice.pk], [bob.pk]))
    assert response.status_code == 404
    assert not Exchange.objects.exists()
