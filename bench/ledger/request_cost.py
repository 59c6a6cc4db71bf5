"""CPU per request inside one Django process, no HTTP server: where a gift's CPU goes.

Calls the WSGI application directly, one request at a time, and prints process CPU per request for a
health check, an anonymous API call (401), a token-authenticated call that the view refuses at once
(405: Django, DRF, allauth's session and user, the throttle, nothing else) and a gift. Run with the
bench's settings on the database `run.sh` left (it seeds its own members when it finds none):

    DJANGO_DEBUG=0 DJANGO_SECRET_KEY=… DJANGO_ALLOWED_HOSTS=127.0.0.1 TIMEBANK_API_RATE=100000/minute \\
    $(python -m timebank.vapid) \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_ledger_bench REDIS_URL=redis://127.0.0.1:6379/12 \\
    .venv/bin/python bench/ledger/request_cost.py
"""

import io
import json
import logging
import os
import random
import sys
import time
import uuid

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timebank.settings")
django.setup()

from members.models import Membership  # noqa: E402
from timebank.wsgi import application  # noqa: E402

PASSWORD = "bench-password-1"  # seed.py's


def call(method: str, path: str, body: dict | None = None, headers: dict | None = None, ip: str = "127.0.0.1"):
    raw = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8471", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": ip,
        "HTTP_X_FORWARDED_PROTO": "https", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(raw),
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(raw)), "CONTENT_TYPE": "application/json",
    }  # fmt: skip
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    status = []
    content = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
    return int(status[0].split()[0]), content


def main() -> None:
    members = list(
        Membership.objects.filter(role=Membership.Role.MEMBER, status=Membership.Status.ACTIVE)
        .select_related("user", "network")
        .order_by("user_id")[:32]
    )
    if len(members) < 2:
        raise SystemExit("no bench members here: run bench/ledger/run.sh (or seed.py) on this database first")
    tokens = []
    for n, membership in enumerate(members):
        status, content = call(
            "POST", "/_allauth/app/v1/auth/login", {"email": membership.user.email, "password": PASSWORD},
            ip=f"10.0.{n // 250}.{n % 250 + 1}",  # allauth limits logins per address
        )  # fmt: skip
        if status != 200:
            raise SystemExit(f"login failed for {membership.user.email}: {status}")
        tokens.append((json.loads(content)["meta"]["session_token"], membership.user_id))
    network = members[0].network.slug

    def gift():
        (token, _), (_, payee) = random.sample(tokens, 2)
        body = {"network": network, "kind": "gift", "to_member": payee, "minutes": 1}
        return call(
            "POST", "/api/v1/transfers/", body, {"X-Session-Token": token, "Idempotency-Key": str(uuid.uuid4())}
        )

    cases = [
        ("GET /healthz", 200, lambda: call("GET", "/healthz")),
        ("DELETE /api/v1/transfers/, anonymous", 401, lambda: call("DELETE", "/api/v1/transfers/")),
        (
            "DELETE /api/v1/transfers/, session token",
            405,
            lambda: call("DELETE", "/api/v1/transfers/", headers={"X-Session-Token": tokens[0][0]}),
        ),
        ("POST /api/v1/transfers/, a gift", 201, gift),
    ]
    logging.disable(logging.WARNING)  # the 401s and 405s would each log a line
    for name, expected, request in cases:
        for _ in range(200):  # warm-up
            status, content = request()
            if status != expected:
                raise SystemExit(f"{name}: {status} {content[:200]!r}")
        runs = []
        for _ in range(3):
            started = time.process_time()
            for _ in range(1000):
                request()
            runs.append((time.process_time() - started) / 1000 * 1000)
        print(f"{name:45s} CPU per request: " + ", ".join(f"{ms:.2f}" for ms in runs) + " ms (3 × 1,000)")


if __name__ == "__main__":
    main()
