"""End to end: real `websockets` clients, two ASGI (uvicorn) processes sharing a Redis this test starts itself.

A message crosses processes; then one process is killed, and separately Redis is stopped and restarted,
while messages keep being sent (socket and REST). After reconnecting and `sync`, every client holds
exactly the database's messages for its conversations, in seq order, once.
"""

import asyncio
import importlib.util
import json
import os
import signal
import urllib.request
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.db import connection
from django.test import Client

from messaging.models import Message, Participant
from messaging.services import conversation_direct_open
from tests.factories import member

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


def contiguous(seqs) -> int:
    """The highest seq n such that 1..n are all held: what a client asks `sync` to start after."""
    n = 0
    while n + 1 in seqs:
        n += 1
    return n


class Member:
    def __init__(self, name: str, user_id: int, token: str):
        self.name, self.user_id, self.token = name, user_id, token
        self.store: dict[int, dict[int, str]] = defaultdict(dict)
        self.conflicts: list = []
        self.acked: set[str] = set()
        self.ws = None
        self.synced = asyncio.Event()

    async def connect(self, port: int) -> None:
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/", additional_headers={"X-Session-Token": self.token}, open_timeout=5
        )
        self.reader = asyncio.ensure_future(self._read(self.ws))

    async def _read(self, ws) -> None:
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "message.new":
                    m = frame["message"]
                    held = self.store[m["conversation"]].setdefault(m["seq"], m["body"])
                    if held != m["body"]:
                        self.conflicts.append(m)
                    if m["sender"] == self.user_id:
                        self.acked.add(m["client_id"])
                elif frame["type"] == "sync.done":
                    self.synced.set()
        except websockets.ConnectionClosed:
            pass

    @property
    def open(self) -> bool:
        return self.ws is not None and self.ws.state is websockets.protocol.State.OPEN

    async def send(self, conversation: int, body: str) -> None:
        if self.open:
            try:
                await self.ws.send(
                    json.dumps({"type": "message.send", "conversation": conversation, "body": body, "client_id": body})
                )
            except websockets.ConnectionClosed:
                pass

    async def sync(self, port: int) -> None:
        if not self.open:
            await self.connect(port)
        self.synced.clear()
        since = {str(c): contiguous(seqs) for c, seqs in self.store.items()}
        await self.ws.send(json.dumps({"type": "sync", "since": since}))
        await asyncio.wait_for(self.synced.wait(), timeout=10)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def rest_send(port: int, token: str, conversation: int, body: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/conversations/{conversation}/messages/",
        data=json.dumps({"body": body, "client_id": body}).encode(),
        headers={"Content-Type": "application/json", "X-Session-Token": token},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


@pytest.fixture
def people(network):
    users = {name: member(network).user for name in ("alice", "bob", "carol")}
    tokens = {}
    for name, user in users.items():
        response = Client().post(
            "/_allauth/app/v1/auth/login",
            {"email": user.email, "password": "demo-password"},
            content_type="application/json",
        )
        tokens[name] = response.json()["meta"]["session_token"]
    pairs = {}
    for a, b in (("alice", "bob"), ("alice", "carol"), ("bob", "carol")):
        pairs[a + b] = conversation_direct_open(network=network, user=users[a], other_id=users[b].pk)[0].pk
    return users, tokens, pairs


@pytest.fixture
def cluster(tmp_path):
    base = urlsplit(os.environ["DATABASE_URL"])
    database_url = base._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    redis_port, p1, p2 = topology.free_port(), topology.free_port(), topology.free_port()
    procs = {"redis": topology.redis_start(redis_port)}
    env = topology.asgi_env(database_url=database_url, redis_port=redis_port)
    # This test is about delivery, and Alice chats faster than a person types: lift the chat limit
    # (tests/messaging/test_limits_e2e.py holds it across these same processes).
    env["TIMEBANK_CHAT_RATE"] = "6000/minute"
    procs["p1"] = topology.asgi_start(p1, env, log=tmp_path / "p1.log")
    procs["p2"] = topology.asgi_start(p2, env, log=tmp_path / "p2.log")
    try:
        yield {"procs": procs, "redis_port": redis_port, "p1": p1, "p2": p2}
    finally:
        for process in procs.values():
            topology.stop(process, signal.SIGKILL)


def database_view(user_id: int) -> dict[int, dict[int, str]]:
    conversations = Participant.objects.filter(user_id=user_id).values_list("conversation_id", flat=True)
    out: dict[int, dict[int, str]] = {}
    for m in Message.objects.filter(conversation_id__in=list(conversations)).order_by("conversation_id", "seq"):
        out.setdefault(m.conversation_id, {})[m.seq] = m.body
    return out


async def test_no_message_is_lost_across_a_killed_process_and_a_redis_restart(people, cluster):
    users, tokens, pairs = people
    alice, bob, carol = (Member(n, users[n].pk, tokens[n]) for n in ("alice", "bob", "carol"))
    p1, p2 = cluster["p1"], cluster["p2"]
    await alice.connect(p1)
    await bob.connect(p2)
    await carol.connect(p2)

    # 1. A message sent through one process reaches a client on the other.
    await alice.send(pairs["alicebob"], "hello-across")
    for _ in range(100):
        if "hello-across" in bob.store[pairs["alicebob"]].values():
            break
        await asyncio.sleep(0.05)
    assert bob.store[pairs["alicebob"]] == {1: "hello-across"}

    counter = iter(range(10_000))
    rest_sent: list[str] = []

    async def traffic(seconds: float) -> None:
        # Alice keeps chatting on her socket (process 1), under the socket's rate limit of 10 frames
        # a second; Bob posts over REST (also process 1), which must succeed with Redis down too.
        end = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < end:
            n = next(counter)
            await alice.send(pairs["alicebob"] if n % 2 else pairs["alicecarol"], f"a-{n}")
            if n % 3 == 0:
                body = f"b-{n}"
                assert await asyncio.to_thread(rest_send, p1, tokens["bob"], pairs["bobcarol"], body) == 201
                rest_sent.append(body)
            await asyncio.sleep(0.15)

    # 2. Kill process 2 while messages keep coming; Bob and Carol come back on process 1.
    sending = asyncio.ensure_future(traffic(2.0))
    await asyncio.sleep(0.5)
    topology.stop(cluster["procs"]["p2"], signal.SIGKILL)
    await asyncio.sleep(0.3)
    await bob.sync(p1)
    await carol.sync(p1)
    await sending

    # 3. Stop Redis, keep sending, restart it on the same port, keep sending.
    sending = asyncio.ensure_future(traffic(4.0))
    await asyncio.sleep(0.5)
    topology.stop(cluster["procs"]["redis"], signal.SIGTERM)
    await asyncio.sleep(1.5)
    cluster["procs"]["redis"] = topology.redis_start(cluster["redis_port"])
    await sending

    # Liveness comes back by itself once Redis is back: the pub/sub layer resubscribes. A message
    # published before the resubscription is done is saved but not pushed, so Alice sends one a
    # second until one arrives live (generous: on a loaded 2-core machine this can take seconds).
    def arrived_live() -> bool:
        return any(body.startswith("live-again") for body in bob.store[pairs["alicebob"]].values())

    assert alice.open and bob.open, "process 1 closed a socket that did nothing wrong"
    for attempt in range(20):
        await alice.send(pairs["alicebob"], f"live-again-{attempt}")
        for _ in range(20):
            if arrived_live():
                break
            await asyncio.sleep(0.05)
        if arrived_live():
            break
    assert arrived_live()

    # 4. Reconnect where needed and sync: each client now holds exactly the database's messages.
    await asyncio.sleep(0.5)
    for client in (alice, bob, carol):
        await client.sync(p1)
    for client in (alice, bob, carol):
        expected = await sync_to_async(database_view)(client.user_id)
        held = {c: dict(sorted(msgs.items())) for c, msgs in client.store.items() if msgs}
        assert held == expected, client.name
        assert client.conflicts == []
        for seqs in expected.values():
            assert list(seqs) == list(range(1, len(seqs) + 1))
    in_db = set(await sync_to_async(lambda: list(Message.objects.values_list("client_id", flat=True)))())
    assert alice.acked and alice.acked <= in_db
    assert rest_sent and set(rest_sent) <= in_db
    total = await sync_to_async(Message.objects.count)()
    assert total > 30, total
    for client in (alice, bob, carol):
        await client.close()
