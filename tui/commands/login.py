"""`paydesk login` and `paydesk logout`: the app's sign-in (an emailed code, or a password) and its
session store (the keyring, else the 0600 file; `PAYDESK_TOKEN` overrides both and is never written)."""

from __future__ import annotations

import argparse
import os
import sys

from tui.commands import output
from tui.commands.session import PROG, Failure, Session, run


def login(args: argparse.Namespace) -> int:
    return run(args, _login, signed_in=False)


def logout(args: argparse.Namespace) -> int:
    return run(args, _logout, signed_in=False)


def ask(prompt: str, *, secret: bool = False) -> str:
    """One answer from the person: the prompt on stderr (stdout stays for output), the answer from stdin
    (a password from the terminal without echo)."""
    if secret and sys.stdin.isatty():
        import getpass

        answer = getpass.getpass(prompt, stream=sys.stderr)
    else:
        print(prompt, end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            raise Failure("No answer was given (stdin is closed); nothing was changed.")
        answer = line.rstrip("\r\n")
        if not sys.stdin.isatty():
            print(file=sys.stderr)  # a piped answer is not echoed: end the prompt's line
    if not answer.strip():
        raise Failure("No answer was given; nothing was changed.")
    return answer.strip() if not secret else answer


async def _login(s: Session) -> int:
    email = (s.args.email or ask("Email: ")).strip()
    if s.args.password:
        session = await s.client.login(email, ask("Password: ", secret=True))
    else:
        await s.client.request_code(email)
        output.note(
            f"If {email} has an account, a 6-digit code is on its way to it (it expires in 10 minutes)."
        )
        session = await s.client.verify_code(email, ask("Code: "))
    who = f"{session.user.name} <{session.user.email}>" if session.user.name else session.user.email
    if os.environ.get("PAYDESK_TOKEN"):
        output.note(
            "PAYDESK_TOKEN is set, so it stays the session every command uses; unset it to use this one."
        )
    elif not s.config.remember_me:
        # remember_me = false: the app keeps nothing; a script can still take the token from stdout.
        output.note("remember_me is off in config.toml, so the session is not kept: the token follows.")
        print(session.token)
        return 0
    else:
        s.store.save(session.token)
        notice = s.store.notice
        if notice:
            output.note(notice)
    role = " (clerk)" if session.user.is_clerk else ""
    output.say(f"Signed in to {s.server_url} as {who}{role}.")
    return 0


async def _logout(s: Session) -> int:
    token = s.store.load()
    if not token:
        output.say(f"You are not signed in to {s.server_url}.")
        return 0
    s.client.token = token
    await s.client.logout()  # revokes it when the server answers; forgets it in any case
    s.store.clear()
    if os.environ.get("PAYDESK_TOKEN"):
        output.note(f"PAYDESK_TOKEN still holds the revoked token: unset it, or `{PROG} login` again.")
    output.say(f"Signed out of {s.server_url}.")
    return 0
