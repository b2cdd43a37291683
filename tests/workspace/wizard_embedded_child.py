"""Child process for `test_wizard_embedded.py`: the whole setup wizard as the desktop app shows
it, with the real embedded browser (QWebEngineView, offscreen) driven over CDP, on the demo shop
against the sandbox. A real Qt mouse click on the view picks the shop's Add-to-cart button.

QtWebEngine's CDP port must be configured before any QtWebEngine object exists in the process,
so this runs in its own interpreter. Prints one JSON line with what it saw.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


async def scenario(endpoint: Any) -> dict[str, Any]:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from views.page_helpers import until
    from workspace.helpers import SHOP_PIXEL, TOKEN, world

    from desktop_app.services import token_store
    from desktop_app.services.embedded_browser import EmbeddedBrowser
    from desktop_app.services.paths import AppPaths
    from desktop_app.views.setup_launch import build_wizard

    out: dict[str, Any] = {"steps": []}
    paths = AppPaths.default().ensure()
    async with world() as w:
        embedded = EmbeddedBrowser(endpoint)
        wizard = build_wizard(w.graph_url, paths.cache, mode="test", embedded=embedded)
        assert wizard.site_view is not None
        finished: list[Any] = []
        wizard.finished_setup.connect(finished.append)
        wizard.show()
        site = wizard.site_view

        async def step(name: str) -> None:
            ok = await wizard.next_step()
            out["steps"].append([name, ok, wizard.result.text()])
            assert ok, (name, wizard.result.text())

        try:
            # 1. site: shown in the wizard's own embedded view, checked there
            wizard.url_field.setText(w.shop.url)
            await step("site")
            out["view_url"], out["shop_url"] = site.view.current_url(), w.shop.url
            out["site_facts"] = wizard.site_facts.text()
            # 2. Pixel: the id found on the shop is prefilled
            out["pixel_prefilled"] = wizard.pixel_field.text()
            await step("pixel")
            # 3. token: into the (test) keyring, not left in the field
            wizard.token_field.setText(TOKEN)
            await step("token")
            out["token_field"] = wizard.token_field.text()
            out["token_in_keyring"] = token_store.get_token(SHOP_PIXEL) == TOKEN
            # 4. test code
            wizard.code_field.setText("test4242")
            await step("test_code")
            # 5. tagging: no preset for the demo shop, so point at Add to cart in the view
            out["tagging_note"] = wizard.tagging_note.text()
            out["pick_row_visible"] = wizard.pick_row.isVisibleTo(wizard)
            page = await site.page()
            await page.goto(w.shop.product_url())  # the owner opens a product page
            combo = wizard.pick_row.event_combo
            combo.setCurrentIndex(combo.findData("AddToCart"))
            wizard.pick_row.point_button.click()
            await until(lambda: site.picker.mode == "element", 15)
            box = await page.locator("#add-to-cart").bounding_box()
            assert box is not None
            web = site.view.view
            point = QPoint(int(box["x"] + box["width"] / 2), int(box["y"] + box["height"] / 2))
            QTest.mouseClick(
                web.focusProxy() or web,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
                point,
            )
            await until(lambda: bool(wizard.picked_rules), 15)
            out["picked"] = wizard.picked_rules
            out["pick_status"] = wizard.pick_row.status.text()
            out["cart_count"] = await page.locator("#cart-count").inner_text()
            out["rule_boxes"] = [b.text() for b, _ in wizard.rule_boxes]
            await step("tagging")
            out["draft_rules"] = wizard.draft.rules
            # 6. send a test event: reaches the sandbox with the test code
            out["where_to_look"] = wizard.where_to_look.text()
            await step("test_event")
            out["received"] = [e.get("test_event_code") for e in w.sandbox.received(SHOP_PIXEL)]
            # 7. install snippet: carries the picked rule
            out["snippet"] = wizard.snippet_view.toPlainText()
            await step("install")
            out["finished_rules"] = finished[0].rules if finished else None
        finally:
            await site.stop()
            await embedded.close()
            wizard.close()
    return out


def main() -> None:
    from qt_child import run_embedded_scenario

    run_embedded_scenario(scenario, 150)


if __name__ == "__main__":
    main()
