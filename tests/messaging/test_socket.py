"""The /ws/ socket: every frame type, auth, refusals, rate limit, oversize and bad frames."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from messaging import services
from messaging.consumers import SocketConsumer
from messaging.models import Message, Participant
from messaging.notifications import push
from messaging.notifications import services as notification_services
from tests.factories import NetworkFactory, UserFactory, member
from tests.messaging.conftest import HOST, ORIGIN, next_frame, socket_for
from timebank.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def count_messages() -> int:
    return Message.objects.count()


async def test_a_sent_message_is_acknowledged_to_the_sender_and_pushed_to_the_other_participant(chat, alice, bob):
    a, b = await socket_for(alice), await socket_for(bob)
    await a.send_json_to({"type": "message.send", "conversation": chat.pk, "body": "Hello", "client_id": "c1"})
    ack = await a.receive_json_from()
    pushed = await next_frame(b, "message.new")
    assert ack["type"] == "message.new"
    assert ack["message"]["seq"] == 1 and ack["message"]["client_id"] == "c1" and ack["message"]["sender"] == alice.pk
    assert pushed["message"] == ack["message"]
    assert await database_sync_to_async(count_messages)() == 1
    await a.disconnect()
    await b.disconnect()


async def test_the_sender_gets_one_frame_per_message_not_a_duplicate_from_the_group(chat, alice):
    a = await socket_for(alice)
    await a.send_json_to({"type": "message.send", "conversation": chat.pk, "body": "Once", "client_id": "c1"})
    await a.receive_json_from()
    assert await a.receive_nothing(timeout=0.3)
    await a.disconnect()


async def test_a_resend_with_the_same_client_id_returns_the_first_message(chat, alice):
    a = await socket_for(alice)
    frame = {"type": "message.send", "conversation": chat.pk, "body": "Hi", "client_id": "same"}
    await a.send_json_to(frame)
    first = await a.receive_json_from()
    await a.send_json_to(frame)
    second = await a.receive_json_from()
    assert first["message"]["id"] == second["message"]["id"]
    assert await database_sync_to_async(count_messages)() == 1
    await a.disconnect()


async def test_message_read_moves_the_mark_and_tells_the_other_participant(chat, alice, bob):
    await database_sync_to_async(services.message_send)(conversation=chat, sender=alice, body="Read me")
    a, b = await socket_for(alice), await socket_for(bob)
    await b.send_json_to({"type": "message.read", "conversation": chat.pk, "seq": 1})
    assert await next_frame(b, "message.read") == {
        "type": "message.read",
        "conversation": chat.pk,
        "user": bob.pk,
        "seq": 1,
    }
    told = await next_frame(a, "message.read")
    assert told["user"] == bob.pk and told["seq"] == 1
    mark = await database_sync_to_async(lambda: Participant.objects.get(conversation=chat, user=bob).last_read_seq)()
    assert mark == 1
    await a.disconnect()
    await b.disconnect()


async def test_typing_reaches_the_other_participant(chat, alice, bob):
    a, b = await socket_for(alice), await socket_for(bob)
    await a.send_json_to({"type": "typing", "conversation": chat.pk})
    assert await next_frame(b, "typing") == {"type": "typing", "conversation": chat.pk, "user": alice.pk}
    assert await a.receive_nothing(timeout=0.2)
    await a.disconnect()
    await b.disconnect()


async def test_sync_sends_what_was_missed_in_seq_order_then_sync_done(network, chat, alice, bob):
    send = database_sync_to_async(services.message_send)
    for i in range(1, 5):
        await send(conversation=chat, sender=alice, body=f"m{i}")
    carol = await database_sync_to_async(lambda: member(network).user)()
    other, _ = await database_sync_to_async(services.conversation_direct_open)(
        network=network, user=carol, other_id=bob.pk
    )
    await send(conversation=other, sender=carol, body="from carol")
    b = await socket_for(bob)
    await b.send_json_to({"type": "sync", "since": {str(chat.pk): 2}})
    frames = [await b.receive_json_from() for _ in range(4)]
    got = [(f["message"]["conversation"], f["message"]["seq"], f["message"]["body"]) for f in frames[:3]]
    assert got == [(chat.pk, 3, "m3"), (chat.pk, 4, "m4"), (other.pk, 1, "from carol")]
    assert frames[3] == {"type": "sync.done", "conversations": {str(chat.pk): 4, str(other.pk): 1}}
    await b.disconnect()


async def test_a_notification_is_pushed_live(alice, network):
    a = await socket_for(alice)
    await database_sync_to_async(notification_services.notification_create)(
        user=alice, kind="exchange.accepted", text="Bob accepted", network=network
    )
    frame = await next_frame(a, "notification.new")
    assert frame["notification"]["text"] == "Bob accepted" and frame["notification"]["read"] is False
    await a.disconnect()


async def test_exchange_updated_events_are_forwarded_as_frames(alice):
    a = await socket_for(alice)
    await database_sync_to_async(push.push_to_user)(
        alice.pk, {"type": "exchange.updated", "exchange": {"id": 7, "state": "accepted"}}
    )
    assert await a.receive_json_from() == {"type": "exchange.updated", "exchange": {"id": 7, "state": "accepted"}}
    await a.disconnect()


async def test_ping_is_answered_with_pong(alice):
    a = await socket_for(alice)
    await a.send_json_to({"type": "ping"})
    assert await a.receive_json_from() == {"type": "pong"}
    await a.disconnect()


async def test_an_app_client_sends_with_its_session_token(chat, alice):
    def token():
        response = Client().post(
            "/_allauth/app/v1/auth/login",
            {"email": alice.email, "password": "demo-password"},
            content_type="application/json",
        )
        return response.json()["meta"]["session_token"]

    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"x-session-token", (await sync_to_async(token)()).encode())]
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "message.send", "conversation": chat.pk, "body": "From the app"})
    assert (await communicator.receive_json_from())["message"]["body"] == "From the app"
    await communicator.disconnect()


async def test_a_forged_session_cookie_is_closed_as_unauthenticated():
    communicator = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, HOST, (b"cookie", b"sessionid=forged")])
    connected, code = await communicator.connect()
    assert not connected and code == 4401


async def test_a_foreign_origin_is_refused_even_with_a_session(alice):
    from tests.messaging.conftest import session_cookie

    cookie = await sync_to_async(session_cookie)(alice)
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_a_foreign_conversation_is_refused_and_nothing_is_written(chat, network):
    stranger = await database_sync_to_async(lambda: member(network).user)()
    s = await socket_for(stranger)
    for frame in (
        {"type": "message.send", "conversation": chat.pk, "body": "Let me in"},
        {"type": "message.read", "conversation": chat.pk, "seq": 1},
        {"type": "typing", "conversation": chat.pk},
    ):
        await s.send_json_to(frame)
        assert (await s.receive_json_from())["code"] == "not_found"
    assert await database_sync_to_async(count_messages)() == 0
    await s.disconnect()


async def test_a_conversation_in_another_network_is_refused(chat):
    elsewhere = await database_sync_to_async(lambda: NetworkFactory())()
    outsider = await database_sync_to_async(lambda: member(elsewhere).user)()
    o = await socket_for(outsider)
    await o.send_json_to({"type": "message.send", "conversation": chat.pk, "body": "Hi"})
    assert await o.receive_json_from() == {"type": "error", "code": "not_found", "message": "No such conversation."}
    await o.disconnect()


async def test_sync_never_returns_someone_elses_conversation(chat, alice, network):
    await database_sync_to_async(services.message_send)(conversation=chat, sender=alice, body="private")
    stranger = await database_sync_to_async(lambda: member(network).user)()
    s = await socket_for(stranger)
    await s.send_json_to({"type": "sync", "since": {str(chat.pk): 0}})
    assert await s.receive_json_from() == {"type": "sync.done", "conversations": {}}
    await s.disconnect()


async def test_bad_json_gets_an_error_frame_writes_nothing_and_the_socket_stays_usable(chat, alice):
    a = await socket_for(alice)
    await a.send_to(text_data='{"type": "message.send", "conversation": ')
    assert (await a.receive_json_from())["code"] == "bad_json"
    await a.send_json_to({"type": "message.send", "conversation": chat.pk, "body": "still here"})
    assert (await a.receive_json_from())["message"]["seq"] == 1
    assert await database_sync_to_async(count_messages)() == 1
    await a.disconnect()


async def test_a_lone_surrogate_gets_an_error_frame_and_writes_nothing(chat, alice):
    a = await socket_for(alice)
    await a.send_to(text_data=f'{{"type": "message.send", "conversation": {chat.pk}, "body": "\\ud800"}}')
    assert (await a.receive_json_from())["code"] == "bad_json"
    assert await database_sync_to_async(count_messages)() == 0
    await a.disconnect()


@pytest.mark.parametrize(
    "frame, code",
    [
        ([1, 2], "bad_frame"),
        ({"no": "type"}, "bad_frame"),
        ({"type": "launch.rockets"}, "unknown_type"),
        ({"type": "message.send", "conversation": "one", "body": "x"}, "validation_error"),
        ({"type": "message.send", "conversation": 1}, "validation_error"),
        ({"type": "message.read", "conversation": 1, "seq": -1}, "validation_error"),
        ({"type": "sync", "since": {"abc": 1}}, "validation_error"),
        ({"type": "sync", "since": []}, "validation_error"),
        ({"type": "message.send", "conversation": 10**30, "body": "x"}, "validation_error"),
        ({"type": "message.read", "conversation": 1, "seq": 10**30}, "validation_error"),
        ({"type": "sync", "since": {str(10**30): 1}}, "validation_error"),
    ],
)
async def test_a_malformed_frame_gets_its_error_code_and_writes_nothing(chat, alice, frame, code):
    a = await socket_for(alice)
    await a.send_to(text_data=json.dumps(frame))
    assert (await a.receive_json_from())["code"] == code
    assert await database_sync_to_async(count_messages)() == 0
    await a.disconnect()


async def test_an_empty_message_is_refused_with_validation_error(chat, alice):
    a = await socket_for(alice)
    await a.send_json_to({"type": "message.send", "conversation": chat.pk, "body": "   "})
    frame = await a.receive_json_from()
    assert frame["type"] == "error" and frame["code"] == "validation_error"
    assert await database_sync_to_async(count_messages)() == 0
    await a.disconnect()


async def test_a_frame_over_64_kb_is_refused_and_nothing_is_written(chat, alice):
    a = await socket_for(alice)
    body = "x" * (64 * 1024)
    await a.send_json_to({"type": "message.send", "conversation": chat.pk, "body": body})
    assert (await a.receive_json_from())["code"] == "too_large"
    await a.send_json_to({"type": "ping"})
    assert await a.receive_json_from() == {"type": "pong"}
    assert await database_sync_to_async(count_messages)() == 0
    await a.disconnect()


async def test_a_message_to_a_blocked_member_is_refused(chat, network, alice, bob):
    from messaging.moderation import block_create

    await database_sync_to_async(block_create)(network=network, blocker=bob, blocked_id=alice.pk)
    a = await socket_for(alice)
    await a.send_json_to({"type": "message.send", "conversation": chat.pk, "body": "Hello?"})
    assert (await a.receive_json_from())["code"] == "permission_denied"
    assert await database_sync_to_async(count_messages)() == 0
    await a.disconnect()


async def test_flooding_gets_rate_limited_then_closed_with_4429(alice):
    a = await socket_for(alice)
    for _ in range(SocketConsumer.burst):
        await a.send_json_to({"type": "ping"})
    pongs = [await a.receive_json_from() for _ in range(SocketConsumer.burst)]
    assert all(p == {"type": "pong"} for p in pongs)
    for _ in range(2 * SocketConsumer.strikes_before_close):
        await a.send_json_to({"type": "ping"})
    outputs = []
    while not outputs or outputs[-1]["type"] != "websocket.close":
        outputs.append(await a.receive_output(timeout=1))
    errors = [json.loads(o["text"]) for o in outputs if "rate_limited" in o.get("text", "")]
    assert errors == [{"type": "error", "code": "rate_limited", "message": "Too many frames: at most 10 a second."}]
    assert outputs[-1] == {"type": "websocket.close", "code": 4429}


async def test_a_socket_recovers_when_the_client_slows_down(alice):
    a = await socket_for(alice)
    for _ in range(SocketConsumer.burst + 10):
        await a.send_json_to({"type": "ping"})
    codes = []
    while "rate_limited" not in codes:
        codes.append((await a.receive_json_from(timeout=2)).get("code"))
    await asyncio.sleep(1.5)
    while not await a.receive_nothing(timeout=0.2):
        await a.receive_output()
    await a.send_json_to({"type": "ping"})
    assert await a.receive_json_from() == {"type": "pong"}
    await a.disconnect()


async def test_a_socket_closes_when_its_session_is_logged_out_elsewhere(alice, monkeypatch):
    monkeypatch.setattr(SocketConsumer, "session_check_seconds", 0.2)
    client = await sync_to_async(Client)()
    await sync_to_async(client.force_login)(alice)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    a = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, HOST, (b"cookie", cookie)])
    assert (await a.connect())[0]
    assert await a.receive_nothing(timeout=0.5)
    await sync_to_async(client.logout)()
    assert await a.receive_output(timeout=2) == {"type": "websocket.close", "code": 4401}


async def test_a_message_sent_in_a_transaction_that_rolls_back_produces_no_socket_event(chat, alice, bob):
    b = await socket_for(bob)

    def send_and_roll_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.message_send(conversation=chat, sender=alice, body="never happened")
            raise RuntimeError("roll back")

    await database_sync_to_async(send_and_roll_back)()
    assert await b.receive_nothing(timeout=0.5)
    assert await database_sync_to_async(count_messages)() == 0
    await database_sync_to_async(chat.refresh_from_db)()
    assert chat.last_seq == 0
    await b.disconnect()


async def test_a_user_without_a_session_cannot_connect():
    someone = await database_sync_to_async(UserFactory)()
    assert someone.pk
    communicator = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, HOST])
    connected, code = await communicator.connect()
    assert not connected and code == 4401


async def test_a_null_character_is_refused_not_a_server_error(chat, alice):
    a = await socket_for(alice)
    await a.send_json_to({"type": "message.send", "conversation": chat.pk, "body": "nul\x00here"})
    assert (await a.receive_json_from())["code"] == "validation_error"
    assert await database_sync_to_async(count_messages)() == 0
    await a.disconnect()


async def test_a_control_character_or_direction_override_is_refused_not_stored(chat, alice):
    a = await socket_for(alice)
    for body in ("\u202eolleh", "ding\x07", "wipe\x1b[2J"):
        await a.send_json_to({"type": "message.send", "conversation": chat.pk, "body": body})
        frame = await a.receive_json_from()
        assert frame["code"] == "validation_error" and "control character" in frame["message"], frame
    assert await database_sync_to_async(count_messages)() == 0
    await a.disconnect()


def membership_set(user, network, **fields) -> None:
    from members.models import Membership

    Membership.objects.filter(user=user, network=network).update(**fields)


def message_notifications(user) -> int:
    return notification_services.Notification.objects.filter(user=user, kind="message").count()


@pytest.mark.parametrize("status", ["suspended", "left"])
async def test_a_participant_no_longer_active_hears_nothing_of_new_messages(chat, network, alice, bob, status):
    await database_sync_to_async(membership_set)(bob, network, status=status)
    a, b = await socket_for(alice), await socket_for(bob)
    await a.send_json_to({"type": "message.send", "conversation": chat.pk, "body": "Still there?", "client_id": "c1"})
    assert (await a.receive_json_from())["type"] == "message.new"
    assert await b.receive_nothing(timeout=0.5)
    assert await database_sync_to_async(message_notifications)(bob) == 0
    # Reinstated, they hear of the next one live again.
    await database_sync_to_async(membership_set)(bob, network, status="active")
    await a.send_json_to({"type": "message.send", "conversation": chat.pk, "body": "Welcome back", "client_id": "c2"})
    assert (await next_frame(b, "message.new"))["message"]["body"] == "Welcome back"
    await a.disconnect()
    await b.disconnect()


@pytest.mark.parametrize("status", ["suspended", "left"])
async def test_a_participant_no_longer_active_cannot_type_or_mark_read(chat, network, alice, bob, status):
    await database_sync_to_async(services.message_send)(conversation=chat, sender=alice, body="Read me")
    await database_sync_to_async(membership_set)(bob, network, status=status)
    a, b = await socket_for(alice), await socket_for(bob)
    for frame in (
        {"type": "typing", "conversation": chat.pk},
        {"type": "message.read", "conversation": chat.pk, "seq": 1},
    ):
        await b.send_json_to(frame)
        assert (await b.receive_json_from())["code"] == "not_found"
    assert await a.receive_nothing(timeout=0.5)
    mark = await database_sync_to_async(lambda: Participant.objects.get(conversation=chat, user=bob).last_read_seq)()
    assert mark == 0
    await a.disconnect()
    await b.disconnect()


async def test_a_mark_read_is_told_only_to_the_participants_still_active(chat, network, alice, bob):
    await database_sync_to_async(services.message_send)(conversation=chat, sender=alice, body="Read me")
    await database_sync_to_async(membership_set)(alice, network, status="suspended")
    a, b = await socket_for(alice), await socket_for(bob)
    await b.send_json_to({"type": "message.read", "conversation": chat.pk, "seq": 1})
    assert (await b.receive_json_from())["seq"] == 1
    assert await a.receive_nothing(timeout=0.5)
    await a.disconnect()
    await b.disconnect()


@pytest.mark.parametrize("blocker", ["typist", "other"])
async def test_typing_says_nothing_across_a_block_either_way(chat, network, alice, bob, blocker):
    from messaging.moderation import block_create

    by, against = (alice, bob) if blocker == "typist" else (bob, alice)
    await database_sync_to_async(block_create)(network=network, blocker=by, blocked_id=against.pk)
    a, b = await socket_for(alice), await socket_for(bob)
    await a.send_json_to({"type": "typing", "conversation": chat.pk})
    assert await b.receive_nothing(timeout=0.5)
    assert await a.receive_nothing(timeout=0.1)
    await a.disconnect()
    await b.disconnect()


@pytest.mark.parametrize("blocker", ["reader", "other"])
async def test_a_mark_read_says_nothing_across_a_block_but_reaches_the_readers_own_devices(
    chat, network, alice, bob, blocker
):
    from messaging.moderation import block_create

    await database_sync_to_async(services.message_send)(conversation=chat, sender=alice, body="Read me")
    by, against = (bob, alice) if blocker == "reader" else (alice, bob)
    await database_sync_to_async(block_create)(network=network, blocker=by, blocked_id=against.pk)
    a, b, b_phone = await socket_for(alice), await socket_for(bob), await socket_for(bob)
    await b.send_json_to({"type": "message.read", "conversation": chat.pk, "seq": 1})
    assert (await next_frame(b_phone, "message.read"))["seq"] == 1
    assert await a.receive_nothing(timeout=0.5)
    for socket in (a, b, b_phone):
        await socket.disconnect()
