"""Shared fixtures: API clients, a network with its people, database-vendor markers."""

import uuid

import pytest
from django.db import connection
from rest_framework.test import APIClient

from members.models import Membership
from tests.factories import NetworkFactory, member


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI does)")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL (CI does)")
    for item in items:
        if "postgres" in item.keywords and "postgresql" not in engine:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(scope="session", autouse=True)
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """Async tests leave connections open in executor threads; end them so the test database can be dropped."""
    yield
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(scope="session", autouse=True)
def _ledger_wipe_on_flush():
    """On SQLite the database refuses to delete transfers and holds unless the whole database is being
    emptied and says so (exchanges migration 0013); Django's flush between transactional tests does."""
    from unittest import mock

    if connection.vendor != "sqlite":
        yield
        return
    DatabaseOperations = type(connection.ops)
    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        wipe = "INSERT INTO exchanges_ledger_wipe (reason) VALUES ('flush')"
        return flush(self, [wipe, *sql_list, "DELETE FROM exchanges_ledger_wipe"])

    with mock.patch.object(DatabaseOperations, "execute_sql_flush", execute_sql_flush):
        yield


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """A request in Welsh leaves Welsh active on the thread (the middleware activates, nothing deactivates);
    the next test starts in the site's language, as a new request would."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_taxonomy_cache():
    """Each test sees the skills in its own database state, not ids cached from a rolled-back test."""
    from exchanges.matching.skills import taxonomy_cache_clear

    taxonomy_cache_clear()


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` logs it in by session."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user=user)
            return self

    return Client()


@pytest.fixture
def network(db):
    return NetworkFactory(slug="harlesden", name="Harlesden KeyRing")


@pytest.fixture
def other_network(db):
    return NetworkFactory(slug="elsewhere", name="Elsewhere")


@pytest.fixture
def coordinator(network):
    return member(network, role=Membership.Role.COORDINATOR).user


@pytest.fixture
def alice(network):
    return member(network).user


@pytest.fixture
def bob(network):
    return member(network).user


@pytest.fixture
def dora(network):
    """A supported member: no login of her own use; Sam or a coordinator acts with her."""
    return member(network, is_supported=True).user


@pytest.fixture
def sam(network, dora):
    """Dora's supporter."""
    from members.models import SupportLink

    supporter = member(network, role=Membership.Role.SUPPORTER)
    SupportLink.objects.create(network=network, supporter=supporter, member=dora.memberships.get(network=network))
    return supporter.user


@pytest.fixture(autouse=True)
def _own_rate_limit_counts(monkeypatch):
    """Each test counts API requests under keys of its own: user ids repeat across tests on SQLite, and
    the counts live in the cache, which outlives a test."""
    from timebank.throttling import FailOpenUserThrottle

    monkeypatch.setattr(FailOpenUserThrottle, "cache_format", f"throttle-{uuid.uuid4().hex}-%(scope)s-%(ident)s")


@pytest.fixture(autouse=True)
def _own_login_rate_limits(monkeypatch):
    """Each test has allauth's per-address login limits to itself: every test client logs in from 127.0.0.1,
    and a suite that logs in often would otherwise meet the limit in a later, unrelated test."""
    from allauth.core.internal import ratelimit

    key_of, prefix = ratelimit.get_cache_key, uuid.uuid4().hex
    monkeypatch.setattr(ratelimit, "get_cache_key", lambda *args, **kwargs: f"{prefix}:{key_of(*args, **kwargs)}")


@pytest.fixture(autouse=True)
def _own_chat_and_socket_limits(monkeypatch):
    """Each test has chat buckets and socket places of its own, for the same reason as above."""
    monkeypatch.setattr("timebank.ratelimit.PREFIX", f"rl-{uuid.uuid4().hex}")
