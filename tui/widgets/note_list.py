"""The earlier calls' notes: when, who, how the call ended and what was said."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from tui.api import Note

DISPOSITIONS = {
    "paid": "Paid",
    "promised_to_pay": "Promised to pay",
    "question_answered": "Question answered",
    "dispute": "Dispute",
    "other": "Other",
}


def disposition_label(disposition: str) -> str:
    return DISPOSITIONS.get(disposition, disposition.replace("_", " ").capitalize())


class NoteList(Static):
    """`show(notes, total)`: newest first."""

    def show(self, notes: list[Note], total: int) -> None:
        if not notes:
            self.update("[dim]No notes from earlier calls.[/dim]")
            return
        lines = []
        for note in notes:
            when = note.created_at.astimezone().strftime("%b %d, %Y %H:%M").replace(" 0", " ")
            who = f" · {note.created_by.name}" if note.created_by else ""
            head = f"{when}{who} · {disposition_label(note.disposition)}"
            lines.append(f"[b]{escape(head)}[/b] {escape(note.body)}")
        more = total - len(notes)
        if more > 0:
            lines.append(f"[dim]… and {more} older.[/dim]")
        self.update("\n".join(lines))

    def unavailable(self, text: str) -> None:
        self.update(f"[dim]{escape(text)}[/dim]")
