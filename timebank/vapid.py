"""VAPID keys (RFC 8292) for Web Push, as the settings read them: base64url, the private key as its raw
32-byte scalar and the public key as the 65-byte uncompressed P-256 point browsers take as their
`applicationServerKey`. Production gives both in the environment; development keeps one stable pair in a file."""

import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def keys_generate() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(private), b64url(public)


def dev_keys(path: Path) -> tuple[str, str]:
    """The development pair in `path`, made on first use: subscriptions survive a restart of `make run`."""
    try:
        data = json.loads(path.read_text())
        return data["private"], data["public"]
    except (OSError, ValueError, KeyError):
        private, public = keys_generate()
        path.write_text(json.dumps({"private": private, "public": public}))
        path.chmod(0o600)
        return private, public


if __name__ == "__main__":
    # A new pair for an installation's environment: `python -m timebank.vapid`.
    private_key, public_key = keys_generate()
    print(f"VAPID_PRIVATE_KEY={private_key}\nVAPID_PUBLIC_KEY={public_key}")
