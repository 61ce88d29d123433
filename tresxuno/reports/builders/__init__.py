"""Report builders: gather a printed report's data through the services into plain frozen records.

The kinds of report are listed here, without importing anything, so the command line can name them
without loading SQLAlchemy or reportlab; :func:`tresxuno.reports.builders.run.write_report` builds
and renders one.
"""

from __future__ import annotations

#: Reports that can be printed now (``tresxuno report KIND``).
REPORT_KINDS: tuple[str, ...] = (
    "project",
    "agreement",
    "statement",
    "receipt",
    "session",
    "quarterly",
    "summary",
    "handover",
)
#: Reports planned and not built yet: asking for one says so (exit status 2).
PLANNED_KINDS: tuple[str, ...] = ()
#: The options each report needs, by kind (names as in ``run.OPTION_NAMES``).
REQUIRED_OPTIONS: dict[str, tuple[str, ...]] = {
    "project": ("project",),
    "agreement": ("project",),
    "statement": ("project",),
    "receipt": ("entry",),
    "session": ("session",),
    "handover": ("project",),
    "quarterly": ("year", "quarter"),
    "summary": ("year",),
}
#: Options a report accepts without needing them (e.g. a quarterly report narrowed to one municipality).
OPTIONAL_OPTIONS: dict[str, tuple[str, ...]] = {
    "quarterly": ("municipality",),
    "summary": ("municipality",),
}
