"""Guided setup for a first site, in plain words; each step is checked before the next.

site address (reachable? which platform?) → Pixel id (format; ids found on the site offered)
→ access token (pasted once, straight into the OS keyring, never shown) → test code → what to
track (the platform's preset) → send a test event → the snippet with per-platform steps.

Passive about I/O: the checks are the `backend`'s (services/setup_checks.SetupService). The
"Next" button runs `next_step()` as an owned task; tests simply `await wizard.next_step()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from desktop_app.services.setup_checks import (
    SetupDraft,
    SiteCheck,
    TestEventResult,
    normalize_url,
    pixel_id_problem,
    test_code_problem,
    url_problem,
)
from desktop_app.services.token_health import WHERE_TO_FIND, TokenHealth, TokenState
from desktop_app.services.token_store import TokenStoreError
from desktop_app.tagger.export import PLACEHOLDER_RELAY, install_steps
from desktop_app.tagger.snippet import render_snippet
from desktop_app.views.qt import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_app.views.qt_forms import QCheckBox, QListWidget, QStackedWidget
from desktop_app.views.styles import apply_style

logger = logging.getLogger(__name__)


class SetupBackend(Protocol):
    async def probe_site(self, url: str) -> SiteCheck: ...
    def has_token(self, pixel_id: str) -> bool: ...
    async def store_and_check_token(self, pixel_id: str, token: str | None) -> TokenHealth: ...
    async def send_test_event(self, draft: SetupDraft) -> TestEventResult: ...


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    title: str
    intro: str


STEPS: tuple[Step, ...] = (
    Step(
        "site",
        "Your website",
        "Type the address of your shop or website. PixelBridge opens it (without sending "
        "anything to Meta) to see how it is built.",
    ),
    Step(
        "pixel",
        "Your Meta Pixel",
        "The Pixel is how Meta recognises your site. Its id is a long number: Events Manager "
        "→ Data sources → your Pixel → Settings.",
    ),
    Step(
        "token",
        "Permission to send",
        "An access token lets PixelBridge send your site's events to Meta from a server, "
        "which ad blockers and browsers cannot stop. It is kept in this computer's keyring, "
        "never in a file.",
    ),
    Step(
        "test_code",
        "Test code",
        "While you set things up, events can go to Meta's “Test events” tab instead of "
        "counting for your ads. Events Manager → your Pixel → Test events shows the code.",
    ),
    Step(
        "tagging",
        "What to track",
        "These are the moments on your site that Meta should hear about. You can add more "
        "later by pointing and clicking on your site.",
    ),
    Step(
        "test_event",
        "Send a test event",
        "One test event goes all the way to Meta, the way your site's events will.",
    ),
    Step(
        "install",
        "Install on your site",
        "Paste this code into your site, following the steps for your platform.",
    ),
)
MODE_WORDS = {
    "sandbox": "Practice mode: events go to PixelBridge's built-in sandbox, not to Meta.",
    "test": "Test mode: events go to Meta's Test events tab.",
    "live": "Live: events go to Meta and count for your ads.",
}
STYLE = """
QLabel#wizardTitle { font-size: 20px; font-weight: 700; }
QLabel#wizardIntro { font-size: 13px; }
QLabel#wizardMode { color: palette(mid); }
QLabel#checkResult[state="good"] { color: #1e8e3e; font-weight: 600; }
QLabel#checkResult[state="bad"] { color: #c5221f; font-weight: 600; }
QLabel#checkResult[state="warn"] { color: #b06000; font-weight: 600; }
QListWidget#wizardSteps { font-size: 13px; border: none; background: transparent; }
QPushButton#wizardNext { font-weight: 600; color: #ffffff; background: #1a73e8;
    border: 1px solid #1a73e8; border-radius: 4px; padding: 6px 18px; }
QPushButton#wizardNext:disabled { background: #8ab4f8; border-color: #8ab4f8; }
"""


class SetupWizard(QWidget):
    finished_setup = Signal(object)  # SetupDraft
    export_requested = Signal(object)  # SetupDraft
    cancelled = Signal()

    def __init__(
        self,
        backend: SetupBackend,
        *,
        mode: str = "sandbox",
        spawn: Callable[[str, Awaitable[Any]], Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        apply_style(self)
        self.setStyleSheet(self.styleSheet() + STYLE)
        self.setObjectName("setupWizard")
        self.setWindowTitle("Set up a new site — PixelBridge")
        self.resize(940, 600)
        self.backend = backend
        self.draft = SetupDraft(mode=mode)
        self._spawn = spawn
        self._task: asyncio.Future[Any] | None = None
        self.index = 0
        self.passed: set[str] = set()
        self.rule_boxes: list[tuple[QCheckBox, dict[str, Any]]] = []
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
        self._show_step()

    # --- pages ----------------------------------------------------------------------------
    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 12, 0, 0)
        return page, layout

    def _page_site(self) -> QWidget:
        page, layout = self._page()
        self.url_field = QLineEdit()
        self.url_field.setPlaceholderText("https://myshop.com")
        self.url_field.returnPressed.connect(self._next_clicked)
        layout.addWidget(QLabel("Website address"))
        layout.addWidget(self.url_field)
        self.site_facts = QLabel()
        self.site_facts.setWordWrap(True)
        layout.addWidget(self.site_facts)
        layout.addStretch(1)
        return page

    def _page_pixel(self) -> QWidget:
        page, layout = self._page()
        layout.addWidget(QLabel("Pixel id"))
        self.pixel_field = QLineEdit()
        self.pixel_field.setPlaceholderText("1234567890123456")
        self.pixel_field.returnPressed.connect(self._next_clicked)
        layout.addWidget(self.pixel_field)
        self.found_label = QLabel()
        self.found_label.setWordWrap(True)
        layout.addWidget(self.found_label)
        self.found_row = QHBoxLayout()
        layout.addLayout(self.found_row)
        layout.addStretch(1)
        return page

    def _page_token(self) -> QWidget:
        page, layout = self._page()
        layout.addWidget(QLabel("Access token"))
        self.token_field = QLineEdit()
        self.token_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_field.setPlaceholderText("Paste the token here (it is hidden)")
        self.token_field.returnPressed.connect(self._next_clicked)
        layout.addWidget(self.token_field)
        self.token_stored = QLabel()
        layout.addWidget(self.token_stored)
        help_label = QLabel(
            f"<b>Where do I find this?</b> {WHERE_TO_FIND} Copy the long text that starts "
            "with “EAA” and paste it above. You only do this once."
        )
        help_label.setWordWrap(True)
        layout.addWidget(help_label)
        layout.addStretch(1)
        return page

    def _page_test_code(self) -> QWidget:
        page, layout = self._page()
        layout.addWidget(QLabel("Test code (optional, recommended while setting up)"))
        self.code_field = QLineEdit()
        self.code_field.setPlaceholderText("TEST12345")
        self.code_field.returnPressed.connect(self._next_clicked)
        layout.addWidget(self.code_field)
        note = QLabel(
            "Remember to switch to Live when you are done: the switch at the top of the main "
            "window asks you before removing the code."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)
        return page

    def _page_tagging(self) -> QWidget:
        page, layout = self._page()
        self.tagging_note = QLabel()
        self.tagging_note.setWordWrap(True)
        layout.addWidget(self.tagging_note)
        self.rules_box = QVBoxLayout()
        layout.addLayout(self.rules_box)
        layout.addStretch(1)
        return page

    def _page_test_event(self) -> QWidget:
        page, layout = self._page()
        self.send_button = QPushButton("Send a test event")
        self.send_button.clicked.connect(self._next_clicked)
        layout.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.where_to_look = QLabel()
        self.where_to_look.setWordWrap(True)
        layout.addWidget(self.where_to_look)
        layout.addStretch(1)
        return page

    def _page_install(self) -> QWidget:
        page, layout = self._page()
        row = QHBoxLayout()
        row.addWidget(QLabel("Your relay's address:"))
        self.relay_field = QLineEdit()
        self.relay_field.setPlaceholderText(PLACEHOLDER_RELAY)
        self.relay_field.editingFinished.connect(self._fill_install)
        row.addWidget(self.relay_field, 1)
        layout.addLayout(row)
        self.install_steps = QLabel()
        self.install_steps.setWordWrap(True)
        layout.addWidget(self.install_steps)
        self.snippet_view = QPlainTextEdit()
        self.snippet_view.setReadOnly(True)
        self.snippet_view.setMaximumHeight(150)
        layout.addWidget(self.snippet_view, 1)
        buttons = QHBoxLayout()
        copy = QPushButton("Copy the code")
        copy.clicked.connect(self.copy_snippet)
        export = QPushButton("Export all files…")
        export.setToolTip("The code, the tag config and how to run the relay on a server")
        export.clicked.connect(lambda: self.export_requested.emit(self.draft))
        buttons.addWidget(copy)
        buttons.addWidget(export)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        return page

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
        coro = self.next_step()
        self._task = self._spawn("setup-step", coro) if self._spawn else asyncio.ensure_future(coro)

    async def next_step(self) -> bool:
        """Check the current step; move on when it passes. Returns whether it passed."""
        self._set_busy(True)
        try:
            ok = await getattr(self, f"_check_{self.step.key}")()
        finally:
            self._set_busy(False)
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
        self.back_button.setEnabled(not busy and self.index > 0)

    # --- checks ---------------------------------------------------------------------------
    async def _check_site(self) -> bool:
        problem = url_problem(self.url_field.text())
        if problem:
            self._say(problem, "bad")
            return False
        url = normalize_url(self.url_field.text())
        self._say(f"Opening {url}…", "")
        site = await self.backend.probe_site(url)
        if not site.reachable:
            self._say(site.problem, "bad")
            return False
        self.draft.site_url, self.draft.site = url, site
        platform = (site.platform or "a custom-built site").capitalize()
        pixels = ", ".join(site.pixel_ids) or "none yet"
        self.site_facts.setText(f"Platform: {platform}\nPixel already on the page: {pixels}")
        self._say(f"✔ Your site opened. It looks like {platform}.", "good")
        return True

    def _enter_pixel(self) -> None:
        while self.found_row.count():
            item = self.found_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        found = self.draft.site.pixel_ids if self.draft.site else []
        self.found_label.setText(
            "Found on your site — click to use it:"
            if found
            else "No Pixel was found on your site yet; PixelBridge's code will add it."
        )
        for pixel_id in found:
            button = QPushButton(pixel_id)
            button.clicked.connect(lambda _c=False, p=pixel_id: self.pixel_field.setText(p))
            self.found_row.addWidget(button)
        self.found_row.addStretch(1)
        if found and not self.pixel_field.text():
            self.pixel_field.setText(found[0])

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
        if code and self.draft.mode == "live":
            self.draft.mode = "test"
            self.mode_label.setText(MODE_WORDS["test"])
        return True

    def _enter_tagging(self) -> None:
        while self.rules_box.count():
            item = self.rules_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        preset: dict[str, Any] = self.draft.site.preset if self.draft.site else {}
        self.rule_boxes = []
        for rule in preset.get("rules", []):
            box = QCheckBox(describe_rule(rule))
            box.setChecked(True)
            self.rules_box.addWidget(box)
            self.rule_boxes.append((box, rule))
        for skipped in preset.get("skipped", []):
            note = QLabel(f"Not added: {skipped['event']} — {skipped['reason']}")
            note.setWordWrap(True)
            self.rules_box.addWidget(note)
        if self.rule_boxes:
            self.tagging_note.setText("Suggested for your platform (untick what you don't sell):")
        else:
            self.tagging_note.setText(
                "PixelBridge has no ready-made list for this site. Finish the setup, then use "
                "“Tag” in the main window to point at your buttons and pages."
            )

    async def _check_tagging(self) -> bool:
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
        result = await self.backend.send_test_event(self.draft)
        self._say(("✔ " if result.ok else "") + result.message, "good" if result.ok else "bad")
        return result.ok

    def _enter_install(self) -> None:
        steps = install_steps(self.draft.platform)
        self.install_steps.setText("\n".join(f"{n}. {s}" for n, s in enumerate(steps, 1)))
        self._fill_install()

    def _fill_install(self) -> None:
        self.draft.relay_url = self.relay_field.text().strip()
        config = self.draft.tag_config()
        self.snippet_view.setPlainText(
            render_snippet(config, self.draft.relay_url or PLACEHOLDER_RELAY)
        )

    async def _check_install(self) -> bool:
        self.draft.relay_url = self.relay_field.text().strip()
        return True

    def copy_snippet(self) -> None:
        QApplication.clipboard().setText(self.snippet_view.toPlainText())
        self._say("✔ Copied. Paste it into your site as the steps above say.", "good")


def describe_rule(rule: dict[str, Any]) -> str:
    """'Purchase — when a page opens' in the owner's words."""
    trigger = rule.get("trigger") or {}
    kind = trigger.get("type")
    when = {
        "pageview": "when a matching page opens",
        "click": f"when “{trigger.get('text') or 'a button'}” is clicked",
        "submit": "when a form is sent",
        "visible": "when something appears on the page",
        "event": "when the site reports it",
    }.get(str(kind), "")
    return f"{rule.get('event')} — {when}".rstrip(" —")
