"""Notes on an account: a clerk writes the call's wrap-up (a note and a disposition), the next clerk reads
them newest first. Clerks only; audited as `note.added`."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, assert_error

CLERK, DANA, LEE = "clerk@example.com", "dana@example.com", "lee@example.com"


def _notes(api: Api, account_id: int) -> str:
    return f"/v1/accounts/{account_id}/notes"


def test_a_clerk_writes_notes_and_reads_them_newest_first_in_pages(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    clerk = fresh.ok("/v1/me", CLERK)["user"]
    made = []
    for index, disposition in enumerate(["paid", "promised_to_pay", "question_answered", "dispute", "other"]):
        r = fresh.post(
            _notes(fresh, dana),
            CLERK,
            json={"body": f"  call {index}\nline two  ", "disposition": disposition},
        )
        assert r.status_code == 201, r.text
        made.append(r.json())
    first = made[0]
    assert first == {
        "id": first["id"],
        "account_id": dana,
        "body": "call 0\nline two",  # trimmed; a line break is kept
        "disposition": "paid",
        "created_by": {"id": clerk["id"], "name": clerk["name"]},
        "created_at": first["created_at"],
    }
    assert first["created_at"].endswith("Z")
    page = fresh.ok(_notes(fresh, dana), CLERK, params={"limit": 2})
    assert page["total_count"] == 5 and [n["id"] for n in page["items"]] == [made[4]["id"], made[3]["id"]]
    seen = [n["id"] for n in page["items"]]
    while page["next_cursor"]:
        page = fresh.ok(_notes(fresh, dana), CLERK, params={"limit": 2, "cursor": page["next_cursor"]})
        seen += [n["id"] for n in page["items"]]
    assert seen == [n["id"] for n in reversed(made)]
    # Another account's notes are its own.
    assert fresh.ok(_notes(fresh, fresh.account_id(LEE)), CLERK)["items"] == []
    audit = fresh.http.get("/v1/dev/audit", params={"account_id": dana}).json()["items"]
    added = [a for a in audit if a["action"] == "note.added"]
    assert len(added) == 5 and added[0]["detail"] == {"note_id": made[4]["id"], "disposition": "other"}
    assert added[0]["actor_user_id"] == clerk["id"]
    assert any(a["action"] == "notes.list" for a in audit)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"body": "", "disposition": "paid"}, "body"),
        ({"body": "   \n ", "disposition": "paid"}, "body"),
        ({"body": "x" * 2001, "disposition": "paid"}, "body"),
        ({"body": "bell \x07 here", "disposition": "paid"}, "body"),
        ({"body": "nul \x00", "disposition": "paid"}, "body"),
        ({"body": "ok", "disposition": "happy"}, "disposition"),
        ({"body": "ok"}, "disposition"),
        ({"disposition": "paid"}, "body"),
    ],
)
def test_a_bad_note_is_a_400_naming_the_field_and_writes_nothing(demo: Api, body: dict, param: str) -> None:
    dana = demo.account_id(DANA)
    before = demo.ok(_notes(demo, dana), CLERK)["total_count"]
    assert_error(
        demo.post(_notes(demo, dana), CLERK, json=body), 400, "invalid_request", "invalid_request", param
    )
    assert demo.ok(_notes(demo, dana), CLERK)["total_count"] == before


def test_2000_characters_after_trimming_are_accepted(fresh: Api) -> None:
    dana = fresh.account_id(DANA)
    r = fresh.post(
        _notes(fresh, dana), CLERK, json={"body": "  " + "y" * 2000 + "  ", "disposition": "other"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["body"] == "y" * 2000


def test_customers_are_refused_and_unknown_accounts_are_404(demo: Api) -> None:
    dana = demo.account_id(DANA)
    for method in (demo.get, demo.post):
        kwargs = {"json": {"body": "hi", "disposition": "other"}} if method == demo.post else {}
        assert_error(method(_notes(demo, dana), DANA, **kwargs), 403, "permission", "clerk_only")
        assert_error(method(_notes(demo, 999999), CLERK, **kwargs), 404, "not_found", "not_found")
        assert_error(method(_notes(demo, dana), None, **kwargs), 401, "authentication", "not_authenticated")
