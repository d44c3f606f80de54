"""Which base URLs a connection may send its secrets to.

A connection's base URL is where disty sends its client secret (the token request) and its
bearer tokens, and a tenant admin can set it. So a base URL must be one of the endpoints the
supplier declares (its own https hosts, ``Registration.endpoints``, suppliers/registry.py). Any
other one (the simulator, a test server) is the operator's choice for the whole platform
(``DISTY_ALLOW_CUSTOM_SUPPLIER_URLS``), never a tenant's, and even then secrets go over plain
http only to this machine (loopback). A URL never carries a user name or password, and errors
never repeat the URL a person typed (it may hold one).

The rule is checked when a connection is saved and again whenever an adapter is built from a
stored connection, so a row saved before the rule existed, or edited in the database, cannot
leak a secret either.
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple
from urllib.parse import SplitResult, urlsplit

from disty.errors import InvalidInput
from disty.suppliers import registry

ALLOW_SETTING = "DISTY_ALLOW_CUSTOM_SUPPLIER_URLS"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class _Place(NamedTuple):
    scheme: str
    host: str
    port: int
    path: str


def check_base_url(value: str, *, supplier: str, allow_custom: bool) -> str:
    """The base URL to store or use (trimmed, no trailing slash), or InvalidInput saying why
    not and what to do. ``allow_custom`` is the operator's platform-wide setting."""
    info = registry.get(supplier)
    name, official = info.name, info.endpoints
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise InvalidInput(
            "a base URL must not hold a user name or password (user:pass@host): remove it; the "
            "connection's credentials go in the client id and client secret",
            field="base_url",
        )
    place = _place(parts)
    if place is not None and not _same_for_httpx(url, place):
        place = None  # a URL that httpx would read differently (host, port) is refused
    if place is None:
        raise InvalidInput(
            f"invalid base URL: use an https URL without query or fragment, such as {official[0]}",
            field="base_url",
        )
    if place in {_place(urlsplit(o)) for o in official}:
        return url
    if not allow_custom:
        raise InvalidInput(
            f"the base URL {_origin(place)} is not one of {name}'s endpoints ("
            + ", ".join(official)
            + f"): use one of them. Other URLs (a simulator, a test server) are allowed only "
            f"when the operator sets {ALLOW_SETTING}=1 for the whole platform",
            field="base_url",
        )
    address = _ip(place.host)
    if address is not None and (
        address.is_link_local or address.is_unspecified or address.is_multicast
    ):
        # Cloud metadata services (169.254.169.254) and the like: never a supplier.
        raise InvalidInput(
            f"the base URL {_origin(place)} is a link-local, multicast or unspecified "
            "address, never a supplier's: use the supplier's https URL",
            field="base_url",
        )
    if place.scheme == "http" and not _loopback(place.host):
        raise InvalidInput(
            f"the base URL {_origin(place)} is plain http to another machine: secrets go over "
            "http only to this machine (127.0.0.1, ::1, localhost); use https",
            field="base_url",
        )
    return url


def shown(url: str) -> str:
    """A stored base URL as a person may see it: a user name or password (only in rows saved
    before the rule above) is masked."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="••••@" + parts.netloc.rsplit("@", 1)[1]).geturl()


def _place(parts: SplitResult) -> _Place | None:
    try:
        port = parts.port
    except ValueError:
        return None
    if (
        parts.scheme not in _DEFAULT_PORTS
        or not parts.hostname
        or parts.query
        or parts.fragment
        or not parts.netloc.isprintable()
    ):
        return None
    return _Place(
        parts.scheme,
        parts.hostname.lower(),
        port or _DEFAULT_PORTS[parts.scheme],
        parts.path.rstrip("/"),
    )


def _same_for_httpx(url: str, place: _Place) -> bool:
    """The request goes where httpx reads the URL: it must read the same host and port."""
    # Imported here: a command that only shows connections (disty supplier show, webhook url)
    # loads no HTTP client; one that checks a URL sends a request soon after anyway.
    import httpx

    try:
        seen = httpx.URL(url)
    except httpx.InvalidURL:
        return False
    port = seen.port or _DEFAULT_PORTS.get(seen.scheme)
    return (seen.scheme, seen.host.lower(), port) == (place.scheme, place.host, place.port)


def _origin(place: _Place) -> str:
    host = f"[{place.host}]" if ":" in place.host else place.host
    return f"{place.scheme}://{host}:{place.port}"


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _loopback(host: str) -> bool:
    address = _ip(host)
    return host == "localhost" if address is None else address.is_loopback
