"""What every scriptable command starts from: the server (`--server` > `PAYDESK_SERVER` > config.toml),
the session the app stored (or `PAYDESK_TOKEN`), one client for the command, the account it is about,
and how a failure is said: one sentence on stderr, and with `--json` the error object on stdout."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tui.api.client import PaydeskClient
from tui.api.errors import ApiError, NotAuthenticated
from tui.config import Config, ConfigError, config_path, load_config, resolve_server
from tui.credentials import MemoryTokenStore, TokenStore, TokenStoreLike

PROG = "paydesk"


class Failure(Exception):
    """An expected failure: `str()` is the sentence for stderr; `status` the exit status (1, or 2 for
    bad usage); `error` the error object `--json` prints (the server's own when it answered one)."""

    def __init__(self, message: str, *, status: int = 1, error: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error = error or error_object("invalid_request" if status == 2 else "client", "failed", message)


def error_object(type_: str, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    """The contract's error shape, for a failure Paydesk finds before or without the server."""
    return {"error": {"type": type_, "code": code, "message": message, "param": param}}


def error_of(error: ApiError) -> dict[str, Any]:
    """The server's error object as it sent it (ApiError keeps each of its fields)."""
    body: dict[str, Any] = {
        "type": error.type,
        "code": error.code,
        "message": error.message,
        "param": error.param,
    }
    if error.decline_code:
        body["decline_code"] = error.decline_code
    return {"error": body}


class RecordingClient(PaydeskClient):
    """The app's client, keeping the body of its last answer: `--json` prints what the server sent,
    field for field, rather than the models' reading of it."""

    last_body: bytes = b"null"

    async def _request(self, *args: Any, **kwargs: Any) -> Any:
        response = await super()._request(*args, **kwargs)
        self.last_body = response.content
        return response

    def last_json(self) -> Any:
        return json.loads(self.last_body)


@dataclass
class Session:
    args: argparse.Namespace
    server_url: str
    config: Config
    store: TokenStoreLike
    client: RecordingClient

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    async def account_id(self) -> int:
        """`--account ID`, else the caller's one account (a clerk must name one)."""
        if getattr(self.args, "account", None):
            return int(self.args.account)
        me = await self.client.me()
        if me.user.is_clerk:
            raise Failure(
                f"A clerk names the account: add --account ID (find it with `{PROG} account find`).", status=2
            )
        if not me.accounts:
            raise Failure("No account is linked to this sign-in.")
        if len(me.accounts) > 1:
            ids = ", ".join(f"{a.id} ({a.account_number})" for a in me.accounts)
            raise Failure(f"You have several accounts: add --account ID, one of {ids}.", status=2)
        return me.accounts[0].id


Command = Callable[[Session], Awaitable[int]]


def run(args: argparse.Namespace, command: Command, *, signed_in: bool = True) -> int:
    """Run `command` on a new session and say any failure; returns the exit status."""
    try:
        return asyncio.run(_run(args, command, signed_in))
    except Failure as failure:
        say_failure(failure, json_output=bool(getattr(args, "json", False)))
        return failure.status
    except BrokenPipeError:
        # `paydesk history --csv | head`: the reader has gone. Quietly, as Python's docs advise: point
        # stdout at /dev/null so the flush at exit does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def say_failure(failure: Failure, *, json_output: bool) -> None:
    if json_output:
        print(json.dumps(failure.error, indent=2))
    prefix = f"{PROG}: error: " if failure.status == 2 else f"{PROG}: "
    print(prefix + failure.message, file=sys.stderr)


def server_of(args: argparse.Namespace) -> tuple[str, Config]:
    try:
        config = load_config()
        url = resolve_server(getattr(args, "server", None), os.environ, config)
    except ConfigError as exc:
        raise Failure(str(exc)) from None
    if url is None:
        raise Failure(
            "no server is set: use --server URL, set PAYDESK_SERVER, or put "
            f'server_url = "https://…" in {config_path()}.'
        )
    return url, config


def token_store(server_url: str, config: Config) -> TokenStoreLike:
    """The app's store: the keyring or the 0600 file; memory only when remember_me is off."""
    if config.remember_me:
        return TokenStore(server_url)
    return MemoryTokenStore(os.environ.get("PAYDESK_TOKEN"))


async def _run(args: argparse.Namespace, command: Command, signed_in: bool) -> int:
    url, config = server_of(args)
    store = token_store(url, config)
    token = store.load()
    if signed_in and not token:
        message = f"You are not signed in to {url}: run `{PROG} login` (or set PAYDESK_TOKEN)."
        raise Failure(message, error=error_object("authentication", "not_signed_in", message))
    async with RecordingClient(url, token=token) as client:
        try:
            return await command(Session(args, url, config, store, client))
        except NotAuthenticated as error:
            message = f"{error.message} Run `{PROG} login` to sign in again."
            raise Failure(message, error=error_of(error)) from None
        except ApiError as error:
            raise Failure(error.message, error=error_of(error)) from None
