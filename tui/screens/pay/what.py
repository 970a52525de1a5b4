"""Step 1, what is paid: the selected invoices (each paid in full, skipped or edited), or the
balance due or another amount. This step owns its fields and reads them into the payment's target.

For a clerk on the phone, Enter goes on from this step (GoOn): the balance is preselected, so one
key takes the whole balance; an invoice's amount is edited with Ctrl+E.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, RadioButton, RadioSet, Static

from tui.money import format_cents, input_dollars
from tui.screens.pay.lines import InvoiceLine, PayInvoicesTable
from tui.screens.pay.request import amount_target, invoices_target
from tui.widgets.pay_fields import FieldProblem, MoneyInput, point_at

if TYPE_CHECKING:
    from tui.api import InvoiceRow, Summary
    from tui.api.requests import Target
    from tui.screens.pay.problems import Spot

INVOICES_HINT = "Space pays or skips an invoice · Enter or Ctrl+E edits its amount"
CLERK_INVOICES_HINT = "Space pays or skips an invoice · Ctrl+E edits its amount · Enter goes on"
AMOUNT_HINT = "Above the balance due, the rest becomes account credit."


class Say(Protocol):
    """The wizard's status line: `say(text)`, or `say(text, error=True)`."""

    def __call__(self, text: str, *, error: bool = False) -> None: ...


class AmountChoice(RadioSet):
    """Balance due or another amount. Enter on the choice already made posts GoOn (a clerk's one key
    on; a customer's step posts nothing, as before): Enter on another choice makes it, as Space does."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose_or_go_on", "Choose", id="pay.choose_amount", show=False),
    ]

    class GoOn(Message):
        """Enter on the choice already made: go on to the next step."""

    def __init__(self, *buttons: RadioButton, go_on_enter: bool, id: str) -> None:
        super().__init__(*buttons, id=id, compact=True)
        self.go_on_enter = go_on_enter

    def on_mount(self) -> None:
        if self.go_on_enter and self.pressed_index >= 0:
            self._selected = self.pressed_index  # Enter on the choice made goes on

    def action_choose_or_go_on(self) -> None:
        highlighted = self._selected
        if self.go_on_enter and (highlighted is None or highlighted == self.pressed_index):
            self.post_message(self.GoOn())
            return
        self.action_toggle_button()


class WhatYouPay(VerticalScroll):
    """Filled once the summary is known (`fill`); posts Changed when the amount to pay may have moved."""

    class Changed(Message):
        """What step 1 pays may have changed (step 2 shows what is left for a second method)."""

    class GoOn(Message):
        """A clerk pressed Enter on this step: it is ready, go on (the wizard checks it first)."""

    def __init__(
        self, invoices: list[InvoiceRow], say: Say, *, clerk: bool = False, id: str, classes: str
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.lines = [InvoiceLine(row, row.balance_cents) for row in invoices]
        self.by_invoices = bool(self.lines)
        self.clerk = clerk  # Enter goes on (GoOn) instead of choosing or editing
        self.say = say
        self.summary: Summary | None = None
        self.editing: int | None = None  # the line whose amount is being edited

    async def fill(self, summary: Summary) -> None:
        self.summary = summary
        await self.remove_children()
        widgets: list[Widget] = [Static("", id="overview")]
        if self.by_invoices:
            widgets += [
                PayInvoicesTable(id="pay-invoices", cursor_type="row", zebra_stripes=True),
                Horizontal(Label("", id="edit-label"), MoneyInput(id="edit-amount"), id="edit-row"),
                Static(CLERK_INVOICES_HINT if self.clerk else INVOICES_HINT, classes="hint"),
            ]
        else:
            balance = summary.balance_due_cents
            widgets += [
                AmountChoice(
                    RadioButton(
                        f"Balance due ({format_cents(balance)})", value=balance > 0, id="pay-balance"
                    ),
                    RadioButton("Another amount", value=balance <= 0, id="pay-other"),
                    go_on_enter=self.clerk,
                    id="amount-choice",
                ),
                Horizontal(
                    Label("Amount", classes="field-label"), MoneyInput(id="custom-amount"), id="custom-row"
                ),
                Static(AMOUNT_HINT, classes="hint"),
            ]
        await self.mount_all(widgets)
        if self.by_invoices:
            self._table.show(self.lines)
            self.query_one("#edit-row").display = False
            self._show_overview()
        else:
            self._amount_choice_changed()

    @property
    def _table(self) -> PayInvoicesTable:
        return self.query_one(PayInvoicesTable)

    # ---- what is paid ------------------------------------------------------------------------------

    def amount_to_pay(self) -> int:
        if self.by_invoices:
            return sum(line.amount_cents for line in self.lines if line.included)
        if self.pays_balance():
            return self.summary.balance_due_cents if self.summary else 0
        try:
            return self.query_one("#custom-amount", MoneyInput).cents
        except FieldProblem:
            return 0

    def pays_balance(self) -> bool:
        pressed = self.query_one("#amount-choice", RadioSet).pressed_button
        return pressed is not None and pressed.id == "pay-balance"

    def check(self) -> None:
        """Raise FieldProblem unless step 1 says what to pay (an open edit is kept first)."""
        if self.editing is not None and not self._apply_edit():
            raise FieldProblem(None, "")
        if self.by_invoices:
            if not any(line.included for line in self.lines):
                raise FieldProblem(self._table, "Choose at least one invoice to pay (Space).")
        elif not self.pays_balance():
            self.query_one("#custom-amount", MoneyInput).cents  # raises FieldProblem  # noqa: B018
        elif self.amount_to_pay() <= 0:
            raise FieldProblem(
                self.query_one("#amount-choice"), "There is no balance due: choose Another amount."
            )

    def target(self) -> Target:
        """What the payment pays, for the request; raises FieldProblem on an amount it cannot read."""
        if self.by_invoices:
            return invoices_target(self.lines)
        if self.pays_balance():
            return amount_target(None)
        return amount_target(self.query_one("#custom-amount", MoneyInput).cents)

    def field_for(self, spot: Spot) -> Widget:
        """The field the server's problem is about; on an invoice, the cursor goes to its row."""
        if not self.by_invoices:
            return self.query_one("#amount-choice" if self.pays_balance() else "#custom-amount")
        table = self._table
        if spot.index is not None:
            sent = [i for i, line in enumerate(self.lines) if line.included]
            if spot.index < len(sent):
                table.move_cursor(row=sent[spot.index], animate=False)
        return table

    def first_field(self) -> Widget:
        if self.by_invoices:
            return self._table
        if self.clerk and not self.pays_balance():
            return self.query_one("#custom-amount")  # no balance due: the amount is what is typed next
        return self.query_one("#amount-choice")

    def _show_overview(self) -> None:
        summary = self.summary
        overdue = format_cents(summary.past_due_cents) if summary else "—"
        balance = format_cents(summary.balance_due_cents) if summary else "—"
        lines = [
            f"[dim]Overdue balance[/dim] [b]{overdue}[/b]   [dim]Balance[/dim] [b]{balance}[/b]",
            f"[dim]Amount selected[/dim] [b]{format_cents(self.amount_to_pay())}[/b]",
        ]
        if self.by_invoices:
            count = sum(1 for line in self.lines if line.included)
            lines[1] += f"   [dim]Invoices to pay[/dim] [b]{count}[/b]"
        self.query_one("#overview", Static).update("\n".join(lines))
        self.post_message(self.Changed())

    @on(RadioSet.Changed, "#amount-choice")
    def _amount_choice_changed(self) -> None:
        other = not self.pays_balance()
        self.query_one("#custom-row").display = other
        self._show_overview()
        if other and self.display:  # shown: step 1 is the current step
            self.query_one("#custom-amount", MoneyInput).focus()

    @on(Input.Changed, "#custom-amount")
    def _amount_typed(self) -> None:
        self._show_overview()

    @on(Input.Submitted, "#edit-amount")
    def _edit_submitted(self, event: Input.Submitted) -> None:
        # Enter keeps the amount and shows the new total; it does not also go on to step 2 (the
        # wizard's Enter-continues rule is for the other fields). Ctrl+S, or Enter again, goes on.
        event.stop()
        if self.editing is None:
            return
        line = self.lines[self.editing]
        if self._apply_edit():
            key = "Enter or Ctrl+S" if self.clerk else "Ctrl+S"
            self.say(
                f"{line.row.number} pays {format_cents(line.amount_cents)}; the amount selected is now "
                f"{format_cents(self.amount_to_pay())}. {key} goes on."
            )

    # ---- the invoice lines -------------------------------------------------------------------------

    @on(PayInvoicesTable.ToggleLine)
    def _toggle_line(self, event: PayInvoicesTable.ToggleLine) -> None:
        event.stop()
        line = self.lines[event.index]
        line.included = not line.included
        self._table.show(self.lines)
        self._show_overview()

    @on(PayInvoicesTable.EditLine)
    def _edit_key(self, event: PayInvoicesTable.EditLine) -> None:
        event.stop()
        self.edit_line(event.index)

    @on(DataTable.RowSelected, "#pay-invoices")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if self.clerk:
            self.post_message(self.GoOn())
            return
        self.edit_line(event.cursor_row)

    @on(AmountChoice.GoOn)
    def _choice_go_on(self, event: AmountChoice.GoOn) -> None:
        event.stop()
        self.post_message(self.GoOn())

    def edit_line(self, index: int) -> None:
        line = self.lines[index]
        if line.row.is_multi_site:
            self.say(
                "A multi-site invoice is paid in full here; to pay part of it, expand it on the home "
                "screen (e) and select its sites one by one.",
                error=True,
            )
            return
        self.editing = index
        self.query_one("#edit-label", Label).update(f"Pay on {line.row.number}")
        field = self.query_one("#edit-amount", MoneyInput)
        field.value = input_dollars(line.amount_cents)
        self.query_one("#edit-row").display = True
        self.say(f"Up to {format_cents(line.row.balance_cents)}. Enter keeps the amount, Escape cancels.")
        field.focus()

    def _apply_edit(self) -> bool:
        if self.editing is None:
            return True
        line = self.lines[self.editing]
        field = self.query_one("#edit-amount", MoneyInput)
        try:
            cents = field.cents
        except FieldProblem as problem:
            self.say(problem.message, error=True)
            point_at(field)
            return False
        if cents > line.row.balance_cents:
            self.say(
                f"{line.row.number} has {format_cents(line.row.balance_cents)} left to pay: "
                "enter that or less.",
                error=True,
            )
            point_at(field)
            return False
        line.amount_cents = cents
        line.included = True
        self.end_edit()
        return True

    def end_edit(self) -> None:
        """Close the amount field: after keeping its amount, or on Escape without."""
        self.editing = None
        self.query_one("#edit-row").display = False
        self.say("")
        self._table.show(self.lines)
        self._show_overview()
        self._table.focus()
