"""Where downloaded files go: the user's downloads folder, or `PAYDESK_DOWNLOAD_DIR` (tests use it)."""

from __future__ import annotations

import os
import re
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def downloads_dir() -> Path:
    override = os.environ.get("PAYDESK_DOWNLOAD_DIR")
    if override:
        return Path(override)
    import platformdirs  # lazily: only a download pays for it

    return Path(platformdirs.user_downloads_dir())


def safe_name(name: str) -> str:
    """A file name from server text (an invoice number, an account number): no folders, no oddities."""
    cleaned = _UNSAFE.sub("-", name).strip(".-")
    return cleaned or "download"


def free_name(path: Path) -> Path:
    """The first name beside `path` that is not taken: "invoice-INV-1.pdf" -> "invoice-INV-1(2).pdf"."""
    number = 2
    while True:
        candidate = path.with_name(f"{path.stem}({number}){path.suffix}")
        if not candidate.exists():
            return candidate
        number += 1


def save_file(content: bytes, name: str, path: Path | None = None) -> Path:
    """Write `content` to `path`, or to `name` in the downloads folder; returns where it went.

    Written to a temporary name first, so a half-written file never takes the real name.
    Raises OSError (with the reason) when the folder cannot be made or written.
    """
    target = (path or downloads_dir() / safe_name(name)).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(content)
    os.replace(tmp, target)
    return target.resolve()
