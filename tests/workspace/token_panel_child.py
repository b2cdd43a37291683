"""Child process for the keyring test: the token panel's replace / check / forget, wired by
the real presenter, through the real Secret Service and the sandbox as Meta."""

from __future__ import annotations

import asyncio
import sys

import keyring
import qasync
from PySide6.QtWidgets import QApplication

from desktop_app.services import token_store
from desktop_app.services.sandbox import MetaSandbox
from desktop_app.services.token_health import TokenState
from desktop_app.views.messages import MessageBridge
from desktop_app.views.tasks import TaskOwner
from desktop_app.views.token_panel import TokenPanel
from desktop_app.views.token_presenter import TokenPresenter

PIXEL, TOKEN, NEWER = sys.argv[1], sys.argv[2], sys.argv[3]


async def main() -> None:
    backend = type(keyring.get_keyring()).__module__
    assert "SecretService" in backend or "chainer" in backend, backend
    sandbox = MetaSandbox(token=NEWER)  # only the newer token is accepted
    url = await sandbox.start()

    async def graph_url() -> str:
        return url

    panel = TokenPanel()
    presenter = TokenPresenter(panel, MessageBridge(), TaskOwner(), graph_url)
    presenter.set_pixel(PIXEL)
    assert (await presenter.check()).state is TokenState.MISSING  # type: ignore[union-attr]
    for token, expected in ((TOKEN, TokenState.INVALID), (NEWER, TokenState.WORKS)):
        panel.replace_button.click()
        panel.token_field.setText(token)
        panel.save_button.click()  # stores in the keyring, then starts a check
        assert panel.token_field.text() == ""
        assert token_store.get_token(PIXEL) == token
        result = await presenter.check()
        assert result is not None and result.state is expected, result
    assert "Stored in this computer's keyring" in panel.stored.text()
    panel.forget_button.click()
    assert token_store.get_token(PIXEL) is None
    assert keyring.get_password(token_store.SERVICE_NAME, PIXEL) is None
    assert (await presenter.check()).state is TokenState.MISSING  # type: ignore[union-attr]
    token_store.set_token(PIXEL, NEWER)  # left stored: the parent searches the disk for it
    await presenter.tasks.cancel_all()
    await sandbox.stop()
    print("keyring panel ok", backend, flush=True)


app = QApplication.instance() or QApplication([])
with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
    runner.run(main())
