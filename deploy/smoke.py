"""Smoke test of the production layout on loopback, run exactly as docker-compose.yml runs it (no Docker).

    .venv/bin/python deploy/smoke.py        # about a minute; exits non-zero naming every failure

A fresh PostgreSQL database (`SMOKE_DATABASE`, default timebank_smoke, on `SMOKE_POSTGRES`, default
postgres://postgres@127.0.0.1:5432) and a Redis of its own on a free port. The environment is the compose
file's `x-app` one (DJANGO_DEBUG=0, a secret, allowed hosts, CSRF origins) with the database and Redis on
loopback; static files and the taxonomy's skill vectors are built by the Dockerfile's own RUN line; then the
compose `migrate` command, `seed_demo`, the `matching-refresh` command, and the `web` (granian WSGI) and `ws` (uvicorn) services' own command
lines on free loopback ports. Every route the URL resolver knows (pages, API, allauth, admin), its path parameters filled from the
demo data, is fetched with GET as anonymous, member, supporter, coordinator and commissioner: none may answer
5xx. Every static file a page links to must load; `/healthz`, `/readyz` and the compose health check must
pass; a WebSocket handshake to `/ws/` through uvicorn must work with a session token and with a cookie; a
search must read the skill vectors the build made, not embed them again.
"""

import asyncio
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("SMOKE_DATABASE", "timebank_smoke")
HOST = "localhost"  # the compose file's default DJANGO_ALLOWED_HOSTS
ORIGIN = f"https://{HOST}"
PASSWORD = "demo-password"
ROLES = {
    "anonymous": None,
    "member": "member1@example.org",
    "supporter": "supporter@example.org",
    "coordinator": "coordinator@example.org",
    "commissioner": "commissioner@example.org",
}

failures: list[str] = []


def fail(message: str) -> None:
    failures.append(message)
    print(f"FAIL {message}", flush=True)


# Processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"process {process.args[0]} exited with {process.returncode} before listening")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(command, env: dict, shell: bool = False, log: Path | None = None) -> None:
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, shell=shell, capture_output=True, text=True)
    if log is not None:
        log.write_text(result.stdout + result.stderr)
    shown = command if isinstance(command, str) else shlex.join(command)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
        raise SystemExit(f"failed ({result.returncode}): {shown}")
    print(f"ok   {shown} ({time.monotonic() - started:.1f}s)", flush=True)


# What the Dockerfile and docker-compose.yml say ---------------------------------------------


def dockerfile() -> tuple[dict, list[str]]:
    """The image's ENV and its RUN commands, continuation lines joined; a path under the image's
    WORKDIR (the checkout) is the same path under this checkout."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env, runs, workdir = {}, [], None
    for line in text.splitlines():
        if line.startswith("WORKDIR "):
            workdir = line[8:].strip().rstrip("/")
        elif line.startswith("ENV "):
            env.update(part.split("=", 1) for part in shlex.split(line[4:]))
        elif line.startswith("RUN "):
            runs.append(line[4:].strip())
    if workdir:
        env = {k: str(ROOT) + v[len(workdir) :] if v.startswith(workdir + "/") else v for k, v in env.items()}
    return env, runs


def interpolate(value: str, given: dict) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, from `given`."""

    def one(match: re.Match) -> str:
        name, kind, rest = match.group(1), match.group(2), match.group(3)
        if given.get(name):
            return given[name]
        if kind == "-":
            return rest
        raise SystemExit(f"docker-compose.yml needs {name}: {rest}")

    return re.sub(r"\$\{(\w+)(?::([?-])([^}]*))?\}", one, value)


def on_loopback(args: list[str], ports: dict[str, int]) -> list[str]:
    """A compose command line moved to 127.0.0.1 and free ports (the container ports 8000/8001)."""
    out = []
    for arg in args:
        arg = arg.replace("0.0.0.0", "127.0.0.1")
        for container, port in ports.items():
            arg = re.sub(rf"(^|=|:){container}(?=$|/)", rf"\g<1>{port}", arg)
        out.append(arg)
    return out


# HTTP ------------------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Browser:
    """GETs and POSTs as one person, through the TLS proxy as nginx forwards it (X-Forwarded-Proto).

    Cookies are kept by hand: they are Secure, and this talks plain HTTP on loopback."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None):
        all_headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        request = urllib.request.Request(self.base + path, data=data, headers=all_headers, method=method)
        try:
            response = OPENER.open(request, timeout=60)
        except urllib.error.HTTPError as exc:
            response = exc
        body = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return response.status, response.headers, body

    def get(self, path: str):
        return self.request("GET", path)

    def log_in(self, email: str) -> None:
        """Through the login page, as a person does: CSRF token, Origin and all."""
        status, _, body = self.get("/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not match:
            raise SystemExit(f"login page answered {status} without a form")
        form = urllib.parse.urlencode(
            {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1).decode()}
        ).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": ORIGIN,
            "Referer": f"{ORIGIN}/accounts/login/",
        }
        status, _, _ = self.request("POST", "/accounts/login/", form, headers)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"logging in {email} through the page answered {status}")


def app_token(port: int, email: str) -> str:
    """allauth's app flow: the session token an app sends as X-Session-Token."""
    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    status, _, answer = Browser(port).request(
        "POST", "/_allauth/app/v1/auth/login", body, {"Content-Type": "application/json"}
    )
    if status != 200:
        raise SystemExit(f"app login for {email} answered {status}: {answer[:200]!r}")
    return json.loads(answer)["meta"]["session_token"]


# Routes from the URL resolver ----------------------------------------------------------------


def routes() -> list[tuple[str, object, dict]]:
    """Every URL pattern: (route text, pattern, {parameter: None}) with the namespaced name."""
    from django.urls import URLResolver, get_resolver

    out = []

    def walk(resolver, prefix: str, namespace: str):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}{pattern.namespace}:"
                walk(pattern, prefix + str(pattern.pattern), ns)
            else:
                out.append((prefix + str(pattern.pattern), pattern, namespace))

    walk(get_resolver(), "", "")
    return out


def fillers() -> dict:
    """Path parameters from the demo data, by parameter name (and the route, where a name is ambiguous)."""
    from django.db.models import Q

    from exchanges.ledger.models import Account
    from exchanges.models import Exchange, Listing
    from exchanges.reports.exports import EXPORTS
    from members.models import Network, User
    from members.safeguarding.models import Concern, SafeguardingCheck
    from messaging.models import Block, Message, Participant
    from messaging.notifications.models import Notification

    network = Network.objects.get(slug="demo")
    member = User.objects.get(email=ROLES["member"])
    supporter = User.objects.get(email=ROLES["supporter"])
    conversation = Participant.objects.filter(user=member).values_list("conversation_id", flat=True).first()

    def first(queryset, default=1):
        value = queryset.values_list("pk", flat=True).first()
        return value if value is not None else default

    return {
        "slug": network.slug,
        "user_id": member.pk,
        "supporter_id": supporter.pk,
        "object_id": member.pk,
        "listing": first(Listing.objects.filter(network=network, owner=member)),
        "exchange": first(Exchange.objects.filter(Q(provider=member) | Q(recipient=member), network=network)),
        "conversation_id": conversation or 1,
        "message_id": first(Message.objects.filter(conversation_id=conversation)),
        "notification_id": first(Notification.objects.filter(user=member)),
        "concern_id": first(Concern.objects.all()),
        "check_id": first(SafeguardingCheck.objects.all()),
        "block_id": first(Block.objects.all()),
        "subscription_id": 1,
        "account_id": first(Account.objects.filter(membership__user=member, network=network)),
        "what": next(iter(EXPORTS)),
        "app_label": "members",
        "content_type_id": 1,
        # Links from emails: an invalid key must be a clear page, not a 500.
        "key": "not-a-key",
        "uidb36": "zz",
        "url": "nowhere",
    }


def concrete_paths(values: dict) -> list[tuple[str, str]]:
    """(area, path) for every route, its parameters filled. A parameter nobody can fill is a failure:
    a new route needs a value here, not silence."""
    from django.urls import NoReverseMatch, reverse

    paths = []
    for route, pattern, namespace in routes():
        area = route.split("/", 1)[0].lstrip("^")
        area = area if area in ("api", "_allauth", "admin", "accounts") else "pages"
        names = [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]
        kwargs = {}
        for name in names:
            if name == "pk":
                name_key = "listing" if "listings" in route else "exchange"
                kwargs[name] = values[name_key]
            elif name == "listing_id":
                kwargs[name] = values["listing"]
            elif name == "action":
                kwargs[name] = "approve" if "members" in route else "confirm"
            elif name in values:
                kwargs[name] = values[name]
            else:
                fail(f"no demo value for <{name}> in route {route!r}: add one to deploy/smoke.py fillers()")
                break
        else:
            if pattern.name:
                try:
                    paths.append((area, reverse(namespace + pattern.name, kwargs=kwargs)))
                    continue
                except NoReverseMatch:
                    pass
            path = "/" + route
            for name, value in kwargs.items():
                path = re.sub(rf"<(\w+:)?{name}>|\(\?P<{name}>[^)]*\)", str(value), path)
            # A regex route: its first alternative of each group, without anchors.
            while re.search(r"\(\?:([^()|]*)(\|[^()]*)?\)", path):
                path = re.sub(r"\(\?:([^()|]*)(\|[^()]*)?\)", r"\1", path, count=1)
            path = path.replace("^", "").replace("$", "").replace("\\Z", "")
            if "/^" in path or "(?" in path:
                fail(f"cannot build a path for route {route!r}")
                continue
            paths.append((area, path if path.startswith("/") else "/" + path))
    return sorted(set(paths))


# The checks ----------------------------------------------------------------------------------


def check_role(role: str, email: str | None, port: int, paths, statics: set[str]) -> Counter:
    browser = Browser(port)
    if email:
        browser.log_in(email)

    def fetch(item):
        area, path = item
        try:
            status, headers, body = browser.get(path)
        except Exception as exc:  # noqa: BLE001 - a dropped connection is a failure like a 500
            return area, path, 0, str(exc), b""
        return area, path, status, headers.get("Content-Type", ""), body

    counts: Counter = Counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        for area, path, status, content_type, body in pool.map(fetch, paths):
            counts[(area, status // 100 * 100 if status else 0)] += 1
            if status == 0 or status >= 500:
                fail(f"{role}: GET {path} answered {status or content_type}")
            if status == 200 and content_type.startswith("text/html"):
                statics.update(m.decode() for m in re.findall(rb'(?:href|src)="(/static/[^"?#]+)', body))
    return counts


def check_statics(port: int, statics: set[str]) -> None:
    browser = Browser(port)
    if not statics:
        fail("no page links a static file")
    if not any(re.search(r"\.[0-9a-f]{12}\.\w+$", s) for s in statics):
        fail(f"static files are not served under hashed names (no manifest?): {sorted(statics)[:3]}")
    for path in sorted(statics):
        status, _, _ = browser.get(path)
        if status != 200:
            fail(f"static file {path} answered {status}")
    print(f"ok   {len(statics)} static files linked from pages load", flush=True)


def check_health(port: int, healthcheck: list[str], env: dict) -> None:
    browser = Browser(port)
    for path in ("/healthz", "/readyz"):
        status, _, body = browser.get(path)
        if status != 200:
            fail(f"{path} answered {status}: {body[:300]!r}")
    result = subprocess.run(healthcheck, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        fail(f"the compose health check of `web` failed: {result.stderr.strip().splitlines()[-1:]}")
    else:
        print("ok   /healthz, /readyz and the compose health check", flush=True)


def check_vectors(member: Browser, vectors: Path, built: list[Path], logs: Path) -> None:
    """A search reads the taxonomy's vectors the image built: no process of the stack embedded them
    again (a new file, or the warning a process logs when it embeds them, would mean the service's texts
    differ from the shipped file's)."""
    status, _, body = member.get("/api/v1/search/?q=someone+to+help+in+my+garden")
    if status != 200 or not isinstance(json.loads(body).get("results"), list):
        fail(f"a member's search answered {status}: {body[:200]!r}")
    again = sorted(set(vectors.iterdir()) - set(built))
    embedded = [log.name for log in logs.glob("*.log") if "Embedded the taxonomy" in log.read_text(errors="replace")]
    if again or embedded:
        fail(f"the stack embedded the taxonomy again instead of reading the image's vectors: {again} {embedded}")
    else:
        print("ok   search read the skill vectors the image built", flush=True)


async def socket_handshakes(ws_port: int, token: str, cookie: str) -> None:
    import websockets

    url = f"ws://127.0.0.1:{ws_port}/ws/"
    ways = {
        "session token": {"additional_headers": {"X-Session-Token": token}},
        "session cookie": {"additional_headers": {"Cookie": f"sessionid={cookie}"}, "origin": ORIGIN},
    }
    for how, options in ways.items():
        try:
            async with websockets.connect(url, open_timeout=10, **options) as ws:
                await ws.send(json.dumps({"type": "sync", "since": {}}))
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                    if frame["type"] == "sync.done":
                        break
                    if frame["type"] == "error":
                        raise RuntimeError(frame)
            print(f"ok   WebSocket /ws/ through uvicorn with a {how}: sync answered", flush=True)
        except Exception as exc:  # noqa: BLE001
            fail(f"WebSocket /ws/ with a {how}: {exc!r}")


# Main ------------------------------------------------------------------------------------------


def main() -> int:
    started = time.monotonic()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    image_env, runs = dockerfile()
    base = {"PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": os.environ.get("HOME", "/tmp")}
    base.update(image_env)

    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    redis_port, web_port, ws_port = free_port(), free_port(), free_port()
    logs = Path(tempfile.mkdtemp(prefix="timebank-smoke-"))
    processes: list[subprocess.Popen] = []

    def start(name: str, args: list[str], env: dict) -> subprocess.Popen:
        out = open(logs / f"{name}.log", "wb")
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    try:
        redis = start("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""], base)
        wait_port(redis_port, redis)

        sys.path.insert(0, str(ROOT))
        from timebank.vapid import keys_generate

        vapid_private, vapid_public = keys_generate()
        given = {
            "DJANGO_SECRET_KEY": "smoke-" + secrets.token_urlsafe(48),
            "VAPID_PRIVATE_KEY": vapid_private,
            "VAPID_PUBLIC_KEY": vapid_public,
        }
        app_env = dict(base)
        for name, value in compose["x-app"]["environment"].items():
            app_env[name] = interpolate(str(value), given)
        # The compose file's hosts `db` and `redis` are these, on loopback.
        app_env["DATABASE_URL"] = f"{POSTGRES}/{DATABASE}"
        app_env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        assert app_env["DJANGO_DEBUG"] == "0", "the compose file runs production settings"

        # Static files and skill vectors exactly as the image builds them: the Dockerfile's own command, in a
        # clean environment.
        (collect,) = [r for r in runs if "collectstatic" in r]
        vectors = Path(image_env["TIMEBANK_MATCHING_CACHE"])
        subprocess.run(["rm", "-rf", str(ROOT / "staticfiles"), str(vectors)], check=True)
        run(collect, base, shell=True)
        built = sorted(vectors.iterdir())
        if len(built) != 1:
            fail(f"the image's build left {len(built)} files of skill vectors in {vectors}, not one")
        run(compose["services"]["migrate"]["command"], app_env, log=logs / "migrate.log")
        run(["python", "manage.py", "seed_demo"], app_env, log=logs / "seed_demo.log")
        run(compose["services"]["matching-refresh"]["command"], app_env, log=logs / "matching-refresh.log")

        ports = {"8000": web_port, "8001": ws_port}
        web = start("web", on_loopback(compose["services"]["web"]["command"], ports), app_env)
        ws = start("ws", on_loopback(compose["services"]["ws"]["command"], ports), app_env)
        worker = start("worker", compose["services"]["worker"]["command"], app_env)
        wait_port(web_port, web)
        wait_port(ws_port, ws)
        print(f"ok   web (granian) on {web_port}, ws (uvicorn) on {ws_port}", flush=True)

        healthcheck = on_loopback(compose["services"]["web"]["healthcheck"]["test"][1:], ports)
        check_health(web_port, healthcheck, app_env)

        os.environ.update(app_env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "timebank.settings"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        paths = concrete_paths(fillers())
        areas = Counter(area for area, _ in paths)
        print(f"ok   {len(paths)} routes from the URL resolver: {dict(sorted(areas.items()))}", flush=True)

        statics: set[str] = set()
        for role, email in ROLES.items():
            counts = check_role(role, email, web_port, paths, statics)
            summary = ", ".join(f"{area} {status}: {n}" for (area, status), n in sorted(counts.items()))
            print(f"ok   {role}: {summary}", flush=True)
        check_statics(web_port, statics)

        member = Browser(web_port)
        member.log_in(ROLES["member"])
        asyncio.run(socket_handshakes(ws_port, app_token(web_port, ROLES["member"]), member.cookies["sessionid"]))
        check_vectors(member, vectors, built, logs)

        if worker.poll() is not None:
            fail(f"the task worker (compose `worker`) exited with {worker.returncode}")
        else:
            print("ok   task worker (db_worker) running", flush=True)

        from django.db import connections

        connections.close_all()
    finally:
        for process in reversed(processes):
            stop(process)
        if failures:
            for name in ("web", "ws", "worker"):
                log = logs / f"{name}.log"
                if log.exists():
                    print(f"--- {name} log (last 4,000 characters)\n{log.read_text(errors='replace')[-4000:]}")
        if not os.environ.get("SMOKE_KEEP"):
            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')

    took = time.monotonic() - started
    if failures:
        print(f"\nsmoke test FAILED in {took:.0f}s: {len(failures)} failures", flush=True)
        return 1
    print(f"\nsmoke test passed in {took:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
