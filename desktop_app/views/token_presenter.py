"""Token panel ↔ keyring and Graph API: check, replace, forget, for the open site's Pixel."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from desktop_app.services import token_store
from desktop_app.services.token_health import TokenHealth, check_token
from desktop_app.views.tasks import Progress
from desktop_app.views.token_panel import TokenPanel

if TYPE_CHECKING:
    from desktop_app.views.messages import MessageBridge
    from desktop_app.views.tasks import TaskOwner

logger = logging.getLogger(__name__)


class TokenPresenter:
    def __init__(
        self,
        panel: TokenPanel,
        messages: MessageBridge,
        tasks: TaskOwner,
        graph_url: Callable[[], Awaitable[str]],
    ) -> None:
        self.panel, self.messages, self.tasks = panel, messages, tasks
        self._graph_url = graph_url
        self.pixel_id = ""
        self.last: TokenHealth | None = None
        # "Checking…" with Check disabled while Meta answers; cleared on any outcome.
        self.progress = Progress(
            lambda _text: panel.set_busy(True),
            lambda: panel.set_busy(False),
            failed=self._failed,
        )
        panel.check_requested.connect(self.request_check)
        panel.replace_requested.connect(self.replace)
        panel.forget_requested.connect(self.forget)

    def set_pixel(self, pixel_id: str) -> None:
        self.pixel_id = pixel_id
        self.show_stored()

    def show_stored(self) -> None:
        try:
            source = token_store.token_source(self.pixel_id) if self.pixel_id else None
        except token_store.TokenStoreError as exc:
            self.messages.error(str(exc))
            source = None
        self.panel.set_stored(source is not None, source or "keyring")

    def request_check(self) -> None:
        self.tasks.spawn("token-check", self.check())

    async def check(self) -> TokenHealth | None:
        if not self.pixel_id:
            return None
        return await self.progress.run("Checking the access token with Meta…", self._check())

    def _failed(self, text: str, next_step: str) -> None:
        self.panel.show_problem(text, next_step)
        self.messages.error(text, next_step)

    async def _check(self) -> TokenHealth | None:
        try:
            token = token_store.get_token(self.pixel_id)
        except token_store.TokenStoreError as exc:
            self.messages.error(str(exc))
            return None
        result = await check_token(token, self.pixel_id, graph_url=await self._graph_url())
        self.last = result
        self.panel.show_health(result)
        if not result.ok:
            self.messages.warning(result.title, result.next_step)
        return result

    def replace(self, token: str) -> None:
        if not self.pixel_id:
            return
        try:
            token_store.set_token(self.pixel_id, token)
        except (token_store.TokenStoreError, ValueError) as exc:
            self.messages.error(str(exc))
            return
        self.show_stored()
        self.request_check()

    def forget(self) -> None:
        if not self.pixel_id:
            return
        try:
            removed = token_store.delete_token(self.pixel_id)
        except token_store.TokenStoreError as exc:
            self.messages.error(str(exc))
            return
        self.show_stored()
        if removed:
            self.messages.info("The access token was removed from this computer's keyring.")

    def known_secret(self) -> str:
        """The stored token, only so diagnostics can mask it by value."""
        try:
            return token_store.get_token(self.pixel_id) or "" if self.pixel_id else ""
        except token_store.TokenStoreError:
            return ""
