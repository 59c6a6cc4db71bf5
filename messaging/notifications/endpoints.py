"""Where the server may send a push: a push service's address on the internet, never one inside the
installation's own network (the server posts to whatever address a browser hands it), and one it can sign for."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host written as a number stands for, in every form a resolver reads (127.0.0.1,
    2130706433, 0x7f.1, ::ffff:127.0.0.1); None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def inside(host: str) -> bool:
    """A host on the installation's own network (loopback, private, link-local, reserved), or named so."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = ip_literal(host)
    return address is not None and not address.is_global


def push_audience(endpoint: str) -> str | None:
    """The VAPID audience (RFC 8292 `aud`) of a push service's address: its scheme, host and any port, the one
    form py_vapid signs (`https://host[:port]`). None when the address has none to give: a user name or password
    in it, no host, an IPv6 literal (py_vapid takes no brackets), a port that is empty or out of range."""
    url = urlsplit(endpoint)
    try:
        port = url.port
    except ValueError:
        return None
    host = url.hostname
    plain = host if port is None else f"{host}:{port}"
    if url.scheme not in ("http", "https") or not host or port == 0 or url.netloc.lower() != plain:
        return None
    return f"{url.scheme}://{url.netloc}"


def push_endpoint_resolves_outside(endpoint: str) -> bool:
    """When sending: every address the push service's name resolves to now is on the internet (a public name
    may point inside, or come to). Development's local push service passes. Raises OSError when the name does
    not resolve."""
    url = urlsplit(endpoint)
    if settings.PUSH_ALLOW_LOOPBACK_HTTP:
        return True
    if not url.hostname or inside(url.hostname):
        return False
    try:
        found = socket.getaddrinfo(url.hostname, url.port or 443, proto=socket.IPPROTO_TCP)
    except UnicodeError:
        return False  # a name with no IDNA form: no resolver can look it up, now or later
    return all(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]).is_global for info in found)
