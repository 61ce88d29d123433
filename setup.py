"""Build hook: ship ``seeds/`` and ``resources/`` inside the package, so a wheel (not only a checkout) works.

They stay at the top of the repository (where people edit them); a build copies them into
``tresxuno/_shipped/`` of the wheel, where :func:`tresxuno.paths.install_root` finds them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("seeds", "resources")


class BuildWithData(build_py):
    """``build_py`` that also copies the shipped data folders into the built package."""

    def run(self) -> None:
        """Build the package as usual, then add the data folders beside its modules."""
        super().run()
        for name in SHIPPED:
            target = Path(self.build_lib) / "tresxuno" / "_shipped" / name
            shutil.copytree(ROOT / name, target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithData})
