"""The desktop bundle: PyInstaller builds it from packaging/tresxuno.spec, and it runs on its own.

Slow lane (``pytest -m slow``, run by ``.ci/run`` after the normal tests): the build takes a few minutes.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is not installed: pip install '.[bundle]'")
    out = tmp_path_factory.mktemp("bundle")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "work"),
        ],
        check=True,
        cwd=ROOT,
        timeout=900,
    )
    print(f"bundle built in {time.perf_counter() - started:.0f} s")
    return out / "dist" / "tresxuno"


def test_the_bundle_carries_what_the_app_reads_at_run_time(bundle):
    inside = bundle / "_internal"
    for needed in (
        "seeds/inegi_municipios_2020.csv",
        "seeds/documents.toml",
        "seeds/rules/3x1.toml",
        "resources/fonts/DejaVuSans.ttf",
        "resources/icons/tresxuno-256.png",
        "tresxuno/locale/es/LC_MESSAGES/tresxuno.mo",
        "tresxuno/db/migrations/env.py",
        "tresxuno/db/migrations/versions/0001_initial.py",
        "PySide6/Qt/translations/qtbase_es.qm",
        "docs/manual/es/index.md",
        "docs/manual/en/ledger.md",
        "docs/screenshots/ledger.png",
    ):
        assert (inside / needed).is_file(), needed
    plugins = inside / "PySide6" / "Qt" / "plugins"
    names = {p.name for p in plugins.rglob("*") if p.is_file()}
    assert {"libqoffscreen.so", "libqxcb.so", "libqsvg.so", "libqico.so"} <= names


def test_the_bundle_loads_demo_data_opens_offscreen_and_exits_cleanly(bundle, tmp_path):
    database = tmp_path / "oficina.sqlite"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TRESXUNO_LANG": "es"}
    demo = subprocess.run(
        [str(bundle / "tresxuno-cli"), "--db", str(database), "demo", "--projects", "50"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert "50 proyectos" in demo.stdout

    started = time.perf_counter()
    gui = subprocess.run(
        [str(bundle / "tresxuno"), "--db", str(database)],
        capture_output=True,
        text=True,
        env={**env, "TRESXUNO_QUIT_AFTER_MS": "4000"},
        timeout=120,
        check=False,
    )
    assert gui.returncode == 0, gui.stderr
    print(f"bundle GUI start to exit: {time.perf_counter() - started:.1f} s")

    # It opened this database: closing the window left a dated backup of it, demo data and all.
    backups = sorted((Path(os.environ["TRESXUNO_DATA_DIR"]) / "backups").glob("oficina-*.sqlite"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT COUNT(*) FROM projects").fetchone() == (50,)
