"""A supporter hears what happens to the members they support, marked for whom, and reads and acts on it with
them; a supported member with no supporter has theirs go to the coordinators; a stranger gets 404."""

import pytest
from django.core.management import call_command

from exchanges.lifecycle.start import exchange_propose
from members.models import AuditEvent, Membership, SupportLink
from messaging.notifications.models import Notification
from tests.factories import member
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(network, alice, edna, supporter):
    # Words no random nonce or token on a page can hold (a space), so their absence means something.
    exchange_propose(
        actor=alice, network=network, provider=alice, recipient=edna, minutes=30, description="Tea and a chat"
    )
    return Notification.objects.get(user=edna)


def test_a_supported_member_without_a_supporter_reaches_the_coordinators(network, alice, coordinator):
    lone = member(network, is_supported=True).user
    second = member(network, role=Membership.Role.COORDINATOR).user
    exchange_propose(actor=alice, network=network, provider=alice, recipient=lone, minutes=30, description="Tea")
    assert sorted(told()) == sorted(
        [
            (lone.pk, "exchange.proposed", None),
            (coordinator.pk, "exchange.proposed", lone.pk),
            (second.pk, "exchange.proposed", lone.pk),
        ]
    )


def test_a_member_who_is_not_supported_is_told_alone(network, alice, bob, coordinator):
    exchange_propose(actor=alice, network=network, provider=alice, recipient=bob, minutes=30, description="Tea")
    assert told() == [(bob.pk, "exchange.proposed", None)]


def test_a_supporter_who_stepped_down_hears_nothing_more(network, alice, edna, supporter, coordinator):
    Membership.objects.filter(user=supporter).update(role=Membership.Role.MEMBER)
    exchange_propose(actor=alice, network=network, provider=alice, recipient=edna, minutes=30, description="Tea")
    # No active supporter left: the coordinators hear instead.
    assert (supporter.pk, "exchange.proposed", edna.pk) not in told()
    assert (coordinator.pk, "exchange.proposed", edna.pk) in told()


def test_the_supporters_list_shows_the_relayed_one_marked_for_the_member(api, network, edna, supporter, proposal):
    body = api.as_user(supporter).get("/api/v1/notifications/").json()
    [row] = body["results"]
    assert row["for_member"] == {"id": edna.pk, "display_name": edna.name}
    assert row["kind"] == "exchange.proposed" and "30 minutes" in row["text"]


def test_a_supporter_reads_the_members_own_notifications(api, network, edna, supporter, proposal):
    body = api.as_user(supporter).get(f"/api/v1/notifications/?member={edna.pk}").json()
    assert [row["id"] for row in body["results"]] == [proposal.pk]
    assert body["results"][0]["for_member"] is None  # it is Edna's own


def test_a_supporter_marks_it_read_for_the_member_and_the_record_says_so(api, network, edna, supporter, proposal):
    response = api.as_user(supporter).post(f"/api/v1/notifications/{proposal.pk}/read/?member={edna.pk}")
    assert response.status_code == 200 and response.json()["read"] is True
    proposal.refresh_from_db()
    assert proposal.read_at is not None
    # The supporter's own copy is read with it.
    assert not Notification.objects.filter(user=supporter, read_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="notification.read")
    assert (event.actor_id, event.on_behalf_of_id) == (supporter.pk, edna.pk)


@pytest.mark.parametrize("who", ["stranger", "outsider", "other_member"])
def test_anyone_else_gets_404(api, network, other_network, edna, supporter, proposal, who):
    person = {
        "stranger": member(network, role=Membership.Role.SUPPORTER).user,  # a supporter, but not Edna's
        "outsider": member(other_network).user,
        "other_member": member(network).user,
    }[who]
    assert api.as_user(person).get(f"/api/v1/notifications/?member={edna.pk}").status_code == 404
    assert api.as_user(person).post(f"/api/v1/notifications/{proposal.pk}/read/").status_code == 404
    assert api.as_user(person).post(f"/api/v1/notifications/{proposal.pk}/read/?member={edna.pk}").status_code == 404
    proposal.refresh_from_db()
    assert proposal.read_at is None


def test_a_member_asking_for_someone_elses_gets_404(api, network, alice, edna, supporter, proposal):
    assert api.as_user(alice).get(f"/api/v1/notifications/?member={edna.pk}").status_code == 404


def test_a_coordinator_reads_a_supported_members_notifications(api, network, coordinator, edna, supporter, proposal):
    body = api.as_user(coordinator).get(f"/api/v1/notifications/?member={edna.pk}").json()
    assert [row["id"] for row in body["results"]] == [proposal.pk]


def test_a_bad_member_filter_is_a_400(api, alice):
    response = api.as_user(alice).get("/api/v1/notifications/?member=x")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"


def test_the_page_shows_the_relayed_one_for_the_member(client, network, edna, supporter, proposal):
    client.force_login(supporter)
    page = client.get("/notifications/").content.decode()
    assert f"For {edna.name}" in page
    copy = Notification.objects.get(user=supporter)
    response = client.post(f"/notifications/{copy.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == copy.url


def test_the_page_marks_the_members_own_read_with_her(client, network, edna, supporter, proposal):
    client.force_login(supporter)
    assert client.post(f"/notifications/{proposal.pk}/read/").status_code == 302
    proposal.refresh_from_db()
    assert proposal.read_at is not None


def test_a_removed_support_link_ends_the_reading(api, network, edna, supporter, proposal):
    SupportLink.objects.all().delete()
    assert api.as_user(supporter).get(f"/api/v1/notifications/?member={edna.pk}").status_code == 404


@pytest.mark.parametrize("ending", ["unlinked", "stepped down"])
def test_a_supporter_no_longer_linked_no_longer_reads_the_copies_about_the_member(
    api, client, network, edna, supporter, proposal, ending, mailoutbox, django_capture_on_commit_callbacks
):
    copy = Notification.objects.get(user=supporter, about=edna)
    if ending == "unlinked":
        SupportLink.objects.filter(supporter__user=supporter).delete()
    else:
        Membership.objects.filter(user=supporter).update(role=Membership.Role.MEMBER)
    as_them = api.as_user(supporter)
    assert as_them.get("/api/v1/notifications/").json()["results"] == []
    assert as_them.post(f"/api/v1/notifications/{copy.pk}/read/").status_code == 404
    client.force_login(supporter)
    page = client.get("/notifications/")
    assert "Tea and a chat" not in page.content.decode() and edna.name not in page.content.decode()
    assert page.context["unread_notifications"] == 0  # the badge
    # The daily digest tells no one who no longer supports her of Edna's news.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests")
    assert not [m for m in mailoutbox if supporter.email in m.to]
    assert any(edna.email in m.to for m in mailoutbox)  # the digests did go out


def test_the_supporters_home_marks_the_relayed_one_for_the_member(client, network, edna, supporter, proposal):
    client.force_login(supporter)
    page = client.get("/").content.decode()
    news = page[page.index('<ul id="notifications"') :]
    news = news[: news.index("</ul>")]
    assert "30 minutes" in news and f"For {edna.name}" in news


@pytest.mark.parametrize(
    ("came_from", "back_to"),
    [("/notifications/?member={edna}", "/notifications/?member={edna}"), ("https://evil.example/", "/notifications/")],
)
def test_marking_one_read_returns_to_the_list_it_was_marked_on(
    client, network, edna, supporter, proposal, came_from, back_to
):
    client.force_login(supporter)
    page = client.get(f"/notifications/?member={edna.pk}").content.decode()
    assert f'name="next" value="/notifications/?member={edna.pk}"' in page
    response = client.post(f"/notifications/{proposal.pk}/read/", {"next": came_from.format(edna=edna.pk)})
    assert response.status_code == 302 and response["Location"] == back_to.format(edna=edna.pk)
