"""Restricted fields outside the wizard say what they leave out (issue 11 item 12): the guest form, the
statement's and the scheduling dialog's dates, the phone dialog, the clerk's search, the contact subject.
A character a field does not take is named; a 3,600-character paste is refused by its length. Then the
field still does its work: what the server holds afterwards is what the person meant.
"""

from __future__ import annotations

import datetime as dt

import httpx
from textual.widgets import Input, Switch

from tests.app.conftest import (
    api_get,
    customer,
    make_app,
    on_screen,
    open_from_home,
    paste,
    said,
    screen_text,
    wait_for,
    wait_for_text,
)
from tests.app.test_self_service_statement import open_statement
from tui.money import format_cents
from tui.screens.clerk.identity import IdentityCheckScreen
from tui.screens.clerk.search import ClerkSearchScreen
from tui.screens.contact import ContactScreen
from tui.screens.dialogs import PhoneDialog
from tui.screens.guest import GuestHomeScreen, GuestLookupScreen
from tui.screens.login import LoginScreen
from tui.screens.schedule_dialogs import ScheduleDialog
from tui.screens.scheduled import ScheduledPaymentsScreen
from tui.screens.settings import SettingsScreen

SIZE = (100, 40)
CLERK = "clerk@example.com"
DANA = "dana@example.com"
DANA_NUMBER = "4100012345"
LEE = "lee@example.com"
LONG = "x" * 3600  # pasted into a field that takes letters; a digits-only field gets 3,600 digits


async def test_the_guest_form_names_what_it_leaves_out(pay_server) -> None:
    dana, account_id = customer(pay_server, DANA)
    balance = api_get(pay_server, dana, f"/v1/accounts/{account_id}/summary")["balance_due_cents"]
    app = make_app(pay_server.base_url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_screen(pilot, LoginScreen)
        await pilot.press("ctrl+g")
        screen = await on_screen(pilot, GuestLookupScreen)
        number = screen.query_one("#guest-account-number", Input)
        await wait_for(pilot, lambda: app.focused is number, "the account number focused")
        await pilot.press(*"4100-a")
        await said(pilot, "An account number is digits: '-' was left out.")
        await said(pilot, "An account number is digits: 'a' was left out.")
        assert number.value == "4100"
        await pilot.press(*DANA_NUMBER[4:])

        last_name = screen.query_one("#guest-last-name", Input)
        await paste(pilot, last_name, LONG)
        await said(pilot, "That is 3,600 characters; a last name has at most 100 characters.")
        assert last_name.value == ""
        await pilot.press(*"Whitfield", "enter")
        await on_screen(pilot, GuestHomeScreen)
        await wait_for_text(pilot, format_cents(balance))  # the server found Dana's bill


async def test_the_statements_dates_name_what_they_leave_out(live_server, tokens) -> None:
    token = tokens[DANA]
    app = make_app(live_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_statement(pilot)
        start = screen.query_one("#from", Input)
        start.clear()
        await paste(pilot, start, "2" * 3600)
        await said(pilot, "That is 3,600 characters; a date (YYYY-MM-DD) has at most 10 characters.")
        assert start.value == ""
        await pilot.press(*"2026/09/01")
        await said(pilot, "A date is digits and '-', as YYYY-MM-DD: '/' was left out.")
        assert start.value == "20260901"

        start.clear()
        await pilot.press(*"2026-09-01", "enter")
        await wait_for(
            pilot, lambda: screen.start == dt.date(2026, 9, 1) and not screen.loading_more, "range"
        )
        served = api_get(
            live_server,
            token,
            f"/v1/accounts/{screen.account.id}/statement",
            limit=1,
            **{"from": "2026-09-01", "to": screen.end.isoformat()},
        )
        assert f"of {served['total_count']} entries loaded" in screen_text(app)


async def test_the_scheduling_date_names_what_it_leaves_out(pay_server) -> None:
    token, account_id = customer(pay_server, LEE)
    path = f"/v1/accounts/{account_id}/scheduled-payments"
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_from_home(pilot, "S", ScheduledPaymentsScreen)
        await wait_for(pilot, lambda: screen.today is not None, "the scheduled payments")
        await pilot.press("n")
        dialog = await on_screen(pilot, ScheduleDialog)
        date = dialog.query_one("#pay-on", Input)
        tomorrow = date.value
        date.focus()
        await pilot.press("end", "x")
        await said(pilot, "A date is digits and '-', as YYYY-MM-DD: 'x' was left out.")
        assert date.value == tomorrow
        await paste(pilot, date, "2" * 3600)
        await said(pilot, "That is 3,600 characters; a date (YYYY-MM-DD) has at most 10 characters.")
        assert date.value == tomorrow
        await pilot.press("enter")
        await on_screen(pilot, ScheduledPaymentsScreen)
        await wait_for(pilot, lambda: len(screen.items) == 1, "the new row")
    (made,) = api_get(pay_server, token, path)["items"]
    assert made["pay_on"] == tomorrow


async def test_the_phone_dialog_names_what_it_leaves_out(pay_server) -> None:
    token, account_id = customer(pay_server, DANA)
    cleared = httpx.patch(
        f"{pay_server.base_url}/v1/accounts/{account_id}",
        json={"phone": None},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert cleared.status_code == 200, cleared.text
    app = make_app(pay_server.base_url, token)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_from_home(pilot, "s", SettingsScreen)
        await wait_for(pilot, lambda: screen.account is not None, "the account's settings")
        screen.query_one("#sms", Switch).focus()
        await pilot.press("space")
        dialog = await on_screen(pilot, PhoneDialog)
        phone = dialog.query_one("#phone", Input)
        await paste(pilot, phone, "5" * 3600)
        await said(pilot, "That is 3,600 characters; a phone number has at most 20 characters.")
        await paste(pilot, phone, "tel (541) 555-0199")
        await said(pilot, "A phone number is digits, spaces and ( ) + . -: 't', 'e' and 'l' were left out.")
        assert phone.value == " (541) 555-0199"
        await pilot.press("enter")
        await wait_for_text(pilot, "Text notifications are on.")
    held = api_get(pay_server, token, f"/v1/accounts/{account_id}")
    assert held["sms_opt_in"] is True and held["phone"] == "+1 541-555-0199"


async def test_the_clerks_account_number_names_what_it_leaves_out(live_server, tokens) -> None:
    app = make_app(live_server.base_url, tokens[CLERK])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        search = await on_screen(pilot, ClerkSearchScreen)
        number = search.query_one("#account-number", Input)
        await wait_for(pilot, lambda: app.focused is number, "the account number focused")
        await paste(pilot, number, "4" * 3600)
        await said(pilot, "That is 3,600 characters; an account number has at most 10 digits.")
        assert number.value == ""
        await pilot.press(*"4100 ")
        await said(pilot, "An account number is digits: ' ' was left out.")
        assert number.value == "4100"
        await pilot.press(*DANA_NUMBER[4:])
        await wait_for(pilot, lambda: app.focused is search.query_one("#last-name", Input), "moved on")
        await pilot.press(*"whitfield", "enter")
        check = await on_screen(pilot, IdentityCheckScreen)
        assert check.account.account_number == DANA_NUMBER  # the server's match


async def test_the_contact_subject_refuses_a_long_paste_in_words(live_server, tokens) -> None:
    app = make_app(live_server.base_url, tokens[DANA])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_from_home(pilot, "c", ContactScreen)
        subject = screen.query_one("#subject", Input)
        await paste(pilot, subject, LONG)
        await said(pilot, "That is 3,600 characters; a subject has at most 200 characters.")
        assert subject.value == ""
