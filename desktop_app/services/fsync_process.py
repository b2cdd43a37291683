"""Group-commit fsyncs in a helper process, so the relay's event loop never shares its GIL.

Why: with the fsync in a thread (`wal_sync.WalSyncer`), every fsync made that thread take
the GIL twice (to pick the request up, to post the answer), and each time the busy event loop
had to stop and hand it over: measured on the relay benchmark, the loop served ~9 % fewer
events per second than with no fsync at all. A process has its own interpreter: the loop
only writes one byte per commit and reads the answers through `add_reader`, on its own thread.

Same contract as `WalSyncer`: `request(done, inbox)` resolves `done` with None once
everything committed before the request is on disk (or with the OSError). fsync syncs the
file, not the descriptor (POSIX), so the helper's inherited descriptor covers SQLite's writes.
If the helper cannot start or dies, the outbox falls back to the thread syncer and loses
nothing: the requests the helper never answered are fsynced here before they are answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import sys
from collections import deque
from pathlib import Path
from typing import Any

from desktop_app.services.loop_inbox import LoopInbox
from desktop_app.services.wal_sync import WalSyncer, sync_data

logger = logging.getLogger(__name__)

_CHILD_SCRIPT = Path(__file__).with_name("fsync_child.py")
_READ_SIZE = 65536


class ProcessWalSyncer:
    def __init__(self, wal_path: Path) -> None:
        self._wal_path = wal_path
        self._fd = os.open(wal_path, os.O_RDWR | os.O_CREAT, 0o600)
        ours, theirs = socket.socketpair()
        try:
            # -I -S: no site-packages, environment or working directory: a bare interpreter
            # that starts fast and runs only the script next to this module.
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-I",
                    "-S",
                    str(_CHILD_SCRIPT),
                    str(self._fd),
                    str(theirs.fileno()),
                ],
                pass_fds=(self._fd, theirs.fileno()),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        except BaseException:
            ours.close()
            os.close(self._fd)
            raise
        finally:
            theirs.close()
        ours.setblocking(False)
        self._sock: socket.socket | None = ours
        self._waiting: deque[asyncio.Future[Any]] = deque()  # asked, not answered, in order
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fallback: WalSyncer | None = None
        self.fsyncs = 0  # answer batches received: one per helper fsync, or fewer

    @property
    def pid(self) -> int | None:
        """The helper's process id while it serves (benchmarks add its CPU time)."""
        return self._proc.pid if self._fallback is None else None

    def request(self, done: asyncio.Future[Any], inbox: LoopInbox) -> None:
        """Called on `inbox.loop`'s thread right after a commit."""
        if self._fallback is not None:
            self._fallback.request(done, inbox)
            return
        assert self._sock is not None
        if inbox.loop is not self._loop:
            self._watch(inbox.loop)
        try:
            self._sock.send(b"\0")
        except BlockingIOError:  # tens of thousands of asks unread: this one syncs here
            error: OSError | None = None
            try:
                sync_data(self._fd)
            except OSError as exc:
                error = exc
            _settle(done, error)
            return
        except OSError as exc:  # the helper is gone (broken pipe, reset)
            self._waiting.append(done)
            self._fail_over(f"fsync helper unreachable ({exc})")
            return
        self._waiting.append(done)

    def sync_now(self) -> None:
        if self._fallback is not None:
            self._fallback.sync_now()
        else:
            sync_data(self._fd)

    def close(self) -> None:
        if self._fallback is not None:
            self._fallback.close()
        self._unwatch()
        self._answer_all_here()  # whatever is still owed: this fsync covers it
        self._stop_helper()
        with contextlib.suppress(OSError):
            os.fsync(self._fd)
        os.close(self._fd)

    # -- inside ------------------------------------------------------------------------------
    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Read answers on the loop that asks (tests run one loop after another)."""
        self._unwatch()
        assert self._sock is not None
        loop.add_reader(self._sock.fileno(), self._on_answers)
        self._loop = loop

    def _unwatch(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None and not loop.is_closed() and self._sock is not None:
            with contextlib.suppress(Exception):
                loop.remove_reader(self._sock.fileno())

    def _on_answers(self) -> None:
        assert self._sock is not None
        try:
            answers = self._sock.recv(_READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            answers = b""
        if not answers:  # end of file: the helper exited or was killed
            self._fail_over(f"fsync helper exited (code {self._proc.poll()})")
            return
        self.fsyncs += 1
        for answer in answers:
            _settle(
                self._waiting.popleft(), OSError(answer, os.strerror(answer)) if answer else None
            )

    def _answer_all_here(self) -> None:
        if not self._waiting:
            return
        error: OSError | None = None
        try:
            sync_data(self._fd)
        except OSError as exc:
            error = exc
        while self._waiting:
            _settle(self._waiting.popleft(), error)

    def _fail_over(self, reason: str) -> None:
        logger.warning("outbox: %s; fsyncing in a thread from now on", reason)
        self._unwatch()
        self._answer_all_here()
        self._stop_helper()
        self._fallback = WalSyncer(self._wal_path)

    def _stop_helper(self) -> None:
        if self._sock is not None:
            self._sock.close()  # the helper reads end of file and exits
            self._sock = None
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def _settle(done: asyncio.Future[Any], error: OSError | None) -> None:
    if done.done() or done.get_loop().is_closed():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)


def start_wal_syncer(wal_path: Path) -> WalSyncer | ProcessWalSyncer:
    """The helper process where it can run (POSIX, a Python interpreter, the script on disk;
    not a PyInstaller bundle, whose executable is the app), else the thread syncer."""
    if os.name == "posix" and not getattr(sys, "frozen", False) and _CHILD_SCRIPT.is_file():
        try:
            return ProcessWalSyncer(wal_path)
        except OSError as exc:
            logger.warning("outbox: no fsync helper process (%s); fsyncing in a thread", exc)
    return WalSyncer(wal_path)
