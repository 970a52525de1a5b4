"""Reading the server's answers: a model or JSON from a success, an ApiError from an error answer.

Kept apart from the transport so the error shape (the contract's `{"error": {...}}` with `param`)
has one reader, whatever sent the request.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from tui.api.errors import ApiError, NotAuthenticated, SessionIdle
from tui.api.models import Download

if TYPE_CHECKING:
    import httpx

M = TypeVar("M", bound=BaseModel)

# Status -> error type, for error answers that do not carry the contract's error shape.
_TYPE_BY_STATUS = {
    400: "invalid_request",
    401: "authentication",
    403: "permission",
    404: "not_found",
    409: "conflict",
    422: "invalid_request",
    429: "rate_limited",
    402: "payment",
}


def parse(model: type[M], response: httpx.Response) -> M:
    """The body as `model`; an ApiError naming the request when it does not fit."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise unreadable(response) from exc


def json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise unreadable(response) from exc


def message_of(body: Any) -> str:
    """The `message` sentence of an answer such as sign-up's (empty when there is none)."""
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""


def download(response: httpx.Response, fallback: str) -> Download:
    """The body as a file, named as the server's Content-Disposition says (else `fallback`)."""
    from email.message import Message

    header = Message()
    header["content-disposition"] = response.headers.get("Content-Disposition", "")
    filename = header.get_filename() or fallback
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    return Download(filename=filename, content=response.content, media_type=media_type)


def unreadable(response: httpx.Response) -> ApiError:
    return ApiError(
        f"The server sent an answer Paydesk could not read ({response.request.method} "
        f"{response.request.url.path}). The server may be a different version; try again later.",
        status=response.status_code,
        type="server",
        code="invalid_response",
    )


def error_from_response(response: httpx.Response) -> ApiError:
    """Turn an error answer into an ApiError, with the server's own message when it sent one."""
    status = response.status_code
    retry_after = _retry_after(response.headers.get("Retry-After"))
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str) and error["message"].strip():
        code = str(error.get("code") or "unknown_error")
        cls: type[ApiError] = ApiError
        if status == 401 and code == "not_authenticated":
            cls = NotAuthenticated
        elif status == 401 and code == "session_idle":
            cls = SessionIdle
        param = error.get("param")
        return cls(
            error["message"],
            status=status,
            type=str(error.get("type") or _default_type(status)),
            code=code,
            param=str(param) if param is not None else None,
            retry_after=retry_after,
            decline_code=str(error["decline_code"]) if error.get("decline_code") else None,
        )
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = response.reason_phrase or "Error"
    return ApiError(
        f"The server answered {status} {phrase}.",
        status=status,
        type=_default_type(status),
        code="unexpected_response",
        retry_after=retry_after,
    )


def _default_type(status: int) -> str:
    return _TYPE_BY_STATUS.get(status, "server" if status >= 500 else "invalid_request")


def _retry_after(value: str | None) -> float | None:
    # Only the delay-seconds form; an HTTP-date Retry-After is rare enough to ignore.
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
