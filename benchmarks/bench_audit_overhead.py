"""What the audit trail costs: the 30,000-project demo written with and without it (not a test).

Each side is a whole ``tresxuno demo`` process; "without" runs the same command with the trail's
writers replaced by no-ops in that process only (never in the app), so the difference is the
trail's: the time to build and write its records and the file's bytes they take.

Usage::

    python benchmarks/bench_audit_overhead.py [--workdir DIR] [--projects 30000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import bench_exports  # noqa: E402

#: Run in the child: every reference to the trail's writers, in every module, becomes a no-op.
WITHOUT_TRAIL = """
import sys
import tresxuno.db.audit as audit
import tresxuno.db.engine, tresxuno.demo.projects, tresxuno.services.store  # noqa: F401
originals = {id(audit.install), id(audit.append), id(audit.audit_bulk_insert), id(audit.seal_baseline)}
def nothing(*args, **kwargs):
    return 0
for module in list(sys.modules.values()):
    for name, value in list(vars(module).items()) if module else ():
        if id(value) in originals:
            setattr(module, name, nothing)
from tresxuno.cli import main
sys.exit(main(sys.argv[1:]))
"""


def overhead_lines(workdir: Path, projects: int = 30_000) -> list[dict[str, str]]:
    """Two lines (time, file size) for the demo of ``projects`` projects, with the trail vs without."""
    workdir.mkdir(parents=True, exist_ok=True)
    runs = {}
    for side in ("with", "without"):
        path = workdir / f"overhead-{side}-{projects}.sqlite"
        for leftover in workdir.glob(path.name + "*"):
            leftover.unlink()
        base = ["--db", str(path), "demo", "--projects", str(projects)]
        if side == "with":
            command = [sys.executable, "-m", "tresxuno", *base]
        else:
            command = [sys.executable, "-c", WITHOUT_TRAIL, *base]
        run = bench_exports.measure(command)
        runs[side] = (run.seconds, path.stat().st_size)
    (with_s, with_b), (without_s, without_b) = runs["with"], runs["without"]
    time_ratio, size_ratio = with_s / without_s - 1, with_b / without_b - 1
    return [
        {
            "work": f"audit trail overhead, {projects:,}-project demo: time",
            "ours": f"{with_s:.1f} s",
            "anchor": f"without the trail: {without_s:.1f} s",
            "ratio": f"+{time_ratio:.0%}",
            "target": "≤ +15 %",
            "met": "yes" if time_ratio <= 0.15 else "no",
        },
        {
            "work": f"audit trail overhead, {projects:,}-project demo: file size",
            "ours": f"{with_b / 1e6:.0f} MB",
            "anchor": f"without the trail: {without_b / 1e6:.0f} MB",
            "ratio": f"+{size_ratio:.0%}",
            "target": "≤ +30 %",
            "met": "yes" if size_ratio <= 0.30 else "no",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default="~/.cache/tresxuno-bench")
    parser.add_argument("--projects", type=int, default=30_000)
    args = parser.parse_args()
    for line in overhead_lines(Path(args.workdir).expanduser(), args.projects):
        print(" | ".join(line.values()))


if __name__ == "__main__":
    main()
