"""PostgreSQL restarted under traffic, on the production layout (granian WSGI, DJANGO_DEBUG=0, Redis):
requests in flight answer 503 with Retry-After (never 500), nothing is half-written, and the service
resumes by itself. Against a throwaway cluster: the machine's own server is never restarted.
"""

import signal
import threading
import time
import uuid

import pytest

from tests.production.conftest import BIN, ROOT, log_in, request, server_env, start_server, stop_server
from tests.production.postgres import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

CLIENTS = 8


def test_postgresql_restarted_mid_traffic_answers_503_writes_nothing_half_and_resumes_by_itself(cluster, tmp_path):
    import subprocess

    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = server_env(
        cluster.url("timebank"),
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="restart-test-secret-key-restart-test-secret-key-0123456789",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        TIMEBANK_API_RATE="100000/minute",
        VAPID_PRIVATE_KEY="restart-test-only",
        VAPID_PUBLIC_KEY="restart-test-only",
    )
    # The `web` service of docker-compose.yml, on loopback.
    command = [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", "{port}"]
    server, port = start_server([*command, "--workers", "2", "timebank.wsgi:application"], env, tmp_path / "web.log")
    people = cluster.people
    answers: list[tuple[float, str, dict, int, dict | None, str]] = []  # when, key, body, status, JSON, Retry-After
    stop = threading.Event()
    try:
        tokens = [log_in(port, p["email"], p["password"]) for p in people]

        def gift(n: int, key: str, body: dict) -> tuple[int, dict | None, str]:
            headers = {"X-Session-Token": tokens[n % len(people)], "Idempotency-Key": key}
            status, payload, out_headers = request(port, "POST", "/api/v1/transfers/", body, headers)
            return status, payload, (out_headers.get("Retry-After") or "") if out_headers else ""

        def client(c: int) -> None:
            n = c
            while not stop.is_set():
                giver = n % len(people)
                body = {"network": "bench", "kind": "gift", "to_member": people[(giver + 1) % len(people)]["id"]}
                body.update(minutes=1, memo=f"restart {n}")
                key = uuid.uuid4().hex
                status, payload, retry_after = gift(giver, key, body)
                answers.append((time.monotonic(), key, body, status, payload, retry_after, giver))
                n += CLIENTS

        threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        restarted_at = time.monotonic()
        cluster.restart()
        back_at = time.monotonic()
        time.sleep(4)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

        statuses = {a[3] for a in answers}
        print(
            f"{len(answers)} gifts sent: {sum(a[3] == 201 for a in answers)} answered 201, {sum(a[3] == 503 for a in answers)} 503; restart took {back_at - restarted_at:.1f}s"
        )
        unavailable = [a for a in answers if a[3] == 503]
        assert statuses <= {201, 503}, [(a[3], a[4]) for a in answers if a[3] not in (201, 503)][:5]
        assert unavailable, "the restart went unnoticed: no request met it"
        for _, _, _, _, payload, retry_after, _ in unavailable:
            assert payload["error"]["code"] == "service_unavailable"
            assert int(retry_after) > 0
        # It resumed by itself: gifts sent after the restart went through.
        assert any(a[3] == 201 and a[0] > back_at + 1 for a in answers), "no gift succeeded after the restart"

        # Nothing half-written: each gift refused with 503, sent again with its key, is written once.
        for _, key, body, _, _, _, giver in unavailable:
            assert gift(giver, key, body)[0] == 201
        for _, key, body, _, _, _, giver in answers[:20]:  # replays of answered gifts write nothing
            assert gift(giver, key, body)[0] == 201
    finally:
        stop.set()
        stop_server(server)
        redis.send_signal(signal.SIGTERM)
        redis.wait(timeout=10)

    import psycopg

    with psycopg.connect(cluster.url("timebank")) as conn:
        (written,) = conn.execute("SELECT count(*) FROM exchanges_transfer WHERE memo LIKE 'restart %'").fetchone()
    assert written == len(answers), (written, len(answers), f"restart at {restarted_at:.1f}")
    verify = subprocess.run(
        [str(BIN / "python"), "manage.py", "verify_ledger"],
        cwd=ROOT,
        env=server_env(cluster.url("timebank")),
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
