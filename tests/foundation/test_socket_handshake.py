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
    communicator, connected, code = await connect([(b"origin", b"http://localhost"), (b"host", b"localhost")])
    assert not connected
    assert code == 4401


async def token_handshake(origin: str, *, host: str, proto: str | None = None) -> bool:
    """Whether a handshake with a valid session token and this Origin is accepted."""
    from asgiref.sync import sync_to_async

    user = await sync_to_async(UserFactory)()
    token = await sync_to_async(app_token)(user)
    headers = [(b"origin", origin.encode()), (b"host", host.encode()), (b"x-session-token", token.encode())]
    if proto:
        headers.append((b"x-forwarded-proto", proto.encode()))
    communicator, connected, _ = await connect(headers)
    if connected:
        await communicator.disconnect()
    return connected


@pytest.fixture
def https_site(settings):
    """Production behind the TLS proxy: https://timebank.example, with 127.0.0.1 also an allowed host."""
    settings.ALLOWED_HOSTS = ["timebank.example", "127.0.0.1", "testserver"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://timebank.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:4444",  # an allowed host name, but another site on it
        "http://timebank.example",  # the site's host over plain http
        "https://timebank.example:4444",  # the site's host on another port
        "https://evil.example",
        "null",
        "https://timebank.example.evil.example",
    ],
)
async def test_an_https_site_refuses_every_origin_but_its_own(https_site, origin):
    assert not await token_handshake(origin, host="timebank.example", proto="https")


@pytest.mark.parametrize(
    "origin", ["https://timebank.example", "https://timebank.example:443", "HTTPS://Timebank.Example"]
)
async def test_an_https_site_accepts_its_own_origin(https_site, origin):
    assert await token_handshake(origin, host="timebank.example", proto="https")


async def test_an_origin_listed_as_trusted_is_accepted_on_any_host_name(https_site, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://timebank.example", "https://app.timebank.example:8443"]
    assert await token_handshake("https://app.timebank.example:8443", host="timebank.example", proto="https")


async def test_the_dev_server_accepts_its_own_origin_only(settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    assert await token_handshake("http://127.0.0.1:8000", host="127.0.0.1:8000")
    assert not await token_handshake("http://127.0.0.1:4444", host="127.0.0.1:8000")
    assert not await token_handshake("http://localhost:8000", host="127.0.0.1:8000")
    assert not await token_handshake("https://127.0.0.1:8000", host="127.0.0.1:8000")


async def test_a_host_that_is_not_allowed_is_refused_even_as_its_own_origin(settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    assert not await token_handshake("http://evil.example", host="evil.example")
