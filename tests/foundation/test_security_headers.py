"""Every page carries a Content-Security-Policy with no inline script or style, and a Permissions-Policy;
no template of ours holds what that policy would block (the browser test proves the pages run)."""

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p for app in ("timebank", "members", "exchanges", "messaging") for p in (ROOT / app).rglob("*.html"))


def directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {name: sources for name, *sources in parts}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/offline/", "/admin/login/", "/api/v1/me/"])
def test_every_response_carries_a_policy_that_allows_scripts_from_this_site_only(db, path):
    response = Client().get(path)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_only_the_api_docs_may_style_inline_and_never_script_inline(db):
    response = Client().get("/api/docs/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    # The page's own script is a file the policy allows, not an inline block.
    assert b"<script>" not in response.content and b'<script src="/api/docs/?script="' in response.content


def test_the_socket_of_the_site_s_own_https_origins_may_be_reached():
    import subprocess
    import sys

    code = "from django.conf import settings as s; print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src'])"
    env = {"DJANGO_CSRF_TRUSTED_ORIGINS": "https://timebank.example,http://plain.example", "PATH": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.stdout.splitlines()[-1] == "[\"'self'\", 'wss://timebank.example']", result.stderr


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_an_inline_script_handler_or_style(template):
    text = template.read_text()
    if template.name.endswith(".js.html") or template.name == "sw.js":
        return
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", text), (
        "inline script"
    )
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"\sstyle\s*=", text), "inline style"
    assert "javascript:" not in text
