"""Which `--host` `serve` may listen on: loopback by default; `--dev` only there unless the operator insists.

`--dev` serves `/v1/dev/outbox` (every login code and password link), the movable clock and the decline
hook, all without a token: on a host the network can reach that is anyone's account. So `--dev` with a
non-loopback host is refused unless `--allow-remote-dev` says it is meant, and any non-loopback host is
announced with a warning when the server starts.
"""

from __future__ import annotations

import ipaddress


class RemoteDevRefused(Exception):
    """`--dev` on a host that is not loopback, without `--allow-remote-dev`: bad usage (exit 2)."""


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 (also as ::ffff:127.x.x.x) and "localhost"; any other name or address is not."""
    if host.strip().lower().rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip().strip("[]"))
    except ValueError:
        return False  # a host name: whatever it resolves to, it is not known to be loopback
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def host_warnings(host: str, dev: bool, allow_remote_dev: bool) -> list[str]:
    """The lines to print before serving on `host` (none on loopback); RemoteDevRefused for remote --dev."""
    if is_loopback(host):
        return []
    if dev and not allow_remote_dev:
        raise RemoteDevRefused(
            f"--dev on {host}, which is not loopback, would serve every login code and the dev clock to "
            "the network without a token: use --host 127.0.0.1, or add --allow-remote-dev if that is "
            "really meant."
        )
    lines = [f"warning: listening on {host}, which is not loopback: the API is reachable from the network"]
    if dev:
        lines.append(
            f"warning: --dev with --allow-remote-dev: /v1/dev/* (every login code and password link, "
            f"the dev clock, the decline hook) is open to anyone who can reach {host}, without a token"
        )
    return lines
