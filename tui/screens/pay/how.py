"""Step 2, how it is paid: one method or two (split), and the receipt email.

This step owns the method pickers, so it is also where the card number and CVC are typed and where
they are emptied (`forget_secrets`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Static

from tui.checks import email_problem, required
from tui.money import format_cents
from tui.screens.pay.request import payment_parts
from tui.widgets.method_picker import MethodPicker
from tui.widgets.pay_fields import Check, FieldProblem, MoneyInput, first_problem

if TYPE_CHECKING:
    import datetime as dt

    from tui.api import PartIn, PaymentMethod
    from tui.screens.pay.problems import Spot

_no_receipt_email = required("email address for the receipt")


def receipt_email_problem(value: str) -> str | None:
    return _no_receipt_email(value) or email_problem(value)


class HowYouPay(VerticalScroll):
    """Filled once the methods are known (`fill`); `amount_to_pay` is what step 1 says is paid."""

    def __init__(
        self,
        amount_to_pay: Callable[[], int],
        *,
        guest: bool,
        clerk: bool = False,
        id: str,
        classes: str,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.amount_to_pay = amount_to_pay
        # A guest (pay without an account) sees no saved methods and saves none.
        self.guest = guest
        # A clerk starts in a new card's number, and its fields move on by themselves.
        self.clerk = clerk

    async def fill(
        self, methods: list[PaymentMethod], customer_name: str, email: str, today: dt.date
    ) -> None:
        await self.remove_children()
        allow_save = not self.guest
        await self.mount_all(
            [
                MethodPicker(
                    methods, customer_name, today, allow_save=allow_save, clerk=self.clerk, id="method-1"
                ),
                Checkbox("Split across two methods", id="split", compact=True),
                Vertical(
                    Horizontal(
                        Label("First method pays", classes="field-label"),
                        MoneyInput(id="first-amount"),
                        Static("", id="split-rest"),
                        classes="field-row",
                    ),
                    MethodPicker(
                        methods,
                        customer_name,
                        today,
                        title="The rest with",
                        allow_save=allow_save,
                        clerk=self.clerk,
                        id="method-2",
                    ),
                    id="split-box",
                ),
                Horizontal(
                    Label("Receipt email", classes="field-label"),
                    Input(
                        email,
                        id="receipt-email",
                        compact=True,
                        validators=[Check(receipt_email_problem)],
                        validate_on=["blur", "submitted"],
                    ),
                    classes="field-row",
                ),
            ]
        )
        self.query_one("#split-box").display = False

    def splitting(self) -> bool:
        return self.query_one("#split", Checkbox).value

    def pickers(self) -> list[MethodPicker]:
        found = [self.query_one("#method-1", MethodPicker)]
        if self.splitting():
            found.append(self.query_one("#method-2", MethodPicker))
        return found

    def parts(self) -> list[PartIn]:
        """The payment's parts; raises FieldProblem on a method or split amount that is not right."""
        pickers = self.pickers()
        if len(pickers) == 1:
            return payment_parts([pickers[0].method()])
        first_field = self.query_one("#first-amount", MoneyInput)
        first = first_field.cents
        total = self.amount_to_pay()
        if first >= total:
            raise FieldProblem(
                first_field,
                f"The first method must pay less than {format_cents(total)}, so the rest goes to the second.",
            )
        return payment_parts([pickers[0].method(), pickers[1].method()], first)

    def receipt_email(self) -> str:
        field = self.query_one("#receipt-email", Input)
        problem = first_problem(field)
        if problem:
            raise FieldProblem(field, problem)
        return field.value.strip()

    def field_for(self, spot: Spot) -> Widget:
        if spot.field == "receipt_email":
            return self.query_one("#receipt-email")
        pickers = self.pickers()
        picker = pickers[min(spot.index or 0, len(pickers) - 1)]
        if spot.field == "part_amount":
            return self.query_one("#first-amount") if self.splitting() else picker
        return picker.field_for(spot.detail or "number")

    def first_field(self) -> Widget:
        """Where the person types next: the card number, the routing number, or the saved methods' list."""
        return self.query_one("#method-1", MethodPicker).first_field()

    def forget_secrets(self) -> None:
        """Empty every card number and CVC input."""
        for picker in self.query(MethodPicker):
            picker.clear_secrets()

    def show_rest(self) -> None:
        """Beside the first method's amount: what the second method pays."""
        found = self.query("#split-rest")
        if not found:
            return
        rest = found.first(Static)
        try:
            first = self.query_one("#first-amount", MoneyInput).cents
        except FieldProblem:
            rest.update("")
            return
        left = self.amount_to_pay() - first
        rest.update(f"the rest, {format_cents(left)}, below" if left > 0 else "")

    @on(Checkbox.Changed, "#split")
    def _split_changed(self, event: Checkbox.Changed) -> None:
        self.query_one("#split-box").display = event.value
        if event.value:
            self.query_one("#first-amount", MoneyInput).focus()
        self.show_rest()

    @on(Input.Changed, "#first-amount")
    def _first_amount_typed(self) -> None:
        self.show_rest()
