"""The yardsticks: the smallest Textual apps doing what a Paydesk figure times, measured in the same run.

python benchmarks/bare_app.py            a label and an input (cold start to the first frame);
                                         `n` opens a second screen, Escape closes it (key to screen)
python benchmarks/bare_app.py --table N  a DataTable of N rows, the cursor on the first (key to frame)
"""

import sys
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label

COLUMNS = ("Number", "Site", "Issued", "Due", "Amount", "Balance", "Status")


class Second(Screen[None]):
    BINDINGS: ClassVar = [("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Label("A second screen")


class Bare(App[None]):
    BINDINGS: ClassVar = [("n", "push_screen('second')", "Second screen")]
    SCREENS: ClassVar = {"second": Second}
    AUTO_FOCUS = None  # keys go to the app's bindings, as on a Paydesk screen with a table

    def compose(self) -> ComposeResult:
        yield Label("Hello from a bare Textual app")
        yield Input(placeholder="you@example.com")


class BareTable(App[None]):
    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Label("Hello from a bare Textual table")
        yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for n in range(self.rows):
            table.add_row(f"INV-{n:05d}", "", "Nov 1, 2026", "Nov 22, 2026", "$91.70", "$91.70", "Open")
        table.focus()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--table":
        BareTable(int(sys.argv[2])).run()
    else:
        Bare().run()
