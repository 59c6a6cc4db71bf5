"""Accounts, headless app auth, the API error shape and health checks."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from members.models import User
from tests.factories import UserFactory, app_token

pytestmark = pytest.mark.django_db


def test_an_email_is_stored_fully_lower_cased():
    user = User.objects.create_user("Mixed.Case@Example.ORG", "demo-password")
    assert user.email == "mixed.case@example.org"


def test_a_person_with_capitals_in_their_address_can_log_in_through_the_app_flow():
    User.objects.create_user("Capital.Letters@Example.org", "demo-password")
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": "CAPITAL.letters@example.org", "password": "demo-password"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["session_token"]


def test_app_signup_returns_a_session_token_that_the_api_accepts():
    response = Client().post(
        "/_allauth/app/v1/auth/signup",
        {"email": "new.person@example.org", "password": "a-long-pass-phrase-42"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    me = Client().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200
    assert me.json()["email"] == "new.person@example.org"
    assert me.json()["memberships"] == []


def test_app_login_returns_a_session_token_that_the_api_accepts():
    user = UserFactory()
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": "demo-password"},
        content_type="application/json",
    )
    token = response.json()["meta"]["session_token"]
    me = Client().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)
    assert me.status_code == 200
    assert me.json()["id"] == user.pk


def test_an_anonymous_call_gets_401_with_the_error_shape():
    response = Client().get("/api/v1/me/")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "not_authenticated"
    assert set(body["error"]) == {"code", "message", "fields"}


def test_an_invalid_session_token_gets_401_not_403():
    response = Client().get("/api/v1/me/", HTTP_X_SESSION_TOKEN="not-a-real-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_token_whose_session_ended_gets_401():
    logged_out, expired = UserFactory(), UserFactory()
    out_token, expired_token = app_token(logged_out), app_token(expired)
    assert Client().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=out_token).status_code == 401
    # Expired in the database while a cached copy may still be in the cache: the cache goes too.
    Session.objects.filter(session_key=expired_token).update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.delete(cached_db.KEY_PREFIX + expired_token)
    for token in (out_token, expired_token):
        response = Client().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


def test_a_session_token_is_looked_up_with_one_read_of_the_session(monkeypatch):
    token = app_token(UserFactory())
    reads = []
    load = cached_db.SessionStore.load
    monkeypatch.setattr(cached_db.SessionStore, "load", lambda self: reads.append(1) or load(self))
    monkeypatch.setattr(cached_db.SessionStore, "exists", lambda self, key: pytest.fail("a second lookup"))
    assert Client().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 200
    assert reads == [1]


def test_an_unknown_api_path_gets_a_json_404():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_me_lists_memberships_with_balances(alice, network):
    client = Client()
    client.force_login(alice)
    body = client.get("/api/v1/me/").json()
    assert body["memberships"] == [
        {
            "network": {"slug": network.slug, "name": network.name},
            "role": "member",
            "status": "active",
            "balance_minutes": 0,
            "available_minutes": 0,
        }
    ]


def test_healthz_says_the_process_is_alive():
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_when_the_database_answers():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_readyz_fails_when_the_database_is_unreachable(monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error")


def test_the_schema_and_docs_are_served():
    assert Client().get("/api/schema/").status_code == 200
    assert Client().get("/api/docs/").status_code == 200


def test_the_home_page_and_manifest_are_served():
    assert Client().get("/").status_code == 200
    assert Client().get("/manifest.webmanifest").json()["start_url"] == "/"
    assert Client().get("/offline/").status_code == 200
