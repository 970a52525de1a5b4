"""The clerk console: one call at a time.

search -> identity (the caller is checked) -> account (the customer 360) -> the wizard, statement,
history, invoices -> wrap_up (a note and a disposition) -> New call, which drops `call.Call` and every
screen of the account. `lock` hides it all after an idle spell; `audit` shows who did what.
"""
