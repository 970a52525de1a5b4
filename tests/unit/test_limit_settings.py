"""The request limits' settings: defaults, environment overrides, and values refused at start."""

from __future__ import annotations

import pytest

from backend_stub.settings import Settings

URL = "sqlite:///unused.db"


def test_defaults() -> None:
    s = Settings.from_env(URL, environ={})
    assert (s.max_body_bytes, s.header_timeout_seconds, s.body_timeout_seconds, s.max_connections) == (
        65536,
        10.0,
        30.0,
        1000,
    )


def test_environment_overrides() -> None:
    s = Settings.from_env(
        URL,
        environ={
            "PAYDESK_HEADER_TIMEOUT_SECONDS": "1",
            "PAYDESK_BODY_TIMEOUT_SECONDS": "2.5",
            "PAYDESK_MAX_CONNECTIONS": "16",
        },
    )
    assert (s.header_timeout_seconds, s.body_timeout_seconds, s.max_connections) == (1.0, 2.5, 16)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAYDESK_HEADER_TIMEOUT_SECONDS", "0"),
        ("PAYDESK_HEADER_TIMEOUT_SECONDS", "nan"),
        ("PAYDESK_HEADER_TIMEOUT_SECONDS", "soon"),
        ("PAYDESK_BODY_TIMEOUT_SECONDS", "-1"),
        ("PAYDESK_BODY_TIMEOUT_SECONDS", "inf"),
        ("PAYDESK_MAX_CONNECTIONS", "0"),
        ("PAYDESK_MAX_CONNECTIONS", "1.5"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env(URL, environ={name: value})
