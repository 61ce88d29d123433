"""A built wheel (not the checkout) carries what the app needs: rule sets, the INEGI catalogue, fonts.

Slow lane: builds the wheel with pip, installs it into a folder of its own and runs the installed
copy from outside the checkout (its dependencies come from the test environment).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A clean copy: pip builds in the source folder, and a stale build/ there could hide a missing file.
    source = out / "src"
    junk = (
        ".git",
        ".venv",
        "build",
        "dist",
        "*.egg-info",
        "__pycache__",
        ".*_cache",
        ".hypothesis",
        "*.sqlite",
    )
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*junk))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(out), str(source)], check=True, timeout=600)
    (wheel,) = out.glob("tresxuno-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tresxuno/_shipped/seeds/rules/3x1.toml" in names
    assert "tresxuno/_shipped/seeds/inegi_municipios_2020.csv" in names
    assert any(n.startswith("tresxuno/_shipped/resources/fonts/") for n in names)
    target = out / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True, timeout=600
    )
    return target


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(target), "TRESXUNO_PASSWORD": "demo1234"}
    return subprocess.run(
        [sys.executable, "-m", "tresxuno", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_the_installed_wheel_runs_demo_shares_and_a_report(installed, tmp_path):
    probe = subprocess.run(
        [sys.executable, "-c", "import tresxuno.paths as p; print(p.seeds_dir())"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(installed)},
        cwd=tmp_path,
        check=True,
    )
    assert Path(probe.stdout.strip()).is_relative_to(installed), "the checkout, not the wheel, answered"

    shares = run_installed(
        installed,
        tmp_path,
        *("shares", "--program", "3x1", "--year", "2016", "--category", "infrastructure"),
        *("--cost", "7276406.19", "--json"),
    )
    assert shares.returncode == 0, shares.stderr
    assert sum(Decimal(v) for v in json.loads(shares.stdout)["shares"].values()) == Decimal("7276406.19")

    db = tmp_path / "demo.sqlite"
    demo = run_installed(installed, tmp_path, "--db", str(db), "demo", "--projects", "30")
    assert demo.returncode == 0, demo.stderr
    with closing(sqlite3.connect(db)) as connection:
        (folio,) = connection.execute("SELECT folio FROM projects ORDER BY id LIMIT 1").fetchone()
    pdf = tmp_path / "cedula.pdf"
    report = run_installed(
        installed,
        tmp_path,
        *("--db", str(db), "report", "project", "--project", folio, "--user", "admin", "-o", str(pdf)),
    )
    assert report.returncode == 0, report.stderr
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert folio in text
