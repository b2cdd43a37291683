"""Screenshots of pick mode for `docs/tagging.md`: the real embedded view + tagging panel on
the demo shop, offscreen. Run: `.venv/bin/python tests/tagger_ui/doc_screenshots.py`."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "images"


async def shoot(endpoint: Any) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineWidgets import QWebEngineView
    from PySide6.QtWidgets import QHBoxLayout, QWidget

    from desktop_app.services.demo_site import DemoShop
    from desktop_app.services.embedded_browser import EmbeddedBrowser
    from desktop_app.services.http_server import LocalServer
    from desktop_app.services.picker import PickerService
    from desktop_app.views.tagging_panel import TaggingPanel

    server = LocalServer(DemoShop().app, name="docs-shop")
    url = await server.start()
    window = QWidget()
    window.setWindowTitle("PixelBridge — tagging")
    row = QHBoxLayout(window)
    view = QWebEngineView()
    panel = TaggingPanel()
    panel.setFixedWidth(420)
    row.addWidget(view, 1)
    row.addWidget(panel)
    window.resize(1360, 820)
    window.show()
    view.load(QUrl(f"{url}/product/linen-mug"))
    embedded = EmbeddedBrowser(endpoint)
    try:
        page = await embedded.page(lambda u: "/product/" in u)
        await page.wait_for_load_state("load")
        picker = PickerService()
        await picker.attach(page)
        picker.add_listener(panel.on_pick)
        panel.set_platform(None, [], [])
        panel.set_pick_active("element")
        await picker.start("element")
        box = await page.locator("#add-to-cart").bounding_box()
        assert box is not None
        await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        await asyncio.sleep(0.5)  # let the overlay paint before grabbing (screenshot only)
        window.grab().save(str(OUT / "tagging-hover.png"))
        await page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        pick = await picker.next_pick(10)
        assert pick.bundle is not None
        panel.set_match_count(await picker.count_matches(pick.bundle.selectors))
        await picker.start("value")
        price = await page.locator(".product-price .amount").bounding_box()
        assert price is not None
        await page.mouse.click(price["x"] + 5, price["y"] + 5)
        await picker.next_pick(10)
        await page.mouse.move(10, 10)
        await asyncio.sleep(0.5)
        window.grab().save(str(OUT / "tagging-picked.png"))
    finally:
        await embedded.close()
        window.close()
        await server.stop()


def main() -> None:
    import qasync

    sys.path.insert(0, str(ROOT))
    from desktop_app.services.embedded_browser import prepare_environment

    endpoint = prepare_environment()
    from desktop_app.views.qt import QApplication, share_gl_contexts

    share_gl_contexts()
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)
    OUT.mkdir(parents=True, exist_ok=True)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(asyncio.wait_for(shoot(endpoint), 60))
    print(f"wrote {OUT}/tagging-hover.png and tagging-picked.png")
    os._exit(0)


if __name__ == "__main__":
    main()
