"""`make run` with DATABASE_URL under a storm of gifts: the database connections stay bounded, nothing fails.

Under ASGI every request runs on a thread of its own; with persistent connections each thread kept one,
and 16 clients held 95 until PostgreSQL refused more ("too many clients", answered 500). A bounded pool
per process keeps them to its size. Against a throwaway cluster, so an overload never touches the
machine's own PostgreSQL.
"""

import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.production.conftest import log_in, request, server_env, start_server, stop_server

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

CLIENTS = 16
GIFTS = 400
POOL_SIZE = 8  # settings: DATABASE_POOL_SIZE's default


class ConnectionCounter(threading.Thread):
    """Samples the server's connections to the database every 20 ms, its own left out."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.highest, self.done = url, 0, threading.Event()

    def run(self):
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.done.is_set():
                (n,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                ).fetchone()
                self.highest = max(self.highest, n)
                time.sleep(0.02)


def test_a_storm_of_gifts_under_make_run_keeps_database_connections_bounded(cluster, tmp_path):
    # Exactly what `make run` serves (runserver: daphne, ASGI), in development mode, with DATABASE_URL.
    env = server_env(cluster.url("timebank"), TIMEBANK_API_RATE="100000/minute")
    server, port = start_server(
        [sys.executable, "manage.py", "runserver", "--noreload", "127.0.0.1:{port}"], env, tmp_path / "server.log"
    )
    try:
        people = cluster.people
        tokens = [log_in(port, p["email"], p["password"]) for p in people]
        counter = ConnectionCounter(cluster.url("timebank"))
        counter.start()

        def gift(n: int) -> int:
            giver = n % len(people)
            body = {"network": "bench", "kind": "gift", "to_member": people[(giver + 1) % len(people)]["id"]}
            body.update(minutes=1, memo=f"storm {n}")
            headers = {"X-Session-Token": tokens[giver], "Idempotency-Key": uuid.uuid4().hex}
            return request(port, "POST", "/api/v1/transfers/", body, headers)[0]

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            statuses = Counter(pool.map(gift, range(GIFTS)))
        counter.done.set()
        counter.join()
    finally:
        stop_server(server)

    print(f"highest number of connections at once: {counter.highest}; answers: {dict(statuses)}")
    assert statuses == {201: GIFTS}, (f"{counter.highest} connections at most", statuses)
    assert 1 <= counter.highest <= POOL_SIZE, f"{counter.highest} connections held at once"
    with psycopg.connect(cluster.url("timebank")) as conn:
        (gifts,) = conn.execute("SELECT count(*) FROM exchanges_transfer WHERE memo LIKE 'storm %'").fetchone()
    assert gifts == GIFTS
