"""Digests as each person chose: daily, weekly (with new listings in their networks that fit them) or off,
in their language; `send_digests` is safe to run again."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from exchanges.listings import listing_create
from exchanges.matching.services import profile_skills_refresh
from exchanges.models import Listing
from members.models import Membership, Skill
from messaging.management.commands import send_digests
from messaging.notifications.models import Notification, NotificationPreference
from messaging.notifications.services import notification_create, preferences_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def go():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_digests")

    return go


def gift(user, network):
    return notification_create(user=user, kind="transfer.gift", network=network, data={"name": "Bob", "minutes": 90})


def test_daily_by_default_in_plain_hours_and_minutes(network, alice, run):
    gift(alice, network)
    run()
    [sent] = mail.outbox
    assert sent.to == [alice.email]
    assert "Bob gave you 1 hour 30 minutes." in sent.body


def test_off_sends_nothing(network, alice, run):
    preferences_set(user=alice, email_digest="off")
    gift(alice, network)
    run()
    assert mail.outbox == []


def test_weekly_goes_once_a_week_with_new_listings_that_fit(network, alice, bob, run):
    preferences_set(user=alice, email_digest="weekly")
    profile = Membership.objects.get(network=network, user=alice)
    dogs = Skill.objects.filter(slug="dog-walking")
    profile.skills_wanted.set(dogs)
    profile_skills_refresh(membership=profile)
    offer = listing_create(actor=bob, network=network, kind="offer", title="Happy to walk dogs", skills=list(dogs))
    listing_create(actor=bob, network=network, kind="offer", title="Accordion lessons")
    Notification.objects.all().delete()
    gift(alice, network)
    run()
    [sent] = mail.outbox
    assert "Bob gave you 1 hour 30 minutes." in sent.body
    assert f"/listings/{offer.pk}/" in sent.body and "Happy to walk dogs" in sent.body
    assert "Accordion" not in sent.body
    # The daily run the next morning sends nothing more this week.
    gift(alice, network)
    run()
    assert len(mail.outbox) == 1
    # A week on, the next round-up carries only what came since the last one.
    Listing.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    NotificationPreference.objects.filter(user=alice).update(weekly_sent_at=timezone.now() - datetime.timedelta(days=7))
    run()
    assert len(mail.outbox) == 2 and "Happy to walk dogs" not in mail.outbox[1].body


def test_a_digest_is_written_in_the_readers_language(network, alice, run, monkeypatch):
    preferences_set(user=alice, language="cy")
    seen = []
    written = send_digests._written

    def spy(*args, **kwargs):
        seen.append(translation.get_language())
        return written(*args, **kwargs)

    monkeypatch.setattr(send_digests, "_written", spy)
    gift(alice, network)
    run()
    assert seen == ["cy"]


def test_a_relayed_notification_says_for_whom(network, run):
    from members.models import SupportLink
    from tests.factories import member

    edna = member(network, is_supported=True)
    helper = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(network=network, supporter=helper, member=edna)
    gift(edna.user, network)
    run()
    [sent] = [m for m in mail.outbox if m.to == [helper.user.email]]
    assert f"(for {edna.user.name})" in sent.body
