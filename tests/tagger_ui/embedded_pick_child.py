"""Child process for `test_embedded_view.py`: the desktop app's real embedded browser
(QWebEngineView, offscreen) driven over CDP, with a real Qt mouse click on the view.

QtWebEngine's CDP port must be configured before any QtWebEngine object exists in the
process, so this runs in its own interpreter. Prints one JSON line with what it saw.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


async def scenario(endpoint: Any) -> dict[str, Any]:
    from PySide6.QtCore import QPoint, Qt, QUrl
    from PySide6.QtTest import QTest
    from PySide6.QtWebEngineWidgets import QWebEngineView
    from tagger_ui.pickhelpers import expect_marks, sites_server

    from desktop_app.services.embedded_browser import EmbeddedBrowser
    from desktop_app.services.picker import PickerService
    from desktop_app.views.tagging_panel import TaggingPanel

    out: dict[str, Any] = {}
    async with sites_server() as url:
        view = QWebEngineView()
        view.resize(1000, 800)
        view.show()
        view.load(QUrl(f"{url}/shop.html"))
        embedded = EmbeddedBrowser(endpoint)
        try:
            page = await embedded.page(lambda u: u.endswith("/shop.html"))
            await page.wait_for_load_state("load")
            picker = PickerService()
            await picker.attach(page)
            panel = TaggingPanel()
            saved: list[dict[str, Any]] = []
            panel.rule_saved.connect(saved.append)
            picker.add_listener(panel.on_pick)
            await picker.start("element", sticky=True)
            box = await page.locator("[data-expect=buy-cap] span").bounding_box()
            assert box is not None
            point = QPoint(int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2))
            target = view.focusProxy() or view
            QTest.mouseClick(
                target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
            )
            pick = await picker.next_pick(10)
            out["clicked"] = await page.evaluate("() => document.body.dataset.clicked ?? null")
            assert pick.bundle is not None
            out["selectors"] = pick.bundle.selectors
            out["text"] = pick.bundle.text
            panel.set_match_count(await picker.count_matches(pick.bundle.selectors))
            out["match_label"] = panel.match_label.text()
            panel.save_button.click()
            out["rule"] = saved[0] if saved else None
            async with page.expect_event("load"):
                view.reload()  # a Qt-side reload: the overlay comes back by add_init_script
            out["after_reload"] = await expect_marks(page, pick.bundle.selectors)
            out["picker_after_reload"] = await page.evaluate(
                "() => window.__pixelbridgePicker ? window.__pixelbridgePicker.active() : 'missing'"
            )
        finally:
            await embedded.close()
            view.close()
    return out


def main() -> None:
    from qt_child import run_embedded_scenario

    run_embedded_scenario(scenario, 60)


if __name__ == "__main__":
    main()
