"""Load test: simulated members on a mixed journey against the local scale-out topology, then the ledger and
the messages checked. `make load` (USERS, DURATION) or:

    .venv/bin/python bench/load/run.py --users 200 --seconds 300

Steps: a fresh PostgreSQL database (`timebank_load` on 127.0.0.1:5432 unless --database-url says otherwise),
migrated and with static files collected under production settings; a network of --users members with
opening balances; Redis on a free port; two web (granian WSGI) and two socket (uvicorn) processes; the members
log in over the first --ramp seconds and walk bench/load/journey.py until --seconds have passed, then finish
their round. Afterwards: `verify_ledger` must pass and every message acknowledged to a client must be stored
exactly once. Prints one JSON document (also written to bench/out/load-<time>/result.json with the servers'
logs) and a Markdown table of the steps; exits non-zero on any 5xx, unintended error or failed check.
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import journey  # noqa: E402
import topology  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/timebank_load"


def database_fresh(url: str) -> None:
    """Drop and create the load database. Only a database whose name says it is for load is ever dropped."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "load" not in name:
        sys.exit(f"refusing to recreate {name!r}: the load database's name must contain 'load' (or pass --reuse-db)")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and all their descendants (granian's workers are children)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, list(pids)
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += int(stats[pid][11]) + int(stats[pid][12])
        todo.extend(children.get(pid, []))
    return total / tick


async def sample_connections(database_url: str, name: str, samples: list[int], stop: asyncio.Event) -> None:
    """Connections to the load database, once a second: what the servers hold open under load."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        while not stop.is_set():
            cursor = await conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,))
            samples.append((await cursor.fetchone())[0] - 1)  # not this one
            try:
                await asyncio.wait_for(stop.wait(), timeout=1)
            except TimeoutError:
                pass


async def drive(args, topo: topology.Topology, seeded: dict) -> tuple[journey.Stats, dict]:
    stats = journey.Stats()
    started = time.monotonic()
    target = journey.Target(
        web=[f"http://127.0.0.1:{p}" for p in topo.web_ports],
        ws=[f"ws://127.0.0.1:{p}/ws/" for p in topo.ws_ports],
        network=seeded["network"],
        password=seeded["password"],
        think=args.think,
        stats=stats,
        deadline=started + args.seconds,
    )
    people = seeded["people"]
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    samples: list[int] = []
    stop = asyncio.Event()
    name = urlsplit(args.database_url).path.lstrip("/")
    sampler = asyncio.create_task(sample_connections(args.database_url, name, samples, stop))
    cpu_before = cpu_seconds(topo.pids)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        # The two members of a pair use different socket processes, so every chat message crosses Redis.
        members = [journey.Member(target, http, p, target.ws[i % len(target.ws)], i + 1) for i, p in enumerate(people)]
        pairs = [(members[i], members[i + 1]) for i in range(0, len(members) - 1, 2)]
        walks = [journey.pair_walk(a, b, args.ramp) for a, b in pairs]
        await asyncio.gather(*walks)
        ended = time.monotonic()
        await asyncio.gather(*(m.close() for m in members))
    stop.set()
    await sampler
    load = {
        "seconds": round(ended - started, 1),
        "server_cpu_seconds": round(cpu_seconds(topo.pids) - cpu_before, 1),
        "loadavg_1m_at_end": os.getloadavg()[0],
        "db_connections_max": max(samples, default=0),
        "db_connections_mean": round(sum(samples) / len(samples), 1) if samples else 0,
    }
    return stats, load


def messages_check(acked: dict[str, int]) -> dict:
    """Every message acknowledged to a client is in the database exactly once, under the id it was acked with."""
    from django.db.models import Count

    from messaging.models import Message

    stored: dict[str, list] = {}
    ids = list(acked)
    for i in range(0, len(ids), 1000):
        rows = (
            Message.objects.filter(client_id__in=ids[i : i + 1000])
            .values("client_id")
            .annotate(n=Count("id"))
            .values_list("client_id", "n")
        )
        stored.update({client_id: [n] for client_id, n in rows})
    pks = set(Message.objects.filter(client_id__in=ids).values_list("pk", flat=True)) if len(ids) < 50_000 else None
    missing = [c for c in ids if c not in stored]
    duplicated = [c for c, (n,) in stored.items() if n != 1]
    wrong_id = [c for c, pk in acked.items() if pks is not None and pk not in pks]
    return {
        "acked": len(ids),
        "stored_once": len(ids) - len(missing) - len(duplicated),
        "missing": len(missing),
        "duplicated": len(duplicated),
        "acked_id_not_stored": len(wrong_id),
    }


def report(stats: journey.Stats) -> tuple[list[dict], str]:
    rows = []
    for name, step in stats.steps.items():
        ok = len(step.latencies) - sum(step.errors.values()) - sum(step.intended.values())
        rows.append(
            {
                "step": name,
                "count": len(step.latencies),
                "ok": ok,
                "intended_4xx": dict(step.intended),
                "errors": dict(step.errors),
                "status_5xx": sum(n for s, n in step.statuses.items() if s >= 500),
                "p50_ms": _ms(journey.percentile(step.latencies, 50)),
                "p95_ms": _ms(journey.percentile(step.latencies, 95)),
                "p99_ms": _ms(journey.percentile(step.latencies, 99)),
                "max_ms": _ms(max(step.latencies, default=None)),
            }
        )
    lines = [
        "| step | count | intended 4xx | errors | 5xx | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        intended = ", ".join(f"{n}× {s}" for s, n in r["intended_4xx"].items()) or "0"
        errors = ", ".join(f"{n}× {e}" for e, n in r["errors"].items()) or "0"
        lines.append(
            f"| {r['step']} | {r['count']} | {intended} | {errors} | {r['status_5xx']} | {r['p50_ms']} | "
            f"{r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} |"
        )
    return rows, "\n".join(lines)


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200, help="simulated members (in pairs)")
    parser.add_argument("--seconds", type=float, default=300, help="no round starts after this")
    parser.add_argument("--ramp", type=float, default=None, help="logins spread over this (default: a fifth, ≤ 60 s)")
    parser.add_argument("--think", type=float, default=3.0, help="mean seconds a member waits between steps")
    parser.add_argument("--opening-minutes", type=int, default=600)
    parser.add_argument("--web-workers", type=int, default=1, help="granian workers per web process")
    parser.add_argument("--web-threads", type=int, default=None, help="granian --blocking-threads (default: its own)")
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--reuse-db", action="store_true", help="keep the database (migrated already)")
    parser.add_argument(
        "--own-postgres", action="store_true", help="a throwaway PostgreSQL on a free port instead of --database-url"
    )
    args = parser.parse_args()
    args.ramp = min(60.0, args.seconds / 5) if args.ramp is None else args.ramp
    out = ROOT / "bench" / "out" / time.strftime("load-%Y%m%d-%H%M%S")
    out.mkdir(parents=True)

    own = topology.OwnPostgres().start() if args.own_postgres else None
    try:
        run(args, out, own)
    finally:
        if own is not None:
            own.stop()


def run(args, out: Path, own) -> None:
    if own is not None:
        args.database_url = own.url
    if not args.reuse_db:
        database_fresh(args.database_url)
    topo = topology.Topology(
        database_url=args.database_url, web_workers=args.web_workers, web_threads=args.web_threads, logs=out
    )
    topo.redis_port = topology.free_port()
    topology.prepare(topo.env, log=out / "prepare.log")
    django_setup(topo.env)
    import seed

    began = time.monotonic()
    seeded = seed.seed(members=args.users, opening_minutes=args.opening_minutes)
    print(f"seeded {args.users} members in {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)

    from django.db import connections

    connections.close_all()
    try:
        topo.start(prepared=True)
        stats, load = asyncio.run(drive(args, topo, seeded))
    finally:
        topo.stop()

    ledger = subprocess.run(
        [sys.executable, "manage.py", "verify_ledger"], cwd=ROOT, env=topo.env, capture_output=True, text=True
    )
    messages = messages_check(stats.acked)
    rows, table = report(stats)
    total_5xx = sum(r["status_5xx"] for r in rows)
    total_errors = sum(sum(r["errors"].values()) for r in rows)
    result = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "postgres": "own, on a free port" if own is not None else args.database_url,
        "users": args.users,
        "seconds": args.seconds,
        "ramp": args.ramp,
        "think": args.think,
        "topology": {
            "web": len(topo.web_ports),
            "web_workers": args.web_workers,
            "web_threads": args.web_threads or "granian's default",
            "ws": len(topo.ws_ports),
        },
        "load": load,
        "logged_in": stats.logged_in,
        "rounds": stats.rounds,
        "http_requests": sum(sum(s.statuses.values()) for s in stats.steps.values()),
        "status_5xx": total_5xx,
        "errors": total_errors,
        "unexpected": stats.unexpected,
        "verify_ledger": {"exit": ledger.returncode, "output": (ledger.stdout + ledger.stderr)[-2000:]},
        "messages": messages,
        "steps": rows,
    }
    (out / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "steps"}, indent=2))
    print(table)
    print(f"logs and result.json in {out.relative_to(ROOT)}", file=sys.stderr)
    passed = (
        total_5xx == 0
        and total_errors == 0
        and ledger.returncode == 0
        and messages["acked"] == messages["stored_once"]
        and messages["acked_id_not_stored"] == 0
    )
    if not passed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
