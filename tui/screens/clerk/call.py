"""What the app remembers of the call in progress, and nothing more.

The app holds exactly one `Call`; New call replaces it with an empty one and closes every screen of
the account, so nothing of the last caller (account, invoices, identity check, payments) stays
reachable. Screens read it through `app.call`; none keeps its own copy beyond its own life.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.api import Account, AccountMatch, IdentityCheck, Note, Payment


@dataclass
class Call:
    match: AccountMatch | None = None  # the account the clerk opened from the search
    account: Account | None = None  # as the server had it when the identity check began
    identity_check: IdentityCheck | None = None
    payments: list[Payment] = field(default_factory=list)  # taken in this call
    wrap_up: Note | None = None

    @property
    def opened(self) -> bool:
        return self.match is not None

    @property
    def verified(self) -> bool:
        return self.identity_check is not None and self.identity_check.passed

    @property
    def check_failed(self) -> bool:
        return self.identity_check is not None and not self.identity_check.passed

    @property
    def needs_wrap_up(self) -> bool:
        return self.opened and self.wrap_up is None

    def is_empty(self) -> bool:
        return self == Call()
