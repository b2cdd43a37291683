"""The whole real path in headless Chromium: demo shop + snippet → Pixel and relay → sandbox.

No stand-ins but our own Meta sandbox: real Chromium, real loopback HTTP, real SQLite.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from desktop_app.capi.dedup import Pair
from desktop_app.services.browser import HeadlessBrowser
from desktop_app.services.demo import (
    DEMO_EVENTS,
    DEMO_TEST_EVENT_CODE,
    DemoCustomer,
    DemoProgress,
    DemoRun,
    counted_once,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]

CUSTOMER = DemoCustomer(
    email="Zeb.Quill+demo@Example.org",
    phone="+44 20 7946 0321",
    first_name="Zebulon",
    last_name="Quillfeather",
)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _needles(customer: DemoCustomer) -> set[str]:
    """Every form of the customer's data that must never reach a file: raw and normalized."""
    digits = "".join(ch for ch in customer.phone if ch.isdigit())
    values = {
        customer.email,
        customer.email.lower(),
        quote(customer.email, safe=""),
        quote(customer.email.lower(), safe=""),
        customer.phone,
        digits,
        digits[2:],  # national number without the country code
        customer.first_name,
        customer.last_name,
    }
    return {v for v in values if len(v) >= 6}


def _files_containing(roots: list[Path], needles: set[str]) -> list[tuple[str, str]]:
    """(file, needle) per raw value found, UTF-8 or UTF-16 (Chromium's storage), any case."""
    patterns = {n: (n.lower().encode(), n.lower().encode("utf-16-le")) for n in needles}
    hits: list[tuple[str, str]] = []
    for root in roots:
        for path in root.rglob("*"):
            try:
                if not path.is_file() or path.is_symlink():
                    continue
                data = path.read_bytes().lower()
            except OSError:  # vanished while Chromium was writing, or a socket
                continue
            hits += [(str(path), n) for n, pats in patterns.items() if any(p in data for p in pats)]
    return hits


def _listing(root: Path, pattern: str) -> list[Path]:
    return list(root.glob(pattern))


def _check_pairs(pairs: list[Pair]) -> dict[str, Pair]:
    by_name = {p.event_name: p for p in pairs if p.is_conversion}
    assert sorted(by_name) == sorted(DEMO_EVENTS)
    assert len([p for p in pairs if p.is_conversion]) == 4
    for name, pair in by_name.items():
        assert pair.verdict == "deduplicated", (name, pair.verdict)
        assert counted_once(pair), (name, pair.server and pair.server.status)
        assert pair.pixel is not None and pair.server is not None
        assert pair.pixel.event_id == pair.server.event_id == pair.event_id
        assert pair.event_id
    return by_name


@pytest.mark.slow
@pytest.mark.asyncio
async def test_demo_walk_gives_four_deduplicated_conversions(isolated_home: Path) -> None:
    progress: list[DemoProgress] = []
    demo = DemoRun(CUSTOMER, on_progress=progress.append)
    try:
        shop_url = await demo.start()
        assert shop_url.startswith("http://127.0.0.1:")
        async with HeadlessBrowser() as browser:
            page = await browser.new_page()
            pairs = await demo.walk(page)
            final_url = page.url
            assert demo.sandbox is not None
            received = demo.sandbox.received("1234567890123456")
            # Shopping again in the same run pairs only the new events (the app's re-run).
            again = await demo.walk(page)
    finally:
        await demo.stop()
    _check_pairs(again)
    assert {p.event_id for p in again}.isdisjoint({p.event_id for p in pairs if p.event_id})

    by_name = _check_pairs(pairs)
    # Purchase's event_id is the order id, the only thing the checkout put in the URL.
    order_id = final_url.split("order=", 1)[1]
    assert by_name["Purchase"].event_id == order_id
    assert by_name["Purchase"].pixel is not None
    assert by_name["Purchase"].pixel.custom_data.get("currency") == "EUR"
    # The base pixel's PageViews: no server copy, and not a conversion.
    page_views = [p for p in pairs if p.event_name == "PageView"]
    assert page_views
    assert all(p.verdict == "pixel_only" and not p.is_conversion for p in page_views)

    # Meta's side (the sandbox) got each conversion once, with the demo's test event code.
    assert sorted(e["event_name"] for e in received) == sorted(DEMO_EVENTS)
    assert {e["test_event_code"] for e in received} == {DEMO_TEST_EVENT_CODE}
    purchase = next(e for e in received if e["event_name"] == "Purchase")
    user_data = purchase["user_data"]
    # Hashed exactly as Meta wants: normalized, then SHA-256 (customer-information-parameters).
    assert user_data["em"] == [_sha("zeb.quill+demo@example.org")]
    assert user_data["ph"] == [_sha("442079460321")]
    assert user_data["fn"] == [_sha("zebulon")]
    assert user_data["ln"] == [_sha("quillfeather")]

    steps = [u.step for u in progress]
    assert steps[0] == "starting" and steps[-1] == "done"
    firsts = [steps.index(name) for name in DEMO_EVENTS]
    assert firsts == sorted(firsts)
    assert "warning" not in steps
    assert progress[-1].done == 4


@pytest.mark.slow
@pytest.mark.asyncio
async def test_no_raw_customer_data_in_any_file(
    isolated_home: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every temp file of this process and of Playwright/Chromium (their profile) lands here.
    # A short path: Chromium's singleton socket path must fit in 108 bytes (AF_UNIX).
    temp = Path(tempfile.mkdtemp(prefix="pb-"))
    request.addfinalizer(lambda: shutil.rmtree(temp, ignore_errors=True))
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    needles = _needles(CUSTOMER)
    demo = DemoRun(CUSTOMER)
    try:
        await demo.start()
        async with HeadlessBrowser() as browser:
            page = await browser.new_page()
            pairs = await demo.walk(page)
            profiles = _listing(temp, "playwright*")
            stores = _listing(isolated_home, "**/outbox.sqlite3*")
            # While everything still runs: relay store (and its WAL), logs, Chromium's profile.
            during = _files_containing([isolated_home, temp], needles)
        from desktop_app.capi.dedup import report

        (isolated_home / "report.json").write_text(str(report(pairs)), encoding="utf-8")
    finally:
        await demo.stop()
    _check_pairs(pairs)
    assert profiles, "Chromium's profile was expected under TMPDIR"
    assert stores, "the relay's store was expected in the home"
    # The test would catch a leak: the needles are in the relay's memory right now.
    assert during == []
    assert _files_containing([isolated_home, temp], needles) == []


@pytest.mark.slow
@pytest.mark.asyncio
async def test_pixel_blocked_relay_still_gets_every_event(isolated_home: Path) -> None:
    progress: list[DemoProgress] = []
    demo = DemoRun(step_timeout_s=0.8, on_progress=progress.append)
    try:
        await demo.start()
        async with HeadlessBrowser() as browser:
            page = await browser.new_page()
            await demo.capture.attach(page)
            # An ad blocker: Meta's script never loads (registered last, so it wins).
            await page.route(re.compile(r"^https://connect\.facebook\.net/"), _abort)
            pairs = await demo.walk(page)
    finally:
        await demo.stop()
    assert [p for p in pairs if p.pixel is not None] == []
    servers = {p.event_name: p for p in pairs}
    assert sorted(servers) == sorted(DEMO_EVENTS)
    assert {p.verdict for p in pairs} == {"server_only"}
    for pair in pairs:
        assert pair.server is not None and pair.server.status == "delivered"
        # The runtime makes _fbp itself when the Pixel is blocked.
        assert str(pair.server.payload["user_data"].get("fbp", "")).startswith("fb.")
    warned = [u.message for u in progress if u.step == "warning"]
    assert len([m for m in warned if "Pixel request" in m]) == 4


async def _abort(route: Any) -> None:
    await route.abort()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.asyncio
async def test_sandbox_unreachable_events_stay_queued_and_log_says_so(
    isolated_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    progress: list[DemoProgress] = []
    graph_url = f"http://127.0.0.1:{_closed_port()}"
    demo = DemoRun(graph_url=graph_url, delivery_timeout_s=1.5, on_progress=progress.append)
    try:
        await demo.start()
        assert demo.sandbox is None  # nothing listens at graph_url
        async with HeadlessBrowser() as browser:
            pairs = await demo.walk(await browser.new_page())
        assert demo.relay is not None
        statuses = {s.event_name: s.status for s in demo.relay.server_observations()}
    finally:
        await demo.stop()
    # Every conversion reached the relay and is kept for a retry, none counted as sent.
    assert sorted(statuses) == sorted(DEMO_EVENTS)
    assert set(statuses.values()) <= {"queued", "retrying", "sending"}
    assert not any(counted_once(p) for p in pairs)
    # The log says why (the relay's delivery log), and so does the demo.
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("retrying" in m or "queued" in m for m in warnings), warnings
    assert any(u.step == "warning" and "queued" in u.message for u in progress)


@pytest.mark.asyncio
async def test_browser_close_leaves_no_process_behind() -> None:
    before = _descendants()
    browser = HeadlessBrowser()
    await browser.start()
    started = _descendants() - before
    assert any("chrom" in cmd for _, cmd in started), started
    page = await browser.new_page()
    await page.goto("about:blank")
    await browser.close()
    await browser.close()  # twice is fine
    assert await _no_new_descendants(before), _descendants() - before


async def _no_new_descendants(before: set[tuple[int, str]], timeout_s: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        if not (_descendants() - before):
            return True
        await asyncio.sleep(0.05)
    return False


def _descendants() -> set[tuple[int, str]]:
    """(pid, cmdline) of live (non-zombie) descendants of this process, from /proc."""
    parents: dict[int, int] = {}
    cmds: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        parents[int(entry.name)] = int(fields[1])
        cmds[int(entry.name)] = cmd
    mine = {os.getpid()}
    changed = True
    while changed:
        changed = False
        for pid, ppid in parents.items():
            if ppid in mine and pid not in mine:
                mine.add(pid)
                changed = True
    mine.discard(os.getpid())
    return {(pid, cmds[pid]) for pid in mine}


def test_the_file_scan_finds_planted_values(tmp_path: Path) -> None:
    """The privacy test above is only as good as its scanner: it must see these."""
    (tmp_path / "a.log").write_text(f"user {CUSTOMER.email.lower()} logged", encoding="utf-8")
    (tmp_path / "deep" / "b").mkdir(parents=True)
    (tmp_path / "deep" / "b" / "c.ldb").write_bytes(
        b"\x00\x01" + "QUILLFEATHER".encode("utf-16-le") + b"\xff"
    )
    (tmp_path / "q.txt").write_text("em=" + quote(CUSTOMER.email, safe=""), encoding="utf-8")
    hits = _files_containing([tmp_path], _needles(CUSTOMER))
    assert {Path(f).name for f, _ in hits} == {"a.log", "c.ldb", "q.txt"}
    assert _files_containing([tmp_path], {"not-there-at-all"}) == []


@pytest.mark.asyncio
async def test_a_failed_start_stops_what_already_started(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the relay's data folder should be", encoding="utf-8")
    demo = DemoRun(data_dir=blocker)
    with pytest.raises(OSError):
        await demo.start()
    # Sandbox and shop had started before the relay failed: both are stopped again.
    assert (demo.sandbox, demo.shop, demo.relay) == (None, None, None)
    serving = [t.get_name() for t in asyncio.all_tasks() if t.get_name().endswith("-serve")]
    assert serving == []
