"""Announcements and events (GET/POST /api/v1/networks/{slug}/announcements/ and the page): members
read, coordinators post, every active member is notified."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from members.models import Announcement, Membership
from messaging.notifications.models import Notification
from tests.factories import member, pending

pytestmark = pytest.mark.django_db

URL = "/api/v1/networks/harlesden/announcements/"
SOON = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
LATER = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()


def test_a_coordinator_posts_and_every_active_member_is_told(api, network, coordinator, alice, bob):
    waiting = pending(network).user
    body = {"title": "Summer picnic", "body": "Bring a plate.", "starts_on": SOON, "ends_on": SOON}
    response = api.as_user(coordinator).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Summer picnic" and data["starts_on"] == SOON
    told = Notification.objects.filter(kind="announcement")
    assert set(told.values_list("user_id", flat=True)) == {alice.pk, bob.pk}
    assert waiting.pk not in told.values_list("user_id", flat=True)
    assert told.first().data["announcement"] == data["id"]


def test_members_read_newest_first(api, network, coordinator, alice):
    for title in ("First", "Second"):
        api.as_user(coordinator).post(URL, {"title": title, "body": "…"}, format="json")
    response = api.as_user(alice).get(URL)
    assert response.status_code == 200
    assert [a["title"] for a in response.json()["results"]] == ["Second", "First"]


def test_a_member_may_not_post(api, network, alice):
    response = api.as_user(alice).post(URL, {"title": "Hi", "body": "…"}, format="json")
    assert response.status_code == 403
    assert not Announcement.objects.exists()


def test_another_network_gets_404(api, network, other_network):
    elsewhere = member(other_network, role=Membership.Role.COORDINATOR).user
    assert api.as_user(elsewhere).get(URL).status_code == 404
    assert api.as_user(elsewhere).post(URL, {"title": "Hi", "body": "…"}, format="json").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "x"}, "body"),
        ({"title": "x", "body": "y", "starts_on": LATER, "ends_on": SOON}, "ends_on"),
        ({"title": "x", "body": "y", "starts_on": "0001-01-01"}, "starts_on"),
        ({"title": "x", "body": "y", "starts_on": SOON, "ends_on": "9999-12-31"}, "ends_on"),
        ({"title": "x", "body": "y", "starts_on": "soon"}, "starts_on"),
        ({"title": 5, "body": "y"}, "title"),
    ],
)
def test_bad_announcements_are_refused(api, network, coordinator, alice, body, field):
    response = api.as_user(coordinator).post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Announcement.objects.exists() and not Notification.objects.filter(kind="announcement").exists()


def test_the_page_lists_and_posts(network, coordinator, alice):
    client = Client()
    client.force_login(coordinator)
    response = client.post(
        "/networks/harlesden/announcements/", {"title": "Coffee morning", "body": "Tuesday at the library"}
    )
    assert response.status_code == 302
    assert Notification.objects.filter(kind="announcement", user=alice).exists()
    reader = Client()
    reader.force_login(alice)
    html = reader.get("/networks/harlesden/announcements/").content.decode()
    assert "Coffee morning" in html and "Tuesday at the library" in html
    assert "Post to everyone" not in html  # members read; the form is for coordinators


def test_a_member_posting_from_the_page_gets_403(network, alice):
    client = Client()
    client.force_login(alice)
    response = client.post("/networks/harlesden/announcements/", {"title": "x", "body": "y"})
    assert response.status_code == 403
    assert not Announcement.objects.exists()


def test_only_people_who_can_read_the_news_are_told_of_it(api, network, coordinator, alice):
    member(network, role=Membership.Role.COMMISSIONER)  # funds the network: sees figures, not news
    helper = member(network, role=Membership.Role.SUPPORTER).user
    response = api.as_user(coordinator).post(URL, {"title": "Picnic", "body": "Bring a plate."}, format="json")
    assert response.status_code == 201, response.content
    told = set(Notification.objects.filter(kind="announcement").values_list("user_id", flat=True))
    assert told == {alice.pk, helper.pk}
    for reader in told:
        assert api.as_user(Membership.objects.get(user_id=reader).user).get(URL).status_code == 200


def test_a_commissioner_is_told_they_cannot_read_the_news_not_the_members(api, network):
    funder = member(network, role=Membership.Role.COMMISSIONER).user
    response = api.as_user(funder).get(URL)
    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert "news" in message and "who is in" not in message


def test_the_news_notification_is_words_in_the_readers_language(api, network, coordinator, alice):
    from messaging.notifications.services import notification_serialize

    alice.language = "cy"
    alice.save(update_fields=["language"])
    api.as_user(coordinator).post(URL, {"title": "Picnic", "body": "Bring a plate."}, format="json")
    note = Notification.objects.get(kind="announcement", user=alice)
    assert note.data["network_name"] == "Harlesden KeyRing" and note.data["title"] == "Picnic"
    assert notification_serialize(note, language="en-gb")["text"] == "News from Harlesden KeyRing: Picnic"
    assert notification_serialize(note)["text"] == "Newyddion gan Harlesden KeyRing: Picnic"
    assert note.url == "/networks/harlesden/announcements/"
