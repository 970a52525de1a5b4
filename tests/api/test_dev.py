"""The dev endpoints: the outbox, the clock (and what moving it does), and their absence without --dev."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Api, assert_error
from tests.support.stub import serve_stub

DANA = "dana@example.com"


def test_dev_endpoints_are_404_without_dev(tmp_path: Path) -> None:
    with serve_stub(f"sqlite:///{tmp_path / 'prod.db'}", tmp_path, seed="demo", dev=False) as server:
        for method, path, kwargs in [
            ("GET", "/v1/dev/outbox", {"params": {"to": DANA}}),
            ("POST", "/v1/dev/clock", {"json": {"advance_days": 0}}),
            ("GET", "/v1/dev/audit", {}),
        ]:
            response = httpx.request(method, server.base_url + path, timeout=5, **kwargs)
            assert_error(response, 404, "not_found", "not_found", None)
        assert httpx.get(server.base_url + "/v1/health").status_code == 200
        # The code still goes out (to the outbox table), there is just no way to read it over HTTP.
        assert httpx.post(server.base_url + "/v1/auth/code", json={"email": DANA}).status_code == 202


def test_outbox_needs_to_and_pages_newest_first(fresh: Api) -> None:
    assert_error(fresh.get("/v1/dev/outbox"), 400, "invalid_request", "invalid_request", "to")
    for _ in range(3):
        fresh.post("/v1/auth/code", json={"email": DANA})
    first = fresh.ok("/v1/dev/outbox", params={"to": DANA, "limit": 2})
    assert first["total_count"] == 3 and len(first["items"]) == 2 and first["next_cursor"]
    second = fresh.ok("/v1/dev/outbox", params={"to": DANA, "limit": 2, "cursor": first["next_cursor"]})
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True)
    item = first["items"][0]
    assert set(item) == {"id", "to", "subject", "body", "sent_at", "kind"} and item["kind"] == "login_code"
    assert_error(
        fresh.get("/v1/dev/outbox", params={"to": DANA, "cursor": "%%%"}),
        400,
        "invalid_request",
        "invalid_cursor",
        "cursor",
    )


def test_clock_moves_forward_and_invoices_fall_past_due(fresh: Api) -> None:
    account_id = fresh.account_id(DANA)
    summary = fresh.ok(f"/v1/accounts/{account_id}/summary", DANA)
    assert (summary["today"], summary["next_due_on"], summary["past_due_count"]) == (
        "2026-11-15",
        "2026-11-22",
        1,
    )
    assert fresh.post("/v1/dev/clock", json={"advance_days": 0}).json() == {"today": "2026-11-15"}
    soonest = next(r for r in fresh.invoices(DANA, status="open")["items"] if r["due_on"] == "2026-11-22")
    assert soonest["past_due"] is False

    response = fresh.post("/v1/dev/clock", json={"advance_days": 8})
    assert response.status_code == 200 and response.json() == {"today": "2026-11-23"}
    rows = {r["id"]: r for r in fresh.invoices(DANA, status="open")["items"]}
    assert rows[soonest["id"]]["past_due"] is True
    summary = fresh.ok(f"/v1/accounts/{account_id}/summary", DANA)
    assert summary["today"] == "2026-11-23" and summary["past_due_count"] == 2
    assert summary["past_due_cents"] == sum(r["balance_cents"] for r in rows.values() if r["past_due"])
    assert summary["next_due_on"] == "2026-11-26"

    assert fresh.post("/v1/dev/clock", json={"today": "2026-12-02"}).json() == {"today": "2026-12-02"}
    assert fresh.ok(f"/v1/accounts/{account_id}/summary", DANA)["next_due_on"] is None
    # Backwards is refused and changes nothing.
    assert_error(
        fresh.post("/v1/dev/clock", json={"today": "2026-11-30"}),
        400,
        "invalid_request",
        "clock_backwards",
        "today",
    )
    assert fresh.post("/v1/dev/clock", json={"today": "2026-12-02"}).json() == {"today": "2026-12-02"}
    assert fresh.post("/v1/dev/clock", json={"advance_days": 0}).json() == {"today": "2026-12-02"}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "advance_days"),  # exactly_one_of
        ({"advance_days": 1, "today": "2027-01-01"}, "advance_days"),  # exactly_one_of
        ({"advance_days": -1}, "advance_days"),
        ({"advance_days": 10**12}, "advance_days"),
        ({"advance_days": "soon"}, "advance_days"),
        ({"advance_days": False}, "advance_days"),
        ({"advance_days": "3"}, "advance_days"),
        ({"today": "2026-13-45"}, "today"),
        ({"today": "tomorrow"}, "today"),
    ],
)
def test_clock_rejects_bad_bodies(demo: Api, body: dict, param: str) -> None:
    code = "exactly_one_of" if len(body) != 1 else "invalid_request"
    assert_error(demo.post("/v1/dev/clock", json=body), 400, "invalid_request", code, param)
    assert demo.post("/v1/dev/clock", json={"advance_days": 0}).json() == {"today": "2026-11-15"}
