"""A migrated timebank database on a throwaway PostgreSQL cluster, with members who can log in, and the
servers of the production layout started against it."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.production.postgres import Cluster, bindir, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def server_env(database_url: str, **extra: str) -> dict:
    """The environment of a server process: this one's, less the test process's own database settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TIMEBANK_TESTING")}
    env.update(DATABASE_URL=database_url, PYTHONUNBUFFERED="1", **extra)
    return env


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"}), timeout=5)
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


def request(port: int, method: str, path: str, body=None, headers=None, timeout: float = 30):
    """(status, JSON body or None, headers); a dropped connection is status 0."""
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", "X-Forwarded-Proto": "https", **(headers or {})}
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=all_headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            raw, status, out_headers = response.read(), response.status, response.headers
    except urllib.error.HTTPError as exc:
        raw, status, out_headers = exc.read(), exc.code, exc.headers
    except OSError:
        return 0, None, {}
    try:
        return status, json.loads(raw), out_headers
    except ValueError:
        return status, None, out_headers


def log_in(port: int, email: str, password: str) -> str:
    status, body, _ = request(port, "POST", "/_allauth/app/v1/auth/login", {"email": email, "password": password})
    assert status == 200, (status, body)
    return body["meta"]["session_token"]


@pytest.fixture(scope="package")
def cluster():
    """One cluster for the package's tests: each writes its own gifts, and verify_ledger checks them all."""
    if bindir() is None:
        pytest.skip("needs PostgreSQL's server binaries (initdb, pg_ctl) to run a throwaway cluster")
    cluster = Cluster()
    cluster.start()
    try:
        subprocess.run(
            [*cluster.as_postgres, str(cluster.bin / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port)]
            + ["-U", "postgres", "timebank"],
            check=True,
            capture_output=True,
        )
        # Production's password hasher (not the tests' fast one), so servers in any mode can log people in.
        env = server_env(cluster.url("timebank"))
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        seeded = subprocess.run(
            [sys.executable, "bench/ledger/seed.py", "4"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        cluster.people = json.loads(seeded.stdout)["people"]
        yield cluster
    finally:
        cluster.stop()


def start_server(args: list[str], env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    args = [a.replace("{port}", str(port)) for a in args]
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
    except TimeoutError:
        process.kill()
        raise AssertionError(log.read_text(errors="replace")[-3000:]) from None
    return process, port


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
