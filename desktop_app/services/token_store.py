"""Where the Meta access token lives: the OS keyring, or `PIXELBRIDGE_ACCESS_TOKEN` on servers.

One keyring entry per pixel id under the service name "PixelBridge". The token is never
written to a file or a log, never accepted as a command-line flag, and never part of an
exception message raised from here. The environment variable wins over the keyring, so a
server deployment is configured in one place (its unit file or container secret).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

logger = logging.getLogger(__name__)

SERVICE_NAME = "PixelBridge"
ENV_TOKEN = "PIXELBRIDGE_ACCESS_TOKEN"
ENV_APP_SECRET = "PIXELBRIDGE_APP_SECRET"
APP_SECRET_PREFIX = "app_secret:"


class TokenStoreError(RuntimeError):
    """The keyring cannot be used (no Secret Service, locked, …); the message says how to fix."""


def _keyring() -> object:
    import keyring

    return keyring


def _account(pixel_id: str) -> str:
    pixel_id = str(pixel_id).strip()
    if not pixel_id:
        raise ValueError("pixel_id must not be empty")
    return pixel_id


def get_token(pixel_id: str, *, use_env: bool = True) -> str | None:
    """The token for this pixel: environment first, then the keyring; None when absent."""
    if use_env:
        env = os.environ.get(ENV_TOKEN, "").strip()
        if env:
            return env
    return _get(_account(pixel_id))


def set_token(pixel_id: str, token: str) -> None:
    token = token.strip()
    if not token:
        raise ValueError("the access token must not be empty")
    _set(_account(pixel_id), token)
    logger.info("access token stored in the keyring for pixel %s", pixel_id)


def delete_token(pixel_id: str) -> bool:
    """Remove the keyring entry; False when there was none."""
    return _delete(_account(pixel_id))


def token_source(pixel_id: str) -> str | None:
    """'env', 'keyring' or None: shown to the user, never the token itself."""
    if os.environ.get(ENV_TOKEN, "").strip():
        return "env"
    return "keyring" if _get(_account(pixel_id)) else None


def get_app_secret(pixel_id: str) -> str | None:
    """Optional app secret for `appsecret_proof`: env var, else the keyring."""
    env = os.environ.get(ENV_APP_SECRET, "").strip()
    return env or _get(APP_SECRET_PREFIX + _account(pixel_id))


def set_app_secret(pixel_id: str, secret: str) -> None:
    _set(APP_SECRET_PREFIX + _account(pixel_id), secret.strip())


def token_provider(pixel_id: str) -> Callable[[], str | None]:
    """A callable the relay asks before each batch, so a newly stored token is picked up."""

    def provide() -> str | None:
        try:
            return get_token(pixel_id)
        except TokenStoreError as exc:
            logger.warning("%s", exc)
            return None

    return provide


def _get(account: str) -> str | None:
    from keyring.errors import KeyringError

    try:
        value = _keyring().get_password(SERVICE_NAME, account)  # type: ignore[attr-defined]
    except KeyringError as exc:
        raise TokenStoreError(_advice("read", exc)) from None
    return str(value) if value else None


def _set(account: str, secret: str) -> None:
    from keyring.errors import KeyringError

    try:
        _keyring().set_password(SERVICE_NAME, account, secret)  # type: ignore[attr-defined]
    except KeyringError as exc:
        raise TokenStoreError(_advice("store", exc)) from None


def _delete(account: str) -> bool:
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        _keyring().delete_password(SERVICE_NAME, account)  # type: ignore[attr-defined]
    except PasswordDeleteError:
        return False
    except KeyringError as exc:
        raise TokenStoreError(_advice("delete", exc)) from None
    return True


def _advice(action: str, exc: Exception) -> str:
    # The keyring's exception names the backend problem, never the secret.
    return (
        f"cannot {action} the access token in the OS keyring ({type(exc).__name__}). "
        f"On a server set {ENV_TOKEN} instead; on Linux desktops make sure a Secret Service "
        "(gnome-keyring, KWallet) is running and unlocked."
    )
