"""Each person's home by their roles, the tab bar by role, and a supporter acting with their member."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from exchanges.ledger.models import Account
from exchanges.models import Listing
from members.models import Membership, SupportLink
from messaging.notifications.services import notification_create
from messaging.services import conversation_direct_open, message_send
from tests.exchanges.helpers import claimed, funded, proposed
from tests.factories import UserFactory, member, pending

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tabs(html: str) -> list[str]:
    bar = re.search(r'<nav class="tabs".*?</nav>', html, re.S).group(0)
    return re.findall(r"<span>([^<]+)</span></a>", bar) + re.findall(r"<span>([^<]+)</span><span class=\"badge\"", bar)


@pytest.fixture
def sam_and_dora(network):
    dora = member(network, is_supported=True)
    sam = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(network=network, supporter=sam, member=dora)
    return sam.user, dora.user


def test_a_members_home_puts_a_claim_to_confirm_first(network, alice, bob):
    funded(network, alice)
    exchange = claimed(network, bob, alice, minutes=75)
    html = client_for(alice).get("/").content.decode()
    needs = html.index("Needs you")
    assert needs < html.index("Your time")
    assert f"/exchanges/{exchange.pk}/" in html[needs:]
    assert "Confirm the time" in html and f"with {bob.name}, 1 h 15 min" in html
    # bob waits for alice, not for himself
    assert "Confirm the time" not in client_for(bob).get("/").content.decode()


def test_a_members_home_puts_a_proposal_to_answer_first(network, alice, bob):
    exchange = proposed(network, bob, alice, actor=alice)
    html = client_for(bob).get("/").content.decode()
    assert "Answer a request" in html and f"/exchanges/{exchange.pk}/" in html


def test_the_balance_explains_the_floor_in_hours(network, alice):
    Account.objects.filter(membership__user=alice).update(floor=-600)
    html = " ".join(client_for(alice).get("/").content.decode().split())
    assert "You have 0 min. You can go down to \u221210 h, so you can give up to 10 h." in html
    assert "I helped someone / Someone helped me" in html


def test_the_home_reads_in_a_fixed_number_of_queries(network, alice, bob):
    funded(network, alice)
    claimed(network, bob, alice)
    client = client_for(alice)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for _ in range(4):
        claimed(network, bob, alice)
        notification_create(user=alice, kind="test", text="News", network=network)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_supporters_home_shows_the_people_they_support_and_what_needs_them(network, bob, sam_and_dora):
    sam, dora = sam_and_dora
    funded(network, dora)
    exchange = claimed(network, bob, dora, minutes=30)
    html = client_for(sam).get("/").content.decode()
    assert "People you support" in html and dora.name in html
    assert f"Needs {dora.name}:" in html and f"/exchanges/{exchange.pk}/" in html
    assert f"/time/?member={dora.pk}" in html and f"/notifications/?member={dora.pk}" in html
    assert "Post a listing for" in html


def test_a_supporter_sees_their_members_time_and_gives_with_them(network, bob, sam_and_dora):
    sam, dora = sam_and_dora
    funded(network, dora, minutes=90)
    html = client_for(sam).get(f"/time/?member={dora.pk}").content.decode()
    assert f"{dora.name} has 1 h 30 min." in html and "+1 h 30 min" in html
    form = {"kind": "gift", "to_member": bob.pk, "hours": 0, "minutes": 30, "key": "s1", "member": dora.pk}
    client_for(sam).post(f"/time/{network.slug}/give/", form)
    assert Account.objects.get(membership__user=dora).balance == 60
    assert Account.objects.get(membership__user=bob).balance == 30


def test_someone_else_cannot_look_at_a_members_time_or_notifications(network, alice, sam_and_dora):
    _sam, dora = sam_and_dora
    assert client_for(alice).get(f"/time/?member={dora.pk}").status_code == 404
    assert client_for(alice).get(f"/notifications/?member={dora.pk}").status_code == 404


def test_a_supporter_reads_their_members_notifications(network, sam_and_dora):
    sam, dora = sam_and_dora
    notification_create(user=dora, kind="test", text="Bob says the help is done", network=network)
    html = client_for(sam).get(f"/notifications/?member={dora.pk}").content.decode()
    assert "Bob says the help is done" in html and f"reading {dora.name}" in html


def test_a_supporter_posts_a_listing_for_their_member(network, sam_and_dora):
    sam, dora = sam_and_dora
    dora_membership = dora.memberships.get(network=network)
    page = client_for(sam).get(f"/listings/new/?owner=m:{dora_membership.pk}").content.decode()
    assert "Who is it for?" in page
    client_for(sam).post(
        "/listings/new/", {"owner": f"m:{dora_membership.pk}", "kind": "request", "title": "Shopping on Fridays"}
    )
    listing = Listing.objects.get()
    assert (listing.owner, listing.network) == (dora, network)


def test_the_tab_bar_differs_by_role(network, alice, coordinator):
    assert tabs(client_for(alice).get("/").content.decode()) == ["Home", "Find help", "Offer help", "Me", "Messages"]
    assert "Desk" in tabs(client_for(coordinator).get("/").content.decode())
    commissioner = member(network, role=Membership.Role.COMMISSIONER).user
    html = client_for(commissioner).get("/").content.decode()
    assert tabs(html) == ["Home", "Figures", "Me"]
    assert "Your time" not in html and "I helped someone" not in html
    assert f"/reports/{network.slug}/" in html


def test_a_coordinators_home_points_at_their_areas(network, coordinator):
    html = client_for(coordinator).get("/").content.decode()
    assert "Coordinating" in html and f"/networks/{network.slug}/queue/" in html


def test_giving_has_a_page_of_its_own(network, alice):
    response = client_for(alice).get(f"/time/{network.slug}/give/")
    assert response.status_code == 200
    assert 'name="hours"' in response.content.decode()


def test_the_statement_signs_each_line_and_shows_the_balance_after(network, alice, bob):
    funded(network, alice, minutes=120)
    client_for(alice).post(
        f"/time/{network.slug}/give/", {"kind": "gift", "to_member": bob.pk, "hours": 0, "minutes": 45, "key": "g"}
    )
    html = client_for(alice).get("/time/").content.decode()
    lines = re.findall(r'<div class="change (in|out)">([^<]+)</div>\s*<div class="after">([^<]+)</div>', html)
    assert lines == [("out", "\u221245 min", "then 1 h 15 min"), ("in", "+2 h", "then 2 h")]
    assert "<table" not in html


def test_flash_messages_sit_in_a_status_region_around_the_list(network, alice, bob):
    response = client_for(alice).post(
        f"/time/{network.slug}/give/", {"kind": "donation", "hours": 0, "minutes": 15, "key": "f"}, follow=True
    )
    html = response.content.decode()
    assert '<div class="flash" role="status"><ul class="messages">' in html
    assert '<ul class="messages" role="status">' not in html


def test_the_me_page_links_to_profile_time_and_account_settings(network, alice):
    html = client_for(alice).get("/me/").content.decode()
    for path in (f"/networks/{network.slug}/profile/", "/time/", "/accounts/password/change/", "/me/data/"):
        assert path in html


def test_an_unread_reply_needs_you_until_it_is_read(network, alice, bob):
    chat, _created = conversation_direct_open(network=network, user=alice, other_id=bob.pk)
    message_send(conversation=chat, sender=bob, body="Are you free on Saturday?")
    client = client_for(alice)
    html = client.get("/").content.decode()
    assert "New message" in html and f"/conversations/{chat.pk}/" in html
    client.get(f"/conversations/{chat.pk}/")
    assert f'data-conversation-item="{chat.pk}"' not in client.get("/").content.decode()


def test_someone_in_no_network_is_shown_the_way_to_join(db):
    html = client_for(UserFactory()).get("/").content.decode()
    assert "You are not in a network yet." in html and 'href="/networks/"' in html


def test_someone_waiting_to_join_is_told_so(network):
    waiting = pending(network).user
    html = client_for(waiting).get("/").content.decode()
    assert f"You asked to join {network.name}" in html and "Your time" not in html
