"""The coordinator's desk (/coordinator/): counts of what needs a decision, each with enough to decide
or a link to where it is handled; the register page; every member by name in the ledger pages."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from exchanges import services
from exchanges.models import Activity, Exchange
from members.models import Membership, Network
from members.safeguarding.services import concern_raise
from messaging.moderation import message_report
from messaging.services.conversations import conversation_direct_open
from messaging.services.messages import message_send
from tests.exchanges.conftest import issue
from tests.exchanges.helpers import claimed, proposed
from tests.factories import UserFactory, member, pending

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def count_of(html: str, key: str) -> int:
    found = re.search(rf'data-count="{key}">(\d+)<', html)
    assert found, key
    return int(found.group(1))


def test_the_desk_counts_what_needs_a_decision(network, coordinator, alice, bob):
    Network.objects.filter(pk=network.pk).update(approval="sensitive")
    issue(network, alice, 300)
    pending(network, user=UserFactory(display_name="Winston"))
    services.exchange_accept(
        actor=bob, exchange=proposed(network, bob, alice, actor=alice, description="Lift to the GP surgery")
    )
    disputed = claimed(network, bob, alice, minutes=30)
    services.exchange_dispute(actor=alice, exchange=disputed, reason="It was only ten minutes")
    conversation, _ = conversation_direct_open(network=network, user=alice, other_id=bob.pk)
    message, _ = message_send(conversation=conversation, sender=bob, body="rude words")
    message_report(message_id=message.pk, reporter=alice, reason="He was rude")
    concern_raise(network=network, raised_by=alice, description="Worried about Bob", about_user=bob)
    html = page_client(coordinator).get("/coordinator/").content.decode()
    assert count_of(html, "join_requests") == 1 and "Winston" in html
    assert count_of(html, "approvals") == 1 and "Held because it looks like" in html
    assert count_of(html, "disputes") == 1
    assert "It was only ten minutes" in html and "says it took 30 min." in html
    assert count_of(html, "reports") == 1 and "He was rude" in html
    assert count_of(html, "concerns") == 1
    assert count_of(html, "checks_due") == 0
    assert "/networks/harlesden/queue/" in html and "/coordinator/exchanges/" in html


def test_the_desk_lists_who_may_be_isolated(network, coordinator):
    member(network, user=UserFactory(display_name="Edna"))
    html = page_client(coordinator).get("/coordinator/").content.decode()
    assert count_of(html, "isolated") >= 1 and "Edna" in html
    assert "/networks/harlesden/isolation/" in html


def test_the_desk_is_for_coordinators(network, alice):
    assert page_client(alice).get("/coordinator/").status_code == 403


def test_the_register_page_records_a_coffee_morning_for_six(network, coordinator):
    leader = member(network, user=UserFactory(display_name="Leader")).user
    guests = [member(network, user=UserFactory(display_name=f"Guest {i}")).user for i in range(6)]
    for guest in guests:
        issue(network, guest, 120)
    client = page_client(coordinator)
    form = client.get("/networks/harlesden/activities/new/")
    assert form.status_code == 200 and "Guest 3" in form.content.decode()
    response = client.post(
        "/networks/harlesden/activities/new/",
        {
            "title": "Coffee morning",
            "happened_on": timezone.localdate().isoformat(),
            "minutes": "60",
            "led_by": str(leader.pk),
            "direction": "received",
            "came": [str(g.pk) for g in guests],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert activity.exchanges.count() == 6
    assert set(Exchange.objects.values_list("provider_id", flat=True)) == {leader.pk}


def test_the_register_page_shows_a_refusal_and_records_nothing(network, coordinator, alice):
    client = page_client(coordinator)
    response = client.post(
        "/networks/harlesden/activities/new/",
        {
            "title": "Coffee morning",
            "happened_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "minutes": "60",
            "led_by": "pot",
            "direction": "gave",
            "came": [str(alice.pk)],
        },
    )
    assert response.status_code == 400
    assert "within the last year" in response.content.decode()
    assert not Activity.objects.exists()


def test_the_register_page_is_for_coordinators(network, other_network, alice):
    assert page_client(alice).get("/networks/harlesden/activities/new/").status_code == 403
    elsewhere = member(other_network, role=Membership.Role.COORDINATOR).user
    assert page_client(elsewhere).get("/networks/harlesden/activities/new/").status_code == 404


def test_a_new_member_has_their_name_in_the_ledger_pages(network, coordinator):
    newcomer = member(network, user=UserFactory(email="winston.k@example.org", display_name="")).user
    issue(network, newcomer, 60)
    html = page_client(coordinator).get("/networks/harlesden/ledger/").content.decode()
    # Until they give a name, "Member <number>": a name, never part of their email address.
    assert f"<td>Member {newcomer.pk}</td>" in html and newcomer.name == f"Member {newcomer.pk}"
    assert "winston" not in html


def test_a_dispute_card_gives_both_sides_words(network, coordinator, alice, bob):
    issue(network, alice, 300)
    exchange = claimed(network, bob, alice, minutes=45)
    services.exchange_dispute(actor=alice, exchange=exchange, reason="Bob left after twenty minutes")
    html = page_client(coordinator).get("/coordinator/exchanges/").content.decode()
    assert "says it took 45 min" in html and "Bob left after twenty minutes" in html


def test_the_desk_gives_times_in_hours_and_minutes_like_every_other_page(network, coordinator, alice, bob):
    Network.objects.filter(pk=network.pk).update(approval="sensitive")
    issue(network, alice, 300)
    lift = proposed(network, bob, alice, actor=alice, minutes=90, description="Lift to the GP surgery")
    services.exchange_accept(actor=bob, exchange=lift)
    disputed = claimed(network, bob, alice, minutes=90)
    services.exchange_dispute(actor=alice, exchange=disputed, reason="Too long")
    html = page_client(coordinator).get("/coordinator/").content.decode()
    assert "90 minutes" not in html
    assert "1 h 30 min" in html.replace("\xa0", " ") and "says it took 1" in html
