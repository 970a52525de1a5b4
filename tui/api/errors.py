"""Typed errors for everything that can go wrong talking to the Paydesk server.

`str(err)` is always one sentence a person can act on, so a screen can show it as it is.
"""

from __future__ import annotations


class ApiError(Exception):
    """The server answered with an error (or could not be understood)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        type: str = "server",
        code: str = "unknown_error",
        param: str | None = None,
        retry_after: float | None = None,
        decline_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.retry_after = retry_after
        # 402 card_declined: the processor's reason (generic_decline, insufficient_funds, ...).
        self.decline_code = decline_code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, type={self.type!r}, code={self.code!r}, "
            f"param={self.param!r}, decline_code={self.decline_code!r}, message={self.message!r})"
        )


class ServerUnavailable(ApiError):
    """No answer at all: connection refused or reset, DNS failure, or a timeout."""

    def __init__(self, message: str, *, code: str = "unavailable") -> None:
        super().__init__(message, status=0, type="unavailable", code=code)


class NotAuthenticated(ApiError):
    """401 `not_authenticated`: the token is missing, expired or revoked; log in again."""


class PaymentOutcomeUnknown(ServerUnavailable):
    """Every send of one payment went unanswered: it may have been made. Send the same attempt again."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="outcome_unknown")


class SessionIdle(ApiError):
    """401 `session_idle`: a clerk's session sat idle too long on the server; unlock to go on.

    Not a NotAuthenticated: the app keeps the call's screens and asks the same person to sign in again.
    """
