"""Documented error answers shared by the routes (the OpenAPI document lists them)."""

from __future__ import annotations

from typing import Any

from backend_stub.schemas import ErrorBody


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Bad input: `param` names the field.",
        401: "Not signed in, or a wrong or expired code.",
        403: "Not allowed for this role.",
        404: "No such resource (or not yours).",
        429: "Too many tries or requests.",
    }
    return {status: {"model": ErrorBody, "description": text[status]} for status in statuses}
