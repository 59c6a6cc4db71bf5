"""The compose file's order of start: nothing serves or matches before the release's migrations and
matching refresh have finished."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def test_the_long_running_processes_start_once_migrate_has_finished():
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    assert "matching_refresh" in " ".join(services["migrate"]["command"])
    for name in ("web", "ws", "scheduler", "worker"):
        waits = services[name]["depends_on"]
        assert waits["migrate"] == {"condition": "service_completed_successfully"}, name
        assert waits["db"] == {"condition": "service_healthy"} and waits["redis"] == {"condition": "service_healthy"}
