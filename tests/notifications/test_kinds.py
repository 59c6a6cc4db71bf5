"""A notification is a kind and its parameters, rendered in the reader's language when shown or sent."""

import pytest
from django.utils import translation

from messaging.notifications import services
from messaging.notifications.kinds import KINDS, kind_render, minutes_text
from messaging.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_minutes_read_as_hours_and_minutes():
    assert minutes_text(90) == "1 hour 30 minutes"
    assert minutes_text(120) == "2 hours"
    assert minutes_text(1) == "1 minute"
    assert minutes_text(0) == "0 minutes"


def test_a_notification_is_stored_as_kind_and_parameters_and_rendered(network, alice):
    note = services.notification_create(
        user=alice, kind="transfer.gift", network=network, data={"name": "Bob", "minutes": 90}
    )
    note.refresh_from_db()
    assert note.data == {"name": "Bob", "minutes": 90}
    assert note.url == "/time/"
    assert services.notification_serialize(note)["text"] == "Bob gave you 1 hour 30 minutes."


def test_the_text_is_rendered_in_the_readers_language(network, alice, monkeypatch):
    alice.language = "cy"
    alice.save(update_fields=["language"])
    seen = []
    original = kind_render

    def spy(kind, data, fallback=""):
        seen.append(translation.get_language())
        return original(kind, data, fallback)

    monkeypatch.setattr("messaging.notifications.models.kind_render", spy)
    note = services.notification_create(
        user=alice, kind="transfer.gift", network=network, data={"name": "B", "minutes": 5}
    )
    seen.clear()
    services.notification_serialize(note)
    assert seen == ["cy"]
    seen.clear()
    services.notification_serialize(note, language="en-gb")
    assert seen == ["en-gb"]


def test_an_old_row_without_parameters_shows_its_stored_text(network, alice):
    old = Notification.objects.create(user=alice, network=network, kind="exchange.proposed", text="Old words")
    assert services.notification_serialize(old)["text"] == "Old words"


def test_a_kind_with_no_words_needs_text(network, alice):
    with pytest.raises(ValueError):
        services.notification_create(user=alice, kind="no.such.kind", network=network)
    made = services.notification_create(user=alice, kind="no.such.kind", text="Said plainly", network=network)
    assert services.notification_serialize(made)["text"] == "Said plainly"


def test_every_kind_renders_with_its_own_parameters():
    """Each kind's words name only parameters its callers give (a typo would show the stored text)."""
    sample = {
        "name": "Bob",
        "minutes": 30,
        "payer": "A",
        "earner": "B",
        "to": "C",
        "theirs": "Dogs",
        "title": "Walks",
        "member_name": "D",
        "network_name": "Harlesden",
        "when": "2026-12-07T10:00:00+00:00",
        "date": "2026-12-31",
        "description": "Shopping",
        "check": "DBS",
    }
    for kind, spec in KINDS.items():
        for form in ["", *spec.forms]:
            text = kind_render(kind, {**sample, "form": form}, fallback="FALLBACK")
            assert text != "FALLBACK" and "%(" not in text, kind


def test_a_missing_parameter_never_shows_a_placeholder():
    assert kind_render("transfer.gift", {"minutes": 5}) == "… gave you 5 minutes."


def test_a_confirmed_exchange_reads_right_for_one_hour_and_for_many_minutes():
    data = {"payer": "Bernard", "earner": "Hamid"}
    assert kind_render("exchange.posted", {**data, "minutes": 60}) == "Confirmed: Bernard paid Hamid 1 hour."
    assert kind_render("exchange.posted", {**data, "minutes": 95}) == "Confirmed: Bernard paid Hamid 1 hour 35 minutes."


def test_a_time_that_ends_in_a_full_stop_is_not_followed_by_another(settings):
    settings.DATETIME_FORMAT = "N j, Y, P"  # "Dec. 7, 2026, 10 a.m."
    with translation.override(None):
        text = kind_render("exchange.scheduled", {"name": "Bob", "when": "2026-12-07T10:00:00+00:00"})
    assert text.startswith("Bob set a time for your exchange (") and ".." not in text
