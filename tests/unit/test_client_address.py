"""The client's address as the throttles count it (backend_stub/client_address.py), the overall ceiling's
delay (backend_stub/throttles.py), and `--trusted-proxy` / PAYDESK_TRUSTED_PROXIES."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from backend_stub import cli
from backend_stub.client_address import client_address
from backend_stub.settings import Settings
from backend_stub.throttles import delay_seconds


def _request(peer: str | None, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    scope = {"type": "http", "headers": headers, "client": (peer, 5000) if peer else None}
    return Request(scope)


def test_without_a_trusted_proxy_the_socket_is_the_client() -> None:
    assert client_address(_request("127.0.0.1", "203.0.113.5"), ()) == "127.0.0.1"
    assert client_address(_request("198.51.100.2", "203.0.113.5"), ("127.0.0.1",)) == "198.51.100.2"
    assert client_address(_request(None), ()) == "unknown"


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() -> None:
    trusted = ("127.0.0.1", "10.0.0.0/8")
    # The client wrote the first entry; the proxies appended the rest.
    request = _request("127.0.0.1", "1.2.3.4, 203.0.113.5", "10.1.2.3")
    assert client_address(request, trusted) == "203.0.113.5"
    assert client_address(_request("10.9.9.9", "203.0.113.5"), trusted) == "203.0.113.5"
    # Every hop trusted: the left-most; none at all: the proxy itself.
    assert client_address(_request("127.0.0.1", "10.0.0.1, 10.0.0.2"), trusted) == "10.0.0.1"
    assert client_address(_request("127.0.0.1"), trusted) == "127.0.0.1"


def test_addresses_are_normalised() -> None:
    assert client_address(_request("::ffff:127.0.0.1", " 2001:DB8::1 "), ("127.0.0.1",)) == "2001:db8::1"
    assert client_address(_request("127.0.0.1", "x" * 300), ("127.0.0.1",)) == "x" * 64


def test_the_ceiling_slows_more_the_further_past_it() -> None:
    settings = Settings(db_url="sqlite://", auth_ceiling_per_minute=10, auth_slowdown_ms=100)
    assert [delay_seconds(n, settings) for n in (0, 9, 10, 11, 20)] == [0.0, 0.0, 0.1, 0.2, 1.1]
    assert delay_seconds(10_000, settings) == 10.0  # auth_max_delay_ms
    assert delay_seconds(10_000, Settings(db_url="sqlite://", auth_ceiling_per_minute=0)) == 0.0


def test_trusted_proxies_from_the_flag_or_the_environment() -> None:
    args = cli.build_parser().parse_args(
        ["serve", "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.0.0.0/8, ::1"]
    )
    settings = cli.make_settings("sqlite://", trusted_proxies=args.trusted_proxy, environ={})
    assert settings.trusted_proxies == ("127.0.0.1", "10.0.0.0/8", "::1")
    from_env = cli.make_settings("sqlite://", environ={"PAYDESK_TRUSTED_PROXIES": "192.0.2.1,192.0.2.2"})
    assert from_env.trusted_proxies == ("192.0.2.1", "192.0.2.2")
    assert cli.make_settings("sqlite://", environ={}).trusted_proxies == ()


def test_a_bad_trusted_proxy_is_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.build_parser().parse_args(["serve", "--trusted-proxy", "proxy.example"])
    assert exit_info.value.code == 2
    assert "not an IP address or network" in capsys.readouterr().err
    with pytest.raises(cli.StartupError, match="trusted proxy"):
        cli.make_settings("sqlite://", environ={"PAYDESK_TRUSTED_PROXIES": "nope"})


def test_throttle_numbers_are_settings() -> None:
    settings = cli.make_settings("sqlite://", environ={"PAYDESK_CODE_REQUESTS_PER_ADDRESS": "7"})
    assert settings.code_requests_per_address == 7 and settings.code_requests_per_window == 5
    with pytest.raises(cli.StartupError, match="PAYDESK_LOGIN_TRIES_PER_EMAIL"):
        cli.make_settings("sqlite://", environ={"PAYDESK_LOGIN_TRIES_PER_EMAIL": "-1"})
