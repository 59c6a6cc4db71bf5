"""Socket load on the two-process topology: delivery and latency, a ramp, and idle-socket memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_messaging .venv/bin/python bench/ws/load.py

Phases (bounded, about 3 minutes in all; everything on 127.0.0.1):
  steady  200 conversations, 400 members (each pair split across the two processes), one message per
          member every 2 s, for each channel layer (pub/sub and classic): % delivered, p99 send -> delivered
  ramp    the same members at rising total rates (messages/s) until p99 > 250 ms or a message goes
          missing (pub/sub layer); fresh servers for each of steady, classic and ramp
  idle    1,000 idle sockets on one process: resident memory per socket
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")

import topology  # noqa: E402

from timebank.vapid import keys_generate  # noqa: E402

VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY = keys_generate()

PUBSUB = "channels_redis.pubsub.RedisPubSubChannelLayer"
CLASSIC = "channels_redis.core.RedisChannelLayer"
# Sessions are signed with the secret key: the seeding process and the servers must share it.
SERVER_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-" + "k" * 50,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    # The ramp has each member send faster than a person types: measure the socket, not the chat limit.
    "TIMEBANK_CHAT_RATE": "100000/minute",
    # Production requires Web Push's key pair; one made for this run.
    "VAPID_PRIVATE_KEY": VAPID_PRIVATE_KEY,
    "VAPID_PUBLIC_KEY": VAPID_PUBLIC_KEY,
}
os.environ["DJANGO_SECRET_KEY"] = SERVER_ENV["DJANGO_SECRET_KEY"]


def seed(pairs: int) -> tuple[list[dict], list[str]]:
    """A fresh network with 2 x pairs members, one conversation per pair, and a logged-in session each."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from members.models import Membership, Network, User
    from messaging.models import Conversation, Participant

    tag = secrets.token_hex(4)
    network = Network.objects.create(slug=f"bench-ws-{tag}", name="Bench sockets")
    users = User.objects.bulk_create(
        [User(email=f"ws-{tag}-{i}@bench.invalid", display_name=f"Bench {i}") for i in range(2 * pairs)]
    )
    Membership.objects.bulk_create(
        [Membership(network=network, user=u, status=Membership.Status.ACTIVE) for u in users]
    )
    conversations = Conversation.objects.bulk_create(
        [
            Conversation(
                network=network, kind=Conversation.Kind.DIRECT, pair_key=f"{users[2 * i].pk}:{users[2 * i + 1].pk}"
            )
            for i in range(pairs)
        ]
    )
    Participant.objects.bulk_create(
        [
            Participant(network=network, conversation=c, user=users[2 * i + k])
            for i, c in enumerate(conversations)
            for k in (0, 1)
        ]
    )
    members = []
    for i, user in enumerate(users):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        members.append({"user": user.pk, "conversation": conversations[i // 2].pk, "session": session.session_key})
    return members, [m["session"] for m in members]


@dataclass
class Phase:
    name: str
    acked: dict = field(default_factory=dict)  # message id -> send->ack seconds
    delivered: dict = field(default_factory=dict)  # message id -> send->delivered seconds
    sent: int = 0
    errors: int = 0
    closed: int = 0


class Member:
    def __init__(self, info: dict, port: int):
        self.user, self.conversation, self.session, self.port = (
            info["user"],
            info["conversation"],
            info["session"],
            port,
        )
        self.phase: Phase | None = None

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/ws/",
            additional_headers={"Origin": f"http://127.0.0.1:{self.port}", "Cookie": f"sessionid={self.session}"},
            open_timeout=30,
            max_queue=None,
        )
        self.reader = asyncio.ensure_future(self.read())

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                now = time.time()
                frame = json.loads(raw)
                phase = self.phase
                if phase is None:
                    continue
                if frame["type"] == "message.new":
                    m = frame["message"]
                    name, sent_at = m["body"].split("@")
                    if name != phase.name:
                        continue
                    if m["sender"] == self.user:
                        phase.acked[m["id"]] = now - float(sent_at)
                    else:
                        phase.delivered[m["id"]] = now - float(sent_at)
                elif frame["type"] == "error":
                    phase.errors += 1
        except websockets.ConnectionClosed:
            pass

    async def send_every(self, phase: Phase, interval: float, until: float) -> None:
        await asyncio.sleep(random.uniform(0, interval))
        next_at = time.monotonic()
        while time.monotonic() < until:
            body = f"{phase.name}@{time.time():.6f}"
            try:
                await self.ws.send(
                    json.dumps({"type": "message.send", "conversation": self.conversation, "body": body})
                )
            except websockets.ConnectionClosed:
                # The server closed this socket (e.g. 1011 when a consumer crashed): counted, not retried.
                phase.closed += 1
                return
            phase.sent += 1
            next_at += interval
            await asyncio.sleep(max(0, next_at - time.monotonic()))


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def postgres_backends(database: str) -> list[int]:
    """The PostgreSQL backends connected to this database (the servers' connections)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {database} " in title:
                pids.append(int(entry.name))
    return pids


@dataclass
class CpuMeter:
    """CPU seconds spent by each part of the measurement: ASGI processes, Redis, PostgreSQL, load generator."""

    asgi: list[int]
    redis: int
    database: str

    def sample(self) -> dict:
        own = os.times()
        return {
            "asgi": sum(cpu_seconds(pid) for pid in self.asgi),
            "redis": cpu_seconds(self.redis),
            "postgres": {pid: cpu_seconds(pid) for pid in postgres_backends(self.database)},
            "load": own.user + own.system,
        }

    def per_message(self, before: dict, after: dict, messages: int) -> dict:
        """Milliseconds of CPU per message for each part, and their total."""
        # A backend that connected during the phase counts from zero; one that left is not counted.
        postgres = sum(cpu - before["postgres"].get(pid, 0.0) for pid, cpu in after["postgres"].items())
        spent = {part: after[part] - before[part] for part in ("asgi", "redis", "load")}
        spent["postgres"] = postgres
        out = {part: round(1000 * seconds / max(1, messages), 2) for part, seconds in spent.items()}
        out["total"] = round(1000 * sum(spent.values()) / max(1, messages), 2)
        return out


def p(values, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


async def run_phase(
    members, name: str, interval: float, seconds: float, drain: float = 3.0, meter: CpuMeter | None = None
) -> dict:
    phase = Phase(name)
    for m in members:
        m.phase = phase
    cpu_before = meter.sample() if meter else None
    until = time.monotonic() + seconds
    await asyncio.gather(*(m.send_every(phase, interval, until) for m in members))
    await asyncio.sleep(drain)
    cpu_after = meter.sample() if meter else None
    delivered = [phase.delivered[i] for i in phase.acked if i in phase.delivered]
    result = {
        "phase": name,
        "offered_msgs_per_s": round(len(members) / interval),
        "sent": phase.sent,
        "acked": len(phase.acked),
        "delivered_pct": round(100 * len(delivered) / max(1, len(phase.acked)), 2),
        "p50_ms": round(p(delivered, 0.50), 1),
        "p99_ms": round(p(delivered, 0.99), 1),
        "ack_p99_ms": round(p(phase.acked.values(), 0.99), 1),
        "errors": phase.errors,
        "sockets_closed_by_server": phase.closed,
    }
    if meter:
        # CPU per acknowledged message, phase plus drain, of everything sharing the machine's cores.
        result["cpu_ms_per_msg"] = meter.per_message(cpu_before, cpu_after, len(phase.acked))
        result["load_average"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result), flush=True)
    return result


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def traffic(args, backend: str, members_info: list[dict], *, ramp: bool) -> list[dict]:
    redis_port = topology.free_port()
    ports = [topology.free_port(), topology.free_port()]
    redis = topology.redis_start(redis_port)
    env = topology.asgi_env(database_url=os.environ["DATABASE_URL"], redis_port=redis_port, backend=backend)
    env.update(SERVER_ENV)
    servers = []
    results = []
    try:
        for port in ports:
            servers.append(topology.asgi_start(port, env))
        meter = CpuMeter([s.pid for s in servers], redis.pid, env["DATABASE_URL"].rsplit("/", 1)[-1].split("?")[0])
        # Each pair is split across the two processes, so every message crosses Redis.
        members = [Member(info, ports[i % 2]) for i, info in enumerate(members_info)]
        for batch in range(0, len(members), 50):
            await asyncio.gather(*(m.connect() for m in members[batch : batch + 50]))
        short = backend.rsplit(".", 1)[-1]
        # Every member sends once (50 msg/s): first messages create notifications, and connections
        # prepare their statements, so no measured phase pays for that.
        await run_phase(members, f"warmup-{short}", 8.0, 8, drain=2)
        if ramp:
            for rate in args.ramp:
                result = await run_phase(
                    members, f"ramp{rate}-{short}", len(members) / rate, args.ramp_seconds, meter=meter
                )
                results.append(result)
                if result["p99_ms"] > 250 or result["delivered_pct"] < 100:
                    break
        else:
            results.append(await run_phase(members, f"steady-{short}", args.interval, args.seconds, meter=meter))
        for m in members:
            await m.ws.close()
        await asyncio.sleep(0)
    finally:
        for server in servers:
            topology.stop(server, signal.SIGTERM)
        topology.stop(redis)
    return results


async def idle(args, sessions: list[str]) -> dict:
    redis_port, port = topology.free_port(), topology.free_port()
    redis = topology.redis_start(redis_port)
    env = topology.asgi_env(database_url=os.environ["DATABASE_URL"], redis_port=redis_port, backend=PUBSUB)
    env.update(SERVER_ENV)
    sockets = []
    server = None
    try:
        server = topology.asgi_start(port, env)

        # A few sockets first, so the baseline includes warmed-up code paths, not just an empty process.
        async def open_one(i: int):
            ws = await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/",
                additional_headers={
                    "Origin": f"http://127.0.0.1:{port}",
                    "Cookie": f"sessionid={sessions[i % len(sessions)]}",
                },
                open_timeout=60,
            )
            sockets.append(ws)

        for i in range(10):
            await open_one(i)
        await asyncio.sleep(2)
        before = rss_kib(server.pid)
        for batch in range(10, args.idle, 50):
            await asyncio.gather(*(open_one(i) for i in range(batch, min(args.idle, batch + 50))))
        await asyncio.sleep(3)
        after = rss_kib(server.pid)
        result = {
            "phase": "idle",
            "sockets": len(sockets),
            "rss_before_mib": round(before / 1024, 1),
            "rss_after_mib": round(after / 1024, 1),
            "kib_per_socket": round((after - before) / (len(sockets) - 10), 1),
        }
        print(json.dumps(result), flush=True)
        return result
    finally:
        for ws in sockets:
            await ws.close()
        if server is not None:
            topology.stop(server)
        topology.stop(redis)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--ramp", type=int, nargs="*", default=[50, 100, 150, 200, 300, 400])
    parser.add_argument("--ramp-seconds", type=float, default=10)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--skip", nargs="*", default=[], choices=["steady", "classic", "ramp", "idle"])
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between one member's messages")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a migrated PostgreSQL database (e.g. tb_messaging)")
    started = time.monotonic()
    members, sessions = seed(args.pairs)
    # The load generator shares the cores it measures: uvloop (when installed) makes it cheaper.
    try:
        import uvloop
    except ImportError:
        runner = asyncio.run
    else:
        runner = uvloop.run
    runner(asyncio.wait_for(run(args, members, sessions), timeout=600))
    print(json.dumps({"total_seconds": round(time.monotonic() - started)}), flush=True)


async def run(args, members: list[dict], sessions: list[str]) -> None:
    # Fresh servers and Redis for each measurement, so a phase never inherits another's backlog.
    if "steady" not in args.skip:
        await traffic(args, PUBSUB, members, ramp=False)
    if "classic" not in args.skip:
        await traffic(args, CLASSIC, members, ramp=False)
    if "ramp" not in args.skip:
        await traffic(args, PUBSUB, members, ramp=True)
    if "idle" not in args.skip:
        await idle(args, sessions)


if __name__ == "__main__":
    main()
