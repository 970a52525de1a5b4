"""The one authorise-capture-void helper both payment paths use: all parts or none."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backend_stub.billing.quote import MethodFacts, PartPlan
from backend_stub.payments.charge import Declined, charge
from backend_stub.processor import Decline, TokenDetails


class FakeProcessor:
    """Records every call; a token named `decline` is declined."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self._next = 0

    def authorize(self, token: str, amount_cents: int) -> str | Decline:
        self.calls.append(("authorize", token))
        if token == "decline":
            return Decline("generic_decline")
        self._next += 1
        return f"auth_{self._next}"

    def capture(self, auth_id: str) -> None:
        self.calls.append(("capture", auth_id))

    def void(self, auth_id: str) -> None:
        self.calls.append(("void", auth_id))


def _part(kind: str) -> PartPlan:
    return PartPlan(1000, (), MethodFacts(kind))


def _token(name: str) -> TokenDetails:
    return TokenDetails(name, "card", "visa", "4242", 1, 2030, "credit", None, None, "ok")


def _capture_then(result: str) -> Callable[[Callable[[], None]], str]:
    def commit(capture: Callable[[], None]) -> str:
        capture()
        return result

    return commit


def test_every_part_is_authorised_then_only_cards_are_captured() -> None:
    processor = FakeProcessor()
    outcome = charge(
        processor, [_part("card"), _part("ach")], [_token("a"), _token("b")], _capture_then("ok")
    )
    assert outcome == "ok"
    assert processor.calls == [("authorize", "a"), ("authorize", "b"), ("capture", "auth_1")]


def test_a_decline_voids_what_was_authorised_and_commits_nothing() -> None:
    processor = FakeProcessor()
    committed = []
    outcome = charge(
        processor,
        [_part("card"), _part("card"), _part("card")],
        [_token("a"), _token("decline"), _token("c")],
        lambda capture: committed.append(capture),
    )
    assert outcome == Declined(1, Decline("generic_decline"))
    assert committed == []
    assert processor.calls == [("authorize", "a"), ("authorize", "decline"), ("void", "auth_1")]


def test_a_commit_that_fails_before_capture_voids_every_authorisation() -> None:
    processor = FakeProcessor()

    def refuse(capture: Callable[[], None]) -> str:
        raise RuntimeError("the balance changed")

    with pytest.raises(RuntimeError):
        charge(processor, [_part("card"), _part("ach")], [_token("a"), _token("b")], refuse)
    assert processor.calls[-2:] == [("void", "auth_1"), ("void", "auth_2")]


def test_a_failure_after_capture_voids_nothing() -> None:
    processor = FakeProcessor()

    def capture_then_fail(capture: Callable[[], None]) -> str:
        capture()
        raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        charge(processor, [_part("card")], [_token("a")], capture_then_fail)
    assert processor.calls == [("authorize", "a"), ("capture", "auth_1")]
