"""Who the client is, for the throttles: the socket's address, unless that socket is a trusted proxy's
(`--trusted-proxy`, `PAYDESK_TRUSTED_PROXIES`); then the right-most entry of `X-Forwarded-For` that is not
a trusted proxy itself. Entries to the left of it were written by the client and prove nothing.

uvicorn's own proxy handling is off (cli.server_config): by default it believes X-Forwarded-For from
127.0.0.1, so anyone able to reach the server through a local hop could name any address they liked.
"""

from __future__ import annotations

import functools
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from starlette.requests import Request

UNKNOWN = "unknown"  # no socket address (a test transport): all such clients count as one
MAX_LENGTH = 64  # what a throttle keys on; an address is at most 45 characters


@functools.lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(entry, strict=False) for entry in trusted)


def _parsed(text: str) -> IPv4Address | IPv6Address | None:
    try:
        parsed = ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(parsed, IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return parsed


def _is_trusted(text: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    parsed = _parsed(text)
    return parsed is not None and any(parsed in network for network in networks)


def _shown(text: str) -> str:
    parsed = _parsed(text)
    return str(parsed) if parsed is not None else text.strip()[:MAX_LENGTH] or UNKNOWN


def client_address(request: Request, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address as the throttles count it (see the module docstring)."""
    peer = request.client.host if request.client and request.client.host else UNKNOWN
    networks = _networks(trusted_proxies)
    if not networks or not _is_trusted(peer, networks):
        return _shown(peer)
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return _shown(hop)
    # Every hop a trusted proxy (or none named): the left-most is as near the client as we can tell.
    return _shown(hops[0]) if hops else _shown(peer)
