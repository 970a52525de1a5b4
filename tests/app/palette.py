"""The command palette as the tests use it: the screen's provider through its public `discover` and
`search` (what the palette itself calls), never its private command list."""

from __future__ import annotations

from textual.screen import Screen

from tui.app import ScreenCommands


async def palette_names(screen: Screen[object]) -> set[str]:
    """The screen's commands the palette lists before anything is typed."""
    return {str(hit.text) async for hit in ScreenCommands(screen).discover()}


async def run_command(screen: Screen[object], name: str) -> None:
    """Type `name` into the palette's search and choose the command called exactly that."""
    hits = [hit async for hit in ScreenCommands(screen).search(name)]
    chosen = next((hit for hit in hits if hit.text == name), None)
    assert chosen is not None, f"no command {name!r}; the palette found {[hit.text for hit in hits]}"
    chosen.command()
