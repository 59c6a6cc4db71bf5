"""The OpenAPI schema describes the API as it answers: lists as pages, the error shape on every operation,
parties as a user id or the pot. (schemathesis checks every operation against it in CI: .ci/schemathesis.py.)"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    return Client().get("/api/schema/?format=json").json()


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_paginated_list_is_documented_as_a_page(schema, api, alice):
    """Each list that answers {"count", "next", "previous", "results"} says so, with ?page= and ?page_size=."""
    client = api.as_user(alice)
    pages = 0
    for path, method, operation in operations(schema):
        if method != "get" or "{" in path or not path.startswith("/api/v1/"):
            continue
        body = client.get(path).json()
        if not (isinstance(body, dict) and set(body) == {"count", "next", "previous", "results"}):
            continue
        pages += 1
        documented = resolve(schema, operation["responses"]["200"]["content"]["application/json"]["schema"])
        assert documented.get("type") == "object", path
        assert {"count", "next", "previous", "results"} <= set(documented["properties"]), path
        assert {"page", "page_size"} <= {p["name"] for p in operation["parameters"]}, path
    assert pages >= 10


def test_every_operation_documents_the_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "fields"]
    for path, method, operation in operations(schema):
        if not path.startswith("/api/v1/"):
            continue
        for status in ("400", "401", "403", "404", "409", "422", "429"):
            content = operation["responses"][status]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_an_exchange_party_is_documented_as_a_user_id_or_the_pot(schema):
    answer = schema["paths"]["/api/v1/exchanges/{id}/"]["get"]["responses"]["200"]
    exchange = resolve(schema, answer["content"]["application/json"]["schema"])
    for side in ("provider", "recipient"):
        branches = exchange["properties"][side]["oneOf"]
        assert {branch["type"] for branch in branches} == {"integer", "string"}, side
        assert {"type": "string", "enum": ["pot"]} in branches, side


def test_a_bad_page_size_is_refused_as_documented(api, alice):
    response = api.as_user(alice).get("/api/v1/listings/?page_size=many")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"page_size": ["Give a whole number from 1."]}


def test_a_blank_filter_is_refused_not_ignored(api, alice):
    response = api.as_user(alice).get("/api/v1/exchanges/?state=")
    assert response.status_code == 400
    assert "state" in response.json()["error"]["fields"]


def test_the_schema_is_generated_without_a_warning():
    # `check --deploy --fail-level WARNING` (CI) refuses a schema warning, such as two choice sets both
    # named after a field "kind": the suite says so first.
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
