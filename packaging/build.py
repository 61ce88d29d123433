"""Build the one-folder desktop bundle with PyInstaller: ``python packaging/build.py [--dist DIR]``.

The same command on Linux and on Windows (from a venv with ``pip install .[bundle]``). The bundle is
written to ``dist/tresxuno/`` (or ``DIR/tresxuno/``): ``tresxuno`` (``tresxuno.exe``) starts the app,
``tresxuno-cli`` runs commands in a terminal. Prints the time taken and the folder's size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "tresxuno.spec"


def folder_size(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec; returns the bundle folder (``dist/tresxuno``)."""
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    subprocess.run(command, check=True, cwd=ROOT)
    return dist / "tresxuno"


def main(argv: list[str] | None = None) -> int:
    """Build, then report where, how long and how big."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="folder to write the bundle into")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller's scratch folder")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    bundle = build(args.dist.resolve(), args.work.resolve())
    seconds = time.perf_counter() - started
    print(f"bundle: {bundle}  ({seconds:.0f} s, {folder_size(bundle) / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
