"""Browser profiles for the embedded view: one persistent profile per site workspace.

An owner who logs in to their shop, or fills a cart, inside PixelBridge expects to find it so
the next time they open that site; a client's site must never see another client's cookies.
So each workspace gets a `QWebEngineProfile` stored in its own folder (`<workspace>/browser/`),
with cookies forced persistent (session cookies such as a cart id survive a restart too). The
demo and the sandbox have no workspace: they use Qt's default profile, which is off the record.

Qt's rule for teardown: a profile must outlive every page that uses it, or Qt warns "Release
of profile requested but WebEnginePage still not deleted". `BrowserProfiles` is created by the
browser view *after* its web view, as a child of the same widget: Qt deletes children in the
order they were created, so the pages (children of the web view) go before the profiles.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from desktop_app.views.qt import QObject

logger = logging.getLogger(__name__)

PROFILE_FOLDER = "browser"  # inside the workspace folder: cookies, local storage, cache


def storage_name(folder: Path) -> str:
    """Qt names each persistent profile; one name per workspace folder (ids are slugs)."""
    return "pixelbridge-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", folder.name).strip("-") or "site")


class BrowserProfiles:
    """Hands out the profile for a workspace folder (None: the off-the-record default).

    Profiles are made once per folder and kept until `parent` is deleted: two live profiles on
    one storage path would share (and corrupt) one cookie database.
    """

    def __init__(self, parent: QObject) -> None:
        self._parent = parent
        self._profiles: dict[Path, Any] = {}

    def profile_for(self, folder: Path | None) -> Any:
        from PySide6.QtWebEngineCore import QWebEngineProfile

        if folder is None:
            return QWebEngineProfile.defaultProfile()  # off the record since Qt 6
        key = folder.resolve()
        profile = self._profiles.get(key)
        if profile is None:
            profile = self._create(key)
            self._profiles[key] = profile
        return profile

    def _create(self, folder: Path) -> Any:
        from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEngineProfileBuilder

        root = folder / PROFILE_FOLDER
        root.mkdir(parents=True, exist_ok=True)
        builder = QWebEngineProfileBuilder()
        builder.setPersistentStoragePath(str(root))
        builder.setCachePath(str(root / "cache"))
        # Session cookies (carts, logins without "remember me") would vanish on quit otherwise.
        builder.setPersistentCookiesPolicy(
            QWebEngineProfile.PersistentCookiesPolicy.ForcePersistentCookies
        )
        profile = builder.createProfile(storage_name(folder), self._parent)
        logger.debug("browser profile %s at %s", profile.storageName(), root)
        return profile

    @property
    def folders(self) -> list[Path]:
        return list(self._profiles)
