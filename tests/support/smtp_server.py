"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the mail delivery tests.

`smtp_server()` yields a `MailCatcher`: its `url` is what `--smtp` / PAYDESK_SMTP_URL takes. It can
refuse mail with a given reply (`refuse = "451 4.3.0 try again later"`) and hold a message after taking
its data, before answering (`hold`), to kill a sender mid-conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage

    def header(self, name: str) -> str:
        return str(self.message[name])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        text = part.get_content() if part is not None else ""
        return text.replace("\r\n", "\n")  # as written, not as the wire carries it


class MailCatcher:
    """aiosmtpd handler: every message it accepts, in order."""

    def __init__(self) -> None:
        self.url = ""
        self.port = 0
        self.refuse: str | None = None  # a reply like "451 ..." or "554 ..." to DATA, instead of 250
        self.hold = threading.Event()  # set: answer nothing after DATA until `release` is set
        self.release = threading.Event()
        self.held = threading.Event()  # a message arrived while holding
        self.refused = 0
        self.hang_up_after_each = False  # close the connection after answering each message
        self._messages: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, _session: Any, envelope: Any) -> str:
        if self.refuse is not None:
            self.refused += 1
            return self.refuse
        raw = bytes(envelope.original_content or envelope.content)
        message = message_from_bytes(raw, policy=policy.default)
        with self._lock:
            self._messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw, message))
        if self.hold.is_set():
            self.held.set()
            deadline = time.monotonic() + 60
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        if self.hang_up_after_each:
            asyncio.get_running_loop().call_soon(server.transport.close)  # after the 250 is written
        return "250 OK"

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]

    def wait_for(
        self, what: Callable[[list[Received]], bool], timeout: float = 30.0, why: str = "mail"
    ) -> list[Received]:
        """Poll until `what(messages)` holds (a deadline, not a pause)."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.messages
            if what(messages):
                return messages
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no {why} in {timeout} s; received: {[m.header('Subject') for m in messages]}"
                )
            time.sleep(0.02)


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed_certificate(folder: Path) -> tuple[Path, Path] | None:
    """(cert, key) for 127.0.0.1 made by the `openssl` tool, or None where it is missing."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@contextlib.contextmanager
def smtp_server(
    port: int | None = None,
    catcher: MailCatcher | None = None,
    *,
    security: str = "plain",
    certificate: tuple[Path, Path] | None = None,
    login: tuple[str, str] | None = None,
) -> Iterator[MailCatcher]:
    """An SMTP server on 127.0.0.1 (a free port, or `port`) until the block ends.

    `security`: plain, starttls (STARTTLS required) or tls (TLS from the first byte), with `certificate`;
    `login`: (user, password) it requires (AUTH, over TLS only). `catcher.url` says all of it.
    """
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    catcher = catcher or MailCatcher()
    catcher.port = port or free_port()
    kwargs: dict[str, Any] = {}
    tls = None
    if security != "plain":
        assert certificate is not None
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(*certificate)
    if security == "starttls":
        kwargs.update(tls_context=tls, require_starttls=True)
    elif security == "tls":
        # aiosmtpd cannot tell that a connection it wrapped in TLS itself is secure: it offers AUTH only
        # once told not to insist on STARTTLS for it.
        kwargs.update(ssl_context=tls, auth_require_tls=False)
    if login is not None:

        def authenticate(
            _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
        ) -> AuthResult:
            given = (data.login.decode(), data.password.decode())
            return AuthResult(success=given == login)

        kwargs.update(auth_required=True, authenticator=authenticate)
    scheme = {"plain": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[security]
    user = f"{login[0]}:{login[1]}@" if login else ""
    catcher.url = f"{scheme}://{user}127.0.0.1:{catcher.port}"
    controller = Controller(catcher, hostname="127.0.0.1", port=catcher.port, **kwargs)
    controller.start()
    try:
        yield catcher
    finally:
        catcher.release.set()
        controller.stop()
