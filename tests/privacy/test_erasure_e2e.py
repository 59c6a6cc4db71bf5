"""End to end: a real `websockets` client on one uvicorn process; the person erases their account
through the REST API of another process (sharing PostgreSQL and a Redis this test starts itself).
The socket closes at once, and the old app token opens no new one."""

import asyncio
import importlib.util
import json
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.db import connection

from tests.factories import app_token
from tests.privacy.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

_spec = importlib.util.spec_from_file_location(
    "topology", Path(__file__).resolve().parents[2] / "bench" / "ws" / "topology.py"
)
topology = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(topology)


@pytest.fixture
def cluster(tmp_path):
    base = urlsplit(os.environ["DATABASE_URL"])
    database_url = base._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    redis_port, p1, p2 = topology.free_port(), topology.free_port(), topology.free_port()
    procs = {"redis": topology.redis_start(redis_port)}
    env = topology.asgi_env(database_url=database_url, redis_port=redis_port)
    procs["p1"] = topology.asgi_start(p1, env, log=tmp_path / "p1.log")
    procs["p2"] = topology.asgi_start(p2, env, log=tmp_path / "p2.log")
    try:
        yield p1, p2
    finally:
        for process in procs.values():
            topology.stop(process, signal.SIGKILL)


def erase(port: int, token: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/me/erase/",
        data=json.dumps({"password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json", "X-Session-Token": token},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


async def test_a_socket_on_another_process_closes_when_its_person_is_erased(network, alice, cluster):
    p1, p2 = cluster
    token = await sync_to_async(app_token)(alice)
    ws = await websockets.connect(f"ws://127.0.0.1:{p1}/ws/", additional_headers={"X-Session-Token": token})
    await ws.send(json.dumps({"type": "ping"}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "pong"

    started = time.monotonic()
    assert await asyncio.to_thread(erase, p2, token) == 200
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    assert time.monotonic() - started < 5  # the session check runs every 30 s: this was the push
    with pytest.raises((websockets.InvalidStatus, websockets.ConnectionClosed)):
        again = await websockets.connect(f"ws://127.0.0.1:{p1}/ws/", additional_headers={"X-Session-Token": token})
        await asyncio.wait_for(again.recv(), 5)
