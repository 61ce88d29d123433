"""Renderers of the acts that close scholarship and productive projects, and the students' receipts.

- The acta de entrega de becas: the students (name, CURP, level, amount of their level), the total
  by level against what the project paid, the statement, and the parties' and committee's signatures.
- The acta de entrega de bienes: the goods delivered (quantity, unit, people served), the families of
  the padrón signing as received, the money per party and the parties' signatures.
- The receipt of each student (one page each): amount in figures and words, signed by the student or,
  for a minor, the mother, father or guardian.

None of them speaks of works started or finished: these projects deliver scholarships and goods.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date

from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from tresxuno.domain.curp import minor_on
from tresxuno.domain.money import Money
from tresxuno.domain.words import amount_with_words
from tresxuno.formatting import category_label, date_text, money_text, school_level_label, stage_label
from tresxuno.i18n import _, language, ngettext
from tresxuno.reports.data import DeliveryAct, StudentLine
from tresxuno.reports.pdf import fmt
from tresxuno.reports.pdf.agreement import BLANK, signature_of
from tresxuno.reports.pdf.flow import (
    Col,
    SignatureBlock,
    build_document,
    cond_break,
    fields_table,
    fit_table,
    heading,
    keep,
    signature_blocks,
    styles,
)
from tresxuno.reports.pdf.handover import committee_signature, money_table, totals_in_words
from tresxuno.reports.pdf.page import project_document

#: Age below which a student's receipt is signed by the mother, father or guardian.


def _day(day: date | None, lang: str) -> str:
    return date_text(day, lang, style="long") if day else BLANK


def _head_fields(data: DeliveryAct, lang: str) -> list[tuple[str, str]]:
    p, c = data.project, data.club
    return [
        (_("Folio"), p.folio),
        (_("Programme"), f"{p.program.name(lang)} — {p.fiscal_year}"),
        (_("Category"), category_label(p.category)),
        (_("Stage"), stage_label(p.stage)),
        (_("Club"), c.name),
        (_("Federation"), c.federation_name),
        (_("Agreement signed"), date_text(data.signed_on, lang, style="short")),
        (_("Total cost"), money_text(p.cost, lang)),
    ]


def students_table(students: tuple[StudentLine, ...], width: float, lang: str) -> Flowable:
    """Number, name, CURP, level and amount of each student, with the total row."""
    cols = [
        Col("#", "right", wrap=False),
        Col(_("Student"), weight=3.0),
        Col(_("CURP"), wrap=False),
        Col(_("School level"), weight=1.5),
        Col(_("Amount"), "right", wrap=False),
    ]
    rows = [
        [str(i), s.name, s.curp, school_level_label(s.level), money_text(s.amount, lang)]
        for i, s in enumerate(students, start=1)
    ]
    rows.append(["", _("Total"), "", "", money_text(sum(s.amount for s in students), lang)])
    return fit_table(cols, rows, width, total_rows=1)


def levels_table(students: tuple[StudentLine, ...], width: float, lang: str) -> Flowable:
    """Per school level: students, amount per student and the subtotal (they add up to the total)."""
    count = Counter(s.level for s in students)
    amount = {s.level: s.amount for s in students}
    cols = [
        Col(_("School level"), weight=2.0),
        Col(_("Students"), "right", wrap=False),
        Col(_("Amount per student"), "right", wrap=False),
        Col(_("Subtotal"), "right", wrap=False),
    ]
    rows = [
        [
            school_level_label(level),
            f"{n:,}",
            money_text(amount[level], lang),
            money_text(n * amount[level], lang),
        ]
        for level, n in count.items()
    ]
    rows.append([_("Total"), f"{len(students):,}", "", money_text(sum(s.amount for s in students), lang)])
    return fit_table(cols, rows, width * 0.75, total_rows=1)


def goods_table(data: DeliveryAct, width: float) -> Flowable:
    """The goods delivered: description, quantity, unit and the people they serve."""
    cols = [
        Col(_("Goods"), weight=3.0),
        Col(_("Quantity"), "right", wrap=False),
        Col(_("Unit"), weight=1.0),
        Col(_("Beneficiaries"), "right", wrap=False),
    ]
    rows = [[g.description, g.quantity_text, g.unit, f"{g.beneficiaries:,}"] for g in data.goods]
    if not rows:
        rows = [[_("No goods were recorded for this project: list them here by hand."), "", "", ""]]
    return fit_table(cols, rows, width)


def scholarship_statement(data: DeliveryAct, lang: str) -> list[str]:
    """The paragraphs of the acta de entrega de becas."""
    p = data.project
    municipality = next((s.name for s in data.signatories if s.party == "municipal"), data.place)
    total = data.students_total
    paid = sum(x.paid for x in data.money)
    texts = [
        _(
            "In {place}, on {date}, the Municipality of {municipality}, which executes project {folio}, {name}, "
            "in the presence of the representatives of {club} and of the other parties to the coordination "
            "agreement signed on {signed}, records the delivery of the scholarships listed below to {count} "
            "students, each for the amount that the programme's rules set for their school level."
        ).format(
            place=data.place,
            date=_day(data.delivered_on, lang),
            municipality=municipality,
            folio=p.folio,
            name=p.name,
            club=data.club.name,
            signed=_day(data.signed_on, lang),
            count=f"{len(data.students):,}",
        ),
        _("The scholarships listed add up to {total}; {paid} was paid from the project's funds.").format(
            total=amount_with_words(Money(total)), paid=amount_with_words(Money(paid))
        ),
    ]
    if total != paid:
        texts.append(
            _(
                "The difference of {amount} between the scholarships listed and the amount paid is explained "
                "in the observations of this act."
            ).format(amount=amount_with_words(Money(abs(total - paid))))
        )
    texts.append(
        _(
            "Each student, or for a minor their mother, father or guardian, signs a receipt for their "
            "scholarship; the receipts are part of this act and the executor keeps them available to the "
            "parties and to the auditing bodies."
        )
    )
    return texts


def goods_statement(data: DeliveryAct, lang: str) -> list[str]:
    """The paragraphs of the acta de entrega de bienes."""
    p = data.project
    municipality = next((s.name for s in data.signatories if s.party == "municipal"), data.place)
    paid = sum(x.paid for x in data.money)
    approved = sum(x.approved for x in data.money)
    texts = [
        _(
            "In {place}, on {date}, the Municipality of {municipality}, which executes the productive project "
            "{folio}, {name}, delivers the goods listed below to its beneficiary families, in the presence of "
            "the representatives of {club} and of the other parties to the coordination agreement signed on "
            "{signed}."
        ).format(
            place=data.place,
            date=_day(data.delivered_on, lang),
            municipality=municipality,
            folio=p.folio,
            name=p.name,
            club=data.club.name,
            signed=_day(data.signed_on, lang),
        ),
        _("{paid} was paid for them, out of {approved} approved.").format(
            paid=amount_with_words(Money(paid)), approved=amount_with_words(Money(approved))
        ),
        _(
            "The beneficiaries receive the goods in working order, undertake to use them for the project's "
            "purpose and not to sell, lend or pledge them, and to keep them available to the inspections of "
            "the parties and the auditing bodies."
        ),
    ]
    if data.cash > 0:
        texts.append(
            _("Money not spent: {amount}; it is refunded to the parties as the agreement provides.").format(
                amount=amount_with_words(Money(data.cash))
            )
        )
    return texts


def render_delivery(data: DeliveryAct, output: str | os.PathLike[str]) -> int:
    """Draw the acta de entrega de becas or de bienes (``data.kind``) into ``output``; the page count."""
    code = language()
    st = styles(9)
    p = data.project
    title = _("Delivery of scholarships") if data.kind == "scholarships" else _("Delivery of goods")
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
        fields_table(_head_fields(data, code), width),
    ]
    if data.kind == "scholarships":
        story += [
            cond_break(120),
            heading(_("Students and their scholarships"), st, keep_with_next=False),
            students_table(data.students, width, code)
            if data.students
            else Paragraph(fmt.esc(_("The padrón has no students yet.")), st.body),
        ]
        if data.students:
            story += [
                heading(_("Scholarships by school level"), st),
                levels_table(data.students, width, code),
            ]
        paragraphs = scholarship_statement(data, code)
    else:
        families = ngettext("{count} beneficiary family", "{count} beneficiary families", len(data.families))
        story += [heading(_("Goods delivered"), st), goods_table(data, width)]
        story += [Paragraph(fmt.esc(families.format(count=len(data.families))), st.note)]
        paragraphs = goods_statement(data, code)
    story += [
        heading(_("Money per party"), st),
        money_table(data, width, code),
        Spacer(1, 4),
        totals_in_words(data, width, code),
        heading(_("Statement"), st),
    ]
    story += [Paragraph(fmt.esc(text), st.clause) for text in paragraphs]
    story += [heading(_("Observations"), st), Paragraph(BLANK + " " + BLANK, st.body)]
    signed = _("Signed in {place} on {date}.").format(place=data.place, date=_day(data.delivered_on, code))
    parties = signature_blocks([signature_of(s) for s in data.signatories], width)
    story += [Spacer(1, 6), keep(Paragraph(fmt.esc(signed), st.body), *parties[:1]), *parties[1:]]
    if data.kind == "goods":
        received = signature_blocks(
            [SignatureBlock(name, _("Beneficiary"), _("Received the goods")) for name in data.families]
            or [SignatureBlock("", _("Beneficiary"), _("Received the goods"))],
            width,
            per_row=3,
        )
        story += [keep(heading(_("Beneficiary families"), st), *received[:1]), *received[1:]]
    committee = signature_blocks(
        [committee_signature(m, p.locality or p.municipality_name) for m in data.committee], width, per_row=3
    )
    story += [keep(heading(_("Community committee"), st), *committee[:1]), *committee[1:]]
    return build_document(output, story, decor, footer, title=f"{title} {p.folio}")


def render_scholarship_receipts(data: DeliveryAct, output: str | os.PathLike[str]) -> int:
    """One receipt per student, a page each, numbered within the project; the page count."""
    code = language()
    st = styles(10)
    p = data.project
    title = _("Scholarship receipt")
    decor, footer, width = project_document(data.letterhead, data.stamp, title, p)
    municipality = next((s.name for s in data.signatories if s.party == "municipal"), data.place)
    on = data.delivered_on or data.stamp.printed_at.date()
    story: list[Flowable] = []
    for number, s in enumerate(data.students, start=1):
        if story:
            story.append(PageBreak())
        minor = minor_on(s.curp, on)
        story += [
            fields_table(
                [
                    (_("Receipt"), f"{p.folio}-B{number:04d}"),
                    (_("Date"), _day(data.delivered_on, code)),
                    (_("Student"), s.name),
                    (_("CURP"), s.curp),
                    (_("School level"), school_level_label(s.level)),
                    (_("Amount"), money_text(s.amount, code)),
                ],
                width,
                columns=1,
            ),
            Spacer(1, 12),
            Paragraph(
                fmt.esc(
                    _(
                        "I received from the Municipality of {municipality} the amount of {amount} as the "
                        "scholarship of {student}, {level}, granted by project {folio}, {name}, of the {program}."
                    ).format(
                        municipality=municipality,
                        amount=amount_with_words(Money(s.amount)),
                        student=s.name,
                        level=school_level_label(s.level).lower(),
                        folio=p.folio,
                        name=p.name,
                        program=p.program.name(code),
                    )
                ),
                st.clause,
            ),
            Spacer(1, 30),
            *signature_blocks(
                [
                    SignatureBlock(
                        "" if minor else s.name,
                        _("Mother, father or guardian") if minor else _("Student"),
                        _("Name, signature and official identification") if minor else _("Signature"),
                    ),
                    SignatureBlock(
                        "",
                        _("Municipal treasurer"),
                        _("For the Municipality of {name}").format(name=municipality),
                    ),
                ],
                width,
            ),
        ]
    return build_document(output, story, decor, footer, title=f"{title} {p.folio}")
