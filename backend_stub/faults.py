"""The fault hook for crash tests: `PAYDESK_FAULT=<point>` (env only, read into Settings.fault) makes the
server exit at once, without cleaning up, when a payment reaches that point. A leaf module."""

from __future__ import annotations

import os
import sys

# The points of a payment, in order: its intent committed; the first of several parts authorised; every
# part authorised; the payment recorded (committed); the card parts captured.
FAULT_POINTS = ("after_intent", "after_first_part", "after_authorize", "after_record", "after_capture")
EXIT_STATUS = 86


def reached(fault: str | None, point: str) -> None:
    """Exit the process now if `fault` names `point` (as a power cut would: no finally, no flush but ours)."""
    if fault == point:
        sys.stderr.write(f"paydesk-stub: PAYDESK_FAULT {point}: exiting now\n")
        sys.stderr.flush()
        os._exit(EXIT_STATUS)
