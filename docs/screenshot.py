"""Regenerate docs/screenshot.svg: the demo store's B&A SEF visit at 100×32.

Run from the repository root: ``.venv/bin/python docs/screenshot.py``.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from assessor_tui.demo import make_demo_store
from assessor_tui.plugins.host import load_host
from assessor_tui.tui.app import make_app

NOW = datetime(2026, 11, 23, 10, 40, tzinfo=UTC)
OUT = Path(__file__).with_name("screenshot.svg")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        host = load_host(blocked=())
        session = make_demo_store(Path(folder) / "store", host, now=NOW)
        app = make_app(host=host, data_dir=Path(folder) / "store", session=session,
                       now=lambda: NOW)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            await pilot.press("j", "j", "enter")  # the B&A SEF visit, in progress today
            await pilot.pause(0.3)
            for _ in range(9):
                await pilot.press("j")
            await pilot.pause(0.3)
            OUT.write_text(app.export_screenshot(title="assessor"))
            await pilot.press("ctrl+q")


if __name__ == "__main__":
    asyncio.run(main())
