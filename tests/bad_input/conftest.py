"""Fixtures for the bad-input sweeps: the messaging conversation, for the socket tests."""

from tests.messaging.conftest import chat  # noqa: F401  (a fixture, registered by being imported here)
