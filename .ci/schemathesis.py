"""The API against its own OpenAPI schema: schemathesis (`--checks all`) as a member and as a coordinator.

    .venv/bin/python .ci/schemathesis.py [--max-examples 5] [--as member] [-- extra schemathesis options]

For each person: a fresh database with the demo network (a throwaway SQLite file, or `<name>_schemathesis`
beside DATABASE_URL's PostgreSQL database) and a Redis of its own, the WSGI server production uses (granian)
under production settings (DJANGO_DEBUG=0, requests arriving as from nginx over https), a session from
allauth's app flow, then schemathesis with .ci/schemathesis.toml. Exits non-zero on any failure.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PEOPLE = {"member": "member1@example.org", "coordinator": "coordinator@example.org"}
# What nginx adds (deploy/nginx.conf): production settings redirect plain http to https without it.
PROXY = {"X-Forwarded-Proto": "https"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def fresh_database(tmp: Path) -> str:
    """A database nobody else uses, so the run can write whatever schemathesis generates."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'schemathesis.sqlite3'}"
    import dj_database_url
    import psycopg

    name = f"{dj_database_url.parse(url)['NAME']}_schemathesis"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(server + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def session_token(base: str, email: str) -> str:
    body = json.dumps({"email": email, "password": "demo-password"}).encode()
    headers = {"Content-Type": "application/json", **PROXY}
    request = urllib.request.Request(base + "/_allauth/app/v1/auth/login", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["meta"]["session_token"]


def run_as(who: str, args, tmp: Path) -> bool:
    redis_port = free_port()
    # A fresh VAPID pair, as an operator makes one: production settings require it.
    made = subprocess.run(
        [str(BIN / "python"), "-m", "timebank.vapid"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    vapid = dict(line.split("=", 1) for line in made.stdout.split())
    env = dict(
        os.environ,
        **vapid,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.urandom(32).hex(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=fresh_database(tmp),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        # Thousands of requests a minute from one person: the throttle is not what is tested here.
        TIMEBANK_API_RATE="1000000/minute",
    )
    env.pop("TIMEBANK_TESTING", None)
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    manage = [str(BIN / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", "1", "--log-level", "warning", "timebank.wsgi:application"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_http(base + "/healthz")
        print(f"\n==> schemathesis as the {who} ({PEOPLE[who]})", flush=True)
        command = [
            str(BIN / "schemathesis"),
            f"--config-file={ROOT / '.ci' / 'schemathesis.toml'}",
            "run",
            base + "/api/schema/?format=json",
            "--checks=all",
            f"--header=X-Session-Token: {session_token(base, PEOPLE[who])}",
            *(f"--header={name}: {value}" for name, value in PROXY.items()),
            f"--max-examples={args.max_examples}",
            f"--seed={args.seed}",
            # One worker: hypothesis describing its strategies from two threads at once can fail inside
            # Python's own parser ("AST constructor recursion depth mismatch").
            "--workers=1",
            "--suppress-health-check=all",
            *args.extra,
        ]
        # Its cache and reports go to the temporary directory, not the work tree.
        passed = subprocess.run(command, cwd=tmp, env=env).returncode == 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        redis.terminate()
        redis.wait(timeout=20)
    log = log_path.read_text()
    if "Internal Server Error" in log:
        print("\n==> the server's errors\n" + log[log.find("Internal Server Error") :][:20000])
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=5, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=14, help="the same cases on every run")
    parser.add_argument("--as", dest="people", action="append", choices=sorted(PEOPLE), help="default: both")
    parser.add_argument("extra", nargs="*", help="passed to `schemathesis run` after --")
    args = parser.parse_args()

    failed = []
    for who in args.people or sorted(PEOPLE):
        with tempfile.TemporaryDirectory(prefix="schemathesis-") as tmp:
            if not run_as(who, args, Path(tmp)):
                failed.append(who)
    if failed:
        print(f"schemathesis found failures as: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
