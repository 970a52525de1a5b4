"""The keyed authorise-capture-void helpers every payment path uses: all parts or none, and what is left
at the processor given back by key."""

from __future__ import annotations

from backend_stub.payments.charge import Declined, authorize_parts, capture_cards, undo
from backend_stub.processor import Charge, Decline
from backend_stub.store.intents import IntentPart


class FakeProcessor:
    """Records every call; a token named `decline` is declined. Keyed like the real one."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.charges: dict[str, Charge] = {}

    def authorize(self, token: str, amount_cents: int, key: str) -> str | Decline:
        self.calls.append(("authorize", key))
        if token == "decline":
            return Decline("generic_decline")
        auth_id = f"auth_{key}"
        self.charges[key] = Charge(auth_id, key, token, amount_cents, "authorized", 0, None)
        return auth_id

    def capture(self, auth_id: str) -> None:
        self.calls.append(("capture", auth_id))

    def void(self, auth_id: str) -> None:
        self.calls.append(("void", auth_id))

    def refund(self, auth_id: str, amount_cents: int, key: str) -> str:
        self.calls.append(("refund", auth_id))
        return "re_1"

    def find(self, key: str) -> Charge | None:
        return self.charges.get(key)


def _parts(*specs: tuple[str, str]) -> list[IntentPart]:
    return [IntentPart(kind, token, 1000, 175, f"pi_7_{i}") for i, (kind, token) in enumerate(specs)]


def test_every_part_is_authorised_with_its_key_then_only_cards_are_captured() -> None:
    processor = FakeProcessor()
    parts = _parts(("card", "a"), ("ach", "b"))
    auths = authorize_parts(processor, parts)  # type: ignore[arg-type]
    assert auths == ["auth_pi_7_0", "auth_pi_7_1"]
    capture_cards(processor, parts, auths)  # type: ignore[arg-type]
    assert processor.calls == [("authorize", "pi_7_0"), ("authorize", "pi_7_1"), ("capture", "auth_pi_7_0")]


def test_a_decline_voids_what_was_authorised() -> None:
    processor = FakeProcessor()
    outcome = authorize_parts(processor, _parts(("card", "a"), ("card", "decline"), ("card", "c")))  # type: ignore[arg-type]
    assert outcome == Declined(1, Decline("generic_decline"))
    assert processor.calls == [("authorize", "pi_7_0"), ("authorize", "pi_7_1"), ("void", "auth_pi_7_0")]


def test_capture_after_a_crash_asks_by_key() -> None:
    processor = FakeProcessor()
    parts = _parts(("card", "a"), ("card", "b"))
    authorize_parts(processor, parts)  # type: ignore[arg-type]
    processor.calls.clear()
    capture_cards(processor, parts)  # type: ignore[arg-type]
    assert processor.calls == [("capture", "auth_pi_7_0"), ("capture", "auth_pi_7_1")]


def test_undo_voids_what_was_authorised_refunds_a_capture_and_skips_what_never_arrived() -> None:
    processor = FakeProcessor()
    parts = _parts(("card", "a"), ("card", "b"), ("card", "c"))
    authorize_parts(processor, parts[:2])  # type: ignore[arg-type]
    processor.charges["pi_7_1"] = Charge("auth_pi_7_1", "pi_7_1", "b", 1175, "captured", 0, None)
    processor.calls.clear()
    undo(processor, parts)  # type: ignore[arg-type]
    assert processor.calls == [("void", "auth_pi_7_0"), ("refund", "auth_pi_7_1")]
