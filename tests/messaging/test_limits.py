"""Per-person limits: one chat bucket across every socket, the API and the page; a socket cap; frames
counted against the API budget; all failing open when Redis cannot be reached."""

import time

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import Client

from messaging import limits
from messaging.consumers import CLOSE_TOO_MANY_SOCKETS
from messaging.models import Message
from tests.foundation.test_cache import unreachable_url
from tests.messaging.conftest import socket_for
from timebank import ratelimit
from timebank.cache import RedisCache
from timebank.throttling import FailOpenUserThrottle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_refill(monkeypatch):
    """The default burst of 20, but no token comes back during the test: counts are exact."""
    monkeypatch.setattr(limits, "CHAT_RATE", ratelimit.Rate.parse("1/hour", burst=20))


@pytest.fixture
def in_process(monkeypatch):
    """The embedded default's store (this process), whatever REDIS_URL says: its clock can be set."""
    monkeypatch.setattr(ratelimit, "_redis", lambda key: None)


def stored(user) -> int:
    return Message.objects.filter(sender=user).count()


async def send_all(sockets, conversation: int, n: int) -> list[dict]:
    """`n` messages spread over the sockets; every frame the sockets got back, once they fall quiet
    (each socket also gets the messages its siblings sent, pushed)."""
    for i in range(n):
        frame = {"type": "message.send", "conversation": conversation, "body": f"m{i}", "client_id": f"c{i}"}
        await sockets[i % len(sockets)].send_json_to(frame)
    frames: list[dict] = []
    # Until a whole round over the sockets brings nothing: on a busy machine a socket read first may still
    # get frames while the others are read.
    heard = True
    while heard:
        heard = False
        for s in sockets:
            while not await s.receive_nothing(timeout=0.5):
                frames.append(await s.receive_json_from())
                heard = True
    return frames


async def test_many_sockets_of_one_person_share_one_chat_bucket(chat, alice, no_refill):
    sockets = [await socket_for(alice) for _ in range(3)]
    # 30 messages, 10 per socket: each socket's own bucket (20 frames at once) lets them all through.
    answers = await send_all(sockets, chat.pk, 30)
    refusals = [a for a in answers if a["type"] == "error"]
    assert {a["code"] for a in refusals} == {"rate_limited"} and len(refusals) == 10
    assert await database_sync_to_async(stored)(alice) == 20
    for s in sockets:
        await s.disconnect()


async def test_the_socket_the_api_and_the_page_share_one_chat_bucket(chat, alice, bob, no_refill, api):
    a = await socket_for(alice)
    answers = await send_all([a], chat.pk, 15)
    assert all(x["type"] == "message.new" for x in answers)

    def over_http():
        client = api.as_user(alice)
        codes = [
            client.post(f"/api/v1/conversations/{chat.pk}/messages/", {"body": f"h{i}"}, format="json")
            for i in range(6)
        ]
        page = Client()
        page.force_login(alice)
        page.post(f"/conversations/{chat.pk}/", {"body": "from the page"})
        return codes

    responses = await sync_to_async(over_http)()
    assert [r.status_code for r in responses] == [201] * 5 + [429]
    refused = responses[-1]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) >= 1
    assert await database_sync_to_async(stored)(alice) == 20
    # Bob has a bucket of his own.
    b = await socket_for(bob)
    assert (await send_all([b], chat.pk, 1))[0]["type"] == "message.new"
    await a.disconnect()
    await b.disconnect()


def test_the_page_says_so_when_a_member_sends_too_fast(chat, alice, no_refill):
    from messaging import services

    for i in range(20):
        services.message_send(conversation=chat, sender=alice, body=f"m{i}")
    page = Client()
    page.force_login(alice)
    response = page.post(f"/conversations/{chat.pk}/", {"body": "one too many"}, follow=True)
    assert response.status_code == 200
    assert "too fast" in response.content.decode()
    assert stored(alice) == 20


def test_the_chat_rate_is_sixty_a_minute_with_bursts_of_twenty(monkeypatch, in_process):
    clock = {"now": 1000.0}
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock["now"])
    assert (limits.CHAT_RATE.count, limits.CHAT_RATE.period, limits.CHAT_RATE.burst) == (60, 60, 20)
    take = lambda: ratelimit.rate_take(key="chat:rate-test", rate=limits.CHAT_RATE)  # noqa: E731
    assert [take() for _ in range(20)] == [0.0] * 20
    assert take() == pytest.approx(1.0)
    # Then one a second: 60 in the next minute, and not one more.
    allowed = 0
    for _ in range(120):
        clock["now"] += 0.5
        allowed += take() == 0.0
    assert allowed == 60


@pytest.mark.redis
def test_in_redis_the_bucket_allows_a_burst_then_says_how_long_to_wait():
    assert ratelimit._redis("probe") is not None
    rate = ratelimit.Rate.parse("60/minute", burst=20)
    waits = [ratelimit.rate_take(key="chat:redis-test", rate=rate) for _ in range(21)]
    assert waits[:20] == [0.0] * 20
    assert 0.5 < waits[20] <= 1.0


def test_an_unreachable_redis_lets_messages_through(chat, alice, no_refill, monkeypatch):
    from messaging import services

    monkeypatch.setattr(ratelimit, "caches", {"default": RedisCache(unreachable_url(), {})})
    for i in range(25):
        services.message_send(conversation=chat, sender=alice, body=f"m{i}")
    assert stored(alice) == 25
    assert ratelimit.slot_take(key="sockets:1", holder="a", limit=0, ttl=10) is True


async def test_a_person_holds_at_most_ten_sockets(alice):
    sockets = [await socket_for(alice) for _ in range(limits.SOCKETS_PER_PERSON)]
    for s in sockets:
        await s.send_json_to({"type": "ping"})
        assert await s.receive_json_from() == {"type": "pong"}
    eleventh = await socket_for(alice)
    assert await eleventh.receive_json_from() == {
        "type": "error",
        "code": "too_many_sockets",
        "message": "At most 10 open at once: close one and try again.",
    }
    assert await eleventh.receive_output() == {"type": "websocket.close", "code": CLOSE_TOO_MANY_SOCKETS}
    # Closing one frees its place.
    await sockets[0].disconnect()
    again = await socket_for(alice)
    await again.send_json_to({"type": "ping"})
    assert await again.receive_json_from() == {"type": "pong"}
    for s in [*sockets[1:], again]:
        await s.disconnect()


async def test_another_person_is_not_held_back_by_someone_s_sockets(alice, bob):
    sockets = [await socket_for(alice) for _ in range(limits.SOCKETS_PER_PERSON)]
    b = await socket_for(bob)
    await b.send_json_to({"type": "ping"})
    assert await b.receive_json_from() == {"type": "pong"}
    for s in [*sockets, b]:
        await s.disconnect()


def test_a_place_not_renewed_expires(monkeypatch, in_process):
    clock = {"now": 0.0}
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock["now"])
    assert ratelimit.slot_take(key="sockets:x", holder="dead", limit=1, ttl=90)
    assert not ratelimit.slot_take(key="sockets:x", holder="new", limit=1, ttl=90)
    clock["now"] = 91
    assert ratelimit.slot_take(key="sockets:x", holder="new", limit=1, ttl=90)


async def test_socket_frames_count_against_the_api_budget_shared_with_http(alice, api, monkeypatch):
    monkeypatch.setattr(FailOpenUserThrottle, "THROTTLE_RATES", {"user": "5/minute"})
    statuses = await sync_to_async(lambda: [api.as_user(alice).get("/api/v1/me/").status_code for _ in range(3)])()
    assert statuses == [200, 200, 200]
    a = await socket_for(alice)
    answers = []
    for _ in range(3):
        await a.send_json_to({"type": "ping"})
        answers.append(await a.receive_json_from())
    assert answers[:2] == [{"type": "pong"}, {"type": "pong"}]
    assert answers[2]["type"] == "error" and answers[2]["code"] == "rate_limited"
    assert await sync_to_async(lambda: api.as_user(alice).get("/api/v1/me/").status_code)() == 429
    await a.disconnect()


@pytest.mark.redis
def test_in_redis_a_place_not_renewed_expires():
    assert ratelimit.slot_take(key="sockets:y", holder="dead", limit=1, ttl=0.3)
    assert not ratelimit.slot_take(key="sockets:y", holder="new", limit=1, ttl=0.3)
    time.sleep(0.4)
    assert ratelimit.slot_take(key="sockets:y", holder="new", limit=1, ttl=0.3)


@pytest.fixture
def two_at_once(monkeypatch):
    """Two messages at once, and none comes back during the test."""
    monkeypatch.setattr(limits, "CHAT_RATE", ratelimit.Rate.parse("1/hour", burst=2))


def test_a_resend_of_a_stored_message_spends_no_chat_budget(chat, alice, two_at_once, api):
    from messaging import services

    first, _ = services.message_send(conversation=chat, sender=alice, body="hi", client_id="a")
    for _ in range(3):
        again, created = services.message_send(conversation=chat, sender=alice, body="hi", client_id="a")
        assert again.pk == first.pk and not created
    url = f"/api/v1/conversations/{chat.pk}/messages/"
    assert api.as_user(alice).post(url, {"body": "hi", "client_id": "a"}, format="json").status_code == 200
    # The second of the two is still there for a new message.
    assert api.post(url, {"body": "and this", "client_id": "b"}, format="json").status_code == 201
    assert stored(alice) == 2


def test_a_resend_of_a_stored_message_is_answered_while_new_ones_are_refused(chat, alice, two_at_once, api):
    url = f"/api/v1/conversations/{chat.pk}/messages/"
    client = api.as_user(alice)
    sent = [client.post(url, {"body": f"m{i}", "client_id": f"c{i}"}, format="json") for i in range(3)]
    assert [r.status_code for r in sent] == [201, 201, 429]
    resent = client.post(url, {"body": "m0", "client_id": "c0"}, format="json")
    assert resent.status_code == 200 and resent.json()["id"] == sent[0].json()["id"]
    # Not a way round the limit: a client id never stored is a new message, refused.
    assert client.post(url, {"body": "m9", "client_id": "c9"}, format="json").status_code == 429
    assert stored(alice) == 2


def test_a_resend_while_rate_limited_is_still_refused_to_someone_suspended(chat, network, alice, two_at_once):
    from members.models import Membership
    from messaging import services
    from timebank.errors import NotFound, RateLimited

    for i in range(2):
        services.message_send(conversation=chat, sender=alice, body=f"m{i}", client_id=f"c{i}")
    with pytest.raises(RateLimited):
        services.message_send(conversation=chat, sender=alice, body="m2", client_id="c2")
    Membership.objects.filter(user=alice, network=network).update(status=Membership.Status.SUSPENDED)
    with pytest.raises(NotFound):
        services.message_send(conversation=chat, sender=alice, body="m0", client_id="c0")
