"""Wires the tagging panel to pick mode on the visible page (recipe: docs/tagging.md).

The page is any Playwright `Page`: in the app, the embedded QWebEngineView's page over CDP;
in tests, a headless Chromium page. The presenter keeps the rules of the open site, saves
them through `save_rules`, and after each page load shows the detected platform's preset and
offers to re-attach rules that stopped matching (`services/rule_health.py`).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from desktop_app.services.rule_health import RuleHealth, check_rules
from desktop_app.tagger.rule_draft import event_label

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.picker import Pick, PickerService
    from desktop_app.views.messages import MessageBridge
    from desktop_app.views.pair_model import PairTableModel
    from desktop_app.views.tagging_panel import TaggingPanel
    from desktop_app.views.tasks import TaskOwner

logger = logging.getLogger(__name__)

Rules = list[dict[str, Any]]
# How long "test this rule" waits for the Pixel and server copies to reach the log.
TEST_WAIT_S = 8.0
# Names the owner reads in the banner (platforms.py keys are lower-case ids).
PLATFORM_WORDS = {
    "woocommerce": "WooCommerce",
    "shopify": "Shopify",
    "wordpress": "WordPress",
    "webflow": "Webflow",
    "wix": "Wix",
    "squarespace": "Squarespace",
    "kajabi": "Kajabi",
    "clickfunnels": "ClickFunnels",
    "framer": "Framer",
    "magento": "Magento",
    "bigcommerce": "BigCommerce",
    "prestashop": "PrestaShop",
}


def platform_words(platform: str) -> str:
    return PLATFORM_WORDS.get(platform, platform.replace("_", " ").title())


def side_words(pair: Any) -> str:
    browser = "browser ✓" if pair.pixel is not None else "browser ✗"
    server = "server ✓" if pair.server is not None else "server ✗"
    counted = {"once": "counted once", "twice": "counted twice"}.get(pair.counted, pair.verdict)
    return f"{pair.event_name}: {browser}, {server} ({counted})"


def _key(pair: Any) -> tuple[str, str]:
    return (str(pair.event_name), str(pair.event_id))


class TaggingPresenter:
    def __init__(
        self,
        panel: TaggingPanel,
        messages: MessageBridge,
        tasks: TaskOwner,
        *,
        save_rules: Callable[[Rules], None] | None = None,
        model: PairTableModel | None = None,
        page_provider: Callable[[], Awaitable[Page]] | None = None,
    ) -> None:
        from desktop_app.services.picker import PickerService

        self.panel, self.messages, self.tasks = panel, messages, tasks
        self._save_rules = save_rules
        self.model = model  # the side-by-side log: "test this rule" reports what reached it
        self._page_provider = page_provider
        # Called before "test this rule" fires (views/site_session_presenter.py): makes the page
        # run the current rules; returns what it did, in words.
        self.before_test: Callable[[Page, Rules], Awaitable[str]] | None = None
        self.picker: PickerService = PickerService()
        self.rules: Rules = []
        self.health: dict[str, RuleHealth] = {}
        self.preset_rules: Rules = []
        self._attach_lock = asyncio.Lock()
        self.picker.add_listener(panel.on_pick)
        self.picker.add_left_listener(lambda: panel.set_pick_active(None))
        self._connect()

    def _connect(self) -> None:
        p = self.panel
        p.pick_requested.connect(self._on_pick_requested)
        p.pick_cancelled.connect(lambda: self.tasks.spawn("pick", self.picker.stop()))
        p.selectors_changed.connect(
            lambda sels: self.tasks.spawn("pick-count", self._count(list(sels)))
        )
        p.rule_saved.connect(self.on_rule_saved)
        p.rule_toggled.connect(self.on_rule_toggled)
        p.rule_deleted.connect(self.on_rule_deleted)
        p.rule_test_requested.connect(
            lambda rule_id: self.tasks.spawn("rule-test", self.test_rule(rule_id))
        )
        p.repair_accepted.connect(self.on_repair_accepted)
        p.preset_accepted.connect(self.on_preset_accepted)

    # --- the page -----------------------------------------------------------------------------
    async def attach(self, page: Page) -> None:
        """Pick mode on `page` (once per page: bindings cannot be exposed twice)."""
        async with self._attach_lock:
            if self.picker.page is page:
                return
            await self.picker.attach(page)

    async def _page(self) -> Page | None:
        page = self.picker.page
        # Opening another site (or the demo) replaces the view's page: the old one is closed.
        if (page is None or page.is_closed()) and self._page_provider is not None:
            await self.attach(await self._page_provider())
        return self.picker.page

    def page_loaded(self, ok: bool = True) -> None:
        """The visible browser finished a load: detect the platform, check the rules."""
        if ok:
            self.tasks.spawn("tagging-page", self.refresh_page())

    async def refresh_page(self) -> None:
        try:
            page = await self._page()
        except RuntimeError as exc:  # automatic check: no page to check is not an error
            logger.debug("no page to check: %s", exc)
            return
        if page is None or not page.url.startswith(("http://", "https://")):
            return
        await self._detect_platform(page)
        await self.check_health()

    async def _detect_platform(self, page: Page) -> None:
        from desktop_app.services.site_probe import PAGE_FACTS_JS
        from desktop_app.tagger.platforms import PageFacts, detect_platform, probe_inputs
        from desktop_app.tagger.presets import preset_for

        lines = PAGE_FACTS_JS.read_text(encoding="utf-8").splitlines()
        script = "\n".join(line for line in lines if not line.startswith("//"))
        try:
            raw = await page.evaluate(script, probe_inputs())
        except Exception as exc:  # navigated away meanwhile: the next load tries again
            logger.debug("platform facts not read: %s", exc)
            return
        facts = PageFacts.from_json(raw)
        detection = detect_platform(facts)
        if detection.platform is None:
            self.preset_rules = []
            self.panel.set_platform(None, [], [])
            return
        preset = preset_for(detection.platform, facts.native_events)
        have = {r.get("event") for r in self.rules}
        self.preset_rules = [r for r in preset["rules"] if r.get("event") not in have]
        names = list(dict.fromkeys(event_label(r["event"]) for r in self.preset_rules))
        native = [str(s["event"]) for s in preset["skipped"]]
        self.panel.set_platform(platform_words(detection.platform), names, native)

    async def check_health(self) -> list[RuleHealth]:
        if self.picker.page is None:
            return []
        try:
            found = await check_rules(self.picker, self.rules)
        except Exception as exc:
            logger.debug("rule health not checked: %s", exc)
            return []
        self.health = {h.rule_id: h for h in found}
        offers = [h for h in found if h.offer is not None]
        if offers:
            self.panel.set_repair_offer(offers[0].rule_id, offers[0].words())
        else:
            self.panel.set_repair_offer(None, "")
        return found

    # --- pick mode ----------------------------------------------------------------------------
    def _on_pick_requested(self, mode: str) -> None:
        self.tasks.spawn("pick", self.start_pick(mode))

    async def start_pick(self, mode: str) -> Pick | None:
        try:
            page = await self._page()
        except RuntimeError as exc:  # no browser, or still on the welcome page
            page, reason = None, str(exc)
        else:
            reason = ""
        if page is None:
            self.panel.set_pick_active(None)
            self.messages.warning(
                "Open a page of your site in the browser first.",
                reason or "Type its address above the browser.",
            )
            return None
        if mode == "page":
            pick = self.picker.page_pick()
            self.panel.on_pick(pick)
            return pick
        await self.picker.start(mode)
        return None

    async def _count(self, selectors: list[str]) -> None:
        if self.picker.page is None or not selectors:
            return
        self.panel.set_match_count(await self.picker.count_matches(selectors))

    # --- rules --------------------------------------------------------------------------------
    def set_rules(self, rules: Rules) -> None:
        """The open site's rules (when a site is opened)."""
        self.rules = [copy.deepcopy(r) for r in rules]
        self.panel.set_rules(self.rules)

    def _changed(self) -> None:
        self.panel.set_rules(self.rules)
        if self._save_rules is not None:
            self._save_rules(self.rules)

    def _find(self, rule_id: str) -> dict[str, Any] | None:
        return next((r for r in self.rules if r.get("id") == rule_id), None)

    def on_rule_saved(self, rule: dict[str, Any]) -> None:
        old = self._find(str(rule.get("id")))
        if old is not None:
            self.rules[self.rules.index(old)] = rule
        else:
            self.rules.append(rule)
        self._changed()
        self.messages.info(f"Saved the rule for {event_label(str(rule.get('event')))}.")

    def on_rule_toggled(self, rule_id: str, on: bool) -> None:
        rule = self._find(rule_id)
        if rule is not None:
            rule["enabled"] = bool(on)
            self._changed()

    def on_rule_deleted(self, rule_id: str) -> None:
        self.rules = [r for r in self.rules if r.get("id") != rule_id]
        self._changed()

    def on_preset_accepted(self) -> None:
        taken = {str(r.get("id")) for r in self.rules}
        added = [r for r in self.preset_rules if str(r.get("id")) not in taken]
        self.rules.extend(copy.deepcopy(added))
        self.preset_rules = []
        self.panel.set_platform(None, [], [])
        self._changed()
        self.messages.info(f"Added {len(added)} ready-made rules.")

    def on_repair_accepted(self, rule_id: str) -> None:
        rule, health = self._find(rule_id), self.health.get(rule_id)
        if rule is None or health is None or health.offer is None:
            return
        trigger = rule.setdefault("trigger", {})
        trigger["selectors"] = list(health.offer.selectors)
        if health.offer.text:
            trigger["text"] = health.offer.text
        self.panel.set_repair_offer(None, "")
        self._changed()
        self.messages.info("The rule is attached to the new element.")
        self.tasks.spawn("tagging-health", self.check_health())

    async def test_rule(self, rule_id: str) -> str:
        """Fire the rule in the page, then say what reached the log (Pixel and server)."""
        rule = self._find(rule_id)
        page = await self._page()
        if rule is None or page is None:
            return ""
        # Up to TEST_WAIT_S of waiting: say so at once, and what went wrong if it fails.
        self.panel.set_test_result(
            "Testing: reloading the page, then doing what the rule waits for…"
        )
        try:
            prepared = await self.before_test(page, self.rules) if self.before_test else ""
            before = {_key(p) for p in self.model.pairs()} if self.model is not None else set()
            done = await self.picker.trigger_rule(rule)
            done = f"{prepared} {done}".strip()
            text = done + " " + await self._arrived(str(rule.get("event")), before)
        except Exception as exc:
            from desktop_app.views.tasks import failure_words

            self.panel.set_test_result(" ".join(failure_words(exc)))
            raise
        self.panel.set_test_result(text.strip())
        return text.strip()

    async def _arrived(self, event: str, before: set[tuple[str, str]]) -> str:
        if self.model is None:
            return ""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TEST_WAIT_S
        seen: list[Any] = []
        while loop.time() < deadline:
            seen = [
                p for p in self.model.pairs() if p.event_name == event and _key(p) not in before
            ]
            # Wait for both copies (or the deadline): the server copy comes a moment later.
            if seen and all(p.pixel is not None and p.server is not None for p in seen):
                break
            await asyncio.sleep(0.1)
        if not seen:
            return (
                f"No {event} event reached the log within {TEST_WAIT_S:g} s. "
                "Is the PixelBridge snippet installed on this page?"
            )
        return "In the log: " + "; ".join(side_words(p) for p in seen) + "."
