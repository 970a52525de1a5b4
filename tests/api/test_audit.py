"""The audit trail as clerks read it: an account's (reads included), and a clerk's own actions of a
business day. Rows carry the backend clock's date beside the real time; `date=` filters on it."""

from __future__ import annotations

from tests.api.conftest import Api, assert_error
from tests.api.paying import advance

CLERK, DANA, LEE = "clerk@example.com", "dana@example.com", "lee@example.com"


def _today(api: Api) -> str:
    return api.http.post("/v1/dev/clock", json={"advance_days": 0}).json()["today"]


def test_the_accounts_trail_names_who_did_what_on_which_business_day(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    clerk = fresh.ok("/v1/me", CLERK)["user"]
    day_one = _today(fresh)
    fresh.ok(f"/v1/accounts/{dana}", CLERK)
    r = fresh.post(
        f"/v1/accounts/{dana}/notes",
        CLERK,
        json={"body": "Asked about the bill.", "disposition": "question_answered"},
    )
    assert r.status_code == 201, r.text
    day_two = advance(fresh, 1)
    fresh.ok(f"/v1/accounts/{dana}/summary", CLERK)
    trail = fresh.ok(f"/v1/accounts/{dana}/audit", CLERK)
    actions = [(i["action"], i["business_date"]) for i in trail["items"]]
    # Newest first; reading the trail is itself audited (it is the newest row).
    assert actions[:4] == [
        ("audit.view", day_two),
        ("account.summary", day_two),
        ("note.added", day_one),
        ("account.view", day_one),
    ]
    newest = trail["items"][0]
    assert newest == {
        "id": newest["id"],
        "at": newest["at"],
        "business_date": day_two,
        "actor": {"id": clerk["id"], "name": clerk["name"], "role": "clerk"},
        "action": "audit.view",
        "account_id": dana,
        "detail": {},
    }
    assert trail["items"][2]["detail"] == {"note_id": r.json()["id"], "disposition": "question_answered"}
    assert trail["total_count"] == len(trail["items"])
    on_day_one = fresh.ok(f"/v1/accounts/{dana}/audit", CLERK, params={"date": day_one})["items"]
    assert [i["action"] for i in on_day_one][:2] == ["note.added", "account.view"]
    assert {i["business_date"] for i in on_day_one} == {day_one}
    # The filtered read is audited with its filter.
    latest, previous = fresh.ok(f"/v1/accounts/{dana}/audit", CLERK, params={"limit": 2})["items"]
    assert (latest["action"], latest["detail"]) == ("audit.view", {})
    assert (previous["action"], previous["detail"]) == ("audit.view", {"date": day_one})


def test_the_trail_pages_newest_first(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    for _ in range(4):
        fresh.ok(f"/v1/accounts/{dana}", CLERK)
    first = fresh.ok(f"/v1/accounts/{dana}/audit", CLERK, params={"limit": 2})
    ids = [i["id"] for i in first["items"]]
    page = first
    while page["next_cursor"]:
        page = fresh.ok(
            f"/v1/accounts/{dana}/audit", CLERK, params={"limit": 2, "cursor": page["next_cursor"]}
        )
        ids += [i["id"] for i in page["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids)) == first["total_count"] >= 5


def test_a_clerks_own_actions_default_to_the_backends_today(fresh: Api) -> None:
    dana, lee = fresh.account_id(DANA), fresh.account_id(LEE)
    day_one = _today(fresh)
    fresh.ok(f"/v1/accounts/{dana}", CLERK)
    day_two = advance(fresh, 1)
    fresh.ok(f"/v1/accounts/{lee}", CLERK)
    fresh.ok("/v1/clerk/accounts", CLERK, params={"email": DANA})
    mine = fresh.ok("/v1/clerk/audit", CLERK)
    assert [(i["action"], i["business_date"]) for i in mine["items"]] == [
        ("clerk.search", day_two),
        ("account.view", day_two),
    ]
    assert mine["total_count"] == 2
    assert all(i["actor"]["role"] == "clerk" for i in mine["items"])
    yesterday = fresh.ok("/v1/clerk/audit", CLERK, params={"date": day_one})["items"]
    assert ("account.view", dana) in [(i["action"], i["account_id"]) for i in yesterday]
    assert {i["business_date"] for i in yesterday} == {day_one}
    # Reading them is audited too, after the read (the next read shows it), with the day read.
    again = fresh.ok("/v1/clerk/audit", CLERK)["items"]
    assert [(i["action"], i["detail"]) for i in again[:2]] == [
        ("audit.own_view", {"date": day_one}),
        ("audit.own_view", {"date": day_two}),
    ]
    assert again[0]["account_id"] is None


def test_refusals(demo: Api) -> None:
    dana = demo.account_id(DANA)
    assert_error(demo.get(f"/v1/accounts/{dana}/audit", DANA), 403, "permission", "clerk_only")
    assert_error(demo.get("/v1/clerk/audit", DANA), 403, "permission", "clerk_only")
    assert_error(demo.get("/v1/accounts/999999/audit", CLERK), 404, "not_found", "not_found")
    for bad in ("yesterday", "2026-13-01", "2026-11-31", ""):
        for path in (f"/v1/accounts/{dana}/audit", "/v1/clerk/audit"):
            assert_error(
                demo.get(path, CLERK, params={"date": bad}), 400, "invalid_request", "invalid_request", "date"
            )
    assert_error(
        demo.get("/v1/clerk/audit", CLERK, params={"cursor": "nonsense!"}),
        400,
        "invalid_request",
        "invalid_cursor",
        "cursor",
    )
