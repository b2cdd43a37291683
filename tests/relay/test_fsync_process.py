"""The fsync helper process behind `durability=full`: answers, errors, failure and fallback."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import alive, wait_for

from desktop_app.services import fsync_process
from desktop_app.services.fsync_process import ProcessWalSyncer, start_wal_syncer
from desktop_app.services.loop_inbox import LoopInbox
from desktop_app.services.outbox import NewEvent, Outbox
from desktop_app.services.wal_sync import WalSyncer

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="POSIX helper, /proc checks")


def event(event_id: str) -> NewEvent:
    return NewEvent("1", "Purchase", event_id, 1_700_000_000, {"e": event_id}, [], None)


def stored(path: Path) -> int:
    """Events in the outbox file, read back by a new outbox."""
    again = Outbox(path, durability="process")
    again.open()
    try:
        return len(again.rows(limit=1000))
    finally:
        again.close()


async def ask(syncer: ProcessWalSyncer | WalSyncer, inbox: LoopInbox) -> None:
    done: asyncio.Future[None] = inbox.loop.create_future()
    syncer.request(done, inbox)
    await asyncio.wait_for(done, 10)


@pytest.mark.asyncio
async def test_full_durability_uses_the_helper_and_stops_it_on_close(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.open()
    pid = box.fsync_helper_pid
    try:
        assert pid is not None and alive(pid)
        appended = await asyncio.gather(*(box.append([event(f"e{i}")]) for i in range(300)))
        assert [a[0].duplicate for a in appended] == [False] * 300
        assert box._syncer is not None and 1 <= box._syncer.fsyncs <= box.commits
    finally:
        box.close()
    assert not alive(pid)  # closing our end of the socket ends it; close() reaps it
    assert stored(tmp_path / "o.sqlite3") == 300


@pytest.mark.asyncio
async def test_a_killed_helper_loses_nothing_and_a_thread_takes_over(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    box.open()
    try:
        await box.append([event("before")])
        pid = box.fsync_helper_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        # Commits made while the helper is dying are answered by the fallback's fsync.
        results = await asyncio.gather(*(box.append([event(f"after{i}")]) for i in range(50)))
        assert all(not r[0].duplicate for r in results)
        assert await wait_for(lambda: box.fsync_helper_pid is None)
        assert not alive(pid)
        await box.append([event("later")])  # the thread syncer serves from now on
    finally:
        box.close()
    assert stored(tmp_path / "o.sqlite3") == 52


@pytest.mark.asyncio
async def test_terminal_signals_do_not_stop_the_helper(tmp_path: Path) -> None:
    """Ctrl-C or `systemctl stop` reach the whole process group; the relay's graceful
    shutdown still needs the helper, which ends only when the relay closes the socket."""
    syncer = ProcessWalSyncer(tmp_path / "w")
    inbox = LoopInbox(asyncio.get_running_loop())
    try:
        pid = syncer.pid
        assert pid is not None
        await ask(syncer, inbox)  # answered: the helper is past its start-up
        os.kill(pid, signal.SIGINT)
        os.kill(pid, signal.SIGTERM)
        await ask(syncer, inbox)  # handled after the signals were delivered
        await ask(syncer, inbox)
        assert syncer.pid == pid and alive(pid)
    finally:
        syncer.close()
        inbox.close()


@pytest.mark.asyncio
async def test_an_fsync_error_reaches_every_request_it_covered(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # fdatasync on a FIFO fails with EINVAL
    syncer = ProcessWalSyncer(fifo)
    inbox = LoopInbox(asyncio.get_running_loop())
    try:
        asks = [inbox.loop.create_future() for _ in range(3)]
        for done in asks:
            syncer.request(done, inbox)
        for done in asks:
            with pytest.raises(OSError) as raised:
                await asyncio.wait_for(done, 10)
            assert raised.value.errno == errno.EINVAL
        assert syncer.pid is not None  # an I/O error is an answer, not a dead helper
    finally:
        syncer.close()
        inbox.close()


def test_the_helper_answers_one_byte_per_request_read(tmp_path: Path) -> None:
    wal = tmp_path / "w"
    wal.write_bytes(b"x")
    fd = os.open(wal, os.O_RDWR)
    ours, theirs = socket.socketpair()
    child = subprocess.Popen(
        [
            sys.executable,
            "-I",
            "-S",
            str(fsync_process._CHILD_SCRIPT),
            str(fd),
            str(theirs.fileno()),
        ],
        pass_fds=(fd, theirs.fileno()),
    )
    theirs.close()
    try:
        ours.sendall(b"\0\0\0\0")
        answers = b""
        while len(answers) < 4:
            answers += ours.recv(64)
        assert answers == bytes(4)
        ours.shutdown(socket.SHUT_WR)
        assert child.wait(timeout=10) == 0  # end of file: it exits cleanly
    finally:
        ours.close()
        os.close(fd)
        if child.poll() is None:
            child.kill()
            child.wait()


def test_no_helper_where_it_cannot_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # a PyInstaller bundle
    syncer = start_wal_syncer(tmp_path / "w")
    try:
        assert isinstance(syncer, WalSyncer)
    finally:
        syncer.close()
