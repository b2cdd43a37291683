"""Guided setup for a first site, in plain words; each step is checked before the next.

site address (reachable? which platform?) → Pixel id (format; ids found on the site offered)
→ access token (pasted once, straight into the OS keyring, never shown) → test code → what to
track (the platform's preset, or buttons pointed at on the site) → send a test event → the
snippet with per-platform steps. With the app's embedded browser (`site_view`,
views/setup_browser.py) the site is shown beside the steps, checked there and pointed at there.

Passive about I/O: the checks are the `backend`'s (services/setup_checks.SetupService). The
"Next" button runs `next_step()` as an owned task; tests simply `await wizard.next_step()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from desktop_app.services.setup_checks import (
    SetupDraft,
    normalize_url,
    pixel_id_problem,
    test_code_problem,
    url_problem,
)
from desktop_app.services.token_health import TokenState
from desktop_app.services.token_store import TokenStoreError
from desktop_app.views.qt import (
    QEvent,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_app.views.qt_forms import QCheckBox, QListWidget, QStackedWidget
from desktop_app.views.setup_browser import SiteView
from desktop_app.views.setup_pages import SetupPages, clear_layout
from desktop_app.views.setup_steps import (
    MODE_WORDS,
    PLATFORM_NAMES,
    STEPS,
    SetupBackend,
    Step,
    describe_rule,
    wizard_style,
)
from desktop_app.views.styles import apply_style, follow_theme
from desktop_app.views.tasks import Progress

logger = logging.getLogger(__name__)


class SetupWizard(SetupPages):
    finished_setup = Signal(object)  # SetupDraft
    cancelled = Signal()

    def __init__(
        self,
        backend: SetupBackend,
        *,
        mode: str = "sandbox",
        spawn: Callable[[str, Coroutine[Any, Any, Any]], Any] | None = None,
        site_view: SiteView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.site_view = site_view
        apply_style(self, wizard_style)
        self.setObjectName("setupWizard")
        self.setWindowTitle("Set up a new site — PixelBridge")
        self.resize(*((1440, 820) if site_view is not None else (940, 600)))
        self.backend = backend
        self.draft = SetupDraft(mode=mode)
        self._spawn = spawn
        self._task: asyncio.Future[Any] | None = None
        self.index = 0
        self.passed: set[str] = set()
        self.rule_boxes: list[tuple[QCheckBox, dict[str, Any]]] = []
        self.picked_rules: list[dict[str, Any]] = []  # pointed at on the site (tagging step)
        self._offline_ok = False

        outer = QHBoxLayout(self)
        outer.setContentsMargins(20, 20, 20, 16)
        self.step_list = QListWidget()
        self.step_list.setObjectName("wizardSteps")
        self.step_list.setFixedWidth(210)
        self.step_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.step_list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        outer.addWidget(self.step_list)
        right = QVBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("wizardTitle")
        self.intro = QLabel()
        self.intro.setObjectName("wizardIntro")
        self.intro.setWordWrap(True)
        self.mode_label = QLabel(MODE_WORDS.get(mode, ""))
        self.mode_label.setObjectName("wizardMode")
        right.addWidget(self.title)
        right.addWidget(self.intro)
        self.pages = QStackedWidget()
        right.addWidget(self.pages, 1)
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setObjectName("checkResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.result)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: the checks take 0.3–5 s
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        right.addWidget(self.busy)
        nav = QHBoxLayout()
        nav.addWidget(self.mode_label, 1)
        self.back_button = QPushButton("Back")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("Next")
        self.next_button.setObjectName("wizardNext")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self._next_clicked)
        nav.addWidget(self.back_button)
        nav.addWidget(self.next_button)
        right.addLayout(nav)
        outer.addLayout(right, 1)
        for step in STEPS:
            self.pages.addWidget(getattr(self, f"_page_{step.key}")())
        if site_view is not None:
            outer.addWidget(site_view.view, 3)
            outer.setStretch(1, 2)
            self.pick_row.pick_requested.connect(self._pick_clicked)
            self.pick_row.rule_picked.connect(self._add_picked)
            site_view.picker.add_listener(
                lambda pick: self.pick_row.on_pick(pick, [str(r["id"]) for _, r in self.rule_boxes])
            )
            site_view.picker.add_left_listener(self.pick_row.on_left)
        # Every check (site, token, test event…) shows the bar and locks Next/Back/Send while it
        # waits; a failure ends up in the result line with the next step.
        self.progress = Progress(
            self._show_busy,
            lambda: self._set_busy(False),
            failed=lambda text, then: self._say(f"{text} {then}", "bad"),
        )
        self.pick_progress = Progress(
            lambda _text: self.pick_row.set_waiting(),
            lambda: None,
            failed=lambda text, then: self.pick_row.on_failed(f"{text} {then}"),
        )
        self._show_step()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        follow_theme(self, event, wizard_style)  # the desktop switched light ↔ dark

    # --- navigation -----------------------------------------------------------------------
    @property
    def step(self) -> Step:
        return STEPS[self.index]

    def _show_step(self) -> None:
        self.step_list.clear()
        for n, step in enumerate(STEPS):
            mark = "✔" if step.key in self.passed else ("➜" if n == self.index else "  ")
            self.step_list.addItem(f"{mark}  {n + 1}. {step.title}")
        self.pages.setCurrentIndex(self.index)
        self.title.setText(f"Step {self.index + 1} of {len(STEPS)}: {self.step.title}")
        self.intro.setText(self.step.intro)
        self.back_button.setEnabled(self.index > 0)
        last = self.index == len(STEPS) - 1
        self.next_button.setText("Finish" if last else "Next")
        if self.step.key == "test_event":
            self.next_button.setText("Send and continue")
        self._say("", "")

    def _say(self, text: str, state: str) -> None:
        self.result.setText(text)
        self.result.setProperty("state", state)
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)

    def back(self) -> None:
        if self.index > 0 and not self.is_busy:
            self.index -= 1
            self._show_step()

    @property
    def is_busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def _next_clicked(self) -> None:
        if self.is_busy:
            return
        self._task = self._run("setup-step", self.next_step())

    def _run(self, name: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        return self._spawn(name, coro) if self._spawn else asyncio.ensure_future(coro)

    async def next_step(self) -> bool:
        """Check the current step; move on when it passes. Returns whether it passed."""
        ok = await self.progress.run("Checking…", getattr(self, f"_check_{self.step.key}")())
        if not ok:
            return False
        self.passed.add(self.step.key)
        if self.index == len(STEPS) - 1:
            self.finished_setup.emit(self.draft)
            return True
        message, state = self.result.text(), self.result.property("state")
        self.index += 1
        self._show_step()
        getattr(self, f"_enter_{self.step.key}", lambda: None)()
        if message and not self.result.text():
            self._say(message, str(state))  # keep the last check's good news visible
        return True

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.next_button.setEnabled(not busy)
        self.send_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy and self.index > 0)

    def _show_busy(self, text: str) -> None:
        self._set_busy(True)
        self._say(text, "")  # each check then says what it is doing

    # --- checks ---------------------------------------------------------------------------
    async def _check_site(self) -> bool:
        problem = url_problem(self.url_field.text())
        if problem:
            self._say(problem, "bad")
            return False
        url = normalize_url(self.url_field.text())
        self._say(f"Opening {url}…", "")
        if self.site_view is not None:
            site = await self.site_view.probe(self.backend, url)
        else:
            site = await self.backend.probe_site(url)
        if not site.reachable:
            self._say(site.problem, "bad")
            return False
        self.draft.site_url, self.draft.site = url, site
        platform = PLATFORM_NAMES.get(site.platform, "a custom-built site")
        pixels = ", ".join(site.pixel_ids) or "none yet"
        self.site_facts.setText(f"Platform: {platform}\nPixel already on the page: {pixels}")
        self._say(f"✔ Your site opened. It looks like {platform}.", "good")
        return True

    async def _check_pixel(self) -> bool:
        problem = pixel_id_problem(self.pixel_field.text())
        if problem:
            self._say(problem, "bad")
            return False
        self.draft.pixel_id = self.pixel_field.text().strip()
        self._say(f"✔ Pixel {self.draft.pixel_id}.", "good")
        return True

    def _enter_token(self) -> None:
        stored = self.backend.has_token(self.draft.pixel_id)
        self.token_stored.setText(
            "A token for this Pixel is already stored: leave the field empty to keep it."
            if stored
            else ""
        )
        if self.draft.mode == "sandbox":
            self.token_stored.setText(
                self.token_stored.text() + "\nPractice mode: any text works as a token."
            )

    async def _check_token(self) -> bool:
        token = self.token_field.text().strip()
        self.token_field.clear()  # handed to the keyring; no copy stays in the widget
        if not token and not self.backend.has_token(self.draft.pixel_id):
            self._say("Paste the access token first.", "bad")
            return False
        self._say("Checking the token with Meta…", "")
        try:
            health = await self.backend.store_and_check_token(self.draft.pixel_id, token or None)
        except TokenStoreError as exc:
            self._say(str(exc), "bad")
            return False
        if health.ok:
            self._say(f"✔ {health.title} It is stored in this computer's keyring.", "good")
            return True
        if health.state is TokenState.OFFLINE and self._offline_ok:
            return True
        if health.state is TokenState.OFFLINE:
            self._offline_ok = True
            self._say(f"{health.title} Press Next again to continue anyway.", "warn")
            return False
        self._say(f"{health.title} {health.next_step}", "bad")
        return False

    async def _check_test_code(self) -> bool:
        code = self.code_field.text().strip().upper()
        problem = test_code_problem(code)
        if problem:
            self._say(problem, "bad")
            return False
        self.draft.test_event_code = code
        self._say(f"✔ Test code {code}." if code else "No test code: events count at once.", "good")
        if code and self.draft.mode == "live":
            self.draft.mode = "test"
            self.mode_label.setText(MODE_WORDS["test"])
        return True

    def _enter_tagging(self) -> None:
        clear_layout(self.rules_box)
        preset: dict[str, Any] = self.draft.site.preset if self.draft.site else {}
        self.rule_boxes = []
        for rule in preset.get("rules", []):
            self._add_rule_box(rule)
        for rule in self.picked_rules:
            self._add_rule_box(rule)
        for skipped in preset.get("skipped", []):
            note = QLabel(f"Not added: {skipped['event']} — {skipped['reason']}")
            note.setWordWrap(True)
            self.rules_box.addWidget(note)
        if preset.get("rules"):
            self.tagging_note.setText("Suggested for your platform (untick what you don't sell):")
        elif self.site_view is not None:
            self.tagging_note.setText(
                "PixelBridge has no ready-made list for this site. Point at your buttons on the "
                "right: choose what a click means, then click the button on your site."
            )
        else:
            self.tagging_note.setText(
                "PixelBridge has no ready-made list for this site. Finish the setup, then use "
                "“Tag” in the main window to point at your buttons and pages."
            )

    def _add_rule_box(self, rule: dict[str, Any]) -> None:
        box = QCheckBox(describe_rule(rule))
        box.setChecked(True)
        self.rules_box.addWidget(box)
        self.rule_boxes.append((box, rule))

    def _add_picked(self, rule: dict[str, Any]) -> None:
        self.picked_rules.append(rule)
        self._add_rule_box(rule)
        self._say("", "")  # the last step's news is old now

    def _pick_clicked(self) -> None:
        if self.site_view is not None:
            self._run("setup-pick", self.pick_progress.run("", self.site_view.start_pick()))

    async def _check_tagging(self) -> bool:
        if self.site_view is not None:
            await self.site_view.stop()  # a pick still waiting must not catch later clicks
        self.draft.rules = [rule for box, rule in self.rule_boxes if box.isChecked()]
        count = len(self.draft.rules)
        self._say(f"✔ {count} event{'s' if count != 1 else ''} will be tracked.", "good")
        return True

    def _enter_test_event(self) -> None:
        where = {
            "sandbox": "It goes to the built-in sandbox.",
            "test": f"Then open Events Manager → Test events: it shows with code "
            f"{self.draft.test_event_code}.",
            "live": "It goes to Meta and appears in Events Manager → Overview within minutes.",
        }
        mode = "test" if self.draft.test_event_code and self.draft.mode != "sandbox" else None
        self.where_to_look.setText(where[mode or self.draft.mode])

    async def _check_test_event(self) -> bool:
        self._say("Sending a test event…", "")
        # Meta slow or unreachable: the relay retries, and the line says so while it waits.
        result = await self.backend.send_test_event(
            self.draft, on_status=lambda w: self._say(w, "")
        )
        self._say(("✔ " if result.ok else "") + result.message, "good" if result.ok else "bad")
        return result.ok
