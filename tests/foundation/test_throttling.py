"""The API's per-user rate: counted per window, answered with 429 `rate_limited`, failing open."""

import pytest
from redis.exceptions import ResponseError

from tests.factories import UserFactory
from tests.foundation.test_cache import unreachable_url
from timebank.cache import RedisCache
from timebank.throttling import FailOpenUserThrottle


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(FailOpenUserThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    clock = {"now": 1_800_000_030.0}
    monkeypatch.setattr(FailOpenUserThrottle, "timer", lambda self: clock["now"])
    return clock


def test_a_member_over_the_rate_gets_429_until_the_window_ends(db, api, three_a_minute):
    alice, bob = UserFactory(), UserFactory()
    assert [api.as_user(alice).get("/api/v1/accounts/").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.as_user(alice).get("/api/v1/accounts/")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert refused["Retry-After"] == "30"  # the minute began 30 seconds ago
    # The limit is each member's own.
    assert api.as_user(bob).get("/api/v1/accounts/").status_code == 200
    three_a_minute["now"] += 30
    assert api.as_user(alice).get("/api/v1/accounts/").status_code == 200


def test_the_count_is_one_small_value_however_many_requests(db, api, three_a_minute):
    from django.core.cache import cache

    alice = UserFactory()
    for _ in range(5):
        api.as_user(alice).get("/api/v1/accounts/")
    key = FailOpenUserThrottle.cache_format % {"scope": "user", "ident": alice.pk} + ":30000000"
    assert cache.get(key) == 5


def test_an_unreachable_cache_lets_requests_through(db, api, three_a_minute, monkeypatch):
    monkeypatch.setattr(FailOpenUserThrottle, "cache", RedisCache(unreachable_url(), {}))
    alice = UserFactory()
    assert {api.as_user(alice).get("/api/v1/accounts/").status_code for _ in range(5)} == {200}


def test_any_cache_error_lets_requests_through(db, api, three_a_minute, monkeypatch):
    def broken(cache, key, timeout):
        raise ResponseError("OOM command not allowed when used memory > 'maxmemory'")

    monkeypatch.setattr("timebank.throttling.count_in_window", broken)
    alice = UserFactory()
    assert {api.as_user(alice).get("/api/v1/accounts/").status_code for _ in range(5)} == {200}
