"""The SMTP URL (--smtp / PAYDESK_SMTP_URL) and the mail settings: what parses, what is refused, and that
the password never shows in a message, a repr or the redacted form."""

from __future__ import annotations

import pytest

from backend_stub.cli import build_parser
from backend_stub.mail_delivery import backoff
from backend_stub.settings import Settings
from backend_stub.smtp_url import SmtpTarget, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("smtp://127.0.0.1:2525", SmtpTarget("plain", "127.0.0.1", 2525)),
        ("smtp://mail.example.com", SmtpTarget("plain", "mail.example.com", 25)),
        ("smtp+starttls://u@mail.example.com", SmtpTarget("starttls", "mail.example.com", 587, "u")),
        ("smtps://me:p%40ss@mail.example.com", SmtpTarget("tls", "mail.example.com", 465, "me", "p@ss")),
        ("SMTPS://me:pw@[::1]:1465", SmtpTarget("tls", "::1", 1465, "me", "pw")),
    ],
)
def test_smtp_urls_that_parse(url: str, target: SmtpTarget) -> None:
    assert parse_smtp_url(url) == target


@pytest.mark.parametrize(
    "url",
    [
        "",
        "mail.example.com:25",
        "http://me:hunter22@mail.example.com",
        "smtp://me:hunter22@",
        "smtp://me:hunter22@mail.example.com:99999",
        "smtp://me:hunter22@mail.example.com:0",
        "smtp://me:hunter22@mail.example.com:port",
        "smtp://:hunter22@mail.example.com",
        "smtp://me:hunter22@mail.example.com/path?x=1",
        "smtp://me:hunter 22@mail.example.com",
    ],
)
def test_smtp_urls_that_are_refused_never_show_the_password(url: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_smtp_url(url)
    assert "hunter" not in str(caught.value)
    with pytest.raises(ValueError) as caught:
        Settings(db_url="sqlite://", smtp_url=url)
    assert "hunter" not in str(caught.value)


def test_the_password_is_in_no_repr_and_no_redacted_form() -> None:
    settings = Settings.from_env(
        "sqlite://", environ={"PAYDESK_SMTP_URL": "smtps://me:hunter22@mx.example.com"}
    )
    assert settings.smtp == SmtpTarget("tls", "mx.example.com", 465, "me", "hunter22")
    assert "hunter" not in repr(settings) and "hunter" not in repr(settings.smtp)
    assert settings.smtp.redacted() == "smtps://me:***@mx.example.com:465"


def test_the_flag_wins_over_the_environment_and_mail_settings_have_defaults() -> None:
    args = build_parser().parse_args(["serve", "--smtp", "smtp://127.0.0.1:2525"])
    env = {"PAYDESK_SMTP_URL": "smtp://other:25"}
    assert Settings.from_env("sqlite://", environ=env, smtp_url=args.smtp).smtp_url == "smtp://127.0.0.1:2525"
    assert Settings.from_env("sqlite://", environ=env).smtp_url == "smtp://other:25"
    plain = Settings.from_env("sqlite://", environ={})
    assert (plain.smtp_url, plain.smtp) == (None, None)
    assert (plain.mail_from, plain.business_name) == ("billing@paydesk.example", "Paydesk Utilities")
    named = Settings.from_env(
        "sqlite://",
        environ={"PAYDESK_MAIL_FROM": "bills@river.example", "PAYDESK_BUSINESS_NAME": "River Power"},
    )
    assert (named.mail_from, named.business_name) == ("bills@river.example", "River Power")


@pytest.mark.parametrize(
    "env",
    [
        {"PAYDESK_MAIL_FROM": "not an address"},
        {"PAYDESK_MAIL_FROM": "Bills <bills@river.example>"},
        {"PAYDESK_MAIL_FROM": "bills@river.example\nBcc: everyone@example.com"},
        {"PAYDESK_BUSINESS_NAME": "River\nBcc: x@example.com"},
        {"PAYDESK_BUSINESS_NAME": "R" * 101},
        {"PAYDESK_MAIL_MAX_ATTEMPTS": "0"},
    ],
)
def test_bad_mail_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        Settings.from_env("sqlite://", environ=env)


def test_backoff_grows_and_is_capped() -> None:
    assert [int(backoff(n).total_seconds()) for n in range(1, 9)] == [
        30,
        120,
        600,
        1800,
        3600,
        7200,
        7200,
        7200,
    ]
