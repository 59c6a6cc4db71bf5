"""The compose file's order of start: nothing serves before the release's migrations have finished;
matching reads the stored listings again beside the running service."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def test_the_long_running_processes_start_once_migrate_has_finished():
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    # Matching reads everything again beside the running service, not before it starts.
    assert services["matching-refresh"]["command"][-1] == "matching_refresh"
    assert "matching-refresh" not in services["web"]["depends_on"]
    for name in ("web", "ws", "scheduler", "worker", "matching-refresh"):
        waits = services[name]["depends_on"]
        assert waits["migrate"] == {"condition": "service_completed_successfully"}, name
        assert waits["db"] == {"condition": "service_healthy"} and waits["redis"] == {"condition": "service_healthy"}
