"""The fake processor: test numbers, tokens that keep no card number, authorise/capture/void, settlement."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from backend_stub.billing.instruments import BankInput, CardInput
from backend_stub.processor import Decline, Processor, describe_card, settlement_on
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
    answer = processor.authorize(token.token, 1000)
    assert isinstance(answer, Decline) and answer.decline_code == code and answer.message


def test_all_or_nothing_voids_and_captures(engine: Engine) -> None:
    processor = Processor(engine)
    token = processor.tokenize_card(CardInput("4242424242424242", 1, 2030, "123"))
    assert token.token.startswith("tok_")
    first = processor.authorize(token.token, 500)
    assert isinstance(first, str)
    processor.void(first)
    assert processor.state(first) == "voided"
    with pytest.raises(ValueError):
        processor.capture(first)
    second = processor.authorize(token.token, 500)
    assert isinstance(second, str)
    processor.capture(second)
    assert processor.state(second) == "captured"


def test_tokens_never_keep_the_number_or_cvc(engine: Engine) -> None:
    processor = Processor(engine)
    processor.tokenize_card(CardInput("4000000000009995", 1, 2030, "987"))
    processor.tokenize_bank(BankInput("110000000", "000222222227", "checking"))
    with reading(engine) as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT * FROM processor_tokens"))]
    dump = repr(rows)
    assert "4000000000009995" not in dump and "987" not in dump and "000222222227" not in dump
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
    assert isinstance(processor.authorize(token.token, 100), str)  # accepted now, returned later
    with reading(engine) as conn:
        assert settlement_on(conn, token.token) == outcome
        assert settlement_on(conn, "tok_ach_demo_6789") == "settle"  # the seed's own tokens settle
