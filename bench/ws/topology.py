"""Two ASGI (uvicorn) processes sharing one Redis on loopback: the scale-out shape, for e2e tests and bench.

    python bench/ws/topology.py --seconds 60        # starts Redis on a free port and two uvicorns, then stops

Every process listens on 127.0.0.1 only. Set DATABASE_URL to the database they should share.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def redis_start(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--daemonize", "no", "--logfile", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(port)
    return process


def asgi_env(*, database_url: str, redis_port: int, backend: str | None = None) -> dict:
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
    env.setdefault("TIMEBANK_TESTING", "1")
    if backend:
        env["TIMEBANK_CHANNEL_BACKEND"] = backend
    return env


def asgi_command(port: int, server: str) -> list[str]:
    if server == "uvicorn":
        # The same options as the `ws` service in docker-compose.yml. Frames over 1 MB are cut off by the
        # server itself; the consumer refuses anything over 64 KB. No per-message compression: chat frames
        # are small, and with it a socket held 127 KiB instead of 93 and the highest sustained rate fell
        # from 600 to 500 msg/s (bench/RESULTS.md, "Messaging").
        return [str(BIN / "uvicorn"), "timebank.asgi:application", "--host", "127.0.0.1", "--port", str(port)] + [
            *("--loop", "uvloop", "--http", "httptools", "--ws", "websockets-sansio"),
            *("--ws-max-size", "1048576", "--lifespan", "off", "--no-access-log", "--ws-per-message-deflate", "false"),
        ]
    return [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "timebank.asgi:application"]


def asgi_start(port: int, env: dict, log: Path | None = None, server: str | None = None) -> subprocess.Popen:
    """One ASGI process: uvicorn as in production, or daphne (`TIMEBANK_ASGI_SERVER=daphne`) to compare."""
    server = server or os.environ.get("TIMEBANK_ASGI_SERVER", "uvicorn")
    out = open(log, "ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        asgi_command(port, server),
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=out,
    )
    wait_port(port)
    # The first request loads the URLconf and opens the database connection: do it before measuring.
    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).read()
    return process


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ports", type=int, nargs=2, default=[8101, 8102])
    parser.add_argument("--redis-port", type=int, default=0, help="0: a free port")
    parser.add_argument("--seconds", type=float, default=60, help="stop after this long")
    parser.add_argument("--backend", default=None, help="TIMEBANK_CHANNEL_BACKEND for both processes")
    parser.add_argument("--server", default=None, choices=["daphne", "uvicorn"], help="default: uvicorn")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        sys.exit("set DATABASE_URL to the PostgreSQL database both processes share")
    redis_port = args.redis_port or free_port()
    redis = redis_start(redis_port)
    env = asgi_env(database_url=database_url, redis_port=redis_port, backend=args.backend)
    servers = [asgi_start(port, env, server=args.server) for port in args.ports]
    print(f"redis 127.0.0.1:{redis_port} pid {redis.pid}", flush=True)
    for port, server in zip(args.ports, servers, strict=True):
        print(f"asgi http://127.0.0.1:{port} pid {server.pid}", flush=True)
    try:
        time.sleep(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            stop(server)
        stop(redis)


if __name__ == "__main__":
    main()
