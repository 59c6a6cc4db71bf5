"""Two-step log in end to end: switched on with a code from the secret, then logging in with a code from
the app and with a spare (recovery) code, on the pages and in the app flow (/_allauth/app/v1/...).

Codes are computed here from the secret (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits), independently of
allauth's own implementation.
"""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.mfa.models import Authenticator

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password"
APP = "/_allauth/app/v1"


def totp(secret: str, *, at: float | None = None) -> str:
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def logged_in(client) -> bool:
    return client.get("/me/").status_code == 200


def page_two_step_on(client, user) -> tuple[str, list[str]]:
    """Switch two-step log in on through the pages; the secret and the spare codes the pages show."""
    assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code == 302
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7=]+)"', page).group(1)
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000" if totp(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=user).exists()
    client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    codes_page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = re.search(r"<textarea[^>]*>(.*?)</textarea>", codes_page, re.S).group(1).split()
    assert len(codes) >= 5
    client.post("/accounts/logout/")
    assert not logged_in(client)
    return secret, codes


def page_login(client, user, code: str):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert not logged_in(client), "the password alone does not let you in"
    return client.post("/accounts/2fa/authenticate/", {"code": code})


def test_on_the_pages_a_code_from_the_app_logs_you_in_after_two_step_log_in_is_switched_on(client):
    user = UserFactory()
    secret, _codes = page_two_step_on(client, user)
    response = page_login(client, user, totp(secret))
    assert response.status_code == 302 and logged_in(client)
    assert "Two-step log in" in client.get("/me/").content.decode()


def test_on_the_pages_a_spare_code_logs_you_in_once(client):
    user = UserFactory()
    _secret, codes = page_two_step_on(client, user)
    assert page_login(client, user, codes[0]).status_code == 302 and logged_in(client)
    client.post("/accounts/logout/")
    again = page_login(client, user, codes[0])
    assert again.status_code == 200 and not logged_in(client)
    assert "Incorrect code" in again.content.decode()


def test_on_the_pages_a_wrong_code_keeps_you_out_and_says_so_under_the_code_field(client):
    user = UserFactory()
    secret, _codes = page_two_step_on(client, user)
    wrong = "123456" if totp(secret) != "123456" else "654321"
    html = page_login(client, user, wrong).content.decode()
    assert not logged_in(client)
    block = html[html.index('id="id_code_field"') :]
    assert block.index("Incorrect code") < block.index("</div>")


def app(client, method: str, path: str, token: str | None = None, **body):
    headers = {"HTTP_X_SESSION_TOKEN": token} if token else {}
    call = getattr(client, method)
    if method in ("post",):
        return call(APP + path, body, content_type="application/json", **headers)
    return call(APP + path, **headers)


def test_in_the_app_flow_two_step_log_in_is_switched_on_and_a_code_or_a_spare_code_logs_in(client):
    user = UserFactory()
    login = app(client, "post", "/auth/login", email=user.email, password=PASSWORD)
    assert login.status_code == 200
    token = login.json()["meta"]["session_token"]

    setup = app(client, "get", "/account/authenticators/totp", token)
    assert setup.status_code == 404  # not switched on yet; the answer carries a fresh secret
    secret = setup.json()["meta"]["secret"]
    switched = app(client, "post", "/account/authenticators/totp", token, code=totp(secret))
    if switched.status_code == 401:  # allauth asks for the password again first
        assert app(client, "post", "/auth/reauthenticate", token, password=PASSWORD).status_code == 200
        switched = app(client, "post", "/account/authenticators/totp", token, code=totp(secret))
    assert switched.status_code == 200, switched.content
    codes = app(client, "get", "/account/authenticators/recovery-codes", token).json()["data"]["unused_codes"]
    assert app(client, "delete", "/auth/session", token).status_code == 401  # logged out

    # Password first: not yet in, one step left.
    first = app(client, "post", "/auth/login", email=user.email, password=PASSWORD)
    assert first.status_code == 401
    pending = [f["id"] for f in first.json()["data"]["flows"] if f.get("is_pending")]
    assert pending == ["mfa_authenticate"]
    token = first.json()["meta"]["session_token"]
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).status_code == 401
    done = app(client, "post", "/auth/2fa/authenticate", token, code=totp(secret))
    assert done.status_code == 200, done.content
    token = done.json()["meta"]["session_token"]
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).json()["id"] == user.pk
    app(client, "delete", "/auth/session", token)

    # And with a spare code instead.
    first = app(client, "post", "/auth/login", email=user.email, password=PASSWORD)
    token = first.json()["meta"]["session_token"]
    wrong = app(client, "post", "/auth/2fa/authenticate", token, code="not-a-code")
    assert wrong.status_code == 400
    done = app(client, "post", "/auth/2fa/authenticate", token, code=codes[0])
    assert done.status_code == 200, done.content
    token = done.json()["meta"]["session_token"]
    assert client.get("/api/v1/me/", HTTP_X_SESSION_TOKEN=token).json()["id"] == user.pk
    left = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    assert codes[0] not in left and len(left) == len(codes) - 1


def test_the_code_computed_here_matches_allauths_check():
    from allauth.mfa.totp.internal.auth import validate_totp_code

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59) == "287082"  # RFC 6238 appendix B, SHA-1, 6 digits
    assert validate_totp_code(secret, totp(secret))
