"""Renderers of the contraloría social committee's documents: its constitution act and its report form.

The act records who the beneficiaries elected and what the committee watches (the works, each
party's approved money); the members sign it, and so does the office that witnessed it. The report
form is what the committee fills in by hand after a visit: the questions of contraloría social with
Yes/No boxes, room for its observations, and the members' signatures. Both carry the programme's
legend in the footer, like every document.
"""

from __future__ import annotations

import os

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from tresxuno.formatting import category_label, date_text, money_text, party_label
from tresxuno.i18n import N_, _, language
from tresxuno.reports.data import CommitteeSeat, SocialCommitteeDocument
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
from tresxuno.reports.pdf.page import Footer, PageDecor, PageGeometry

POSITION_LABELS: dict[str, str] = {
    "presidente": N_("President"),
    "secretario": N_("Secretary"),
    "vocal": N_("Member (vocal)"),
}
FILING_LABELS: dict[str, str] = {"acta": N_("Minutes"), "informe": N_("Committee report")}
#: The questions of the committee's report, in order (answered Yes/No by hand).
QUESTIONS: tuple[str, ...] = (
    N_("Did the committee receive the information on the works: amount, goals, timetable and executor?"),
    N_("Are the works being carried out as the convenio and its timetable provide?"),
    N_("Does the works site show the programme's sign with the Ley General de Desarrollo Social legend?"),
    N_("Do the works benefit the people they were approved for?"),
    N_("Did the committee find irregularities (materials, quality, amounts, use for other purposes)?"),
    N_("Did the committee file complaints or reports? If so, to which authority?"),
)
BOXES = "☐ {yes}    ☐ {no}"


def _writing_lines(width: float, count: int) -> Flowable:
    """``count`` ruled lines across the whole width, to write on by hand."""
    table = Table([[""] for _line in range(count)], colWidths=[width], rowHeights=[16] * count)
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.grey)]))
    return table


def _project_fields(data: SocialCommitteeDocument, width: float) -> Flowable:
    p, code = data.project, language()
    return fields_table(
        [
            (_("Folio"), p.folio),
            (_("Programme"), f"{p.program.name(code)} — {p.fiscal_year}"),
            (_("Works"), p.name),
            (_("Category"), category_label(p.category)),
            (_("Location"), ", ".join(x for x in (p.locality, p.municipality_name, p.state_name) if x)),
            (_("Club"), data.club.name),
            (_("Beneficiaries"), f"{p.beneficiaries:,}"),
            (_("Total cost"), money_text(p.cost, code)),
        ],
        width,
    )


def _money(data: SocialCommitteeDocument, width: float) -> Flowable:
    code = language()
    cols = [Col(_("Party"), min_width=80), Col(_("Approved contribution"), "right", wrap=False)]
    rows = [[party_label(m.party), money_text(m.approved, code)] for m in data.money]
    rows.append([_("Total"), money_text(sum(m.approved for m in data.money), code)])
    return fit_table(cols, rows, width, total_rows=1)


def _position(seat: CommitteeSeat) -> str:
    label = POSITION_LABELS.get(seat.position)
    return _(label) if label else seat.position


def _member_signatures(data: SocialCommitteeDocument, width: float) -> list[Flowable]:
    place = data.project.locality or data.project.municipality_name
    blocks = [
        SignatureBlock(m.name, _position(m), _("Contraloría social committee of {place}").format(place=place))
        for m in data.members
    ]
    return signature_blocks(blocks, width, per_row=3)


def render_committee_act(data: SocialCommitteeDocument, output: str | os.PathLike[str]) -> int:
    """Draw the committee's constitution act (acta de constitución) into ``output``; the page count."""
    code = language()
    st = styles(9)
    p = data.project
    title = _("Constitution of the contraloría social committee")
    decor = PageDecor(data.letterhead, title, (_("Project {folio}").format(folio=p.folio), p.name))
    footer = Footer(data.stamp, f"{title} — {p.folio}")
    width = PageGeometry.letter(wide=False, head_height=decor.height).body_width
    statement = _(
        "In {place}, on {date}, the beneficiaries of the works {name} (folio {folio}) met in assembly and "
        "elected the contraloría social committee below, so that the community itself watches that the "
        "works are carried out and the public money is spent as the convenio provides (Ley General de "
        "Desarrollo Social, articles 69 to 71). The committee received the information on the works, its "
        "amounts and its timetable, and may report any irregularity to the executing office and to the "
        "control bodies."
    ).format(
        place=data.place,
        date=date_text(data.constituted_on, code, style="long"),
        name=p.name,
        folio=p.folio,
    )
    cols = [
        Col(_("No."), "right", wrap=False),
        Col(_("Name"), weight=3.0),
        Col(_("Position"), min_width=70),
        Col(_("Sex"), "center", wrap=False),
    ]
    sexes = {"M": _("Woman"), "H": _("Man"), "": "—"}
    rows = [
        [str(n), m.name, _position(m), sexes.get(m.sex, m.sex)] for n, m in enumerate(data.members, start=1)
    ]
    story: list[Flowable] = [
        heading(_("The works"), st),
        _project_fields(data, width),
        heading(_("What the committee watches"), st),
        _money(data, width),
        heading(_("Constitution"), st),
        Paragraph(fmt.esc(statement), st.clause),
        Spacer(1, 4),
        fit_table(cols, rows, width),
    ]
    place = data.project.locality or data.project.municipality_name
    blocks = [
        SignatureBlock(m.name, _position(m), _("Contraloría social committee of {place}").format(place=place))
        for m in data.members
    ]
    blocks.append(
        SignatureBlock("", _("Official of the executing office"), data.letterhead.office_name or data.place)
    )
    signatures = signature_blocks(blocks, width, per_row=3)
    story += [keep(heading(_("Signatures"), st), *signatures[:1]), *signatures[1:]]
    if data.filings:
        filing_cols = [
            Col(_("Date"), wrap=False),
            Col(_("Kind"), wrap=False),
            Col(_("Summary"), weight=2.0),
            Col(_("Findings"), weight=2.0),
        ]
        filing_rows = [
            [date_text(f.held_on, code), _(FILING_LABELS.get(f.kind, f.kind)), f.summary, f.findings or "—"]
            for f in data.filings
        ]
        story += [
            heading(_("Annex: minutes and reports filed"), st),
            fit_table(filing_cols, filing_rows, width),
        ]
    return build_document(output, story, decor, footer, title=f"{title} {p.folio}")


def render_committee_report_form(data: SocialCommitteeDocument, output: str | os.PathLike[str]) -> int:
    """Draw the committee's report form (informe), to fill in by hand after a visit; the page count."""
    code = language()
    st = styles(9)
    p = data.project
    title = _("Report of the contraloría social committee")
    decor = PageDecor(data.letterhead, title, (_("Project {folio}").format(folio=p.folio), p.name))
    footer = Footer(data.stamp, f"{title} — {p.folio}")
    width = PageGeometry.letter(wide=False, head_height=decor.height).body_width
    boxes = BOXES.format(yes=_("Yes"), no=_("No"))
    cols = [Col(_("No."), "right", wrap=False), Col(_("Question"), weight=4.0), Col(_("Answer"), wrap=False)]
    rows = [[str(n), _(q), boxes] for n, q in enumerate(QUESTIONS, start=1)]
    story: list[Flowable] = [
        heading(_("The works"), st),
        _project_fields(data, width),
        Spacer(1, 4),
        fields_table(
            [
                (_("Committee constituted on"), date_text(data.constituted_on, code, style="long")),
                (_("Date of this report"), "____ / ____ / ________"),
                (_("Period reported"), "____ / ____ / ________ — ____ / ____ / ________"),
            ],
            width,
            columns=1,
        ),
        heading(_("What the committee watches"), st),
        _money(data, width),
        heading(_("Questions"), st),
        fit_table(cols, rows, width),
        heading(_("Observations, complaints and suggestions"), st),
        _writing_lines(width, 5),
        Spacer(1, 4),
        Paragraph(
            fmt.esc(
                _(
                    "The committee hands this report to the executing office, which files it in the project's "
                    "record and answers every complaint in writing."
                )
            ),
            st.note,
        ),
    ]
    members = _member_signatures(data, width)
    story += [keep(heading(_("Signatures"), st), *members[:1]), *members[1:]]
    return build_document(output, story, decor, footer, title=f"{title} {p.folio}")
