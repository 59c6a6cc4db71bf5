"""A throwaway timebank on loopback with the demo network, for the screenshot and Lighthouse scripts.

As `make run` serves it (development mode, SQLite, in-memory channel layer, `seed_demo`), but on a database
file of its own in a temporary folder and a free port, so it never touches db.sqlite3.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "demo-password"
ROLES = {
    "member": "member1@example.org",
    "supporter": "supporter@example.org",
    "coordinator": "coordinator@example.org",
    "commissioner": "commissioner@example.org",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def demo_server():
    """Yields the base URL of a fresh server with the demo data; stops it afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TIMEBANK_TESTING")}
        env.update(DATABASE_URL=f"sqlite:///{folder}/demo.sqlite3", DJANGO_DEBUG="1")
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "--noinput"], ["seed_demo"]):
            subprocess.run(
                manage + command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        port = free_port()
        server = subprocess.Popen(
            manage + ["runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=20)


def log_in(base: str, email: str) -> urllib.request.OpenerDirector:
    """An opener holding a logged-in session for `email` (through the login form, CSRF and all)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=body, headers={"Referer": base + "/accounts/login/"}
    )
    opener.open(request)
    opener.cookies = {c.name: c.value for c in jar}  # type: ignore[attr-defined]
    if "sessionid" not in opener.cookies:  # type: ignore[attr-defined]
        raise RuntimeError(f"could not log in as {email}")
    return opener


def api_post(opener, base: str, path: str, body: dict) -> dict:
    """POST JSON to the API with the opener's session (and its CSRF token, as the pages' scripts send it)."""
    import json

    request = urllib.request.Request(
        f"{base}/api/v1/{path}",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": opener.cookies.get("csrftoken", ""),
            "Referer": base + "/",
        },
    )
    return json.loads(opener.open(request).read())


def conversation_with_messages(base: str, email: str, other: str) -> int:
    """A conversation between two demo members with a few messages in it; its id."""
    import json

    opener = log_in(base, email)
    them = log_in(base, other)
    their_id = json.loads(them.open(base + "/api/v1/me/").read())["id"]
    conversation = api_post(opener, base, "conversations/", {"network": "demo", "member": their_id})
    lines = [
        (opener, "Hello! I saw you can help with the garden. Could you come on Saturday morning?"),
        (them, "Yes, Saturday at 10 suits me. Shall I bring my own gloves?"),
        (opener, "Lovely, thank you. I have gloves and tools here."),
    ]
    for index, (who, text) in enumerate(lines):
        body = {"body": text, "client_id": f"demo-{index}"}
        api_post(who, base, f"conversations/{conversation['id']}/messages/", body)
    return conversation["id"]
