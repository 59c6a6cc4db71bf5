"""Every error under /api/ has the API's JSON shape and every error under /_allauth/ has allauth's,
whoever produced it: DRF, Django before any view (too many fields, a body too large, a multipart body
without a boundary, an unknown path, a failed CSRF check) or allauth itself (malformed JSON, 405)."""

import json

import pytest
from django.conf import settings
from django.test import Client

from exchanges.models import Listing

pytestmark = pytest.mark.django_db

LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def assert_api_error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if code:
        assert error["code"] == code


def assert_allauth_error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    assert payload["status"] == status and payload["errors"] and payload["errors"][0]["message"]
    if code:
        assert payload["errors"][0]["code"] == code


@pytest.fixture
def client(network, alice):
    client = Client()
    client.force_login(alice)
    return client


def test_too_many_form_fields_answer_400_in_the_api_shape(client):
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert_api_error(client.post("/api/v1/listings/", fields), 400, "validation_error")
    assert not Listing.objects.exists()


def test_too_many_query_parameters_answer_400_in_the_api_shape(client):
    query = "&".join(f"f{i}=x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert_api_error(client.get(f"/api/v1/listings/?{query}"), 400, "validation_error")


def test_a_multipart_body_without_a_boundary_answers_400_in_the_api_shape(client):
    response = client.post("/api/v1/listings/", b"title=x", content_type="multipart/form-data")
    assert_api_error(response, 400)
    assert not Listing.objects.exists()


def test_a_form_body_over_the_limit_answers_413_in_the_api_shape(client, network):
    response = client.post("/api/v1/listings/", {"network": network.slug, "title": "x" * LIMIT})
    assert_api_error(response, 413, "too_large")
    assert not Listing.objects.exists()


def test_a_json_body_over_the_limit_answers_413_in_the_api_shape(client, network):
    body = json.dumps({"network": network.slug, "kind": "offer", "title": "t", "description": "x" * LIMIT})
    response = client.post("/api/v1/listings/", body, content_type="application/json")
    assert_api_error(response, 413, "too_large")
    assert not Listing.objects.exists()


def test_a_json_body_just_under_the_limit_is_read(client, network):
    body = json.dumps({"network": network.slug, "kind": "offer", "title": "t", "description": "x" * 1000})
    body += " " * (LIMIT - len(body))
    response = client.post("/api/v1/listings/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]


def test_malformed_json_answers_400_in_the_api_shape(client):
    assert_api_error(client.post("/api/v1/listings/", "{", content_type="application/json"), 400, "validation_error")


def test_an_unknown_api_path_answers_404_in_the_api_shape(client):
    assert_api_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_a_method_not_allowed_answers_405_in_the_api_shape_and_keeps_allow(client):
    response = client.get("/api/v1/exchanges/record/")
    assert_api_error(response, 405, "method_not_allowed")
    assert "POST" in response["Allow"]


def test_an_api_error_asked_for_as_html_is_still_json(client):
    assert_api_error(client.get("/api/v1/no-such-thing/", HTTP_ACCEPT="text/html"), 404)
    assert_api_error(client.get("/api/v1/exchanges/record/", HTTP_ACCEPT="text/html"), 405)


def test_an_api_error_asked_for_as_html_has_the_same_body_as_json(client, network):
    body = {"network": network.slug, "kind": "gift", "to_member": 10**6, "minutes": 10}
    as_json = client.post("/api/v1/transfers/", body, content_type="application/json")
    as_html = client.post("/api/v1/transfers/", body, content_type="application/json", HTTP_ACCEPT="text/html")
    assert_api_error(as_html, as_json.status_code)
    assert as_html.json() == as_json.json()


def test_a_page_error_stays_a_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


# allauth's headless endpoints: their own shape, {"status", "errors": [{"code", "message"}]}.


def test_malformed_json_to_allauth_answers_400_in_its_shape(network):
    response = Client().post("/_allauth/app/v1/auth/login", "{", content_type="application/json")
    assert_allauth_error(response, 400, "bad_json")


def test_a_json_array_to_allauth_answers_400_in_its_shape(network):
    response = Client().post("/_allauth/app/v1/auth/login", "[]", content_type="application/json")
    assert_allauth_error(response, 400)


def test_an_unknown_allauth_path_answers_404_in_its_shape(network):
    assert_allauth_error(Client().get("/_allauth/app/v1/no-such-thing"), 404, "not_found")


def test_a_method_allauth_does_not_take_answers_405_in_its_shape(network):
    assert_allauth_error(Client().get("/_allauth/app/v1/auth/login"), 405, "method_not_allowed")


def test_a_body_over_the_limit_to_allauth_answers_413_in_its_shape(network):
    body = json.dumps({"email": "a@example.org", "password": "x" * LIMIT})
    response = Client().post("/_allauth/app/v1/auth/signup", body, content_type="application/json")
    assert_allauth_error(response, 413, "too_large")


def test_a_multipart_body_without_a_boundary_to_allauth_answers_400_in_its_shape(network):
    response = Client().post("/_allauth/app/v1/auth/login", b"x", content_type="multipart/form-data")
    assert_allauth_error(response, 400)


def test_a_failed_csrf_check_on_allauth_answers_403_in_its_shape(network, alice):
    client = Client(enforce_csrf_checks=True)
    body = {"email": alice.email, "password": "demo-password"}
    response = client.post("/_allauth/browser/v1/auth/login", body, content_type="application/json")
    assert_allauth_error(response, 403, "csrf_failed")
