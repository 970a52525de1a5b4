"""The session token store: keyring first, else a 0600 file, PAYDESK_TOKEN over both."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as FailKeyring
from keyring.backends.null import Keyring as NullKeyring
from keyring.errors import KeyringError, PasswordDeleteError
from keyrings.alt.file import PlaintextKeyring

from tui.config import data_dir
from tui.credentials import SERVICE, MemoryTokenStore, TokenStore, usable_keyring

URL = "http://127.0.0.1:8765"


class MemoryKeyring(KeyringBackend):
    """A real-looking keyring that keeps secrets in a dict, for tests only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class BrokenKeyring(MemoryKeyring):
    """Like Secret Service without a D-Bus session: present, but every call fails."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("no D-Bus session")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("no D-Bus session")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("no D-Bus session")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(FailKeyring())


def token_file() -> Path:
    return data_dir() / "session.json"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keyring_keeps_the_token_under_service_and_url(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore(URL)
    assert store.load() is None
    store.save("tok-1")
    assert memory_keyring.secrets == {(SERVICE, URL): "tok-1"}
    assert TokenStore(URL).load() == "tok-1"
    assert TokenStore("http://other:1").load() is None
    assert not token_file().exists()
    assert store.notice is None


def test_clear_removes_it_from_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = TokenStore(URL)
    store.save("tok-1")
    store.clear()
    assert memory_keyring.secrets == {}
    assert store.load() is None
    store.clear()  # clearing twice is fine


@pytest.mark.parametrize("backend", [FailKeyring(), NullKeyring(), PlaintextKeyring()], ids=type)
def test_fake_keyrings_count_as_none(backend: KeyringBackend) -> None:
    keyring.set_keyring(backend)
    assert usable_keyring() is None


def test_a_real_keyring_counts(memory_keyring: MemoryKeyring) -> None:
    assert usable_keyring() is memory_keyring


def test_without_a_keyring_the_token_goes_to_a_0600_file() -> None:
    store = TokenStore(URL)
    store.save("tok-file")
    assert store.uses_file
    assert mode_of(token_file()) == 0o600
    assert mode_of(token_file().parent) == 0o700
    assert TokenStore(URL).load() == "tok-file"
    assert "tok-file" in token_file().read_text()


def test_the_file_is_keyed_by_server_url() -> None:
    TokenStore(URL).save("a")
    TokenStore("https://pay.example.com").save("b")
    assert TokenStore(URL).load() == "a"
    assert TokenStore("https://pay.example.com").load() == "b"
    TokenStore(URL).clear()
    assert TokenStore(URL).load() is None
    assert TokenStore("https://pay.example.com").load() == "b"
    TokenStore("https://pay.example.com").clear()
    assert not token_file().exists()


def test_a_loosened_file_mode_is_repaired() -> None:
    TokenStore(URL).save("tok")
    os.chmod(token_file(), 0o644)
    assert TokenStore(URL).load() == "tok"
    assert mode_of(token_file()) == 0o600
    os.chmod(token_file(), 0o666)
    TokenStore(URL).save("tok-2")
    assert mode_of(token_file()) == 0o600


def test_a_garbled_file_is_as_if_logged_out() -> None:
    token_file().parent.mkdir(parents=True)
    token_file().write_text("{not json")
    assert TokenStore(URL).load() is None
    TokenStore(URL).save("tok")
    assert TokenStore(URL).load() == "tok"


def test_a_keyring_that_fails_on_use_falls_back_to_the_file() -> None:
    keyring.set_keyring(BrokenKeyring())
    try:
        store = TokenStore(URL)
        assert store.load() is None
        store.save("tok")
        assert store.uses_file
        assert TokenStore(URL).load() == "tok"
        assert mode_of(token_file()) == 0o600
        TokenStore(URL).clear()
        assert TokenStore(URL).load() is None
    finally:
        keyring.set_keyring(FailKeyring())


def test_the_file_notice_is_said_once() -> None:
    store = TokenStore(URL)
    notice = store.notice
    assert notice == (f"No keyring is available: your session token is kept in {token_file()} (mode 0600).")
    assert store.notice == notice  # stable for the life of the store
    assert TokenStore(URL).notice is None  # the next run does not say it again


def test_no_notice_with_a_keyring(memory_keyring: MemoryKeyring) -> None:
    assert TokenStore(URL).notice is None


def test_saving_to_the_keyring_removes_an_older_file_token(memory_keyring: MemoryKeyring) -> None:
    keyring.set_keyring(FailKeyring())
    TokenStore(URL).save("old")
    keyring.set_keyring(memory_keyring)
    TokenStore(URL).save("new")
    assert not token_file().exists()
    assert TokenStore(URL).load() == "new"


def test_paydesk_token_overrides_and_is_never_written(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    TokenStore(URL).save("stored")
    monkeypatch.setenv("PAYDESK_TOKEN", "from-env")
    store = TokenStore(URL)
    assert store.load() == "from-env"
    store.save("new")
    assert memory_keyring.secrets == {(SERVICE, URL): "stored"}
    assert store.notice is None


def test_paydesk_token_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    TokenStore(URL).save("stored")
    monkeypatch.setenv("PAYDESK_TOKEN", "from-env")
    assert TokenStore(URL).load() == "from-env"
    assert TokenStore(URL).notice is None


def test_memory_store_writes_nothing() -> None:
    store = MemoryTokenStore()
    assert store.load() is None
    store.save("tok")
    assert store.load() == "tok"
    store.clear()
    assert store.load() is None
    assert store.notice is None
    assert not data_dir().exists()
