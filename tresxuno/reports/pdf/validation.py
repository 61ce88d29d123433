"""Renderer of the cédula de validación técnica: each criterion's points, the sum, the result, signatures.

The criteria are printed as the scoring used them, with the points each allows and the points
given; the sum is compared with the points needed to pass, and a required criterion scored 0 is
named, since it fails the cédula whatever the sum.
"""

from __future__ import annotations

import os

from reportlab.platypus import Flowable, Paragraph, Spacer

from tresxuno.formatting import category_label, date_text, money_text
from tresxuno.i18n import _, language
from tresxuno.reports.data import ValidationSheet
from tresxuno.reports.pdf import fmt
from tresxuno.reports.pdf.flow import (
    Col,
    SignatureBlock,
    build_document,
    fields_table,
    fit_table,
    heading,
    keep,
    signature_blocks,
    styles,
)
from tresxuno.reports.pdf.page import project_document


def criteria_table(data: ValidationSheet, width: float) -> Flowable:
    """Criterion, most points, points given, note; a total row with the sum of both columns."""
    cols = [
        Col("#", "right", wrap=False),
        Col(_("Criterion"), weight=4.0),
        Col(_("Maximum"), "right", wrap=False),
        Col(_("Points"), "right", wrap=False),
        Col(_("Observations"), weight=2.0),
    ]
    rows = [
        [str(i), r.label + (" *" if r.required else ""), str(r.max_points), str(r.points), r.note]
        for i, r in enumerate(data.rows, start=1)
    ]
    rows.append(["", _("Total"), str(data.total), str(data.points), ""])
    return fit_table(cols, rows, width, total_rows=1)


def result_text(data: ValidationSheet) -> str:
    """The result in one sentence: the sum against the points needed, and any required criterion at 0."""
    failed = [r.label for r in data.rows if r.required and r.points == 0]
    if data.valid:
        return _(
            "Result: TECHNICALLY VALID. The project reached {points} of {total} points; {passing} are needed."
        ).format(points=data.points, total=data.total, passing=data.passing)
    text = _(
        "Result: NOT VALID. The project reached {points} of {total} points; {passing} are needed."
    ).format(points=data.points, total=data.total, passing=data.passing)
    if failed:
        text += " " + _("Required criteria scored 0: {names}.").format(names="; ".join(failed))
    return text


def render_validation_sheet(data: ValidationSheet, output: str | os.PathLike[str]) -> int:
    """Draw the cédula de validación técnica into ``output`` (a PDF, written atomically); the page count."""
    code = language()
    st = styles(9)
    p, c = data.project, data.club
    title = _("Technical validation sheet")
    decor, footer, width = project_document(data.letterhead, data.stamp, title, p)
    story: list[Flowable] = [
        heading(_("The project"), st),
        fields_table(
            [
                (_("Name"), p.name),
                (_("Location"), ", ".join(x for x in (p.locality, p.municipality_name, p.state_name) if x)),
            ],
            width,
            columns=1,
        ),
        Spacer(1, 3),
        fields_table(
            [
                (_("Folio"), p.folio),
                (_("Programme"), f"{p.program.name(code)} — {p.fiscal_year}"),
                (_("Category"), category_label(p.category)),
                (_("Total cost"), money_text(p.cost, code)),
                (_("Club"), c.name),
                (_("Toma de nota"), f"{c.toma_folio} ({date_text(c.toma_issued_on, code, style='short')})"),
                (_("Validation date"), date_text(data.validated_on, code, style="long")),
                (_("Validated by"), ", ".join(x for x in (data.validator_name, data.validator_post) if x)),
            ],
            width,
        ),
        heading(_("Scoring criteria"), st),
        criteria_table(data, width),
        Paragraph(
            fmt.esc(
                _(
                    "* Required: a criterion scored 0 makes the project not valid whatever its total. Criteria: {source}"
                ).format(source=data.source)
            ),
            st.note,
        ),
        Spacer(1, 6),
        Paragraph(f"<b>{fmt.esc(result_text(data))}</b>", st.body),
    ]
    if data.scorings > 1:
        story.append(
            Paragraph(
                fmt.esc(
                    _("This is scoring {n} of the project; the earlier ones are kept in its history.").format(
                        n=data.scorings
                    )
                ),
                st.note,
            )
        )
    if data.observations:
        story += [heading(_("Observations"), st), Paragraph(fmt.esc(data.observations), st.body)]
    blocks = [SignatureBlock(data.validator_name, data.validator_post or _("Validator"), _("Validated"))]
    blocks += [
        SignatureBlock(o.name, o.title or o.post_label, o.institution or o.post_label) for o in data.officials
    ]
    signs = signature_blocks(blocks, width, per_row=min(3, len(blocks)))
    story += [Spacer(1, 8), keep(*signs[:1]), *signs[1:]]
    return build_document(output, story, decor, footer, title=f"{title} {p.folio}")
