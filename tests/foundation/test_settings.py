"""Production settings refuse to start without their secrets; development needs nothing."""

import os
import subprocess
import sys

import pytest

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-for-the-settings-test",
    "DJANGO_ALLOWED_HOSTS": "timebank.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/timebank",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    # Web Push's key pair: start-up needs the values, only sending a push reads them.
    "VAPID_PRIVATE_KEY": "settings-test-only",
    "VAPID_PUBLIC_KEY": "settings-test-only",
}


def check(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("missing", sorted(set(PRODUCTION) - {"DJANGO_DEBUG"}))
def test_production_fails_at_start_up_when_a_setting_is_missing(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = check(env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_starts_when_everything_is_set():
    assert check(PRODUCTION).returncode == 0


def test_development_needs_no_configuration():
    result = check({})
    assert result.returncode == 0, result.stderr
