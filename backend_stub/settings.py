"""The backend's settings: one small frozen dataclass, filled by the CLI (and by tests in-process)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
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
    # Fee policy (payments issue): "convenience" (flat, cards) or "surcharge" (bps, credit cards only).
    fee_policy: str = "convenience"
    convenience_fee_cents: int = 175
    surcharge_bps: int = 300
    card_part_max_cents: int = 100_000
    # Server-side pepper for hashing codes; PAYDESK_PEPPER overrides the per-database one kept in `meta`.
    pepper: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, db_url: str, dev: bool = False) -> Settings:
        """Settings with the few environment overrides the backend honours."""
        return cls(
            db_url=db_url,
            dev=dev,
            code_ttl_seconds=_env_int("PAYDESK_CODE_TTL_SECONDS", 600),
            fee_policy=os.environ.get("PAYDESK_FEE_POLICY", "convenience"),
            surcharge_bps=_env_int("PAYDESK_SURCHARGE_BPS", 300),
            pepper=os.environ.get("PAYDESK_PEPPER") or None,
        )
