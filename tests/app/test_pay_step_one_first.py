"""The wizard's step 1 shows before step 2's fields are mounted (issue 11, speed); Continue pressed the
moment step 1 shows still lands on a filled step 2."""

from __future__ import annotations

from tests.app.conftest import make_app, on_home, on_screen, screen_text, wait_for
from tests.support.stub import StubServer
from tui.screens.pay import PayScreen
from tui.widgets.method_picker import MethodPicker

SIZE = (100, 40)
LEE = "lee@example.com"


async def test_continue_at_once_reaches_a_filled_step_two(
    live_server: StubServer, tokens: dict[str, str]
) -> None:
    app = make_app(live_server.base_url, tokens[LEE])
    async with app.run_test(size=SIZE) as pilot:
        await on_home(pilot)
        await pilot.press("m")
        wizard = await on_screen(pilot, PayScreen)
        await wait_for(pilot, lambda: wizard.summary is not None and wizard.step == "what", "step 1")
        await pilot.press("ctrl+s")  # at once: step 2 may still be mounting
        await wait_for(pilot, lambda: wizard.step == "how", "step 2")
        await wait_for(pilot, lambda: "Step 2 of 3" in screen_text(app), "step 2 on screen")
        assert wizard.query_one("#method-1", MethodPicker).is_mounted
        assert "Visa •••• 4242" in screen_text(app)  # Lee's saved card, from the server
        await pilot.press("escape")
        await wait_for(pilot, lambda: wizard.step == "what", "back to step 1")
        assert "Step 1 of 3" in screen_text(app)
