"""Printing a file: hand it to the system's print command (CUPS `lp`, or BSD `lpr`) when there is one."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

PRINT_COMMANDS = ("lp", "lpr")


class PrintError(Exception):
    """The file could not be sent to a printer; `str(err)` says why and where the file is."""


def print_command() -> str | None:
    """The first print command on PATH, or None."""
    for name in PRINT_COMMANDS:
        found = shutil.which(name)
        if found:
            return found
    return None


async def print_file(path: Path) -> str:
    """Send `path` to the printer; returns the command's name. Raises PrintError."""
    command = print_command()
    if command is None:
        raise PrintError(f"No print command (lp or lpr) was found; the PDF is saved at {path}.")
    process = await asyncio.create_subprocess_exec(
        command,
        str(path),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    name = Path(command).name
    if process.returncode != 0:
        reason = err.decode(errors="replace").strip().splitlines()
        detail = f": {reason[-1]}" if reason else ""
        raise PrintError(f"{name} could not print the PDF{detail}. It is saved at {path}.")
    return name
