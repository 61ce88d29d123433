"""scripts/screenshots.py writes a PNG of each main view at 1366 x 728 (a 1366 x 768 laptop less its taskbar)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def test_the_screenshot_script_saves_each_view(tmp_path, small_db):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "screenshots.py"),
            "--db",
            str(small_db.path),
            "--out",
            str(tmp_path / "shots"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("projects", "projects-jerez", "ledger"):
        image = QImage(str(tmp_path / "shots" / f"{name}.png"))
        assert (image.width(), image.height()) == (1366, 728), name
    # The entry forms: a deposit in dollars and a payment filled from a CFDI.
    for name in ("entry-contribution-usd", "entry-payment-cfdi"):
        assert not QImage(str(tmp_path / "shots" / f"{name}.png")).isNull(), name
