"""Dependencies point inward: every import checked against the rings, statically and at run time.

The static check reads every ``import`` of the package with :mod:`ast` (also those inside functions
and under ``if TYPE_CHECKING:``) and compares each edge with :data:`ALLOWED` and :data:`THIRD_PARTY`;
fixtures written into ``tmp_path`` show it fails on each kind of violation. The run-time check imports
each ring alone in a fresh interpreter and lists the heavy third-party packages it dragged in.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tresxuno"

#: What each ring may import besides itself and the root package ``tresxuno`` (only ``__version__``).
#: ``cli`` holds ``cli.py`` and ``__main__.py``; ``demo`` is the demo-data generators' package.
ALLOWED: dict[str, frozenset[str]] = {
    "i18n": frozenset(),
    "paths": frozenset(),
    "collector": frozenset(),  # pausing the cycle collector: a leaf every ring below ui may use
    "domain": frozenset({"i18n"}),
    "formatting": frozenset({"domain", "i18n"}),
    "messages": frozenset({"domain", "i18n", "formatting"}),
    "db": frozenset({"domain", "i18n", "paths", "collector"}),
    "reports": frozenset({"domain", "i18n", "messages", "formatting", "paths"}),
    "services": frozenset(
        {"domain", "db", "reports", "i18n", "messages", "formatting", "paths", "collector"}
    ),
    "demo": frozenset({"services", "db", "domain", "i18n", "messages", "formatting", "paths"}),
    "ui": frozenset({"services", "demo", "domain", "i18n", "messages", "formatting", "paths"}),
    "cli": frozenset({"services", "demo", "domain", "i18n", "messages", "formatting", "paths", "ui"}),
}
#: Third-party packages and the only rings that may import them directly.
THIRD_PARTY: dict[str, frozenset[str]] = {
    "PySide6": frozenset({"ui"}),
    "shiboken6": frozenset({"ui"}),
    "sqlalchemy": frozenset({"db", "services", "demo"}),
    "alembic": frozenset({"db"}),
    "reportlab": frozenset({"reports"}),
}
#: Generated migration scripts: they import what the schema needed then, and nothing imports them.
SKIPPED = ("db/migrations/versions",)


@dataclass(frozen=True)
class Edge:
    """One import: the file and line it is on, the importing module and the module imported."""

    path: str
    line: int
    module: str
    imported: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.module} -> {self.imported}"


def ring_of(module: str, root: str = "tresxuno") -> str | None:
    """The ring of a module of the package (``root`` for the package itself); None for any other."""
    parts = module.split(".")
    if parts[0] != root:
        return None
    if len(parts) == 1 or parts[1] == "__version__":
        return root
    return "cli" if parts[1] == "__main__" else parts[1]


def _module_name(path: Path, package: Path) -> tuple[str, bool]:
    """The dotted name of the file at ``path``, and whether it is a package's ``__init__``."""
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The modules one import statement names, relative imports resolved against ``module``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        # from . import x: the current package; each further dot goes one package up.
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - (node.level - 1)]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    if "." not in base:
        # "from tresxuno import paths": the names decide the ring (a module, or __version__).
        return [f"{base}.{alias.name}" for alias in node.names]
    return [base]


def import_edges(package: Path) -> Iterator[Edge]:
    """Every import of every module under ``package`` (a folder named like the package)."""
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith(SKIPPED):
            continue
        module, is_package = _module_name(path, package)
        shown = f"{package.name}/{relative}"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=shown)
        # ast.walk reaches every statement (function bodies, if TYPE_CHECKING:, try/except...).
        nodes = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        for node in sorted(nodes, key=lambda n: (n.lineno, n.col_offset)):
            for imported in _imported(node, module, is_package):
                yield Edge(shown, node.lineno, module, imported)


def violations(
    package: Path,
    allowed: Mapping[str, frozenset[str]] = ALLOWED,
    third_party: Mapping[str, frozenset[str]] = THIRD_PARTY,
) -> list[Edge]:
    """The imports under ``package`` that break the rings: each printed ``file:line module -> imported``."""
    root = package.name
    bad = []
    for edge in import_edges(package):
        ring = ring_of(edge.module, root)
        target = ring_of(edge.imported, root)
        if target is None:
            owners = third_party.get(edge.imported.split(".")[0])
            if owners is not None and ring not in owners:
                bad.append(edge)
        elif ring not in allowed:
            bad.append(edge)  # a module outside every ring: give it a line in the table first
        elif target not in (ring, root) and target not in allowed[ring]:
            bad.append(edge)
    return bad


def ring_graph(package: Path) -> dict[str, set[str]]:
    """Which rings the modules of each ring import (root package and third parties left out)."""
    root = package.name
    graph: dict[str, set[str]] = {}
    for edge in import_edges(package):
        ring, target = ring_of(edge.module, root), ring_of(edge.imported, root)
        if ring is not None and target not in (None, ring, root):
            graph.setdefault(ring, set()).add(target)
    return graph


def find_cycle(graph: Mapping[str, set[str] | frozenset[str]]) -> list[str] | None:
    """A cycle of ``graph`` as the rings along it (first repeated last), or None when there is none."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for nxt in sorted(graph.get(node, ())):
            cycle = visit(nxt, [*path, node])
            if cycle:
                return cycle
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start, [])
        if cycle:
            return cycle
    return None


def report(edges: list[Edge]) -> str:
    """The violations one per line, as the assertion message."""
    return "imports across the rings:\n" + "\n".join(str(e) for e in edges)


# --- The package --------------------------------------------------------------------------------


def test_every_import_of_the_package_follows_the_rings():
    bad = violations(PACKAGE)
    assert not bad, report(bad)


def test_the_walk_sees_every_ring_and_imports_inside_functions():
    edges = list(import_edges(PACKAGE))
    rings = {ring_of(e.module) for e in edges}
    assert set(ALLOWED) - {"demo"} <= rings, sorted(set(ALLOWED) - rings)
    # services -> reports is made inside a function (renderers load only when printing).
    assert any(
        e.module.startswith("tresxuno.services.") and e.imported.startswith("tresxuno.reports.pdf")
        for e in edges
    )
    assert not any("migrations/versions" in e.path for e in edges)


def test_no_import_cycle_between_rings():
    assert find_cycle(ALLOWED) is None
    graph = ring_graph(PACKAGE)
    assert find_cycle(graph) is None, find_cycle(graph)
    assert "reports" not in graph.get("ui", set()) and "db" not in graph.get("ui", set())


# --- The checker fails where it must: fake packages written into tmp_path -------------------------


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """A fake ``tresxuno`` package under ``root`` with ``files`` (path -> source); returns its folder."""
    package = root / "tresxuno"
    for name, source in {"__init__.py": '__version__ = "0"\n', **files}.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(package).parents:
            (package / parent / "__init__.py").touch()
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return package


def shown(package: Path) -> list[str]:
    return [str(e) for e in violations(package)]


def test_a_function_level_qt_import_in_domain_fails(tmp_path):
    package = write_tree(
        tmp_path,
        {
            "domain/money.py": """\
                from tresxuno.i18n import _


                def draw():
                    import PySide6.QtGui
                """,
            "i18n.py": "",
        },
    )
    assert shown(package) == ["tresxuno/domain/money.py:5 tresxuno.domain.money -> PySide6.QtGui"]


def test_a_type_checking_import_of_the_ui_in_services_fails(tmp_path):
    package = write_tree(
        tmp_path,
        {
            "services/projects.py": """\
                from typing import TYPE_CHECKING

                from tresxuno.db.engine import Database

                if TYPE_CHECKING:
                    from tresxuno.ui.main_window import MainWindow
                """,
            "db/engine.py": "import sqlalchemy\n",
            "ui/main_window.py": "from PySide6.QtWidgets import QMainWindow\n",
        },
    )
    assert shown(package) == [
        "tresxuno/services/projects.py:6 tresxuno.services.projects -> tresxuno.ui.main_window"
    ]


def test_db_importing_services_fails_and_makes_a_cycle(tmp_path):
    package = write_tree(
        tmp_path,
        {
            "db/repos.py": "from ..services import auth\n",
            "services/auth.py": "from tresxuno.db import repos\nfrom . import auth as again\n",
        },
    )
    assert shown(package) == ["tresxuno/db/repos.py:1 tresxuno.db.repos -> tresxuno.services"]
    assert find_cycle(ring_graph(package)) == ["db", "services", "db"]


def test_reports_importing_services_fails(tmp_path):
    package = write_tree(
        tmp_path,
        {
            "reports/exports.py": """\
                from tresxuno import __version__, paths, services
                from tresxuno.domain.money import Money
                from tresxuno.services.auth import require
                """,
            "reports/pdf/page.py": "from ...services import auth\nimport reportlab\n",
            "paths.py": "",
            "domain/money.py": "",
            "services/auth.py": "",
        },
    )
    assert shown(package) == [
        "tresxuno/reports/exports.py:1 tresxuno.reports.exports -> tresxuno.services",
        "tresxuno/reports/exports.py:3 tresxuno.reports.exports -> tresxuno.services.auth",
        "tresxuno/reports/pdf/page.py:1 tresxuno.reports.pdf.page -> tresxuno.services",
    ]


def test_a_module_outside_every_ring_and_a_misplaced_library_fail(tmp_path):
    package = write_tree(
        tmp_path,
        {
            "helpers.py": "import os\n\nfrom tresxuno import paths\n",
            "paths.py": "",
            "ui/views.py": "import sqlalchemy.orm\n\nfrom tresxuno import helpers\nfrom tresxuno.reports import pdf\n",
            "reports/pdf.py": "",
        },
    )
    assert shown(package) == [
        "tresxuno/helpers.py:3 tresxuno.helpers -> tresxuno.paths",
        "tresxuno/ui/views.py:1 tresxuno.ui.views -> sqlalchemy.orm",
        "tresxuno/ui/views.py:3 tresxuno.ui.views -> tresxuno.helpers",
        "tresxuno/ui/views.py:4 tresxuno.ui.views -> tresxuno.reports",
    ]


def test_a_tree_that_follows_the_rings_passes(tmp_path):
    package = write_tree(
        tmp_path,
        {
            "__main__.py": "from tresxuno.cli import main\n",
            "cli.py": "from tresxuno import __version__\n\n\ndef gui():\n    from tresxuno.ui import app\n",
            "ui/app.py": "from PySide6 import QtWidgets\nfrom tresxuno.services import store\n",
            "services/store.py": "from tresxuno.db import engine\nfrom tresxuno.reports import text\n",
            "db/engine.py": "import sqlalchemy\nfrom tresxuno.domain import money\n",
            "db/migrations/versions/0001.py": "from tresxuno.services import store\n",
            "reports/text.py": "from tresxuno import formatting\nfrom .. import paths\n",
            "formatting.py": "from tresxuno.domain import money\n",
            "paths.py": "",
            "domain/money.py": "from . import rules\n",
            "domain/rules.py": "",
        },
    )
    assert shown(package) == []
    assert find_cycle(ring_graph(package)) is None


# --- Third-party packages loaded at run time -----------------------------------------------------

QT = ("PySide6", "shiboken6")
SQL = ("sqlalchemy", "alembic")
#: What importing every module of a ring must not load. Services and the UI load reportlab only
#: when a report is printed; the CLI loads SQLAlchemy only in the commands that open a database.
FORBIDDEN = {
    "tresxuno.domain": (*QT, *SQL, "reportlab"),
    "tresxuno.i18n": (*QT, *SQL, "reportlab"),
    "tresxuno.paths": (*QT, *SQL, "reportlab"),
    "tresxuno.collector": (*QT, *SQL, "reportlab"),
    "tresxuno.formatting": (*QT, *SQL, "reportlab"),
    "tresxuno.messages": (*QT, *SQL, "reportlab"),
    "tresxuno.db": (*QT, "reportlab"),
    "tresxuno.reports": (*QT, *SQL),
    "tresxuno.services": (*QT, "reportlab"),
    "tresxuno.demo": (*QT, "reportlab"),
    "tresxuno.ui": ("reportlab",),
    "tresxuno.cli": (*QT, *SQL, "reportlab"),
}


def _modules_of(package: str) -> list[str]:
    import pkgutil

    names = [package]
    root = importlib.import_module(package)
    if hasattr(root, "__path__"):
        names += [m.name for m in pkgutil.walk_packages(root.__path__, prefix=package + ".")]
    return names


@pytest.mark.parametrize(
    "ring",
    [
        pytest.param(
            ring,
            marks=pytest.mark.skipif(
                ring == "tresxuno.demo" and importlib.util.find_spec(ring) is None,
                reason="tresxuno.demo does not exist yet",
            ),
        )
        for ring in sorted(FORBIDDEN)
    ],
)
def test_ring_loads_no_package_it_must_not(ring):
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
