"""How one part of a payment is paid: a saved method, a new card or a new bank account.

The card number and CVC live only in their two inputs; `method()` reads them into a request model
(secret fields) at the moment the wizard asks, and `clear_secrets()` empties the inputs.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import (
    Checkbox,
    ContentSwitcher,
    Input,
    Label,
    MaskedInput,
    RadioButton,
    RadioSet,
    Static,
)

from tui import cards
from tui.api import NewBankAccount, NewCard, PaymentMethod, SavedMethodRef
from tui.checks import required
from tui.widgets.pay_fields import (
    CardNumberInput,
    Check,
    ExpiryInput,
    FieldProblem,
    SayingInput,
    card_number_complete,
    first_problem,
)

NEW_CARD = "new-card"
NEW_BANK = "new-bank"


class CardForm(Vertical):
    """Number (masked as typed, brand shown), expiry MM/YY, CVC (masked), name and ZIP.

    With `auto_advance` (a clerk typing what the caller reads out), the number, the expiry and the
    CVC each move the focus to the next field once complete and valid, so no Tab is pressed.
    """

    def __init__(
        self, name_on_card: str, today: dt.date, *, auto_advance: bool = False, id: str | None = None
    ) -> None:
        super().__init__(id=id, classes="method-form")
        self.name_on_card = name_on_card
        self.today = today
        self.auto_advance = auto_advance

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label("Card number", classes="field-label")
            yield CardNumberInput(id="card-number")
            yield Static("", classes="brand")
        with Horizontal(classes="field-row"):
            yield Label("Expiry", classes="field-label")
            yield ExpiryInput(
                "00/00",
                placeholder="MM/YY",
                id="card-expiry",
                compact=True,
                validators=[Check(lambda value: cards.expiry_problem(value, self.today))],
                validate_on=["blur", "submitted"],
            )
            yield Label("CVC", classes="field-label-short")
            yield SayingInput(
                placeholder="CVC",
                id="card-cvc",
                what="a security code",
                takes="A security code is digits",
                unit="digits",
                password=True,
                restrict=r"[0-9]*",
                max_length=4,
                compact=True,
                validators=[Check(self._cvc_problem)],
                validate_on=["blur", "submitted"],
            )
            yield Label("ZIP", classes="field-label-short")
            yield SayingInput(
                placeholder="ZIP",
                id="card-zip",
                what="a ZIP code",
                takes="A ZIP code is digits and '-'",
                restrict=r"[0-9-]*",
                max_length=10,
                compact=True,
                validators=[Check(_zip_problem)],
                validate_on=["blur", "submitted"],
            )
        with Horizontal(classes="field-row"):
            yield Label("Name on card", classes="field-label")
            yield SayingInput(
                self.name_on_card,
                placeholder="Name on card",
                id="card-name",
                what="the name on the card",
                compact=True,
                max_length=100,
                validators=[Check(required("name on the card"))],
                validate_on=["blur", "submitted"],
            )

    def _cvc_problem(self, value: str) -> str | None:
        return cards.cvc_problem(value, self.query_one(CardNumberInput).brand)

    @on(Input.Changed, "#card-number")
    def _number_changed(self, event: Input.Changed) -> None:
        brand = self.query_one(CardNumberInput).brand
        self.query_one(".brand", Static).update(brand or "")
        self.query_one("#card-cvc", Input).max_length = cards.cvc_length(brand)
        self._advance_from(event.input, card_number_complete(event.value))

    @on(Input.Changed, "#card-expiry")
    def _expiry_changed(self, event: Input.Changed) -> None:
        complete = len(cards.digits_only(event.value)) == 4
        self._advance_from(event.input, complete and cards.expiry_problem(event.value, self.today) is None)

    @on(Input.Changed, "#card-cvc")
    def _cvc_changed(self, event: Input.Changed) -> None:
        self._advance_from(event.input, self._cvc_problem(event.value) is None)

    _NEXT_FIELD: ClassVar[dict[str, str]] = {
        "card-number": "#card-expiry",
        "card-expiry": "#card-cvc",
        "card-cvc": "#card-zip",
    }

    def _advance_from(self, field: Input, complete: bool) -> None:
        """Focus the next field when this one, focused, was just typed full and right."""
        if not (self.auto_advance and complete and field.has_focus and field.id in self._NEXT_FIELD):
            return
        # At once (not after a refresh): the next key typed goes to the next field.
        self.screen.set_focus(self.query_one(self._NEXT_FIELD[field.id]))

    def read(self, save: bool) -> NewCard:
        """The card as typed, or FieldProblem for the first field that is not right."""
        number = self.query_one(CardNumberInput)
        for field in (
            number,
            self.query_one("#card-expiry", MaskedInput),
            self.query_one("#card-cvc", Input),
            self.query_one("#card-zip", Input),
            self.query_one("#card-name", Input),
        ):
            problem = first_problem(field)
            if problem:
                raise FieldProblem(field, problem)
        month, year = cards.parse_expiry(self.query_one("#card-expiry", MaskedInput).value)
        return NewCard(
            number=number.digits,
            exp_month=month,
            exp_year=year,
            cvc=self.query_one("#card-cvc", Input).value,
            name=self.query_one("#card-name", Input).value.strip(),
            postal_code=self.query_one("#card-zip", Input).value.strip(),
            save=save,
        )

    def clear_secrets(self) -> None:
        self.query_one(CardNumberInput).clear()
        self.query_one("#card-cvc", Input).clear()
        self.query_one(".brand", Static).update("")

    def field_for(self, name: str) -> Widget:
        ids = {
            "number": "#card-number",
            "exp_month": "#card-expiry",
            "exp_year": "#card-expiry",
            "cvc": "#card-cvc",
            "name": "#card-name",
            "postal_code": "#card-zip",
        }
        return self.query_one(ids.get(name, "#card-number"))


def _zip_problem(value: str) -> str | None:
    return (
        None
        if len(cards.digits_only(value)) in (5, 9)
        else "Enter the 5-digit ZIP code of the card's billing address."
    )


class BankForm(Vertical):
    """Routing number (ABA checksum checked as typed), account number, checking or savings, holder."""

    def __init__(self, holder_name: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="method-form")
        self.holder_name = holder_name

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label("Routing number", classes="field-label")
            yield SayingInput(
                placeholder="9 digits",
                id="bank-routing",
                what="a routing number",
                takes="A routing number is digits",
                unit="digits",
                restrict=r"[0-9]*",
                max_length=9,
                compact=True,
                validators=[Check(cards.routing_problem)],
                validate_on=["blur", "submitted"],
            )
        with Horizontal(classes="field-row"):
            yield Label("Account number", classes="field-label")
            yield SayingInput(
                placeholder="4 to 17 digits",
                id="bank-account",
                what="a bank account number",
                takes="A bank account number is digits",
                unit="digits",
                restrict=r"[0-9]*",
                max_length=17,
                compact=True,
                validators=[Check(cards.bank_account_problem)],
                validate_on=["blur", "submitted"],
            )
        with Horizontal(classes="field-row"):
            yield Label("Account type", classes="field-label")
            with RadioSet(id="bank-type", compact=True):
                yield RadioButton("Checking", value=True, id="checking")
                yield RadioButton("Savings", id="savings")
        with Horizontal(classes="field-row"):
            yield Label("Account holder", classes="field-label")
            yield SayingInput(
                self.holder_name,
                placeholder="Name on the bank account",
                id="bank-holder",
                what="the account holder's name",
                compact=True,
                max_length=100,
                validators=[Check(required("name on the bank account"))],
                validate_on=["blur", "submitted"],
            )

    def read(self, save: bool) -> NewBankAccount:
        for selector in ("#bank-routing", "#bank-account", "#bank-holder"):
            field = self.query_one(selector, Input)
            problem = first_problem(field)
            if problem:
                raise FieldProblem(field, problem)
        pressed = self.query_one("#bank-type", RadioSet).pressed_button
        return NewBankAccount(
            routing_number=self.query_one("#bank-routing", Input).value,
            account_number=self.query_one("#bank-account", Input).value,
            account_type="savings" if pressed is not None and pressed.id == "savings" else "checking",
            holder_name=self.query_one("#bank-holder", Input).value.strip(),
            save=save,
        )

    @property
    def last4(self) -> str:
        return self.query_one("#bank-account", Input).value[-4:]

    def field_for(self, name: str) -> Widget:
        ids = {
            "routing_number": "#bank-routing",
            "account_number": "#bank-account",
            "holder_name": "#bank-holder",
        }
        return self.query_one(ids.get(name, "#bank-routing"))


class MethodPicker(Vertical):
    """Pick a saved method (the default preselected) or type a new card or bank account."""

    def __init__(
        self,
        methods: list[PaymentMethod],
        holder_name: str,
        today: dt.date,
        *,
        title: str = "Pay with",
        allow_save: bool = True,
        clerk: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="method-picker")
        self.allow_save = allow_save  # a guest's one-time payment saves nothing
        # A clerk types the card the caller reads out: a new card is preselected (a saved method is
        # one key away), and its fields move on by themselves.
        self.clerk = clerk
        self.methods = methods
        self.holder_name = holder_name
        self.today = today
        self.title = title

    def compose(self) -> ComposeResult:
        default = next((m for m in self.methods if m.is_default), self.methods[0] if self.methods else None)
        if self.clerk:
            default = None
        yield Static(self.title, classes="section-title")
        with RadioSet(classes="method-choice", compact=True):
            for method in self.methods:
                label = method.display + (" (default)" if method.is_default else "")
                yield RadioButton(label, value=method is default, id=f"saved-{method.id}")
            yield RadioButton("New card", value=default is None, id=NEW_CARD)
            yield RadioButton("New bank account", id=NEW_BANK)
        with ContentSwitcher(initial=None if default else "card-form", classes="method-forms"):
            yield CardForm(self.holder_name, self.today, auto_advance=self.clerk, id="card-form")
            yield BankForm(self.holder_name, id="bank-form")
        yield Checkbox("Save this method for next time", id="save-method", compact=True)

    def on_mount(self) -> None:
        self._show_form()
        # Up and Down move from the method chosen (a RadioSet starts on its first button).
        choice = self.query_one(".method-choice", RadioSet)
        if choice.pressed_index >= 0:
            choice._selected = choice.pressed_index

    @on(RadioSet.Changed, ".method-choice")
    def _choice_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._show_form()
        if self.choice in (NEW_CARD, NEW_BANK) and event.radio_set.has_focus:
            # Chosen by the person: typing goes on in the new form's first field, as it does after
            # "Another amount" and "Split" (a saved method keeps the focus on the list).
            self.call_after_refresh(self._focus_form)

    def _focus_form(self) -> None:
        self.first_field().focus()

    @property
    def choice(self) -> str:
        pressed = self.query_one(".method-choice", RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else NEW_CARD

    @property
    def kind(self) -> str:
        """ "card", "ach" (new or saved) for fees and the phone script."""
        choice = self.choice
        if choice == NEW_CARD:
            return "card"
        if choice == NEW_BANK:
            return "ach"
        saved = self.saved_method
        return saved.type if saved is not None else "card"

    @property
    def saved_method(self) -> PaymentMethod | None:
        choice = self.choice
        return next((m for m in self.methods if f"saved-{m.id}" == choice), None)

    def _show_form(self) -> None:
        choice = self.choice
        switcher = self.query_one(ContentSwitcher)
        switcher.current = {NEW_CARD: "card-form", NEW_BANK: "bank-form"}.get(choice)
        new = choice in (NEW_CARD, NEW_BANK)
        self.query_one("#save-method", Checkbox).display = self.allow_save and new

    def method(self) -> NewCard | NewBankAccount | SavedMethodRef:
        choice = self.choice
        save = self.allow_save and self.query_one("#save-method", Checkbox).value
        if choice == NEW_CARD:
            return self.query_one(CardForm).read(save)
        if choice == NEW_BANK:
            return self.query_one(BankForm).read(save)
        saved = self.saved_method
        if saved is None:
            raise FieldProblem(None, "Choose how to pay.")
        return SavedMethodRef(payment_method_id=saved.id)

    @property
    def bank_last4(self) -> str | None:
        if self.choice == NEW_BANK:
            return self.query_one(BankForm).last4
        saved = self.saved_method
        return saved.last4 if saved is not None and saved.type == "ach" else None

    def clear_secrets(self) -> None:
        self.query_one(CardForm).clear_secrets()

    def first_field(self) -> Widget:
        """Where typing starts: a new card's number, a new bank account's routing number, else the list."""
        if self.choice == NEW_CARD:
            return self.query_one(CardNumberInput)
        if self.choice == NEW_BANK:
            return self.query_one("#bank-routing", Input)
        return self.query_one(".method-choice", RadioSet)

    def field_for(self, name: str) -> Widget:
        """The widget a server `param` tail such as `number` or `routing_number` points to."""
        choice = self.choice
        if choice == NEW_CARD:
            return self.query_one(CardForm).field_for(name)
        if choice == NEW_BANK:
            return self.query_one(BankForm).field_for(name)
        return self.query_one(".method-choice", RadioSet)
