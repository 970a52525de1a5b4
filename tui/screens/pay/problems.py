"""Where a problem the server names (its `param`) is fixed in the wizard: the step and the field.

The server says `receipt_email`, `target.invoices[2].amount_cents`, `parts[1].method.cvc`,
`authorization`, ...; `spot_for` reads that into a Spot, and the step named finds its own widget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Step = Literal["what", "how", "review", "receipt"]
Field = Literal["", "receipt_email", "target", "part_amount", "method", "agreed"]

_INVOICE = re.compile(r"target\.invoices\[(\d+)\]")
_PART = re.compile(r"parts\[(\d+)\](?:\.(\w+))?(?:\.(\w+))?")


@dataclass(frozen=True)
class Spot:
    """A step and one of its fields; `step` None means wherever the person is, no field."""

    step: Step | None = None
    field: Field = ""
    index: int | None = None  # which invoice sent (target.invoices[i]) or which part (parts[i])
    detail: str = ""  # the method's field: number, exp_month, cvc, routing_number, ...


def spot_for(param: str | None) -> Spot:
    param = param or ""
    if param == "receipt_email":
        return Spot("how", "receipt_email")
    if param.startswith("target"):
        invoice = _INVOICE.match(param)
        return Spot("what", "target", int(invoice[1]) if invoice else None)
    part = _PART.match(param)
    if part or param == "parts":
        index = int(part[1]) if part else 0
        if part is None or part[2] == "amount_cents":
            return Spot("how", "part_amount", index)
        return Spot("how", "method", index, part[3] or "number")
    if param.startswith("authorization"):
        return Spot("review", "agreed")
    return Spot()
