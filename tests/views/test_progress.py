"""Progress for every wait: a slow action shows what is happening (and locks the controls that
would start it twice) at once, clears it when it ends, and a failing one shows the message
with the next step. Slow and failing Meta is the sandbox with latency and scripted faults."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from workspace.helpers import SHOP_PIXEL, TOKEN, wait_for

from desktop_app.services import relay as _relay  # noqa: F401  (the app preloads it too)
from desktop_app.services import token_store
from desktop_app.services.sandbox import MetaSandbox
from desktop_app.services.setup_checks import SetupService
from desktop_app.views.messages import MessageBridge
from desktop_app.views.qt import QPushButton
from desktop_app.views.setup_steps import STEPS
from desktop_app.views.setup_wizard import SetupWizard
from desktop_app.views.start_screen import StartScreen
from desktop_app.views.tasks import Progress, TaskOwner
from desktop_app.views.token_panel import TokenPanel
from desktop_app.views.token_presenter import TokenPresenter

SHOWN_WITHIN_S = 0.3  # issue 8: progress for every wait over ~300 ms


@pytest.fixture(autouse=True)
def stored_token() -> Any:
    token_store.set_token(SHOP_PIXEL, TOKEN)
    yield
    token_store.delete_token(SHOP_PIXEL)


def _wizard_at(step: str, qtbot: Any, graph_url: str, home: Path) -> SetupWizard:
    wizard = SetupWizard(SetupService(graph_url, home), mode="test")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.draft.site_url = "https://shop.example/"
    wizard.draft.pixel_id = SHOP_PIXEL
    wizard.draft.test_event_code = "TEST4242"
    wizard.index = [s.key for s in STEPS].index(step)
    wizard._show_step()
    return wizard


def _busy(wizard: SetupWizard) -> bool:
    return wizard.busy.isVisibleTo(wizard)


@pytest.mark.asyncio
async def test_slow_test_event_shows_progress_then_clears(qtbot: Any, isolated_home: Path) -> None:
    sandbox = MetaSandbox(latency_s=1.0)  # Meta answering slowly
    await sandbox.start()
    try:
        wizard = _wizard_at("test_event", qtbot, sandbox.url, isolated_home)
        assert not _busy(wizard) and wizard.send_button.isEnabled()
        loop = asyncio.get_running_loop()
        shown_at: list[float] = []
        show = wizard.progress._show

        def timed_show(text: str) -> None:
            shown_at.append(loop.time())
            show(text)

        wizard.progress._show = timed_show
        started = loop.time()
        wizard._next_clicked()  # what the "Send a test event" button does
        await asyncio.sleep(0)  # the task's first step shows progress, before any await
        assert _busy(wizard)
        assert wizard.result.text() == "Sending a test event…"
        assert shown_at and shown_at[0] - started < SHOWN_WITHIN_S
        # Then what the relay is doing: the request is with (slow) Meta.
        assert await wait_for(lambda: "Sending the test event to Meta" in wizard.result.text())
        # While Meta is slow: what is happening, and nothing can start it twice.
        assert not wizard.send_button.isEnabled() and not wizard.next_button.isEnabled()
        assert not wizard.back_button.isEnabled()
        wizard._next_clicked()  # a second press while busy is ignored
        assert wizard._task is not None
        assert await wizard._task is True
        assert loop.time() - started >= 1.0  # it really waited for the slow answer
        assert not _busy(wizard) and wizard.next_button.isEnabled()
        assert wizard.step.key == "install"
        assert len(sandbox.received(SHOP_PIXEL)) == 1  # sent once, not twice
    finally:
        await sandbox.stop()


@pytest.mark.asyncio
async def test_delivery_retries_are_shown_while_waiting(qtbot: Any, isolated_home: Path) -> None:
    sandbox = MetaSandbox()
    await sandbox.start()
    sandbox.set_faults([{"status": 503}])  # Meta overloaded once; the relay retries
    try:
        wizard = _wizard_at("test_event", qtbot, sandbox.url, isolated_home)
        said: list[str] = []
        wizard.result.setText = _recording(wizard.result.setText, said)  # type: ignore[method-assign]
        assert await wizard.next_step() is True, wizard.result.text()
        assert any("tries again (attempt 2)" in s for s in said), said
        assert wizard.result.text() == "✔ Meta received the test event."
        assert not _busy(wizard)
    finally:
        await sandbox.stop()


def _recording(setter: Any, said: list[str]) -> Any:
    def record(text: str) -> None:
        said.append(text)
        setter(text)

    return record


@pytest.mark.asyncio
async def test_a_refused_test_event_clears_progress_and_says_why(
    qtbot: Any, isolated_home: Path
) -> None:
    sandbox = MetaSandbox()
    await sandbox.start()
    sandbox.set_faults([{"status": 400, "error": {"code": 100, "message": "Invalid parameter"}}])
    try:
        wizard = _wizard_at("test_event", qtbot, sandbox.url, isolated_home)
        assert await wizard.next_step() is False
        assert not _busy(wizard) and wizard.send_button.isEnabled()
        assert wizard.result.property("state") == "bad"
        assert wizard.result.text().startswith("Meta refused the test event: ")
        assert wizard.step.key == "test_event"  # stays, so the owner can fix and resend
    finally:
        await sandbox.stop()


@pytest.mark.asyncio
async def test_slow_token_check_shows_progress_and_a_failure_shows_the_next_step(
    qtbot: Any,
) -> None:
    sandbox = MetaSandbox(latency_s=0.8)
    await sandbox.start()
    try:
        panel = TokenPanel()
        qtbot.addWidget(panel)
        messages = MessageBridge()

        async def graph_url() -> str:
            return sandbox.url

        presenter = TokenPresenter(panel, messages, TaskOwner(), graph_url)
        presenter.set_pixel(SHOP_PIXEL)
        check = asyncio.ensure_future(presenter.check())
        assert await wait_for(lambda: not panel.check_button.isEnabled(), SHOWN_WITHIN_S)
        assert panel.headline.text() == "Checking the access token with Meta…"
        result = await check
        assert result is not None and result.ok
        assert panel.check_button.isEnabled() and panel.headline.text().startswith("✔ ")

        # The check itself fails (here: the sandbox cannot be started): message + next step.
        async def broken() -> str:
            raise OSError("address already in use")

        presenter._graph_url = broken
        assert await presenter.check() is None
        assert panel.check_button.isEnabled()
        assert "could not reach" in panel.headline.text()
        assert panel.next_step.text() == "Check your connection and try again."
        assert messages.history[-1].level == "error"
    finally:
        await sandbox.stop()


@pytest.mark.asyncio
async def test_progress_helper_clears_on_success_failure_and_cancel(qtbot: Any) -> None:
    start = StartScreen()
    qtbot.addWidget(start)
    failures: list[tuple[str, str]] = []
    progress = Progress(
        start.show_busy,
        start.clear_busy,
        [start.new_button],
        failed=lambda text, then: failures.append((text, then)),
    )
    gate: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    run = asyncio.ensure_future(progress.run("Starting the practice sandbox…", gate))
    await asyncio.sleep(0)  # the task starts: progress is on before anything is awaited
    assert start.busy_label.text() == "Starting the practice sandbox…"
    assert start.busy_label.isVisibleTo(start) and start.busy.isVisibleTo(start)
    assert not start.new_button.isEnabled()
    gate.set_result("http://127.0.0.1:1")
    assert await run == "http://127.0.0.1:1"
    assert not start.busy.isVisibleTo(start) and start.new_button.isEnabled()

    async def fails() -> str:
        await asyncio.sleep(0)
        raise TimeoutError

    assert await progress.run("Waiting…", fails()) is None
    assert failures == [
        ("This took too long and was stopped.", "Check your internet connection, then try again.")
    ]
    assert not start.busy.isVisibleTo(start) and start.new_button.isEnabled()

    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    cancelled = asyncio.ensure_future(progress.run("Waiting…", never))
    await asyncio.sleep(0)
    assert not start.new_button.isEnabled()
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert not start.busy.isVisibleTo(start) and start.new_button.isEnabled()
    assert isinstance(start.new_button, QPushButton)


@pytest.mark.asyncio
async def test_record_journey_waits_visibly_for_the_page_and_says_why_it_failed(
    qtbot: Any,
) -> None:
    from desktop_app.services.embedded_browser import EmbeddedBrowserError
    from desktop_app.views.journey_presenter import JourneyPresenter
    from desktop_app.views.main_window import MainWindow
    from desktop_app.views.pair_model import PairTableModel

    messages, tasks = MessageBridge(), TaskOwner()
    window = MainWindow(PairTableModel(), messages)
    qtbot.addWidget(window)
    page_ready = asyncio.Event()

    async def browser_that_fails_to_start() -> Any:
        await page_ready.wait()  # the embedded browser still starting
        raise EmbeddedBrowserError("the page did not open")

    presenter = JourneyPresenter(window, messages, tasks, browser_that_fails_to_start)
    window.record_action.trigger()
    assert await wait_for(lambda: window.progress.isVisibleTo(window), SHOWN_WITHIN_S)
    assert "Starting the recording" in window.status_text.text()
    assert not window.record_action.isEnabled()  # no second recording meanwhile
    page_ready.set()
    assert await wait_for(lambda: not window.progress.isVisibleTo(window), 5)
    assert window.record_action.isEnabled() and not window.record_action.isChecked()
    error = messages.history[-1]
    assert error.level == "error" and "built-in browser" in error.text and error.next_step
    assert not presenter.recorder.recording
    await tasks.cancel_all()
