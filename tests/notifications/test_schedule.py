"""Agreed help has a time: `POST /api/v1/exchanges/{id}/schedule/`, reminders the day before and an hour before
(each once, however often `send_reminders` runs), and afterwards the provider is asked whether it happened."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from exchanges.ledger.moves import transfer_request
from exchanges.lifecycle.agree import exchange_accept
from exchanges.lifecycle.schedule import exchanges_remind
from exchanges.lifecycle.start import exchange_propose
from exchanges.models import Exchange
from members.models import AuditEvent
from messaging.notifications.models import Notification
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(network, alice, bob, coordinator):
    transfer_request(actor=coordinator, network=network, kind="issue", to_member=bob.pk, minutes=600, reason="Start")
    exchange = exchange_propose(
        actor=alice, network=network, provider=alice, recipient=bob, minutes=90, description="Shopping"
    )
    exchange = exchange_accept(actor=bob, exchange=exchange)
    Notification.objects.all().delete()
    return exchange


def later(**delta) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(**delta)).replace(microsecond=0)


def test_a_party_sets_the_time_and_the_other_is_told(api, agreed, alice, bob):
    when = later(days=3)
    response = api.as_user(alice).post(
        f"/api/v1/exchanges/{agreed.pk}/schedule/", {"scheduled_for": when.isoformat()}, format="json"
    )
    assert response.status_code == 200
    assert datetime.datetime.fromisoformat(response.json()["scheduled_for"]) == when
    assert told() == [(bob.pk, "exchange.scheduled", None)]
    assert AuditEvent.objects.filter(action="exchange.schedule", actor=alice).exists()


def test_only_an_accepted_exchange_has_a_time(api, network, alice, bob):
    proposed = exchange_propose(
        actor=alice, network=network, provider=alice, recipient=bob, minutes=30, description="x"
    )
    response = api.as_user(alice).post(
        f"/api/v1/exchanges/{proposed.pk}/schedule/", {"scheduled_for": later(days=1).isoformat()}, format="json"
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    proposed.refresh_from_db()
    assert proposed.scheduled_for is None


@pytest.mark.parametrize("value", [None, "soon", "2001-01-01T10:00:00Z", "2999-01-01T10:00:00Z"])
def test_a_time_not_in_the_coming_year_is_a_400(api, agreed, alice, value):
    response = api.as_user(alice).post(
        f"/api/v1/exchanges/{agreed.pk}/schedule/", {"scheduled_for": value}, format="json"
    )
    assert response.status_code == 400 and "scheduled_for" in response.json()["error"]["fields"]
    agreed.refresh_from_db()
    assert agreed.scheduled_for is None


def test_someone_outside_the_network_gets_404(api, network, other_network, agreed):
    from tests.factories import member

    assert (
        api.as_user(member(other_network).user)
        .post(f"/api/v1/exchanges/{agreed.pk}/schedule/", {"scheduled_for": later(days=1).isoformat()}, format="json")
        .status_code
        == 404
    )


def test_reminders_go_once_each_at_their_time(network, agreed, alice, bob):
    Exchange.objects.filter(pk=agreed.pk).update(scheduled_for=timezone.now() + datetime.timedelta(hours=20))
    assert exchanges_remind() == 1
    assert exchanges_remind() == 0  # run again: nothing twice
    assert sorted(told()) == sorted(
        [(alice.pk, "exchange.reminder_day", None), (bob.pk, "exchange.reminder_day", None)]
    )
    Notification.objects.all().delete()
    soon = timezone.now() + datetime.timedelta(minutes=50)
    Exchange.objects.filter(pk=agreed.pk).update(scheduled_for=soon)
    call_command("send_reminders")
    call_command("send_reminders")
    assert sorted(told()) == sorted(
        [(alice.pk, "exchange.reminder_hour", None), (bob.pk, "exchange.reminder_hour", None)]
    )
    Notification.objects.all().delete()
    assert exchanges_remind(now=soon + datetime.timedelta(minutes=5)) == 1
    assert exchanges_remind(now=soon + datetime.timedelta(minutes=10)) == 0
    # Afterwards only the provider is asked; the page's one tap claims the agreed minutes.
    assert told() == [(alice.pk, "exchange.did_it_happen", None)]
    asked = Notification.objects.get()
    assert asked.url == f"/exchanges/{agreed.pk}/"
    assert "1 hour 30 minutes" in asked.shown


def test_the_one_tap_after_claims_the_agreed_minutes_and_asks_the_recipient(client, network, agreed, alice, bob):
    Exchange.objects.filter(pk=agreed.pk).update(scheduled_for=timezone.now() - datetime.timedelta(minutes=5))
    exchanges_remind()
    client.force_login(alice)
    page = client.get(f"/exchanges/{agreed.pk}/").content.decode()
    # The claim form holds the agreed time, 1 h 30 min: one tap.
    assert re.search(r'name="hours" value="1"', page) and re.search(r'name="minutes" value="30"', page)
    client.post(f"/exchanges/{agreed.pk}/complete/", {"hours": "1", "minutes": "30"})
    agreed.refresh_from_db()
    assert (agreed.state, agreed.claimed_minutes) == ("claimed", 90)
    assert (bob.pk, "exchange.claimed", None) in told()


def test_moving_the_time_starts_the_reminders_over(api, agreed, alice, bob):
    Exchange.objects.filter(pk=agreed.pk).update(scheduled_for=timezone.now() + datetime.timedelta(hours=20))
    exchanges_remind()
    api.as_user(bob).post(
        f"/api/v1/exchanges/{agreed.pk}/schedule/", {"scheduled_for": later(hours=22).isoformat()}, format="json"
    )
    Notification.objects.all().delete()
    assert exchanges_remind() == 1
    assert len(told(kind="exchange.reminder_day")) == 2


def test_the_page_sets_the_time(client, agreed, alice, bob):
    client.force_login(bob)
    assert 'id="schedule"' in client.get(f"/exchanges/{agreed.pk}/").content.decode()
    when = timezone.localtime(later(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/exchanges/{agreed.pk}/schedule/", {"scheduled_for": when})
    agreed.refresh_from_db()
    assert agreed.scheduled_for is not None
    assert told() == [(alice.pk, "exchange.scheduled", None)]
