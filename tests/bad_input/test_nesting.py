"""Deeply nested JSON (800 bytes of brackets) answers 400 or an error frame everywhere JSON is read: the
API, allauth's headless endpoints and the socket. Before, a recursive walk raised RecursionError: a 500,
an HTML 500 from allauth, a dropped socket."""

import json

import pytest
from django.test import Client

from exchanges.ledger.models import Transfer
from exchanges.models import Exchange, Listing
from tests.bad_input.routes import all_paths
from tests.messaging.conftest import socket_for
from timebank import jsontext

NESTED = "[" * 400 + "]" * 400
VERY_NESTED = "[" * 100_000 + "]" * 100_000  # past json.loads' own recursion limit
NESTED_OBJECT = '{"title": ' + NESTED + "}"


# The reader itself: no database.


@pytest.mark.parametrize("text", [NESTED, VERY_NESTED, NESTED_OBJECT, '{"a": ' * 50 + "1" + "}" * 50])
def test_the_reader_refuses_nesting_past_its_limit(text):
    with pytest.raises(jsontext.BadJSON) as refused:
        jsontext.loads(text)
    assert refused.value.code == "too_deep"


def test_the_reader_takes_nesting_up_to_its_limit():
    depth = jsontext.MAX_DEPTH
    assert jsontext.loads("[" * depth + "]" * depth) is not None
    with pytest.raises(jsontext.BadJSON):
        jsontext.loads("[" * (depth + 1) + "]" * (depth + 1))


def test_the_reader_finds_a_lone_surrogate_at_any_depth_allowed():
    depth = jsontext.MAX_DEPTH - 1
    with pytest.raises(jsontext.BadJSON) as refused:
        jsontext.loads("[" * depth + '"\\ud800"' + "]" * depth)
    assert refused.value.code == "bad_json"
    assert jsontext.has_lone_surrogate([[["fine"], {"\udfff": 1}]])


@pytest.mark.parametrize("text", ["NaN", '{"minutes": Infinity}', "{", b"\xff\xfe", ""])
def test_the_reader_refuses_what_is_not_json(text):
    with pytest.raises(jsontext.BadJSON) as refused:
        jsontext.loads(text)
    assert refused.value.code == "bad_json"


# The API.


def api_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_api_400(response):
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["code"] == "validation_error"


@pytest.mark.django_db
@pytest.mark.parametrize("body", [NESTED, NESTED_OBJECT])
@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/listings/"),
        ("post", "/api/v1/exchanges/"),
        ("post", "/api/v1/exchanges/record/"),
        ("post", "/api/v1/transfers/"),
        ("post", "/api/v1/conversations/"),
        ("put", "/api/v1/networks/harlesden/neighbourhoods/"),
    ],
)
def test_a_deeply_nested_body_answers_400_and_writes_nothing(network, coordinator, method, path, body):
    client = api_client(coordinator)
    response = getattr(client, method)(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep")
    assert_api_400(response)
    assert not Listing.objects.exists() and not Exchange.objects.exists()
    assert not Transfer.objects.filter(kind="gift").exists()


@pytest.mark.django_db
def test_no_api_route_answers_a_server_error_to_a_deeply_nested_body(network, coordinator, alice):
    client = api_client(coordinator)
    paths = [p for p in all_paths({"slug": "harlesden", "user_id": str(alice.pk)}) if p.startswith("/api/v1/")]
    assert len(paths) > 40
    # Leaving ignores the body and succeeds: last, so the coordinator reaches every other route.
    paths.sort(key=lambda p: p.endswith("/leave/"))
    for path in paths:
        for method in ("post", "put", "patch"):
            response = getattr(client, method)(
                path, NESTED, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep"
            )
            assert response.status_code < 500, (method, path, response.content[:300])
            if response.status_code >= 400:
                assert set(response.json()["error"]) == {"code", "message", "fields"}, (method, path)


# allauth's headless endpoints.

ALLAUTH_POSTS = [
    f"/_allauth/{client}/v1/{endpoint}"
    for client in ("app", "browser")
    for endpoint in ("auth/login", "auth/signup", "auth/password/request", "auth/password/reset")
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ALLAUTH_POSTS)
@pytest.mark.parametrize("body", [NESTED, NESTED_OBJECT, VERY_NESTED])
def test_allauth_answers_a_deeply_nested_body_with_400_in_its_own_shape(path, body):
    from members.models import User

    response = Client().post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    payload = response.json()
    assert payload["status"] == 400 and payload["errors"][0]["code"] == "too_deep"
    assert not User.objects.exists()


# The socket.


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "frame", [NESTED, '{"type": "message.send", "body": ' + NESTED + "}", "[" * 30_000 + "]" * 30_000]
)
async def test_a_deeply_nested_frame_gets_an_error_frame_and_the_socket_stays_open(chat, alice, frame):
    a = await socket_for(alice)
    await a.send_to(text_data=frame)
    assert await a.receive_json_from() == {
        "type": "error",
        "code": "bad_json",
        "message": json.loads(json.dumps(f"JSON may be nested at most {jsontext.MAX_DEPTH} levels deep.")),
    }
    await a.send_json_to({"type": "ping"})
    assert await a.receive_json_from() == {"type": "pong"}
    await a.disconnect()
