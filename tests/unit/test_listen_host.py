"""Which hosts count as loopback for `serve --host`, and what `--dev` on the others says."""

from __future__ import annotations

import pytest

from backend_stub.listen_host import RemoteDevRefused, host_warnings, is_loopback


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1.2.3",
        "127.255.255.254",
        "::1",
        "[::1]",
        "localhost",
        "LOCALHOST",
        "::ffff:127.0.0.1",
    ],
)
def test_loopback_hosts_serve_dev_without_a_word(host: str) -> None:
    assert is_loopback(host)
    assert host_warnings(host, dev=True, allow_remote_dev=False) == []


@pytest.mark.parametrize(
    "host",
    [
        "0.0.0.0",
        "::",
        "10.0.0.7",
        "192.168.1.20",
        "::ffff:10.0.0.1",
        "128.0.0.1",
        "example.com",
        "localhost.example",
    ],
)
def test_other_hosts_are_announced_and_refuse_dev(host: str) -> None:
    assert not is_loopback(host)
    (line,) = host_warnings(host, dev=False, allow_remote_dev=False)
    assert line.startswith(f"warning: listening on {host}, which is not loopback")
    with pytest.raises(RemoteDevRefused, match="--allow-remote-dev"):
        host_warnings(host, dev=True, allow_remote_dev=False)
    first, second = host_warnings(host, dev=True, allow_remote_dev=True)
    assert first == line and "/v1/dev/*" in second
