"""The backend's settings: one small frozen dataclass, filled by the CLI (and by tests in-process)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from backend_stub.faults import FAULT_POINTS


def _env_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, not {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    db_url: str
    dev: bool = False
    # Login codes. PAYDESK_CODE_TTL_SECONDS shortens the 10-minute life so tests can see expiry.
    code_ttl_seconds: int = 600
    code_max_attempts: int = 5
    code_requests_per_window: int = 5
    code_request_window_seconds: int = 15 * 60
    token_ttl_seconds: int = 12 * 3600
    # Set-password links (sign-up, reset): 1 hour; PAYDESK_PASSWORD_TOKEN_TTL_SECONDS shortens it for tests.
    password_token_ttl_seconds: int = 3600
    password_requests_per_window: int = 5  # sign-up and reset emails per email address
    login_tries_per_window: int = 10  # password logins per email address
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

    def __post_init__(self) -> None:
        if self.fee_policy not in ("convenience", "surcharge"):
            raise ValueError(f"the fee policy is convenience or surcharge, not {self.fee_policy!r}")
        if not 0 <= self.surcharge_bps <= 300:
            raise ValueError(f"the surcharge is 0 to 300 basis points (3%), not {self.surcharge_bps}")
        if self.processor_delay_ms < 0:
            raise ValueError("PAYDESK_PROCESSOR_DELAY_MS must not be negative")
        if self.fault is not None and self.fault not in FAULT_POINTS:
            raise ValueError(f"PAYDESK_FAULT is one of {', '.join(FAULT_POINTS)}, not {self.fault!r}")

    @classmethod
    def from_env(
        cls,
        db_url: str,
        dev: bool = False,
        fee_policy: str | None = None,
        surcharge_bps: int | None = None,
        environ: Mapping[str, str] | None = None,
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
        )
