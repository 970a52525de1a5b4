"""Start: with nothing stored the sign-in screen draws before the keyring is asked (issue 11, speed);
a session remembered in the keyring is still resumed, with the note of it or without (an older save)."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from tests.app.conftest import on_home, screen_text, wait_for
from tests.support.stub import StubServer
from tests.unit.test_credentials import MemoryKeyring
from tui.app import PaydeskApp
from tui.credentials import KEYRING_NOTE, SERVICE, TokenStore
from tui.screens.login import LoginScreen

EMAIL = "dana@example.com"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(FailKeyring())


def test_the_note_tells_what_the_keyring_holds_without_asking_it(memory_keyring: MemoryKeyring) -> None:
    url = "http://127.0.0.1:9"
    assert TokenStore(url).may_hold_token() is False
    TokenStore(url).save("tok-1")
    assert memory_keyring.secrets[(SERVICE, url)] == "tok-1"
    fresh = TokenStore(url)
    assert fresh.may_hold_token() is True
    assert fresh._keyring_checked is False  # answered from the note alone
    assert (fresh.directory / KEYRING_NOTE).read_text().count(url) == 1
    fresh.clear()
    assert TokenStore(url).may_hold_token() is False
    assert TokenStore("http://other:1").may_hold_token() is False


def test_a_token_in_the_file_or_the_environment_may_be_held(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "http://127.0.0.1:9"
    store = TokenStore(url)  # the fail keyring: the token goes to the file
    assert store.may_hold_token() is False
    store.save("tok-file")
    assert TokenStore(url).may_hold_token() is True
    TokenStore(url).clear()
    monkeypatch.setenv("PAYDESK_TOKEN", "tok-env")
    assert TokenStore(url).may_hold_token() is True


async def test_nothing_stored_shows_sign_in_and_the_file_notice(live_server: StubServer) -> None:
    app = PaydeskApp(live_server.base_url, token_store=TokenStore(live_server.base_url))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), "the sign-in screen")
        # The keyring is asked after the first frame: the fail keyring means the file, said once.
        notices = lambda: [n.message for n in app._notifications if "No keyring" in n.message]  # noqa: E731
        [notice] = await wait_for(pilot, notices, "the token file's notice")
        assert "session.json" in notice
        assert isinstance(app.screen, LoginScreen)
        assert "Sign in" in screen_text(app)


@pytest.mark.parametrize("noted", [True, False], ids=["noted", "saved-before-the-note"])
async def test_a_session_in_the_keyring_is_resumed(
    live_server: StubServer, tokens: dict[str, str], memory_keyring: MemoryKeyring, noted: bool
) -> None:
    url = live_server.base_url
    if noted:
        TokenStore(url).save(tokens[EMAIL])
    else:
        memory_keyring.set_password(SERVICE, url, tokens[EMAIL])  # as an older Paydesk saved it
    app = PaydeskApp(url, token_store=TokenStore(url))
    async with app.run_test(size=(100, 30)) as pilot:
        await on_home(pilot)
        assert "Dana" in screen_text(app) or "4100012345" in screen_text(app)
    assert TokenStore(url).may_hold_token() is True  # noted now: the next start checks it at once
