"""A local Web Push service for tests: an HTTP server on 127.0.0.1 in a thread that takes the encrypted POSTs
a push service takes (RFC 8030), answers as told, and lets the test decrypt what arrived with the browser's
private key (RFC 8291, aes128gcm) and check the VAPID signature (RFC 8292)."""

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Browser:
    """What a browser keeps for one subscription: its P-256 key pair and 16-byte auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: __import__("os").urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def subscription(self, endpoint: str) -> dict:
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    at: float


def vapid_claims(authorization: str, public_key: str) -> dict:
    """The claims of a `vapid t=<JWT>, k=<key>` header, after checking the ES256 signature against
    `public_key` (and that the header names that key). Raises on any mismatch."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid", authorization
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    assert parts["k"].rstrip("=") == public_key.rstrip("="), "the header names another key"
    header, payload, signature = parts["t"].split(".")
    assert json.loads(b64url_decode(header))["alg"] == "ES256"
    raw = b64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(public_key))
    key.verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))  # raises InvalidSignature
    return json.loads(b64url_decode(payload))


class PushService:
    """Answers `status` (201 unless told otherwise per path) after `delay` seconds. Every request is kept in
    `received` as it arrives, before the answer; `by_topic` keeps the last message of each Topic, as a push
    service holds a message for a device (a newer one of the same topic replaces it)."""

    def __init__(self, delay: float = 0.0, hold_from: int = 0):
        self.delay = delay
        # From the `hold_from`-th request on (1-based; 0: never), answer only once `release` is set: a push
        # service that has taken a message and is slow, for as long as the test needs, to say so.
        self.hold_from = hold_from
        self.release = threading.Event()
        self.status: dict[str, int] = {}
        self.received: list[Received] = []
        self.by_topic: dict[str, Received] = {}
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                got = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                with service.arrived:
                    service.received.append(got)
                    held = 0 < service.hold_from <= len(service.received)
                    service.arrived.notify_all()
                if held:
                    service.release.wait(timeout=60)
                time.sleep(service.delay)
                status = service.status.get(self.path, 201)
                if status < 300 and "topic" in got.headers:
                    with service.lock:
                        service.by_topic[got.headers["topic"]] = got
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone (a killed worker): the message was taken all the same

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "PushService":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def endpoint(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/{name}"

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)
