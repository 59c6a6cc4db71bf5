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
    # As Django's dummy cache answers: an add "succeeds" (allauth's rate-limit lock relies on it)...
    assert cache.add("k", 1) is True
    # ...except a TOTP code's "used" mark, which fails closed so a code cannot be replayed.
    assert cache.add("allauth.mfa.totp.used?user=1&code=123456", "y") is False
    assert cache.set("k", 1) is None
    assert cache.set_many({"k": 1, "j": 2}) == []
    assert cache.touch("k") is False
    assert cache.delete("s") is False
    assert cache.delete_many(["t"]) is None
    # Lost writes and deletes are kept, to be deleted once Redis answers.
    assert cache._pending() == {("k", None), ("j", None), ("s", None), ("t", None)}
    cache._pending().clear()


needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL (CI does)")


def failing(*args, **kwargs):
    raise RedisConnectionError("Redis is down")


@needs_redis
def test_a_lost_delete_is_done_by_the_next_call_from_any_thread(monkeypatch):
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-cache-delete"})
    cache.set("session", "alive")
    monkeypatch.setattr(cache._cache.get_client(write=True), "delete", failing)
    assert cache.delete("session") is False
    assert cache._pending() == {("session", None)}
    # Another thread's cache object (Django gives each thread its own) settles it first thing.
    other = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-cache-delete"})
    assert other.get("anything") is None
    assert other._pending() == set()
    monkeypatch.undo()
    assert cache.get("session") is None


@needs_redis
def test_a_lost_write_leaves_no_older_value_behind(monkeypatch):
    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-cache-write"})
    cache.set("session", "before")
    client = cache._cache.get_client(write=True)
    monkeypatch.setattr(client, "set", failing)
    assert cache.set("session", "after") is None
    monkeypatch.undo()
    # The database has "after"; Redis must not answer "before".
    assert cache.get("session") is None
    assert cache._pending() == set()


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
