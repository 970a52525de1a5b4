"""The backend's settings: one small frozen dataclass, filled by the CLI (and by tests in-process)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from ipaddress import ip_network
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend_stub.faults import FAULT_POINTS
from backend_stub.smtp_url import SmtpTarget, parse_smtp_url

DEFAULT_TIMEZONE = "America/Los_Angeles"  # the demo business's

# Who the mail is from when PAYDESK_MAIL_FROM / PAYDESK_BUSINESS_NAME do not say (the demo business).
DEFAULT_MAIL_FROM = "billing@paydesk.example"
DEFAULT_BUSINESS_NAME = "Paydesk Utilities"


def _env_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from exc


def _env_float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    db_url: str
    dev: bool = False
    # Login codes. PAYDESK_CODE_TTL_SECONDS shortens the 10-minute life so tests can see expiry.
    code_ttl_seconds: int = 600
    code_max_attempts: int = 5
    code_request_window_seconds: int = 15 * 60
    # Throttles (throttles.py, docs/WIRE.md "Throttles"): each counted in the database over the window
    # (code requests and checks: code_request_window_seconds; the others: throttle_window_seconds). A limit
    # per email (or account number) and client address, so nobody can lock the owner out from elsewhere;
    # one per client address, so one address cannot try many emails; one per email in total, a few
    # addresses' worth, so the guesses against one email stay bounded. Each can be set with
    # PAYDESK_<NAME IN CAPITALS> (benchmarks raise them).
    code_requests_per_window: int = 5  # per email and client address
    code_requests_per_email: int = 15
    code_requests_per_address: int = 30
    code_checks_per_window: int = 10  # wrong codes per email and client address (each code dies at 5)
    code_checks_per_address: int = 30  # wrong codes from one address, whatever the email
    throttle_window_seconds: int = 15 * 60
    token_ttl_seconds: int = 12 * 3600
    # Set-password links (sign-up, reset): 1 hour; PAYDESK_PASSWORD_TOKEN_TTL_SECONDS shortens it for tests.
    password_token_ttl_seconds: int = 3600
    password_requests_per_window: int = 5  # sign-up and reset emails per email and client address
    password_requests_per_email: int = 15
    password_requests_per_address: int = 20
    login_tries_per_window: int = 10  # password logins per email and client address
    login_tries_per_email: int = 30
    login_tries_per_address: int = 30
    guest_lookups_per_window: int = 10  # per account number and client address
    guest_lookups_per_account: int = 30
    guest_lookups_per_address: int = 30
    # The overall ceiling, per flow and across every client: past this many requests in a minute each
    # further one waits auth_slowdown_ms more (up to auth_max_delay_ms) before it is answered.
    auth_ceiling_per_minute: int = 300
    auth_slowdown_ms: int = 50
    auth_max_delay_ms: int = 10_000
    # argon2 verifications and hashes at once per process (password_hashing.py); the rest wait their turn.
    password_hashes_at_once: int = 2
    # Proxies whose X-Forwarded-For is believed (--trusted-proxy, PAYDESK_TRUSTED_PROXIES): addresses or
    # networks. Without one, the client is the socket's address (client_address.py).
    trusted_proxies: tuple[str, ...] = ()
    # Fee policy (payments issue): "convenience" (flat, cards) or "surcharge" (bps, credit cards only).
    fee_policy: str = "convenience"
    convenience_fee_cents: int = 175
    surcharge_bps: int = 300
    card_part_max_cents: int = 100_000
    # Tests only (env PAYDESK_PROCESSOR_DELAY_MS): the fake processor sleeps this long per authorisation.
    processor_delay_ms: int = 0
    # Tests only (env PAYDESK_FAULT): the point of a payment where the server exits at once (faults.py).
    fault: str | None = None
    # Server-side pepper for hashing codes; PAYDESK_PEPPER overrides the per-database one kept in `meta`.
    pepper: str | None = field(default=None, repr=False)
    # The business's IANA time zone (PAYDESK_TIMEZONE): "today" for every business date rule is its date.
    timezone: str = DEFAULT_TIMEZONE
    # The background jobs round (`--jobs-every`, `--no-jobs`): seconds between rounds, None for none.
    # The CLI sets 60; a bare Settings (an app built by a unit test) runs no background jobs.
    jobs_every_seconds: float | None = None
    # Mail (--smtp / PAYDESK_SMTP_URL): None keeps every email in the outbox (the demo's inbox).
    smtp_url: str | None = field(default=None, repr=False)  # may carry a password
    mail_from: str = DEFAULT_MAIL_FROM
    business_name: str = DEFAULT_BUSINESS_NAME
    mail_max_attempts: int = 8  # SMTP attempts before a message is marked failed (PAYDESK_MAIL_MAX_ATTEMPTS)
    # A clerk's session ends after this long without a request the user made (PAYDESK_CLERK_IDLE_SECONDS).
    clerk_idle_seconds: int = 15 * 60
    # Limits on a request (backend_stub.request_limits, backend_stub.http_protocol): the body's size; the
    # time its headers may take from the connection's start or the previous answer, and its body from
    # the headers (PAYDESK_HEADER_TIMEOUT_SECONDS, PAYDESK_BODY_TIMEOUT_SECONDS: tests use 1); the
    # connections one process serves at once, beyond which a request is answered 503
    # (PAYDESK_MAX_CONNECTIONS).
    max_body_bytes: int = 64 * 1024
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 30.0
    max_connections: int = 1000

    def __post_init__(self) -> None:
        if self.fee_policy not in ("convenience", "surcharge"):
            raise ValueError(f"the fee policy is convenience or surcharge, not {self.fee_policy!r}")
        if not 0 <= self.surcharge_bps <= 300:
            raise ValueError(f"the surcharge is 0 to 300 basis points (3%), not {self.surcharge_bps}")
        if self.processor_delay_ms < 0:
            raise ValueError("PAYDESK_PROCESSOR_DELAY_MS must not be negative")
        if not _is_zone(self.timezone):
            raise ValueError(
                f"PAYDESK_TIMEZONE must be an IANA time zone name such as {DEFAULT_TIMEZONE}, "
                f"not {self.timezone!r}"
            )
        if self.jobs_every_seconds is not None and not self.jobs_every_seconds > 0:
            raise ValueError(f"the jobs interval must be more than 0 seconds, not {self.jobs_every_seconds}")
        if self.smtp_url is not None:
            parse_smtp_url(self.smtp_url)  # ValueError with the password hidden
        _, address = parseaddr(self.mail_from)
        if address != self.mail_from.strip() or "@" not in address or _has_line_break(self.mail_from):
            raise ValueError(
                f"PAYDESK_MAIL_FROM must be a plain address like billing@example.com, not {self.mail_from!r}"
            )
        if (
            not self.business_name.strip()
            or len(self.business_name) > 100
            or _has_line_break(self.business_name)
        ):
            raise ValueError("PAYDESK_BUSINESS_NAME must be one line of 1 to 100 characters")
        if not 1 <= self.mail_max_attempts <= 100:
            raise ValueError("PAYDESK_MAIL_MAX_ATTEMPTS must be 1..100")
        if not 1 <= self.clerk_idle_seconds <= 7 * 24 * 3600:
            raise ValueError("PAYDESK_CLERK_IDLE_SECONDS must be 1 second to 7 days")
        if not 0 < self.header_timeout_seconds <= 3600:
            raise ValueError("PAYDESK_HEADER_TIMEOUT_SECONDS must be more than 0 and at most 3600")
        if not 0 < self.body_timeout_seconds <= 3600:
            raise ValueError("PAYDESK_BODY_TIMEOUT_SECONDS must be more than 0 and at most 3600")
        if not 1 <= self.max_connections <= 1_000_000:
            raise ValueError("PAYDESK_MAX_CONNECTIONS must be 1..1000000")
        for name in THROTTLE_SETTINGS:
            if not 0 <= getattr(self, name) <= 1_000_000:
                raise ValueError(f"PAYDESK_{name.upper()} must be 0..1000000, not {getattr(self, name)}")
        for name in ("code_request_window_seconds", "throttle_window_seconds", "password_hashes_at_once"):
            if getattr(self, name) < 1:
                raise ValueError(f"PAYDESK_{name.upper()} must be at least 1")
        for proxy in self.trusted_proxies:
            try:
                ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    f"a trusted proxy is an IP address or network such as 10.0.0.0/8, not {proxy!r}"
                ) from None
        if self.fault is not None and self.fault not in FAULT_POINTS:
            raise ValueError(f"PAYDESK_FAULT is one of {', '.join(FAULT_POINTS)}, not {self.fault!r}")

    @property
    def smtp(self) -> SmtpTarget | None:
        """Where mail is delivered, or None: it stays in the outbox."""
        return parse_smtp_url(self.smtp_url) if self.smtp_url is not None else None

    @classmethod
    def from_env(
        cls,
        db_url: str,
        dev: bool = False,
        fee_policy: str | None = None,
        surcharge_bps: int | None = None,
        environ: Mapping[str, str] | None = None,
        jobs_every_seconds: float | None = None,
        smtp_url: str | None = None,
        trusted_proxies: Sequence[str] = (),
    ) -> Settings:
        """Settings with the few environment overrides the backend honours (arguments win over env).

        `environ` is the environment to read (default `os.environ`): an in-process server gets its own.
        """
        env = os.environ if environ is None else environ
        return cls(
            db_url=db_url,
            dev=dev,
            code_ttl_seconds=_env_int(env, "PAYDESK_CODE_TTL_SECONDS", 600),
            password_token_ttl_seconds=_env_int(env, "PAYDESK_PASSWORD_TOKEN_TTL_SECONDS", 3600),
            fee_policy=fee_policy or env.get("PAYDESK_FEE_POLICY", "convenience").strip() or "convenience",
            surcharge_bps=surcharge_bps
            if surcharge_bps is not None
            else _env_int(env, "PAYDESK_SURCHARGE_BPS", 300),
            processor_delay_ms=_env_int(env, "PAYDESK_PROCESSOR_DELAY_MS", 0),
            fault=env.get("PAYDESK_FAULT", "").strip() or None,
            pepper=env.get("PAYDESK_PEPPER") or None,
            timezone=env.get("PAYDESK_TIMEZONE", "").strip() or DEFAULT_TIMEZONE,
            jobs_every_seconds=jobs_every_seconds,
            smtp_url=smtp_url or env.get("PAYDESK_SMTP_URL", "").strip() or None,
            mail_from=env.get("PAYDESK_MAIL_FROM", "").strip() or DEFAULT_MAIL_FROM,
            business_name=env.get("PAYDESK_BUSINESS_NAME", "").strip() or DEFAULT_BUSINESS_NAME,
            mail_max_attempts=_env_int(env, "PAYDESK_MAIL_MAX_ATTEMPTS", 8),
            clerk_idle_seconds=_env_int(env, "PAYDESK_CLERK_IDLE_SECONDS", 15 * 60),
            header_timeout_seconds=_env_float(env, "PAYDESK_HEADER_TIMEOUT_SECONDS", 10.0),
            body_timeout_seconds=_env_float(env, "PAYDESK_BODY_TIMEOUT_SECONDS", 30.0),
            max_connections=_env_int(env, "PAYDESK_MAX_CONNECTIONS", 1000),
            trusted_proxies=split_addresses([*trusted_proxies] or [env.get("PAYDESK_TRUSTED_PROXIES", "")]),
            **{
                name: _env_int(env, f"PAYDESK_{name.upper()}", cls.__dataclass_fields__[name].default)
                for name in THROTTLE_SETTINGS
            },
        )


# The throttles' numbers, each with its PAYDESK_<NAME> override (see the fields above).
THROTTLE_SETTINGS = (
    "code_requests_per_window",
    "code_requests_per_email",
    "code_requests_per_address",
    "code_checks_per_window",
    "code_checks_per_address",
    "code_request_window_seconds",
    "throttle_window_seconds",
    "password_requests_per_window",
    "password_requests_per_email",
    "password_requests_per_address",
    "login_tries_per_window",
    "login_tries_per_email",
    "login_tries_per_address",
    "guest_lookups_per_window",
    "guest_lookups_per_account",
    "guest_lookups_per_address",
    "auth_ceiling_per_minute",
    "auth_slowdown_ms",
    "auth_max_delay_ms",
    "password_hashes_at_once",
)


def split_addresses(values: Sequence[str]) -> tuple[str, ...]:
    """`--trusted-proxy` values (repeated, or comma-separated) as one tuple of non-empty entries."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _has_line_break(text: str) -> bool:
    return "\r" in text or "\n" in text
