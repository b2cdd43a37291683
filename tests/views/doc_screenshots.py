"""README screenshots rendered by the whole app, offscreen, with the real embedded browser:
`docs/screenshots/main-window.png` (demo finished, side-by-side log) and
`docs/screenshots/tagging.png` (pick mode on the demo shop with the "Tag events" tab).
Run: `.venv/bin/python tests/views/doc_screenshots.py` (the start screen and setup wizard:
`tests/workspace/doc_screenshots.py`)."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PIXELBRIDGE_HOME"] = tempfile.mkdtemp(prefix="pb-shots-")
ROOT = Path(__file__).resolve().parents[2]
# PIXELBRIDGE_SHOTS_DIR: where to write (the test of this script uses a temporary folder).
OUT = Path(os.environ.get("PIXELBRIDGE_SHOTS_DIR") or ROOT / "docs" / "screenshots")
SIZE = (1440, 900)


async def _until(condition: Any, timeout_s: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


async def _point(tagging: Any, button: Any, mode: str) -> None:
    """Press a "point at…" button until pick mode is on. Under load a previous pick's late
    `stop()` can undo a start made right after it (reported to the picker's owner)."""
    for _attempt in range(3):
        await tagging.picker.stop()
        button.click()
        try:
            await _until(lambda: tagging.picker.mode == mode, 5)
            return
        except TimeoutError:
            continue
    raise TimeoutError(f"pick mode {mode} did not start")


async def _settle() -> None:
    # Screenshots only: give QtWebEngine a moment to paint the overlay (not a test).
    await asyncio.sleep(0.8)


async def shoot(shell: Any) -> None:
    main = asyncio.ensure_future(shell.main())
    try:
        await _until(lambda: shell.window is not None and shell.window.isVisible(), 20)
        window = shell.window
        window.resize(*SIZE)
        await _until(lambda: shell.site_tools is not None, 20)
        await _until(lambda: shell.presenter.pairs, 120)
        await _until(lambda: window.model.conversions == 4, 20)
        await _settle()
        window.grab().save(str(OUT / "main-window.png"), "PNG")

        presenter, tagging = shell.presenter, shell.site_tools.tagging
        page = presenter._page_in_use
        await page.goto(presenter.demo.shop.product_url())
        await tagging.refresh_page()
        window.show_tab("tagging")
        panel = window.tagging
        await _point(tagging, panel.point_button, "element")
        box = await page.locator("#add-to-cart").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        await page.mouse.click(x, y)
        await _until(lambda: panel.draft.bundle is not None, 10)
        await _until(lambda: panel.match_label.text().startswith("Matches 1"), 10)
        # The price as the value, save: the rule shows in the list.
        await _point(tagging, panel.value_button, "value")
        price = await page.locator(".product-price .amount").bounding_box()
        await page.mouse.click(price["x"] + 5, price["y"] + 5)
        await _until(panel.save_button.isEnabled, 10)
        panel.save_button.click()
        await _until(lambda: panel.rules.rules_list.count() == 1, 10)
        panel.rules.rules_list.setCurrentRow(0)
        # Pointing again: the outline and label the owner sees while hovering.
        await _point(tagging, panel.point_button, "element")
        await page.mouse.move(x - 5, y)
        await page.mouse.move(x, y)
        await _settle()
        window.grab().save(str(OUT / "tagging.png"), "PNG")
        await tagging.picker.stop()
    finally:
        shell.request_quit()
        await asyncio.wait_for(main, 60)


def main() -> None:
    import qasync

    sys.path.insert(0, str(ROOT))
    from desktop_app.app import DesktopOptions, DesktopShell
    from desktop_app.services.embedded_browser import prepare_environment

    endpoint = prepare_environment()
    from desktop_app.views.qt import QApplication, share_gl_contexts

    share_gl_contexts()
    app = QApplication.instance() or QApplication([])
    OUT.mkdir(parents=True, exist_ok=True)
    options = DesktopOptions(demo=True, exit_after_demo=False, email="ada@example.org")
    shell = DesktopShell(app, options, endpoint)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(asyncio.wait_for(shoot(shell), 240))
    print(f"wrote {OUT}/main-window.png and tagging.png")
    os._exit(0)


if __name__ == "__main__":
    main()
