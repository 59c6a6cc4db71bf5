"""A WebSocket handshake to a path with no socket is refused before it is accepted (HTTP 403), never
a 500: Channels' URLRouter raises "No route found" for it, which the server turned into a 500."""

import asyncio
import importlib.util
import os
from pathlib import Path

import pytest
import websockets
from channels.testing import WebsocketCommunicator

from timebank.asgi import application

ORIGIN = (b"origin", b"http://localhost")

_spec = importlib.util.spec_from_file_location(
    "topology", Path(__file__).resolve().parents[2] / "bench" / "ws" / "topology.py"
)
topology = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(topology)

UNKNOWN = ["/ws/x/", "/ws", "/", "/api/v1/me/", "/ws/x/y/z/"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", UNKNOWN)
async def test_a_handshake_to_an_unknown_path_is_refused(path):
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN])
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.wait()


@pytest.fixture(scope="module")
def uvicorn_server():
    """The production socket server, standalone: the embedded defaults, no database reached."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    port = topology.free_port()
    process = topology.asgi_start(port, env, server="uvicorn")
    try:
        yield port
    finally:
        topology.stop(process)


@pytest.mark.e2e
@pytest.mark.parametrize("path", UNKNOWN)
def test_a_real_server_refuses_an_unknown_socket_path_with_403(uvicorn_server, path):
    async def handshake():
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(
                f"ws://127.0.0.1:{uvicorn_server}{path}", origin="http://localhost", open_timeout=5
            )
        return refused.value.response.status_code

    assert asyncio.run(handshake()) == 403
