"""Screenshots for the docs: the start screen and the setup wizard (with the embedded browser,
as the desktop app shows it), rendered offscreen by the app's own widgets.
Run: `.venv/bin/python tests/workspace/doc_screenshots.py`."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PIXELBRIDGE_HOME"] = tempfile.mkdtemp(prefix="pb-shots-")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "memkeyring.MemoryKeyring")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "docs" / "screenshots"


async def shoot(endpoint: Any) -> None:
    from views.page_helpers import until
    from workspace.helpers import world

    from desktop_app.services.embedded_browser import EmbeddedBrowser
    from desktop_app.services.paths import AppPaths
    from desktop_app.services.workspaces import Workspace
    from desktop_app.views.qt import QApplication
    from desktop_app.views.setup_launch import build_wizard
    from desktop_app.views.start_screen import StartScreen

    now = time.time()
    screen = StartScreen()
    screen.show_workspaces(
        [
            Workspace(
                "a",
                "Linen & Co shop",
                "https://linenandco.com",
                "1234567890123456",
                opened_at=now - 600,
            ),
            Workspace(
                "b",
                "Yoga course (Kajabi)",
                "https://yoga-with-ana.mykajabi.com",
                "6543210987654321",
                opened_at=now - 3 * 86400,
            ),
            Workspace(
                "c",
                "Client: Bakery Webflow",
                "https://bakery.example",
                "",
                opened_at=now - 9 * 86400,
            ),
        ],
        now=now,
    )
    screen.show()
    QApplication.processEvents()
    screen.grab().save(str(OUT / "start-screen.png"), "PNG")

    async with world() as w:
        # As the desktop app shows it: the shop in the wizard's embedded browser, beside the
        # steps; the tagging step after pointing at the shop's Add-to-cart button.
        embedded = EmbeddedBrowser(endpoint)
        wizard = build_wizard(w.graph_url, AppPaths.default().data, mode="test", embedded=embedded)
        site = wizard.site_view
        assert site is not None
        wizard.show()
        wizard.url_field.setText(w.shop.url)
        assert await wizard.next_step(), wizard.result.text()
        wizard.pixel_field.setText(wizard.pixel_field.text() or "1234567890123456")
        assert await wizard.next_step()
        wizard.token_field.setText("EAAexample" + "x" * 40)
        assert await wizard.next_step(), wizard.result.text()
        wizard.code_field.setText("TEST4242")
        assert await wizard.next_step()
        page = await site.page()
        await page.goto(w.shop.product_url())
        wizard.pick_row.point_button.click()
        await until(lambda: site.picker.mode == "element", 15)
        box = await page.locator("#add-to-cart").bounding_box()
        assert box is not None
        await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        await until(lambda: bool(wizard.picked_rules), 15)
        await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        await asyncio.sleep(0.5)  # let the view paint its last frame (no nested loop)
        QApplication.processEvents()
        wizard.grab().save(str(OUT / "setup-wizard.png"), "PNG")
        assert await wizard.next_step()
        assert await wizard.next_step(), wizard.result.text()
        await asyncio.sleep(0.3)
        QApplication.processEvents()
        wizard.grab().save(str(OUT / "setup-wizard-install.png"), "PNG")
        await site.stop()
        await embedded.close()
        wizard.close()
        wizard.deleteLater()
    screen.close()
    screen.deleteLater()
    await asyncio.sleep(0)
    QApplication.processEvents()


def main() -> None:
    import qasync

    from desktop_app.services.embedded_browser import prepare_environment

    endpoint = prepare_environment()  # before any QtWebEngine object exists
    from desktop_app.views.qt import QApplication, share_gl_contexts

    share_gl_contexts()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(asyncio.wait_for(shoot(endpoint), 180))
    print("saved", *sorted(p.name for p in OUT.glob("s*-*.png")), flush=True)
    os._exit(0)  # QtWebEngine's teardown at interpreter exit is not part of the screenshots


if __name__ == "__main__":
    main()
