"""What the verify job does to the page and reads from it.

`injected_script` turns the install snippet into an init script (for `verify --inject`);
`session_markers` reads what marks this visit's server events (the `_fbp` cookie and the user
agent), so a live relay's other visitors are left out of the check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import Page

    from desktop_app.services.relay import RelayService
    from desktop_app.tagger.config import TagConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Session:
    """What marks this visit's server events: the browser's `_fbp` cookie and user agent."""

    fbps: frozenset[str]
    user_agent: str

    def owns(self, row: dict[str, Any]) -> bool:
        payload = row.get("payload")
        user_data = payload.get("user_data") if isinstance(payload, dict) else None
        if not isinstance(user_data, dict):
            return False
        return (
            user_data.get("fbp") in self.fbps
            or user_data.get("client_user_agent") == self.user_agent
        )


async def session_markers(page: Page) -> Session:
    cookies = await page.context.cookies()
    fbps = frozenset(str(c["value"]) for c in cookies if c.get("name") == "_fbp")
    user_agent = str(await page.evaluate("() => navigator.userAgent"))
    return Session(fbps, user_agent)


def injected_script(config: TagConfig, relay: RelayService) -> str:
    """The snippet's script as an init script, run once the document exists."""
    from desktop_app.tagger.snippet import render_snippet

    html = render_snippet(config, relay.events_url)
    body = html[html.index(">") + 1 : html.rindex("</script>")]
    # Init scripts run before <head> exists; the snippet expects a document to attach to.
    # Init scripts also run in every iframe; the snippet belongs to the top page only.
    return (
        "(function(){if(window.top!==window)return;var run=function(){\n" + body + "\n};"
        "if(document.readyState==='loading'){document.addEventListener('DOMContentLoaded',run);}"
        "else{run();}})();"
    )
