"""The fake processor: test numbers, tokens that keep no card number, keyed authorise/capture/void/refund
(the same key answers the same), what it tells by key after a crash, settlement."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from backend_stub.billing.instruments import BankInput, CardInput
from backend_stub.processor import Decline, Processor, ProcessorError, describe_card, settlement_on
from backend_stub.store.db import create_db_engine, reading
from backend_stub.store.migrate import upgrade


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'p.db'}")
    upgrade(engine)
    return engine


def test_funding_and_brand_by_number() -> None:
    assert describe_card(CardInput("4000056655665556", 1, 2030, "123")).funding == "debit"
    assert describe_card(CardInput("5105105105105100", 1, 2030, "123")).funding == "prepaid"
    visa = describe_card(CardInput("4242 4242 4242 4242", 1, 2030, "123"))
    assert (visa.brand, visa.last4, visa.funding, visa.behaviour) == ("visa", "4242", "credit", "ok")
    assert describe_card(CardInput("6011111111111117", 1, 2030, "123")).brand == "discover"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("4000000000000002", "generic_decline"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
        ("4000000000000127", "incorrect_cvc"),
        ("4000000000000119", "processing_error"),
    ],
)
def test_declines(engine: Engine, number: str, code: str) -> None:
    processor = Processor(engine)
    token = processor.tokenize_card(CardInput(number, 1, 2030, "123"))
    answer = processor.authorize(token.token, 1000, "k1")
    assert isinstance(answer, Decline) and answer.decline_code == code and answer.message


def test_all_or_nothing_voids_and_captures(engine: Engine) -> None:
    processor = Processor(engine)
    token = processor.tokenize_card(CardInput("4242424242424242", 1, 2030, "123"))
    assert token.token.startswith("tok_")
    first = processor.authorize(token.token, 500, "k1")
    assert isinstance(first, str)
    processor.void(first)
    assert processor.state(first) == "voided"
    with pytest.raises(ValueError):
        processor.capture(first)
    second = processor.authorize(token.token, 500, "k2")
    assert isinstance(second, str)
    processor.capture(second)
    assert processor.state(second) == "captured"
    with pytest.raises(ValueError):
        processor.void(second)  # a capture is refunded, not voided


def test_tokens_never_keep_the_number_or_cvc(engine: Engine) -> None:
    processor = Processor(engine)
    processor.tokenize_card(CardInput("4000000000009995", 1, 2030, "987"))
    processor.tokenize_bank(BankInput("110000000", "000222222227", "checking"))
    with reading(engine) as conn:
        rows = [dict(r) for r in conn.execute(text("SELECT * FROM processor_tokens")).mappings()]
    dump = repr(rows)
    assert "4000000000009995" not in dump and "000222222227" not in dump
    # The CVC is three digits: a timestamp or a random token may hold "987" by chance, so look at the
    # values that are neither (the CVC would be one of them, or inside one).
    chance = ("token", "created_at")
    words = [str(v) for row in rows for k, v in row.items() if k not in chance and v is not None]
    assert not [w for w in words if "987" in w], words
    assert "9995" in dump and "decline:insufficient_funds" in dump and "return:R01" in dump


@pytest.mark.parametrize(
    ("account", "outcome"),
    [
        ("000123456789", "settle"),
        ("000222222227", "R01"),
        ("000111111113", "R02"),
        ("000111111116", "R03"),
        ("000333333335", "R10"),
        ("000000000009", "pending"),
    ],
)
def test_bank_settlement_by_test_account(engine: Engine, account: str, outcome: str) -> None:
    processor = Processor(engine)
    token = processor.tokenize_bank(BankInput("110000000", account, "checking"))
    assert token.token.startswith("btok_") and token.bank_name
    assert isinstance(processor.authorize(token.token, 100, "k1"), str)  # accepted now, returned later
    with reading(engine) as conn:
        assert settlement_on(conn, token.token) == outcome
        assert settlement_on(conn, "tok_ach_demo_6789") == "settle"  # the seed's own tokens settle


def _visa(processor: Processor) -> str:
    return processor.tokenize_card(CardInput("4242424242424242", 1, 2030, "123")).token


def test_the_same_key_answers_the_same_authorisation_whatever_became_of_it(engine: Engine) -> None:
    processor = Processor(engine)
    token = _visa(processor)
    auth = processor.authorize(token, 1175, "pi_1_0")
    assert isinstance(auth, str) and auth.startswith("auth_")
    assert processor.authorize(token, 1175, "pi_1_0") == auth
    processor.capture(auth)
    assert processor.authorize(token, 1175, "pi_1_0") == auth  # no second hold
    assert processor.authorize(token, 1175, "pi_1_1") != auth  # another key is another charge
    with reading(engine) as conn:
        assert conn.execute(text("SELECT count(*) FROM processor_charges")).scalar_one() == 2


def test_a_key_reused_for_another_charge_is_refused(engine: Engine) -> None:
    processor = Processor(engine)
    token = _visa(processor)
    processor.authorize(token, 500, "k")
    with pytest.raises(ProcessorError):
        processor.authorize(token, 600, "k")
    with pytest.raises(ProcessorError):
        processor.authorize(_visa(processor), 500, "k")


def test_a_keyed_decline_is_replayed_and_kept(engine: Engine) -> None:
    processor = Processor(engine)
    token = processor.tokenize_card(CardInput("4000000000009995", 1, 2030, "123")).token
    first = processor.authorize(token, 500, "k")
    assert first == Decline("insufficient_funds")
    assert processor.authorize(token, 500, "k") == first
    found = processor.find("k")
    assert found is not None and (found.state, found.decline_code) == ("declined", "insufficient_funds")
    with pytest.raises(ValueError):
        processor.capture(found.id)


def test_capture_and_void_are_idempotent(engine: Engine) -> None:
    processor = Processor(engine)
    token = _visa(processor)
    captured, voided = processor.authorize(token, 500, "a"), processor.authorize(token, 500, "b")
    assert isinstance(captured, str) and isinstance(voided, str)
    processor.capture(captured)
    processor.capture(captured)
    processor.void(voided)
    processor.void(voided)
    assert (processor.state(captured), processor.state(voided)) == ("captured", "voided")
    with pytest.raises(ValueError):
        processor.capture("auth_nothing")


def test_find_tells_what_became_of_a_key(engine: Engine) -> None:
    processor = Processor(engine)
    token = _visa(processor)
    assert processor.find("pi_9_0") is None  # never reached the processor
    auth = processor.authorize(token, 700, "pi_9_0")
    found = processor.find("pi_9_0")
    assert found is not None
    assert (found.id, found.token, found.amount_cents, found.state) == (auth, token, 700, "authorized")
    assert found.decline is None


def test_refunds_are_keyed_partial_and_never_more_than_was_captured(engine: Engine) -> None:
    processor = Processor(engine)
    token = _visa(processor)
    auth = processor.authorize(token, 1000, "c")
    assert isinstance(auth, str)
    with pytest.raises(ValueError):
        processor.refund(auth, 100, "r0")  # not captured yet: void it instead
    processor.capture(auth)
    first = processor.refund(auth, 300, "r1")
    assert first.startswith("re_") and processor.refund(auth, 300, "r1") == first  # replayed, once
    found = processor.find("c")
    assert found is not None and (found.state, found.refunded_cents) == ("captured", 300)
    with pytest.raises(ValueError):
        processor.refund(auth, 701, "r2")
    with pytest.raises(ValueError):
        processor.refund(auth, 0, "r3")
    with pytest.raises(ValueError):
        processor.refund(auth, 200, "r1")  # the key of another refund
    processor.refund(auth, 700, "r4")
    found = processor.find("c")
    assert found is not None and (found.state, found.refunded_cents) == ("refunded", 1000)
    with pytest.raises(ValueError):
        processor.refund(auth, 1, "r5")
    with reading(engine) as conn:
        assert conn.execute(text("SELECT sum(amount_cents) FROM processor_refunds")).scalar_one() == 1000


def test_the_record_outlives_the_processor_object(engine: Engine) -> None:
    """A restarted backend (a new Processor on the same database) finds what the old one did."""
    token = _visa(Processor(engine))
    auth = Processor(engine).authorize(token, 500, "k")
    again = Processor(engine)
    assert again.state(auth) == "authorized" and again.authorize(token, 500, "k") == auth


def test_the_same_key_sent_at_once_from_many_threads_holds_once(engine: Engine) -> None:
    processor = Processor(engine)
    token = _visa(processor)
    with ThreadPoolExecutor(8) as pool:
        answers = set(pool.map(lambda _: processor.authorize(token, 500, "k"), range(16)))
    assert len(answers) == 1
    with reading(engine) as conn:
        assert conn.execute(text("SELECT count(*) FROM processor_charges")).scalar_one() == 1
