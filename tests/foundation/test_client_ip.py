"""Limits keyed on a client's address see the client behind the proxy, never a header the client forged."""

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import Client, RequestFactory

from tests.factories import UserFactory
from timebank.throttling import FailOpenUserThrottle

PROXY = "10.0.0.2"  # nginx's address, as every request behind it arrives from
_addresses = itertools.count(1)


@pytest.fixture
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def fresh_address() -> str:
    # allauth's counts live in the cache, which outlives a test: each test uses addresses of its own.
    n = next(_addresses)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def app_login(email: str, password: str, **headers):
    return Client(**headers).post(
        "/_allauth/app/v1/auth/login", {"email": email, "password": password}, content_type="application/json"
    )


def locked_out(response) -> bool:
    codes = [e.get("code") for e in response.json().get("errors", [])]
    return response.status_code in (400, 429) and "too_many_login_attempts" in codes


def failures_until_locked_out(headers) -> int:
    """Wrong passwords, each for another member (so only the per-client limit counts), until refused.
    `headers` is called before each attempt, so a client can forge a new header every time."""
    for attempt in range(30):
        response = app_login(UserFactory().email, "wrong-password", **headers())
        if locked_out(response):
            return attempt
        assert response.status_code == 400, response.content
    raise AssertionError("never locked out")


def test_behind_the_proxy_one_client_locked_out_leaves_another_free(db, behind_one_proxy):
    attacker, neighbour = fresh_address(), fresh_address()
    through_nginx = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": attacker}
    assert failures_until_locked_out(lambda: through_nginx) == 10
    assert locked_out(app_login(UserFactory().email, "demo-password", **through_nginx))
    # Another client through the same nginx logs in.
    response = app_login(UserFactory().email, "demo-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=neighbour)
    assert response.status_code == 200, response.content


def test_a_forged_forwarded_for_through_the_proxy_does_not_escape_the_limit(db, behind_one_proxy):
    real = fresh_address()
    # nginx appends the address it saw to whatever the client sent; only that last entry is trusted.
    assert (
        failures_until_locked_out(lambda: {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{fresh_address()}, {real}"})
        == 10
    )


def test_without_a_proxy_a_forwarded_for_header_is_ignored(db):
    direct = fresh_address()
    assert failures_until_locked_out(lambda: {"REMOTE_ADDR": direct, "HTTP_X_FORWARDED_FOR": fresh_address()}) == 10


def test_the_api_throttle_keys_an_anonymous_client_on_the_same_address(settings):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    throttle = FailOpenUserThrottle()
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert throttle.get_ident(request) == PROXY
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert throttle.get_ident(request) == "203.0.113.9"


def test_a_header_named_by_the_operator_is_the_client_address(settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.10")
    assert FailOpenUserThrottle().get_ident(request) == "203.0.113.10"


def test_the_trusted_proxy_count_comes_from_the_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
    env.update(TIMEBANK_TRUSTED_PROXY_COUNT="1", TIMEBANK_CLIENT_IP_HEADER="X-Real-IP")
    code = "from django.conf import settings as s; print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.splitlines()[-1].split() == ["1", "X-Real-IP"], result.stderr


def test_the_documented_stack_trusts_exactly_its_one_nginx():
    root = Path(__file__).resolve().parents[2]
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    assert compose["x-app"]["environment"]["TIMEBANK_TRUSTED_PROXY_COUNT"] == "1"
    nginx = (root / "deploy" / "nginx.conf").read_text()
    locations = nginx.split("location ")[1:]
    assert len(locations) == 2
    for location in locations:
        assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in location
