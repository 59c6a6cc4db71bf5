"""Forms as people fill them in: how long as hours and minutes, with plain errors in the same words; kinds of
help grouped by category."""

import pytest
from django.test import Client

from exchanges.models import Exchange, Listing

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_listing(client, network, **how_long) -> str:
    body = {"network": network.pk, "kind": "offer", "title": "Dog walks", **how_long}
    return client.post("/listings/new/", body).content.decode()


def test_a_listing_takes_hours_and_minutes(network, alice):
    post_listing(signed_in(alice), network, minutes_estimate_0="1", minutes_estimate_1="30")
    assert Listing.objects.get().minutes_estimate == 90


def test_the_form_shows_hours_and_minutes_each_with_its_label(network, alice):
    page = signed_in(alice).get("/listings/new/").content.decode()
    for part in ("0", "1"):
        assert f'name="minutes_estimate_{part}"' in page and f'for="id_minutes_estimate_{part}"' in page
    assert "About how many minutes" not in page


@pytest.mark.parametrize(
    "hours, minutes, said",
    [
        ("-1", "0", "Use whole numbers of hours and minutes."),
        ("1.5", "", "Use whole numbers of hours and minutes."),
        ("9" * 5000, "", "Use whole numbers of hours and minutes."),
        ("100000", "0", "Say how long: from 1 min up to 100 h."),
        ("0", "0", "Say how long: from 1 min up to 100 h."),
    ],
)
def test_a_time_that_cannot_be_is_refused_in_plain_words(network, alice, hours, minutes, said):
    page = post_listing(signed_in(alice), network, minutes_estimate_0=hours, minutes_estimate_1=minutes)
    assert said in page and "Ensure this value" not in page
    assert not Listing.objects.exists()


def test_no_time_at_all_is_fine_for_a_listing(network, alice):
    post_listing(signed_in(alice), network)
    assert Listing.objects.get().minutes_estimate is None


def test_recording_help_takes_hours_and_minutes(network, alice, bob):
    client = signed_in(alice)
    page = client.get("/exchanges/record/").content.decode()
    assert 'name="minutes_0"' in page and 'name="minutes_1"' in page
    other = f"m:{bob.memberships.get(network=network).pk}"
    body = {"direction": "gave", "who": "me", "other": other, "minutes_0": "2", "minutes_1": "15"}
    assert client.post("/exchanges/record/", body).status_code == 302
    assert Exchange.objects.get().minutes == 135


def test_kinds_of_help_are_grouped_by_category(network, alice):
    page = signed_in(alice).get("/listings/new/").content.decode()
    assert page.count("<optgroup") > 5 and "up to 20" in page


def test_any_number_of_minutes_can_be_given_and_is_shown_again(network, alice):
    """A minutes box in steps of five refused 1 h 7 min in the browser, and a listing of 62 minutes could
    not be saved again unchanged."""
    client = signed_in(alice)
    post_listing(client, network, minutes_estimate_0="1", minutes_estimate_1="7")
    listing = Listing.objects.get()
    assert listing.minutes_estimate == 67
    page = client.get(f"/listings/{listing.pk}/edit/").content.decode()
    minutes = page[page.index('name="minutes_estimate_1"') - 200 : page.index('name="minutes_estimate_1"') + 200]
    assert 'value="7"' in minutes and "step=" not in minutes
