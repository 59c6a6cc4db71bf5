"""End to end: one person's many sockets over two ASGI (uvicorn) processes sharing a Redis this test starts.

Real `websockets` clients: the socket cap and the chat rate hold for the person, whichever process each
socket landed on; what was acknowledged is stored once.
"""

import asyncio
import importlib.util
import json
import os
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.db import connection

from messaging.models import Message
from messaging.services import conversation_direct_open
from tests.factories import app_token, member

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

_spec = importlib.util.spec_from_file_location(
    "topology", Path(__file__).resolve().parents[2] / "bench" / "ws" / "topology.py"
)
topology = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(topology)

CAP = 10  # the default TIMEBANK_SOCKETS_PER_PERSON
BURST = 20  # the default TIMEBANK_CHAT_BURST; then 60 a minute


@pytest.fixture
def cluster(tmp_path):
    base = urlsplit(os.environ["DATABASE_URL"])
    database_url = base._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    redis_port, p1, p2 = topology.free_port(), topology.free_port(), topology.free_port()
    procs = {"redis": topology.redis_start(redis_port)}
    env = topology.asgi_env(database_url=database_url, redis_port=redis_port)
    for name in ("TIMEBANK_CHAT_RATE", "TIMEBANK_CHAT_BURST", "TIMEBANK_SOCKETS_PER_PERSON"):
        env.pop(name, None)  # the product's defaults
    procs["p1"] = topology.asgi_start(p1, env, log=tmp_path / "p1.log")
    procs["p2"] = topology.asgi_start(p2, env, log=tmp_path / "p2.log")
    try:
        yield [p1, p2]
    finally:
        for process in procs.values():
            topology.stop(process, signal.SIGKILL)


@pytest.fixture
def pair(network):
    alice, bob = member(network).user, member(network).user
    chat = conversation_direct_open(network=network, user=alice, other_id=bob.pk)[0]
    return app_token(alice), chat.pk, alice


async def open_socket(port: int, token: str):
    return await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/", additional_headers={"X-Session-Token": token}, open_timeout=10
    )


async def ping(ws) -> dict:
    await ws.send(json.dumps({"type": "ping"}))
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=5))


async def refused(ws) -> tuple[dict, int]:
    """The frame a refused socket is sent, and the code it is closed with."""
    frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), timeout=5)
    return frame, closed.value.rcvd.code


async def test_one_person_holds_at_most_ten_sockets_across_both_processes(cluster, pair):
    token, _, _ = pair
    sockets = [await open_socket(cluster[i % 2], token) for i in range(CAP)]
    assert [await ping(ws) for ws in sockets] == [{"type": "pong"}] * CAP
    for port in cluster:
        frame, code = await refused(await open_socket(port, token))
        assert frame["type"] == "error" and frame["code"] == "too_many_sockets"
        assert code == 4409
    # A place freed on one process is free on the other.
    await sockets[0].close()
    await asyncio.sleep(0.3)
    again = await open_socket(cluster[1], token)
    assert await ping(again) == {"type": "pong"}
    for ws in [*sockets[1:], again]:
        await ws.close()


async def test_many_sockets_of_one_person_cannot_chat_past_the_person_s_rate(cluster, pair):
    token, conversation, alice = pair
    sockets = [await open_socket(cluster[i % 2], token) for i in range(CAP)]
    acked, limited = set(), 0

    async def read(ws, mine: set[str]):
        nonlocal limited
        try:
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=3))
                if frame["type"] == "message.new" and frame["message"]["client_id"] in mine:
                    acked.add(frame["message"]["client_id"])
                elif frame["type"] == "error":
                    assert frame["code"] == "rate_limited", frame
                    limited += 1
        except TimeoutError:
            pass

    started = time.monotonic()
    # 10 messages on each of the 10 sockets at once: each socket's own bucket lets all of them through.
    sent = {ws: {f"s{n}-m{i}" for i in range(10)} for n, ws in enumerate(sockets)}
    for ws, ids in sent.items():
        for client_id in ids:
            await ws.send(
                json.dumps(
                    {"type": "message.send", "conversation": conversation, "body": client_id, "client_id": client_id}
                )
            )
    await asyncio.gather(*(read(ws, ids) for ws, ids in sent.items()))
    elapsed = time.monotonic() - started

    rows = await sync_to_async(lambda: list(Message.objects.filter(sender=alice).values_list("client_id", flat=True)))()
    assert BURST <= len(rows) <= BURST + int(elapsed) + 1, (len(rows), elapsed)
    assert len(rows) == len(set(rows))  # each stored once
    assert acked == set(rows)  # acknowledged is stored, and only that
    assert limited == 100 - len(rows)  # everything else was refused, saying why
    for ws in sockets:
        await ws.close()
