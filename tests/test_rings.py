"""Dependencies point inward: each ring imported alone must not drag in what it must not."""

from __future__ import annotations

import subprocess
import sys

import pytest

FORBIDDEN = {
    "tresxuno.domain": ("PySide6", "shiboken6", "sqlalchemy", "alembic"),
    "tresxuno.db": ("PySide6", "shiboken6"),
    "tresxuno.services": ("PySide6", "shiboken6"),
    "tresxuno.reports": ("PySide6", "shiboken6"),
    "tresxuno.cli": ("PySide6", "shiboken6", "sqlalchemy"),
}


def _modules_of(package: str) -> list[str]:
    import pkgutil

    import tresxuno

    names = [package]
    root = __import__(package, fromlist=["_"])
    if hasattr(root, "__path__"):
        names += [m.name for m in pkgutil.walk_packages(root.__path__, prefix=package + ".")]
    assert tresxuno
    return names


@pytest.mark.parametrize("ring", sorted(FORBIDDEN))
def test_ring_imports_nothing_it_must_not(ring):
    modules = [m for m in _modules_of(ring) if ".migrations" not in m]
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN[ring]!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{ring} pulled in: {result.stdout.strip()}"
