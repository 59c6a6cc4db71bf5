"""A socket open before erasure is closed at once, not at its next session check."""

import pytest
from channels.db import database_sync_to_async

from members.privacy.services import me_erase
from messaging.consumers import SocketConsumer
from tests.messaging.conftest import socket_for
from tests.privacy.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_open_socket_is_closed_when_its_person_is_erased(network, alice, monkeypatch):
    # Far beyond the test's wait: only the push erasure sends can close it in time.
    monkeypatch.setattr(SocketConsumer, "session_check_seconds", 600)
    socket = await socket_for(alice)
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from())["type"] == "pong"

    await database_sync_to_async(me_erase)(user=alice, password=PASSWORD)

    closed = await socket.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": 4401}
