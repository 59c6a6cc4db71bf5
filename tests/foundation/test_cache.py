"""The Redis cache acts as an empty cache while Redis cannot be reached: no request fails for it."""

import os
import socket

import pytest
from django.test import Client, override_settings
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.factories import UserFactory
from timebank.cache import RedisCache


def unreachable_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens there once the socket above is closed.
    return f"redis://127.0.0.1:{port}/0"


def test_reads_miss_and_writes_are_dropped_while_redis_is_unreachable():
    cache = RedisCache(unreachable_url(), {})
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["k", "j"]) == {}
    assert cache.has_key("k") is False and "k" not in cache
    # As Django's dummy cache answers: an add "succeeds" (allauth's rate-limit lock relies on it).
    assert cache.add("k", 1) is True
    assert cache.set("k", 1) is None
    assert cache.set_many({"k": 1, "j": 2}) == []
    assert cache.touch("k") is False
    assert cache.delete("k") is False
    assert cache.delete_many(["j"]) is None
    assert cache._undeleted == {("k", None), ("j", None)}


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL (CI does)")
def test_a_delete_that_could_not_reach_redis_is_done_before_the_next_call(monkeypatch):
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-cache-retry"})
    cache.set("session", "alive")
    client = cache._cache.get_client(write=True)

    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    elsewhere = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-cache-retry"})
    monkeypatch.setattr(client, "delete", down)
    assert cache.delete("session") is False
    assert elsewhere.get("session") == "alive"  # still in Redis
    assert cache.get("session") is None  # this process answers a miss while its delete waits
    monkeypatch.undo()
    assert cache.get("other") is None  # any call first does the deletes kept for later
    assert cache._undeleted == set()
    assert elsewhere.get("session") is None


@pytest.mark.django_db
def test_app_token_requests_are_answered_from_the_database_while_redis_is_down():
    user = UserFactory()
    down = {"default": {"BACKEND": "timebank.cache.RedisCache", "LOCATION": unreachable_url()}}
    with override_settings(CACHES=down):
        login = Client().post(
            "/_allauth/app/v1/auth/login",
            {"email": user.email, "password": "demo-password"},
            content_type="application/json",
        )
        assert login.status_code == 200, login.content
        token = login.json()["meta"]["session_token"]
        me = Client().get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token)
        assert me.status_code == 200, me.content
        assert me.json()["id"] == user.pk
