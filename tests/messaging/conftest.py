"""Fixtures for messaging: a conversation between two members, and logged-in socket clients."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from messaging.services import conversation_direct_open
from timebank.asgi import application

ORIGIN = (b"origin", b"http://localhost")
# The handshake's own Host: an Origin is compared with it (scheme, host and port).
HOST = (b"host", b"localhost")


@pytest.fixture
def chat(network, alice, bob):
    conversation, _ = conversation_direct_open(network=network, user=alice, other_id=bob.pk)
    return conversation


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def socket_for(user, *, origin=ORIGIN, path="/ws/"):
    """A connected WebsocketCommunicator logged in as `user` by session cookie."""
    cookie = await sync_to_async(session_cookie)(user)
    communicator = WebsocketCommunicator(application, path, headers=[origin, HOST, (b"cookie", cookie)])
    connected, code = await communicator.connect()
    assert connected, code
    return communicator


async def next_frame(communicator, frame_type: str, timeout: float = 2):
    """The next frame of a type, skipping others (e.g. a notification that came first)."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The default hasher spends ~0.5 s per user; these tests are not about password strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def close_socket_thread_connections(django_db_setup, django_db_blocker):
    """Consumers reach the database from asgiref's single worker thread; close its connection before
    the test database is dropped (otherwise PostgreSQL refuses: "being accessed by other users")."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


@pytest.fixture
def unlimited_chat(monkeypatch):
    """For tests about something else that send faster than people type."""
    from messaging import limits
    from timebank.ratelimit import Rate

    monkeypatch.setattr(limits, "CHAT_RATE", Rate.parse("1000000/second", burst=1000000))
