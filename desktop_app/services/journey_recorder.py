"""Record a visitor journey in a Playwright page (the embedded browser): goto, click and fill
steps in the JSON that `services/journey.py` replays (`pixelbridge verify --journey`). Qt-free.

Customer details typed into the page are never kept: a field that looks like an email, phone,
name or address field gets a fixed placeholder instead of what was typed, decided in the page
(so the typed value is not even sent) and again here from the field's description.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from desktop_app.services.page_locator import locator_script
from desktop_app.tagger.locators import classify_field

if TYPE_CHECKING:
    from playwright.async_api import Frame, Page

logger = logging.getLogger(__name__)

BINDING = "__pixelbridgeRecord"
# Replay needs a value a form accepts; these are obviously not anyone's real details.
PLACEHOLDERS: dict[str, str] = {
    "email": "customer@example.com",
    "phone": "+15555550100",
    "first_name": "Test",
    "last_name": "Customer",
    "name": "Test Customer",
    "zip": "10001",
    "city": "Testville",
    "country": "US",
    "secret": "",
}
# Navigations this soon after a recorded click on a link or submit button are that click's
# doing: replaying the click repeats them, so no separate goto step.
CLICK_NAVIGATION_S = 3.0

RECORDER_JS = r"""
(() => {
  if (window.__pixelbridgeRecorder) return;
  window.__pixelbridgeRecorder = true;
  const SECRET_TYPES = ["email", "tel", "password"];
  const PERSONAL = /mail|phone|tel|name|address|street|zip|postal|city|country|birth|card|cc-/i;
  const clickable = "a[href], button, input[type=submit], input[type=button], [role=button], " +
    "label, summary, [onclick]";
  function selector(el) {
    const loc = window.__pixelbridgeLocator;
    try {
      const b = loc && loc.bundle(el);
      if (b && b.selectors && b.selectors.length) return b.selectors[0];
    } catch (e) {}
    if (el.id) return "#" + CSS.escape(el.id);
    if (el.name) return `${el.localName}[name="${el.name}"]`;
    return el.localName;
  }
  function describe(el) {
    const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : "";
    return { type: el.type || "", autocomplete: el.autocomplete || "", name: el.name || "",
             id: el.id || "", label: label.slice(0, 80), placeholder: el.placeholder || "" };
  }
  function send(step) { try { window.__pixelbridgeRecord(step); } catch (e) {} }
  document.addEventListener("click", (ev) => {
    const el = ev.target instanceof Element ? (ev.target.closest(clickable) || ev.target) : null;
    if (!el || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) &&
        !["submit", "button", "checkbox", "radio"].includes(el.type)) return;
    // Links and submit buttons navigate by themselves: replaying the click repeats that.
    const navigates = !!el.closest("a[href]") || (el.form && el.type === "submit") ||
      (el.tagName === "BUTTON" && el.form && !el.getAttribute("type"));
    send({ action: "click", selector: selector(el), navigates: !!navigates });
  }, true);
  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ||
          el instanceof HTMLSelectElement)) return;
    if (["checkbox", "radio", "submit", "button", "file"].includes(el.type)) return;
    const info = describe(el);
    const haystack = Object.values(info).join(" ");
    const personal = SECRET_TYPES.includes(el.type) || PERSONAL.test(haystack);
    send({ action: "fill", selector: selector(el), field: info,
           value: personal ? null : String(el.value).slice(0, 500) });
  }, true);
})();
"""


def _script() -> str:
    return locator_script() + "\n" + RECORDER_JS


def safe_value(field: dict[str, Any] | None, value: str | None) -> str:
    """What the journey stores for a typed value: a placeholder for customer details."""
    info = field or {}
    if info.get("type") == "password":
        return PLACEHOLDERS["secret"]
    kind = classify_field(info)
    if kind is not None:
        return PLACEHOLDERS.get(kind, PLACEHOLDERS["name"])
    if value is None:  # the page judged it personal but we cannot tell which kind
        return PLACEHOLDERS["name"]
    return value


class JourneyRecorder:
    """Records steps while `recording`; one binding per page, kept for the page's life."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []
        self.recording = False
        self._pages: set[int] = set()
        self._page: Page | None = None
        self._last_click = 0.0

    async def start(self, page: Page) -> None:
        self.steps = []
        self._page = page
        if id(page) not in self._pages:
            await page.expose_binding(BINDING, self._on_step)
            await page.add_init_script(script=_script())
            page.on("framenavigated", self._on_navigated)
            self._pages.add(id(page))
        try:
            await page.main_frame.evaluate(_script())
        except Exception as exc:  # mid-navigation: the init script covers the next document
            logger.debug("recorder not injected now: %s", exc)
        self.recording = True
        if page.url.startswith(("http://", "https://")):
            self.steps.append({"action": "goto", "url": page.url})

    def stop(self) -> dict[str, Any]:
        """End recording; returns the journey JSON."""
        self.recording = False
        return self.journey()

    def journey(self) -> dict[str, Any]:
        return {"steps": [dict(s) for s in self.steps]}

    def _on_step(self, source: dict[str, Any], step: dict[str, Any]) -> None:
        if not self.recording:
            return
        action = step.get("action")
        selector = str(step.get("selector") or "")
        if not selector:
            return
        if action == "click":
            if step.get("navigates"):
                self._last_click = time.monotonic()
            self.steps.append({"action": "click", "selector": selector})
        elif action == "fill":
            value = safe_value(step.get("field"), step.get("value"))
            last = self.steps[-1] if self.steps else None
            if last and last.get("action") == "fill" and last.get("selector") == selector:
                last["value"] = value  # edited again: keep the final value only
            else:
                self.steps.append({"action": "fill", "selector": selector, "value": value})

    def _on_navigated(self, frame: Frame) -> None:
        if not self.recording or self._page is None or frame != self._page.main_frame:
            return
        url = frame.url
        if not url.startswith(("http://", "https://")):
            return
        if time.monotonic() - self._last_click < CLICK_NAVIGATION_S:
            return
        last = self.steps[-1] if self.steps else None
        if last and last.get("action") == "goto" and last.get("url") == url:
            return
        self.steps.append({"action": "goto", "url": url})
