"""The /ws/ handshake: allowed origins with a session cookie, app clients with a session token."""

import pytest
from channels.testing import WebsocketCommunicator

from tests.factories import UserFactory, app_token
from timebank.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(headers, path="/ws/"):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_a_foreign_origin_is_refused_even_with_a_valid_token():
    from asgiref.sync import sync_to_async

    user = await sync_to_async(UserFactory)()
    token = await sync_to_async(app_token)(user)
    communicator, connected, _ = await connect(
        [(b"origin", b"https://evil.example"), (b"x-session-token", token.encode())]
    )
    assert not connected
    await communicator.disconnect()


async def test_a_session_token_without_origin_is_accepted():
    from asgiref.sync import sync_to_async

    user = await sync_to_async(UserFactory)()
    token = await sync_to_async(app_token)(user)
    communicator, connected, _ = await connect([(b"x-session-token", token.encode())])
    assert connected
    await communicator.disconnect()


async def test_a_session_token_in_the_query_string_is_accepted():
    from asgiref.sync import sync_to_async

    user = await sync_to_async(UserFactory)()
    token = await sync_to_async(app_token)(user)
    communicator, connected, _ = await connect([], path=f"/ws/?session_token={token}")
    assert connected
    await communicator.disconnect()


async def test_no_origin_and_no_token_is_refused():
    communicator, connected, _ = await connect([])
    assert not connected


async def test_an_invalid_token_without_origin_is_refused():
    communicator, connected, _ = await connect([(b"x-session-token", b"forged")])
    assert not connected


async def test_an_allowed_origin_without_a_session_is_closed_as_unauthenticated():
    communicator, connected, code = await connect([(b"origin", b"http://localhost")])
    assert not connected
    assert code == 4401
