"""Screenshots for the docs: the start screen and the setup wizard, rendered offscreen by the
app's own widgets. Run: `.venv/bin/python tests/workspace/doc_screenshots.py`."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PIXELBRIDGE_HOME"] = tempfile.mkdtemp(prefix="pb-shots-")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "memkeyring.MemoryKeyring")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "docs" / "screenshots"


async def shoot() -> None:
    from workspace.helpers import world

    from desktop_app.services.paths import AppPaths
    from desktop_app.services.setup_checks import SetupService
    from desktop_app.services.workspaces import Workspace
    from desktop_app.views.qt import QApplication
    from desktop_app.views.setup_wizard import SetupWizard
    from desktop_app.views.start_screen import StartScreen

    now = time.time()
    screen = StartScreen()
    screen.show_workspaces(
        [
            Workspace(
                "a",
                "Linen & Co shop",
                "https://linenandco.com",
                "1234567890123456",
                opened_at=now - 600,
            ),
            Workspace(
                "b",
                "Yoga course (Kajabi)",
                "https://yoga-with-ana.mykajabi.com",
                "6543210987654321",
                opened_at=now - 3 * 86400,
            ),
            Workspace(
                "c",
                "Client: Bakery Webflow",
                "https://bakery.example",
                "",
                opened_at=now - 9 * 86400,
            ),
        ],
        now=now,
    )
    screen.show()
    QApplication.processEvents()
    screen.grab().save(str(OUT / "start-screen.png"), "PNG")

    async with world() as w:
        wizard = SetupWizard(SetupService(w.graph_url, AppPaths.default().data), mode="test")
        wizard.show()
        wizard.url_field.setText(w.shop.url)
        assert await wizard.next_step(), wizard.result.text()
        QApplication.processEvents()
        wizard.grab().save(str(OUT / "setup-wizard.png"), "PNG")
        wizard.pixel_field.setText(wizard.pixel_field.text() or "1234567890123456")
        assert await wizard.next_step()
        wizard.token_field.setText("EAAexample" + "x" * 40)
        assert await wizard.next_step(), wizard.result.text()
        wizard.code_field.setText("TEST4242")
        assert await wizard.next_step()
        assert await wizard.next_step()
        assert await wizard.next_step(), wizard.result.text()
        QApplication.processEvents()
        wizard.grab().save(str(OUT / "setup-wizard-install.png"), "PNG")
        wizard.close()
        wizard.deleteLater()
    screen.close()
    screen.deleteLater()
    await asyncio.sleep(0)
    QApplication.processEvents()


def main() -> None:
    import qasync

    from desktop_app.views.qt import ensure_application

    app = ensure_application()
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(shoot())
    print("saved", *sorted(p.name for p in OUT.glob("s*-*.png")))


if __name__ == "__main__":
    main()
