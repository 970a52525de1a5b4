"""A problem the payer can fix: the error a payment would answer, as plain data.

A quote lists them; a payment answers the first one as its 4xx error (routes turn them into ApiError).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    status: int
    type: str
    code: str
    message: str
    param: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"type": self.type, "code": self.code, "message": self.message, "param": self.param}


def bad(code: str, message: str, param: str | None) -> Problem:
    return Problem(400, "invalid_request", code, message, param)


def conflict(code: str, message: str, param: str | None) -> Problem:
    return Problem(409, "conflict", code, message, param)


def missing(message: str, param: str | None) -> Problem:
    return Problem(404, "not_found", "not_found", message, param)


def refused(code: str, message: str, param: str | None) -> Problem:
    return Problem(402, "payment", code, message, param)
