"""The kinds of printed report, the options each takes, and the check of a request against them.

Imports nothing heavy (no SQLAlchemy, no reportlab), so the command line can name the kinds and
refuse a wrong request before it opens a database; :func:`tresxuno.services.reporting.run.write_report`
builds and draws one.
"""

from __future__ import annotations

from tresxuno.domain.problems import InputError, Problem

#: Reports that can be printed (``tresxuno report KIND``).
REPORT_KINDS: tuple[str, ...] = (
    "project",
    "agreement",
    "statement",
    "receipt",
    "session",
    "quarterly",
    "summary",
    "handover",
    "committee",
    "committee_report",
    "validation",
    "scholarship_receipts",
)
#: The options each report needs, by kind (names as in :data:`OPTION_NAMES`).
REQUIRED_OPTIONS: dict[str, tuple[str, ...]] = {
    "project": ("project",),
    "agreement": ("project",),
    "statement": ("project",),
    "receipt": ("entry",),
    "session": ("session",),
    "handover": ("project",),
    "committee": ("project",),
    "committee_report": ("project",),
    "validation": ("project",),
    "scholarship_receipts": ("project",),
    "quarterly": ("year", "quarter"),
    "summary": ("year",),
}
#: Options a report accepts without needing them (e.g. a quarterly report narrowed to one municipality).
OPTIONAL_OPTIONS: dict[str, tuple[str, ...]] = {
    "quarterly": ("municipality",),
    "summary": ("municipality",),
}
#: How each option is written on the command line, for messages.
OPTION_NAMES = {
    "project": "--project FOLIO",
    "entry": "--entry ID",
    "year": "--year",
    "quarter": "--quarter",
    "municipality": "--municipality",
    "session": "--session NUMBER",
}


def check_request(kind: str, given: dict[str, object]) -> None:
    """Refuse a report that is unknown, missing an option it needs or given one it ignores.

    Args:
        kind: the report kind asked for.
        given: the options given (name -> value; None or "" for an option not given), names as in
            :data:`OPTION_NAMES`.

    Raises:
        InputError: ``report.unknown_kind``, ``report.option_required`` or
            ``report.option_not_applicable``.
    """
    if kind not in REPORT_KINDS:
        raise InputError(
            Problem("report", "report.unknown_kind", {"kind": kind, "allowed": ", ".join(REPORT_KINDS)})
        )
    needed = REQUIRED_OPTIONS[kind]
    accepted = (*needed, *OPTIONAL_OPTIONS.get(kind, ()))
    problems = [
        Problem(name, "report.option_required", {"kind": kind, "option": OPTION_NAMES[name]})
        for name in needed
        if given.get(name) in (None, "")
    ]
    for name, value in given.items():
        if name not in accepted and value not in (None, ""):
            problems.append(
                Problem(
                    name,
                    "report.option_not_applicable",
                    {"kind": kind, "option": OPTION_NAMES.get(name, name)},
                )
            )
    if problems:
        raise InputError(problems)
