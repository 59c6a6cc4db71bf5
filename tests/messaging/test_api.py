"""REST API for conversations, messages, notifications, blocks and reports (PRODUCT §4)."""

import pytest

from exchanges.models import Exchange
from messaging import services
from messaging.models import Block, ConversationAccess, Message, MessageReport
from messaging.notifications import services as notification_services
from messaging.notifications.models import Notification
from tests.factories import NetworkFactory, member

pytestmark = pytest.mark.django_db


def test_anonymous_callers_get_401(api):
    response = api.get("/api/v1/conversations/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_opening_a_direct_conversation_creates_it_once(api, network, alice, bob):
    body = {"network": network.slug, "member": bob.pk}
    first = api.as_user(alice).post("/api/v1/conversations/", body, format="json")
    again = api.post("/api/v1/conversations/", body, format="json")
    assert first.status_code == 201 and again.status_code == 200
    data = first.json()
    assert again.json()["id"] == data["id"]
    assert data["network"] == network.slug and data["kind"] == "direct" and data["exchange"] is None
    assert sorted(p["id"] for p in data["participants"]) == sorted([alice.pk, bob.pk])
    assert data["last_seq"] == 0 and data["unread"] == 0


def test_opening_an_exchange_conversation(api, network, alice, bob):
    exchange = Exchange.objects.create(network=network, provider=alice, recipient=bob, minutes=30, proposed_by=alice)
    response = api.as_user(bob).post("/api/v1/conversations/", {"exchange": exchange.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["exchange"] == exchange.pk and response.json()["kind"] == "exchange"


@pytest.mark.parametrize("body", [{}, {"network": "harlesden"}, {"exchange": 1, "network": "harlesden", "member": 2}])
def test_a_conversation_needs_a_member_or_an_exchange(api, alice, body):
    response = api.as_user(alice).post("/api/v1/conversations/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_a_member_of_another_network_is_not_found(api, network, alice):
    outsider = member(NetworkFactory()).user
    response = api.as_user(alice).post(
        "/api/v1/conversations/", {"network": network.slug, "member": outsider.pk}, format="json"
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_conversation_list_shows_only_mine_with_unread_counts(api, chat, alice, bob, network):
    services.message_send(conversation=chat, sender=alice, body="hello")
    carol, dave = member(network).user, member(network).user
    services.conversation_direct_open(network=network, user=carol, other_id=dave.pk)
    response = api.as_user(bob).get("/api/v1/conversations/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["results"][0]["id"] == chat.pk
    assert body["results"][0]["unread"] == 1 and body["results"][0]["last_seq"] == 1


def test_messages_are_sent_and_listed_in_seq_order_after_a_seq(api, chat, alice):
    client = api.as_user(alice)
    url = f"/api/v1/conversations/{chat.pk}/messages/"
    for i in range(3):
        response = client.post(url, {"body": f"m{i}", "client_id": f"c{i}"}, format="json")
        assert response.status_code == 201
    assert response.json()["seq"] == 3 and response.json()["sender"] == alice.pk
    listed = client.get(url, {"after": 1}).json()
    assert listed["count"] == 2
    assert [(m["seq"], m["body"], m["client_id"]) for m in listed["results"]] == [(2, "m1", "c1"), (3, "m2", "c2")]
    assert set(listed["results"][0]) == {"id", "conversation", "seq", "sender", "body", "client_id", "created_at"}


def test_a_replayed_send_returns_the_first_message_with_200(api, chat, alice):
    url = f"/api/v1/conversations/{chat.pk}/messages/"
    first = api.as_user(alice).post(url, {"body": "hi", "client_id": "x"}, format="json")
    again = api.post(url, {"body": "hi", "client_id": "x"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Message.objects.count() == 1


def test_someone_elses_conversation_answers_404_and_writes_nothing(api, chat, network):
    stranger = api.as_user(member(network).user)
    url = f"/api/v1/conversations/{chat.pk}/messages/"
    assert stranger.get(url).status_code == 404
    response = stranger.post(url, {"body": "hi"}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert stranger.get(f"/api/v1/conversations/{chat.pk}/").status_code == 404
    assert Message.objects.count() == 0


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": "x" * 4001}, {"body": "hi", "client_id": "c" * 65}])
def test_a_bad_message_is_refused_with_400(api, chat, alice, body):
    response = api.as_user(alice).post(f"/api/v1/conversations/{chat.pk}/messages/", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"
    assert Message.objects.count() == 0


def test_a_bad_after_is_refused_with_400(api, chat, alice):
    response = api.as_user(alice).get(f"/api/v1/conversations/{chat.pk}/messages/", {"after": "soon"})
    assert response.status_code == 400 and response.json()["error"]["fields"]["after"]


def test_a_blocked_send_answers_403(api, chat, network, alice, bob):
    Block.objects.create(network=network, blocker=bob, blocked=alice)
    response = api.as_user(alice).post(f"/api/v1/conversations/{chat.pk}/messages/", {"body": "hi"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


def test_marking_a_conversation_read(api, chat, alice, bob):
    services.message_send(conversation=chat, sender=alice, body="hi")
    response = api.as_user(bob).post(f"/api/v1/conversations/{chat.pk}/read/", {"seq": 1}, format="json")
    assert response.status_code == 200 and response.json() == {"conversation": chat.pk, "last_read_seq": 1}


def test_notifications_are_listed_newest_first_and_marked_read(api, network, alice, bob):
    notification_services.notification_create(user=alice, kind="a", text="first", network=network)
    second = notification_services.notification_create(user=alice, kind="b", text="second", network=network)
    notification_services.notification_create(user=bob, kind="c", text="not yours", network=network)
    listed = api.as_user(alice).get("/api/v1/notifications/").json()
    assert [n["text"] for n in listed["results"]] == ["second", "first"]
    response = api.post(f"/api/v1/notifications/{second.pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    assert api.get("/api/v1/notifications/", {"unread": "1"}).json()["count"] == 1


def test_someone_elses_notification_answers_404(api, network, alice, bob):
    note = notification_services.notification_create(user=bob, kind="c", text="not yours", network=network)
    response = api.as_user(alice).post(f"/api/v1/notifications/{note.pk}/read/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_blocking_and_unblocking_through_the_api(api, network, alice, bob):
    response = api.as_user(alice).post("/api/v1/blocks/", {"network": network.slug, "member": bob.pk}, format="json")
    assert response.status_code == 201 and response.json()["member"] == bob.pk
    assert api.get("/api/v1/blocks/").json()["count"] == 1
    assert api.delete(f"/api/v1/blocks/{response.json()['id']}/").status_code == 204
    assert not Block.objects.exists()


def test_reporting_a_message_and_a_coordinator_opening_the_conversation(api, chat, alice, bob, coordinator):
    message, _ = services.message_send(conversation=chat, sender=alice, body="rude")
    report = api.as_user(bob).post(f"/api/v1/messages/{message.pk}/report/", {"reason": "unkind"}, format="json")
    assert report.status_code == 201 and MessageReport.objects.get().reason == "unkind"
    coordinator_api = api.as_user(coordinator)
    assert coordinator_api.get(f"/api/v1/conversations/{chat.pk}/messages/").status_code == 404
    blank = coordinator_api.post(f"/api/v1/conversations/{chat.pk}/access/", {"reason": ""}, format="json")
    assert blank.status_code == 400
    opened = coordinator_api.post(f"/api/v1/conversations/{chat.pk}/access/", {"reason": "report"}, format="json")
    assert opened.status_code == 201 and ConversationAccess.objects.count() == 1
    read = coordinator_api.get(f"/api/v1/conversations/{chat.pk}/messages/")
    assert read.status_code == 200 and read.json()["results"][0]["body"] == "rude"


def test_a_member_asking_to_open_a_conversation_gets_403(api, chat, network, alice, bob):
    message, _ = services.message_send(conversation=chat, sender=alice, body="rude")
    MessageReport.objects.create(network=network, message=message, reporter=bob)
    response = api.as_user(member(network).user).post(
        f"/api/v1/conversations/{chat.pk}/access/", {"reason": "nosy"}, format="json"
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


def test_a_member_who_became_a_commissioner_cannot_send_in_their_old_conversation(api, network, chat, alice):
    from members.models import Membership

    Membership.objects.filter(user=alice, network=network).update(role=Membership.Role.COMMISSIONER)
    response = api.as_user(alice).post(
        f"/api/v1/conversations/{chat.pk}/messages/", {"body": "hello", "client_id": "c1"}, format="json"
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert "do not message members" in response.json()["error"]["message"]
    assert not Message.objects.exists()


def coordinator_with_access(network, chat, alice, bob, coordinator):
    """The coordinator has opened the conversation after a report on one of its messages."""
    from messaging import moderation

    message, _ = services.message_send(conversation=chat, sender=alice, body="rude")
    moderation.message_report(message_id=message.pk, reporter=bob)
    moderation.conversation_access_open(conversation_id=chat.pk, coordinator=coordinator, reason="report")


@pytest.mark.parametrize(
    "change", [{"role": "member"}, {"status": "suspended"}, {"status": "left"}], ids=["demoted", "suspended", "left"]
)
def test_a_coordinator_s_access_to_a_conversation_ends_when_they_are_no_longer_its_coordinator(
    api, client, network, chat, alice, bob, coordinator, change
):
    from members.models import Membership

    coordinator_with_access(network, chat, alice, bob, coordinator)
    assert api.as_user(coordinator).get(f"/api/v1/conversations/{chat.pk}/messages/").status_code == 200
    Membership.objects.filter(user=coordinator, network=network).update(**change)
    response = api.get(f"/api/v1/conversations/{chat.pk}/messages/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    client.force_login(coordinator)
    assert client.get(f"/conversations/{chat.pk}/").status_code == 404


def test_opening_an_exchange_conversation_while_suspended_is_404_and_creates_nothing(api, network, alice, bob):
    from members.models import Membership
    from messaging.models import Conversation

    exchange = Exchange.objects.create(network=network, provider=alice, recipient=bob, minutes=30, proposed_by=alice)
    Membership.objects.filter(user=bob, network=network).update(status=Membership.Status.SUSPENDED)
    response = api.as_user(bob).post("/api/v1/conversations/", {"exchange": exchange.pk}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert not Conversation.objects.exists()
