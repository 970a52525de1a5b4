"""One error shape for every failure: {"error": {"type", "code", "message", "param"}}."""

from __future__ import annotations

from collections.abc import Mapping


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        type: str,
        code: str,
        message: str,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})  # more fields in "error", e.g. a decline's "decline_code"

    def with_param(self, param: str) -> ApiError:
        self.param = param
        return self

    def body(self) -> dict:
        body = error_body(self.type, self.code, self.message, self.param)
        body["error"].update(self.extra)
        return body


def error_body(type: str, code: str, message: str, param: str | None = None) -> dict:
    return {"error": {"type": type, "code": code, "message": message, "param": param}}


def not_found(message: str = "No such resource: check the id or the address.") -> ApiError:
    return ApiError(404, "not_found", "not_found", message)


def invalid(message: str, param: str | None = None, code: str = "invalid_request") -> ApiError:
    return ApiError(400, "invalid_request", code, message, param)


def guest_forbidden(param: str | None = None) -> ApiError:
    return ApiError(
        403,
        "permission",
        "guest_forbidden",
        "A one-time payment session can only view open invoices and make one payment: sign in for more.",
        param,
    )


def not_authenticated() -> ApiError:
    return ApiError(
        401,
        "authentication",
        "not_authenticated",
        "Sign in first: the session token is missing, expired or revoked.",
        headers={"WWW-Authenticate": "Bearer"},
    )
