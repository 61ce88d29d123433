"""Every report survives the longest and strangest text each field accepts (domain/limits.py).

The report's data is built from the demo database, then every free-text field is replaced by text of
the field's maximum length: one endless word, combining marks, right-to-left script, emoji. The PDF
must be written and read back with pypdf (the footer on every page; plain letters of the long text).
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.reports.conftest import PRINTED_AT, PRINTED_BY, pdf_text
from tresxuno.domain import limits
from tresxuno.domain.problems import Problem
from tresxuno.domain.validation import clean_text

YEAR = 2018

#: Free-text fields of the report records and the input limit of the field they come from. A stage
#: comment of a ruling is "Sesión <number>: <conditions>", so it may exceed the conditions' limit.
FIELDS: dict[str, int] = {
    "name": limits.NAME,
    "club_name": limits.NAME,
    "federation_name": limits.NAME,
    "office_name": limits.NAME,
    "toma_issuer": limits.NAME,
    "toma_folio": limits.FOLIO,
    "home_contact": limits.NAME,
    "us_city": limits.SHORT,
    "board": limits.NAME,
    "locality": limits.NAME,
    "description": limits.LONG_TEXT,
    "comment": limits.LONG_TEXT + limits.SESSION_NUMBER + 10,
    "note": limits.NOTE,
    "mix_override_reason": limits.LONG_TEXT,
    "signer_name": limits.NAME,
    "signer_role": limits.NAME,
    "place": limits.NAME,
    "concept": limits.LONG_TEXT,
    "payee_name": limits.NAME,
    "reference": limits.REFERENCE,
    "reason": limits.LONG_TEXT,
    "contributor": limits.NAME,
    "rate_source": limits.SOURCE,
    "notes": limits.LONG_TEXT,
    "position": limits.NAME,
    "conditions": limits.LONG_TEXT,
    "changed_by": limits.USER,
    "received_by": limits.USER,
}

#: Pieces the hostile text repeats: letters without a space, combining marks, Arabic, Hebrew,
#: emoji, CJK, a mix. Each piece is valid input (clean_text accepts it).
PIECES = (
    "W",
    "Ñandú",
    "a\u0301\u0308\u0323",
    "مرحبا",
    "שלום",
    "😀👩‍👩‍👧",
    "漢字",
    "A-/_.,;W",
    "<b>&amp;</b>",
)


def hostile(piece: str, length: int) -> str:
    """``piece`` repeated (without spaces) to exactly ``length`` characters, as clean_text keeps it."""
    value = "".join(itertools.islice(itertools.cycle(piece), length))
    problems: list[Problem] = []
    kept = clean_text(value, "x", problems, max_len=length)
    assert not problems, problems
    return kept


def flood(record: Any, piece: str) -> Any:
    """``record`` with every free-text field (recursively) replaced by hostile text of its limit."""
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        return record
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.name in FIELDS and isinstance(value, str) and value:
            changes[f.name] = hostile(piece, FIELDS[f.name])
        elif f.name in FIELDS and isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            changes[f.name] = tuple(hostile(piece, FIELDS[f.name]) for _v in value)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(flood(v, piece) for v in value)
        elif dataclasses.is_dataclass(value):
            changes[f.name] = flood(value, piece)
    return dataclasses.replace(record, **changes) if changes else record


def _one(db, sql: str) -> int:
    with db.engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    assert value is not None, sql
    return int(value)


def build(kind: str, db, picks) -> tuple[Any, Any]:
    """The report's data from the demo database, and its renderer."""
    from tresxuno.reports.pdf import agreement, handover, project, quarterly, receipt, session, statement
    from tresxuno.reports.pdf import summary as summary_pdf
    from tresxuno.services.reporting.agreement import build_agreement
    from tresxuno.services.reporting.handover import build_handover
    from tresxuno.services.reporting.project import build_project_sheet
    from tresxuno.services.reporting.quarterly import build_quarterly
    from tresxuno.services.reporting.receipt import build_receipt
    from tresxuno.services.reporting.session import build_session_minutes
    from tresxuno.services.reporting.statement import build_statement
    from tresxuno.services.reporting.summary import build_summary

    who = {"printed_by": PRINTED_BY, "printed_at": PRINTED_AT}
    if kind == "project":
        return build_project_sheet(db, picks.busiest, **who), project.render_project_sheet
    if kind == "agreement":
        return build_agreement(db, picks.partner, **who), agreement.render_agreement
    if kind == "statement":
        return build_statement(db, picks.busiest, **who), statement.render_statement
    if kind == "receipt":
        return build_receipt(db, picks.usd_entry, **who), receipt.render_receipt
    if kind == "session":
        sid = _one(
            db, "SELECT session_id FROM covam_agenda GROUP BY session_id ORDER BY COUNT(*) DESC LIMIT 1"
        )
        return build_session_minutes(db, sid, **who), session.render_session_minutes
    if kind == "handover":
        pid = _one(db, "SELECT id FROM projects WHERE stage IN ('terminado', 'cerrado') ORDER BY id LIMIT 1")
        return build_handover(db, pid, **who), handover.render_handover
    if kind == "quarterly":
        return build_quarterly(db, YEAR, 4, **who), quarterly.render_quarterly
    return build_summary(db, YEAR, **who), summary_pdf.render_summary


KINDS = ("project", "agreement", "statement", "receipt", "session", "quarterly", "summary", "handover")


@pytest.mark.parametrize("kind", KINDS)
def test_every_report_survives_the_longest_strangest_text_each_field_accepts(
    kind, demo_db, picks, tmp_path: Path
):
    data, render = build(kind, demo_db, picks)

    @settings(
        max_examples=3,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(piece=st.sampled_from(PIECES))
    @example(piece="W")  # the plain endless word always runs
    def check(piece: str) -> None:
        path = tmp_path / f"{kind}.pdf"
        path.unlink(missing_ok=True)
        pages = render(flood(data, piece), path)
        assert path.stat().st_size > 0
        reader, texts = pdf_text(path)
        assert len(reader.pages) == pages
        for number, page_text in enumerate(texts, start=1):
            assert f"{number} de {pages}" in page_text
        if piece == "W":  # plain letters read back as they were typed (in pieces, lines broken)
            assert "W" * 20 in "".join("".join(texts).split())

    check()
