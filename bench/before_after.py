"""The ledger, messaging, matching and reports, before and after a change, on the same machine in one run.

Checks out an earlier commit (default: the one before the apps were re-cut) beside this tree, gives each
tree a fresh PostgreSQL database with the demo network (`migrate`, `seed_demo`), and then, taking turns
tree by tree so both meet the same machine, calls each tree's own WSGI application in one process, one
request at a time, through the API both trees share:

- ledger: a 1-minute gift, `POST /api/v1/transfers/` with an Idempotency-Key;
- messaging: a chat message, `POST /api/v1/conversations/{id}/messages/`;
- matching: one listing's matches, `GET /api/v1/listings/{id}/matches/`;
- reports: a network's summary of the last 12 whole months for the coordinator,
  `GET /api/v1/reports/networks/demo/summary/?from=…&to=…`.

It prints, per operation and tree, the median over rounds of process CPU per request (steady on a busy
machine: another process's work is not counted) and of wall time per request, the ratio after / before,
and the database queries per request (the statements the request's connection ran).

    .venv/bin/python bench/before_after.py                       # before = 1e572fd
    .venv/bin/python bench/before_after.py --before <commit> --requests 200 --rounds 5

Needs PostgreSQL on 127.0.0.1:5432 (trust auth; databases `tb_before_after_*` are dropped and made) and
Redis on 127.0.0.1:6379 (db 9).
"""

import argparse
import datetime
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
OPERATIONS = ("ledger.gift", "messaging.send", "matching.matches", "reports.summary")
PG = "postgres://postgres@127.0.0.1:5432/"
PASSWORD = "demo-password"  # seed_demo's


def tree_env(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": PG + database,
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "TIMEBANK_API_RATE": "1000000/minute",
        "TIMEBANK_CHAT_RATE": "1000000/minute",
        "TIMEBANK_CHAT_BURST": "1000000",
        "DJANGO_LOG_LEVEL": "ERROR",
        "PYTHONPATH": "",
    }


def prepare(tree: Path, database: str) -> None:
    subprocess.run(
        ["psql", PG + "postgres", "-qc", f"DROP DATABASE IF EXISTS {database}", "-c", f"CREATE DATABASE {database}"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=tree,
            env=tree_env(database),
            check=True,
            stdout=subprocess.DEVNULL,
        )


# ---- inside one tree's process -------------------------------------------------------------------------


def measure(tree: Path, requests: int, show_sql: int = 0) -> dict[str, dict[str, float]]:
    os.chdir(tree)
    sys.path.insert(0, str(tree))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from timebank.wsgi import application

    def call(method: str, path: str, body: dict | None = None, headers: dict | None = None):
        raw = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(raw), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(raw)), "CONTENT_TYPE": "application/json",
        }  # fmt: skip
        if "?" in path:
            environ["PATH_INFO"], environ["QUERY_STRING"] = path.split("?", 1)
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        status: list[str] = []
        content = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
        code = int(status[0].split()[0])
        if code >= 400:
            raise SystemExit(f"{tree.name}: {method} {path} answered {code}: {content[:300]!r}")
        return json.loads(content) if content else None

    def login(email: str) -> dict[str, str]:
        answer = call("POST", "/_allauth/app/v1/auth/login", {"email": email, "password": PASSWORD})
        return {"X-Session-Token": answer["meta"]["session_token"]}

    users = get_user_model().objects
    giver, taker = login("member1@example.org"), login("member2@example.org")
    taker_id = users.get(email="member2@example.org").id
    giver_id = users.get(email="member1@example.org").id
    coordinator = login("coordinator@example.org")
    conversation = call("POST", "/api/v1/conversations/", {"network": "demo", "member": taker_id}, giver)["id"]
    asks = ("Trim my front hedge", "A lift to the GP on Tuesday", "Help setting up my new phone", "Walk my dog")
    listings = [
        call(
            "POST",
            "/api/v1/listings/",
            {"network": "demo", "kind": "request", "title": title, "description": title, "minutes_estimate": 60},
            giver,
        )["id"]
        for title in asks
    ]

    def gift(n: int) -> None:
        # Back and forth, so nobody drifts towards their floor.
        who, to = (giver, taker_id) if n % 2 == 0 else (taker, giver_id)
        headers = {**who, "Idempotency-Key": str(uuid.uuid4())}
        body = {"network": "demo", "kind": "gift", "to_member": to, "minutes": 1, "memo": "thanks"}
        call("POST", "/api/v1/transfers/", body, headers)

    def send(n: int) -> None:
        body = {"body": f"See you at ten, {n}", "client_id": str(uuid.uuid4())}
        call("POST", f"/api/v1/conversations/{conversation}/messages/", body, giver)

    def matches(n: int) -> None:
        call("GET", f"/api/v1/listings/{listings[n % len(listings)]}/matches/", None, giver)

    # The twelve whole months before this one (the earlier tree needs them named).
    today = datetime.datetime.now(datetime.UTC).date()
    first = (today.year * 12 + today.month - 1) - 12
    last = first + 11
    period = f"from={first // 12}-{first % 12 + 1:02d}&to={last // 12}-{last % 12 + 1:02d}"

    def summary(n: int) -> None:
        call("GET", f"/api/v1/reports/networks/demo/summary/?{period}", None, coordinator)

    queries = 0

    def counted(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        if show_sql and queries <= show_sql:
            print(f"{tree.name} {name}: {' '.join(sql.split())[:200]}", file=sys.stderr)
        return execute(sql, params, many, context)

    results = {}
    for name, step in zip(OPERATIONS, (gift, send, matches, summary), strict=True):
        for n in range(5):  # warm: connections, prepared statements, caches
            step(n)
        queries = 0
        cpu, wall = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(counted):
            for n in range(requests):
                step(n)
        results[name] = {
            "cpu_ms": (time.process_time() - cpu) * 1000 / requests,
            "wall_ms": (time.perf_counter() - wall) * 1000 / requests,
            "queries": queries / requests,
        }
    return results


# ---- the driver ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="1e572fd", help="the earlier commit (default: before the re-cut)")
    parser.add_argument("--requests", type=int, default=100, help="requests per operation per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--sql", type=int, default=0, help="with --measure: print the first N statements of each")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.requests, args.sql)))
        return

    before = Path(tempfile.gettempdir()) / "timebank-before"
    subprocess.run(["rm", "-rf", str(before)], check=True)
    before.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", args.before], cwd=HERE, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
    trees = {"before": (before, "tb_before_after_old"), "after": (HERE, "tb_before_after_new")}
    for tree, database in trees.values():
        prepare(tree, database)

    runs: dict[str, list[dict]] = {label: [] for label in trees}
    load = []
    for _ in range(args.rounds):
        for label, (tree, database) in trees.items():
            load.append(os.getloadavg()[0])
            done = subprocess.run(
                [sys.executable, __file__, "--measure", str(tree), "--requests", str(args.requests)],
                cwd=tree,
                env=tree_env(database),
                capture_output=True,
                text=True,
            )
            if done.returncode:
                raise SystemExit(f"{label} failed:\n{done.stderr[-2000:]}")
            runs[label].append(json.loads(done.stdout.strip().splitlines()[-1]))

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True)
    print(f"before {args.before}, after {commit.stdout.strip()}; {args.rounds} rounds of {args.requests} requests")
    print(f"load average (1 min) at each run: {min(load):.1f}–{max(load):.1f}")
    print(
        "| operation | CPU ms before | CPU ms after | after / before | wall ms before | wall ms after | queries before | queries after |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in OPERATIONS:
        cpu = {label: statistics.median(r[name]["cpu_ms"] for r in runs[label]) for label in trees}
        wall = {label: statistics.median(r[name]["wall_ms"] for r in runs[label]) for label in trees}
        print(
            f"| {name} | {cpu['before']:.2f} | {cpu['after']:.2f} | {cpu['after'] / cpu['before']:.2f} "
            f"| {wall['before']:.2f} | {wall['after']:.2f} "
            f"| {runs['before'][0][name]['queries']:.1f} | {runs['after'][0][name]['queries']:.1f} |"
        )


if __name__ == "__main__":
    main()
