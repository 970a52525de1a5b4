"""Where the session token lives: the OS keyring, else a 0600 file in the data dir.

`PAYDESK_TOKEN` overrides both and is never written. Keyring backends that are not a real secret
store (keyring's `fail` and `null`, keyrings.alt's plaintext files) count as no keyring, as poetry
does; so does a keyring that raises when used (e.g. Secret Service without D-Bus). When the file
is used, `notice` says so once (as gh does), and a marker file remembers that it was said.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import Any, Protocol

from tui.config import data_dir

SERVICE = "paydesk"
TOKEN_FILE = "session.json"
NOTICE_MARKER = ".token-file-notice-shown"
# The servers whose token went to the keyring (URLs only, no secret): lets `may_hold_token` answer
# without importing keyring, which costs tens of milliseconds at every start.
KEYRING_NOTE = "keyring-sessions.json"


class TokenStoreLike(Protocol):
    notice: str | None

    def load(self) -> str | None: ...
    def save(self, token: str) -> None: ...
    def clear(self) -> None: ...


def usable_keyring() -> Any | None:
    """The keyring backend to use, or None when there is no real secret store."""
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception:
        return None
    return backend if _is_secure(backend) else None


def _is_secure(backend: Any) -> bool:
    module = type(backend).__module__
    if module.startswith("keyring.backends.chainer"):
        # The chainer writes to its highest-priority backend: that one decides.
        chained = list(getattr(backend, "backends", []))
        return bool(chained) and _is_secure(chained[0])
    if module.startswith(("keyring.backends.fail", "keyring.backends.null", "keyrings.alt.file")):
        return False
    name = str(getattr(backend, "name", "")).lower()
    return "plaintext" not in name and "null" not in name and "fail" not in name


class TokenStore:
    """The session token for one server URL (keyring username = the URL)."""

    def __init__(self, server_url: str, *, directory: Path | None = None) -> None:
        self.server_url = server_url
        self._dir = directory
        self._keyring: Any | None = None
        self._keyring_checked = False
        self._fell_back = False
        self._notice_taken = False
        self._notice: str | None = None

    # -- where ---------------------------------------------------------------------------------

    @property
    def directory(self) -> Path:
        return self._dir or data_dir()

    @property
    def file_path(self) -> Path:
        return self.directory / TOKEN_FILE

    @property
    def uses_file(self) -> bool:
        """True when tokens go to the 0600 file rather than the keyring."""
        return self._fell_back or self._backend() is None

    @property
    def notice(self) -> str | None:
        """The one-time sentence saying where the token is kept, or None.

        Non-None at most once per data dir: reading it records that it was said. The value is kept
        for the life of this object, so reading it twice in one run gives the same answer.
        """
        if not self._notice_taken and not os.environ.get("PAYDESK_TOKEN") and self.uses_file:
            marker = self.directory / NOTICE_MARKER
            if not marker.exists():
                self._notice = (
                    f"No keyring is available: your session token is kept in {self.file_path} (mode 0600)."
                )
                with contextlib.suppress(OSError):
                    _ensure_dir(self.directory)
                    marker.touch()
            self._notice_taken = True
        return self._notice

    def may_hold_token(self) -> bool:
        """False when no token can be stored for this server, told without the keyring: no
        PAYDESK_TOKEN, none in the token file, and no note of one saved to the keyring. (A keyring
        token saved before the note existed is found by `load`; the app looks after its first frame.)"""
        if os.environ.get("PAYDESK_TOKEN"):
            return True
        return self.server_url in self._keyring_note() or self.server_url in self._read_file()

    # -- the store -----------------------------------------------------------------------------

    def load(self) -> str | None:
        override = os.environ.get("PAYDESK_TOKEN")
        if override:
            return override
        backend = self._backend()
        if backend is not None and not self._fell_back:
            try:
                token = backend.get_password(SERVICE, self.server_url)
            except Exception:
                self._fell_back = True
            else:
                if token:
                    return token
        return self._read_file().get(self.server_url)

    def save(self, token: str) -> None:
        if os.environ.get("PAYDESK_TOKEN"):
            return  # the override is the token; never write it anywhere
        backend = self._backend()
        if backend is not None and not self._fell_back:
            try:
                backend.set_password(SERVICE, self.server_url, token)
            except Exception:
                self._fell_back = True
            else:
                self._forget_in_file()  # so an old token in the file cannot outlive this one
                self._note_keyring(saved=True)
                return
        tokens = self._read_file()
        tokens[self.server_url] = token
        self._write_file(tokens)

    def clear(self) -> None:
        backend = self._backend()
        if backend is not None:
            with contextlib.suppress(Exception):  # not there, or keyring away: nothing to remove
                backend.delete_password(SERVICE, self.server_url)
        self._forget_in_file()
        self._note_keyring(saved=False)

    # -- helpers -------------------------------------------------------------------------------

    def _backend(self) -> Any | None:
        if not self._keyring_checked:
            self._keyring = usable_keyring()
            self._keyring_checked = True
        return self._keyring

    def _keyring_note(self) -> set[str]:
        try:
            text = (self.directory / KEYRING_NOTE).read_text(encoding="utf-8")
            import json  # only with a note to read: a start without one skips the import

            servers = json.loads(text)["servers"]
        except (OSError, ValueError, KeyError, TypeError):
            return set()
        return {str(url) for url in servers} if isinstance(servers, list) else set()

    def _note_keyring(self, *, saved: bool) -> None:
        servers = self._keyring_note()
        if (self.server_url in servers) == saved:
            return
        servers = servers | {self.server_url} if saved else servers - {self.server_url}
        import json

        with contextlib.suppress(OSError):  # without the note the app only looks a moment later
            _ensure_dir(self.directory)
            (self.directory / KEYRING_NOTE).write_text(
                json.dumps({"servers": sorted(servers)}), encoding="utf-8"
            )

    def _forget_in_file(self) -> None:
        tokens = self._read_file()
        if self.server_url in tokens:
            del tokens[self.server_url]
            if tokens:
                self._write_file(tokens)
            else:
                with contextlib.suppress(FileNotFoundError):
                    self.file_path.unlink()

    def _read_file(self) -> dict[str, str]:
        path = self.file_path
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                os.chmod(path, 0o600)  # someone loosened it: take it back before reading
            text = path.read_text(encoding="utf-8")
            import json  # only with a token file to read

            data = json.loads(text)
        except (OSError, ValueError):
            return {}  # missing or unreadable: as if logged out, the user just logs in again
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if not isinstance(tokens, dict):
            return {}
        return {str(k): v for k, v in tokens.items() if isinstance(v, str)}

    def _write_file(self, tokens: dict[str, str]) -> None:
        import json

        _ensure_dir(self.directory)
        path = self.file_path
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        # Created 0600 from the start, so the token is never readable by others, not even briefly.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"tokens": tokens}, handle)
            os.chmod(tmp, 0o600)  # O_CREAT does not change the mode of a file that already existed
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise


class MemoryTokenStore:
    """Same interface, nothing written anywhere: for `paydesk demo`."""

    notice: str | None = None

    def __init__(self, token: str | None = None) -> None:
        self._token = token

    def load(self) -> str | None:
        return self._token

    def save(self, token: str) -> None:
        self._token = token

    def clear(self) -> None:
        self._token = None


def _ensure_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
