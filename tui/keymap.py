"""The keys a person may remap: `[keymap]` in config.toml maps a binding id to keys.

`BINDING_IDS` lists the id of every Paydesk binding, so a keymap can be checked at start without
importing every screen (start-up stays fast); tests/app/test_keymap.py keeps it equal to the ids the
bindings really carry, and `python -m tui.keymap` writes the table in docs/KEYMAP.md.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping

BINDING_IDS: frozenset[str] = frozenset({
    "app.demo_clock", "app.demo_inbox", "app.keys", "app.logout", "app.new_call", "app.wrap_up",
    "audit.account", "audit.back", "audit.mine", "audit.refresh", "clerk.new_search",
    "contact.back", "contact.send", "customer.audit", "customer.history", "customer.invoice",
    "customer.notes", "customer.pay", "customer.profile", "customer.refresh", "customer.statement",
    "customer.wrap_up", "demo_clock.cancel", "detail.back", "detail.download_pdf",
    "detail.print_pdf", "detail.refresh", "dialog.cancel", "email_code.close", "email_code.resend",
    "forgot.back", "forgot.have_link", "forgot.send", "guest.back", "guest.find",
    "guest_home.leave", "guest_home.make_payment", "guest_home.pay", "history.back",
    "history.refresh", "history.refund", "history.void", "home.accounts", "home.contact",
    "home.dismiss_notice", "home.make_payment", "home.methods", "home.pay", "home.payment_history",
    "home.refresh", "home.scheduled", "home.settings", "home.statement", "home.tab_all",
    "home.tab_in_progress", "home.tab_open", "home.tab_paid", "identity.back", "identity.confirm",
    "identity.fail", "identity.note", "invoices.select", "invoices.select_all",
    "invoices.toggle_sites", "lock.send_code", "lock.someone_else", "login.forgot_password",
    "login.guest_pay", "login.password", "login.send_code", "login.sign_up", "method_dialog.cancel",
    "method_dialog.save", "methods.add_bank", "methods.add_card", "methods.back", "methods.default",
    "methods.refresh", "methods.remove", "password_login.back", "password_login.forgot",
    "password_login.sign_in", "pay.back", "pay.choose_amount", "pay.continue", "pay.edit_amount",
    "pay.toggle_invoice", "pay_dialog.cancel", "payment.back", "schedule_dialog.cancel",
    "schedule_dialog.save", "scheduled.back", "scheduled.cancel", "scheduled.change",
    "scheduled.new", "scheduled.refresh", "set_password.back", "set_password.save", "settings.back",
    "settings.email_code", "settings.methods", "settings.refresh", "settings.save_profile",
    "signup.back", "signup.have_link", "signup.send", "statement.back", "statement.export_csv",
    "statement.months_12", "statement.months_3", "statement.months_36", "statement.range",
    "unavailable.close", "unavailable.retry", "undo_dialog.cancel", "verify.change_email",
    "verify.resend", "wrap_up.cancel", "wrap_up.save",
})  # fmt: skip

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def check_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The entries that can be applied, and one sentence for each that cannot (then left out)."""
    usable: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        if binding_id not in BINDING_IDS:
            problems.append(f"{binding_id} is not a Paydesk key (docs/KEYMAP.md lists them)")
            continue
        bad = [key for key in _split(keys) if not is_key(key)]
        if not _split(keys) or bad:
            shown = ", ".join(repr(key) for key in bad) or repr(keys)
            problems.append(f"{binding_id}: {shown} is not a key (write keys such as f5, ctrl+p or x)")
            continue
        usable[binding_id] = ",".join(_split(keys))
    return usable, problems


def is_key(key: str) -> bool:
    """A key as Textual names it: a character or a key name, after any modifiers (`ctrl+shift+f5`)."""
    from textual.keys import Keys, key_to_character

    *modifiers, name = key.split("+")
    if not name or any(m not in MODIFIERS for m in modifiers):
        return False
    if len(name) == 1 and name.isprintable():
        return True
    return name in {k.value for k in Keys} or key_to_character(name) is not None


def _split(keys: str) -> list[str]:
    return [key.strip() for key in keys.split(",") if key.strip()]


def binding_rows() -> Iterator[tuple[str, str, str, str]]:
    """(id, default keys, what it does, where) for every binding with an id, read from the classes
    themselves: this imports every module of the app, so it is for the docs and tests only."""
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import tui

    for module in pkgutil.walk_packages(tui.__path__, "tui."):
        if not module.name.startswith(("tui.browser.", "tui.__main__")):
            importlib.import_module(module.name)
    rows: dict[str, tuple[str, str, str]] = {}
    places: dict[str, list[str]] = {}
    for cls in _subclasses(DOMNode):
        if not cls.__module__.startswith("tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                # One id on several screens (home repeats the app's keys to hide them from its footer).
                rows.setdefault(binding.id, (binding.id, binding.key, binding.description))
                where = places.setdefault(binding.id, [])
                if (module := cls.__module__.removeprefix("tui.")) not in where:
                    where.append(module)
    yield from ((*rows[key], ", ".join(sorted(places[key]))) for key in sorted(rows))


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def markdown_table() -> str:
    lines = ["| id | default keys | what it does | where |", "| --- | --- | --- | --- |"]
    for binding_id, keys, description, where in binding_rows():
        lines.append(f"| `{binding_id}` | `{keys}` | {description} | {where} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
