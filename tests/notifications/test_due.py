"""What falls due is said before it does: a listing about to end (with a one-tap renew), a check due for review."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from exchanges.listings import listing_create, listings_expiring_remind
from exchanges.models import Listing
from members.models import Membership
from members.safeguarding.models import SafeguardingCheck
from members.safeguarding.services import checks_due_remind
from messaging.notifications.models import Notification
from tests.factories import member
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def ending(network, alice):
    listing = listing_create(actor=alice, network=network, kind="offer", title="Dog walks", expires_on=days(2))
    Notification.objects.all().delete()
    return listing


def test_an_owner_is_told_once_before_the_listing_ends(network, alice, ending):
    listing_create(actor=alice, network=network, kind="offer", title="Far off", expires_on=days(20))
    Notification.objects.filter(kind="match").delete()
    assert listings_expiring_remind() == 1
    assert listings_expiring_remind() == 0
    assert told() == [(alice.pk, "listing.expiring", None)]
    note = Notification.objects.get()
    assert note.url == f"/listings/{ending.pk}/"
    assert "Dog walks" in note.shown


def test_renewing_from_the_page_keeps_it_open_and_it_is_reminded_again_before_its_new_end(client, alice, ending):
    listings_expiring_remind()
    client.force_login(alice)
    assert 'id="renew"' in client.get(f"/listings/{ending.pk}/").content.decode()
    assert client.post(f"/listings/{ending.pk}/renew/").status_code == 302
    ending.refresh_from_db()
    assert ending.expires_on == days(32) and ending.status == Listing.Status.OPEN
    assert listings_expiring_remind(today=days(30)) == 1


def test_a_closed_listing_renewed_opens_again(alice, ending):
    from exchanges.listings import listing_renew

    Listing.objects.filter(pk=ending.pk).update(status=Listing.Status.CLOSED, expires_on=days(-1))
    renewed = listing_renew(actor=alice, listing=ending)
    assert (renewed.status, renewed.expires_on) == (Listing.Status.OPEN, days(30))


def test_someone_else_cannot_renew(client, network, ending):
    client.force_login(member(network).user)
    assert client.post(f"/listings/{ending.pk}/renew/").status_code == 403
    ending.refresh_from_db()
    assert ending.expires_on == days(2)


def test_coordinators_are_told_once_of_a_check_falling_due(network, coordinator, alice, bob):
    other = member(network, role=Membership.Role.COORDINATOR).user
    SafeguardingCheck.objects.create(
        network=network,
        membership=Membership.objects.get(user=alice),
        kind=SafeguardingCheck.Kind.REFERENCE,
        checked_on=days(-300),
        review_on=days(20),
        recorded_by=coordinator,
    )
    SafeguardingCheck.objects.create(
        network=network,
        membership=Membership.objects.get(user=bob),
        kind=SafeguardingCheck.Kind.REFERENCE,
        checked_on=days(-10),
        review_on=days(200),
        recorded_by=coordinator,
    )
    Notification.objects.all().delete()
    call_command("remind_due")
    call_command("remind_due")
    assert sorted(told()) == sorted([(coordinator.pk, "checks.due", None), (other.pk, "checks.due", None)])
    note = Notification.objects.filter(user=coordinator).get()
    assert alice.name in note.shown
    assert note.url == f"/networks/{network.slug}/members/{alice.pk}/manage/"
    assert checks_due_remind() == 0


def test_an_end_more_than_a_year_off_is_refused_from_the_api_and_the_page(api, client, network, alice):
    body = {"network": network.slug, "kind": "offer", "title": "Far off", "expires_on": "9999-12-31"}
    response = api.as_user(alice).post("/api/v1/listings/", body, format="json")
    assert response.status_code == 400 and "expires_on" in response.json()["error"]["fields"]
    client.force_login(alice)
    page = client.post(
        "/listings/new/", {"network": network.pk, "kind": "offer", "title": "Far off", "expires_on": "9999-12-31"}
    )
    assert page.status_code == 200 and "within a year" in page.content.decode()
    assert not Listing.objects.exists()


def test_renewing_a_listing_set_to_end_in_the_far_future_keeps_it_within_a_year(client, alice, ending):
    """Before the rule an end in year 9999 could be set, and renewing it answered 500 (a date overflow)."""
    Listing.objects.filter(pk=ending.pk).update(expires_on=datetime.date(9999, 12, 31))
    client.force_login(alice)
    assert client.post(f"/listings/{ending.pk}/renew/").status_code == 302
    ending.refresh_from_db()
    assert ending.expires_on == days(366)


def test_a_listing_set_to_end_beyond_a_year_is_brought_within_it(alice, ending):
    from importlib import import_module

    from django.apps import apps

    Listing.objects.filter(pk=ending.pk).update(expires_on=datetime.date(9999, 12, 31))
    import_module("exchanges.migrations.0019_listing_end_within_a_year").bring_within_a_year(apps, None)
    ending.refresh_from_db()
    assert ending.expires_on == days(366)
