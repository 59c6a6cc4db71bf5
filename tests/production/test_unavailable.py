"""A database that cannot be reached answers 503 with Retry-After, never 500: JSON under /api/v1/ and
/_allauth/, a page that needs no database elsewhere. /readyz tells when static files cannot be resolved."""

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory, override_settings

from tests.production.postgres import free_port
from timebank.api import json_server_error


@pytest.fixture
def unreachable_database(django_db_blocker, tmp_path):
    """The real connection attempt fails: PostgreSQL on a port nobody listens on, or an SQLite file in a
    directory that does not exist."""
    with django_db_blocker.unblock():
        settings_dict = connection.settings_dict
        saved = dict(settings_dict)
        connection.close()
        if connection.vendor == "postgresql":
            settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
        else:
            settings_dict["NAME"] = str(tmp_path / "missing" / "db.sqlite3")
        try:
            yield
        finally:
            connection.close()
            settings_dict.clear()
            settings_dict.update(saved)


def assert_unavailable_json(response):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "service_unavailable"


def test_an_api_request_answers_503_with_retry_after_when_the_database_cannot_be_reached(unreachable_database):
    assert_unavailable_json(Client().get("/api/v1/me/", HTTP_X_SESSION_TOKEN="a-session-token"))


def test_allauths_app_login_answers_503_json_when_the_database_cannot_be_reached(unreachable_database):
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": "member1@example.org", "password": "demo-password"},
        content_type="application/json",
    )
    assert_unavailable_json(response)


def test_a_page_answers_a_plain_503_page_when_the_database_cannot_be_reached(unreachable_database):
    client = Client()
    client.cookies["sessionid"] = "s" * 32
    response = client.get("/listings/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("text/html")
    assert b"try again" in response.content.lower()


def test_the_database_met_in_middleware_is_a_503_too():
    # Django hands exceptions raised by middleware (sessions, authentication) to handler500.
    request = RequestFactory().get("/api/v1/me/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = json_server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"]


def test_any_other_server_error_stays_a_500():
    request = RequestFactory().get("/api/v1/me/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = json_server_error(request)
    assert response.status_code == 500


@pytest.mark.django_db
def test_readyz_is_not_ready_when_static_files_were_collected_without_a_manifest(client, tmp_path):
    # As when collectstatic ran under other settings than the server's: every page would answer 500.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["static"].startswith("error")
    assert client.get("/readyz").status_code == 200
