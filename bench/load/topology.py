"""The local scale-out topology under production settings: two web (granian WSGI) and two socket (uvicorn)
processes on loopback, sharing one PostgreSQL database and a Redis of their own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/timebank_load python bench/load/topology.py --seconds 60

Web processes are started as docker-compose.yml's `web` service runs them and socket processes as its `ws`
service (the same command line, from bench/ws/topology.py). Settings are production's (`DJANGO_DEBUG=0`), with
static files collected under those same settings, as the server will read them.
"""

import argparse
import glob
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# bench/ws/topology.py holds the socket servers' command line and the Redis and port helpers: one copy.
_spec = importlib.util.spec_from_file_location("ws_topology", ROOT / "bench" / "ws" / "topology.py")
ws_topology = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ws_topology)
free_port, wait_port, stop = ws_topology.free_port, ws_topology.wait_port, ws_topology.stop

# Sessions and tokens are signed with the secret key: the seeding process and the servers share it.
SECRET_KEY = "load-bench-" + "k" * 50
# Web Push's VAPID pair, made once per run: every process signs pushes with the same key.
sys.path.insert(0, str(ROOT))
from timebank.vapid import keys_generate  # noqa: E402 - the repository is on the path only from here

VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY = keys_generate()


def production_env(*, database_url: str, redis_url: str) -> dict:
    """Production settings on loopback. The clients send `X-Forwarded-Proto: https` and `X-Forwarded-For` as
    the stack's nginx does (one trusted proxy), so the HTTPS redirect, secure cookies and per-client limits
    behave as they do in production."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIMEBANK_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="timebank.settings",
        TIMEBANK_TRUSTED_PROXY_COUNT="1",
        VAPID_PRIVATE_KEY=VAPID_PRIVATE_KEY,
        VAPID_PUBLIC_KEY=VAPID_PUBLIC_KEY,
    )
    return env


def manage(env: dict, *args: str, log: Path | None = None) -> subprocess.CompletedProcess:
    out = open(log, "ab") if log else subprocess.DEVNULL
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=out, check=True)


def prepare(env: dict, log: Path | None = None) -> None:
    """Migrate, and collect static files the way the image must: under the settings that serve them."""
    manage(env, "migrate", "--noinput", log=log)
    manage(env, "collectstatic", "--noinput", "--clear", log=log)


class OwnPostgres:
    """A throwaway PostgreSQL cluster on a free port, for a run that must not share the machine's server (its
    connections, or a restart). Started as the `postgres` user when run as root: initdb refuses root."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="timebank-load-pg-"))
        self.port = free_port()
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/timebank_load"

    def start(self) -> "OwnPostgres":
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def web_command(port: int, workers: int, threads: int | None = None) -> list[str]:
    # docker-compose.yml's `web` command, on loopback. `threads` (granian's --blocking-threads, by default
    # half its backlog: 512 for one worker) is there to try other values; compose leaves it to granian.
    command = [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)] + (["--blocking-threads", str(threads)] if threads else [])
    return [*command, "timebank.wsgi:application"]


def worker_command() -> list[str]:
    # docker-compose.yml's `worker` service: the database task queue (mail, push and SMS deliveries).
    return [sys.executable, "manage.py", "db_worker", "--interval", "0.2"]


def _started(command: list[str], port: int, env: dict, log: Path | None) -> subprocess.Popen:
    out = open(log, "ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    wait_port(port, timeout=60)
    # The first request loads the URLconf and opens the database connection: do it before measuring.
    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30).read()
    return process


@dataclass
class Topology:
    """Starts everything on free ports; `stop()` ends what it started, in reverse order."""

    database_url: str
    webs: int = 2
    sockets: int = 2
    workers: int = 1
    web_workers: int = 1
    web_threads: int | None = None
    logs: Path | None = None
    redis_port: int = 0
    web_ports: list[int] = field(default_factory=list)
    ws_ports: list[int] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)
    extra_env: dict = field(default_factory=dict)  # besides production's, for every process

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def env(self) -> dict:
        return {**production_env(database_url=self.database_url, redis_url=self.redis_url), **self.extra_env}

    def log(self, name: str) -> Path | None:
        return self.logs / f"{name}.log" if self.logs else None

    def start(self, *, prepared: bool = False) -> "Topology":
        self.redis_port = self.redis_port or free_port()
        self.processes.append(ws_topology.redis_start(self.redis_port))
        if not prepared:
            prepare(self.env, log=self.log("prepare"))
        for i in range(self.webs):
            port = free_port()
            command = web_command(port, self.web_workers, self.web_threads)
            self.processes.append(_started(command, port, self.env, self.log(f"web{i}")))
            self.web_ports.append(port)
        for i in range(self.sockets):
            port = free_port()
            command = ws_topology.asgi_command(port, "uvicorn")
            self.processes.append(_started(command, port, self.env, self.log(f"ws{i}")))
            self.ws_ports.append(port)
        for i in range(self.workers):
            out = open(log, "ab") if (log := self.log(f"worker{i}")) else subprocess.DEVNULL
            self.processes.append(subprocess.Popen(worker_command(), cwd=ROOT, env=self.env, stdout=out, stderr=out))
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop(process)
        self.processes.clear()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="stop after this long")
    parser.add_argument("--web-workers", type=int, default=1, help="granian workers per web process")
    parser.add_argument("--workers", type=int, default=1, help="task workers (push, SMS and mail deliveries)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        sys.exit("set DATABASE_URL to the PostgreSQL database the processes share")
    topology = Topology(database_url=database_url, web_workers=args.web_workers, workers=args.workers).start()
    print(f"redis {topology.redis_url}", flush=True)
    for port in topology.web_ports:
        print(f"web http://127.0.0.1:{port}", flush=True)
    for port in topology.ws_ports:
        print(f"ws  ws://127.0.0.1:{port}/ws/", flush=True)
    try:
        time.sleep(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        topology.stop()


if __name__ == "__main__":
    main()
