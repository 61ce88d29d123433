"""Renderer of the minutes of a COVAM session (*acta de sesión*), landscape: the agenda table is wide.

The session's data, the attendees grouped by the party they represent, every project on the agenda
with its ruling, priority and conditions, the shares of each project with the approved total per
party (in figures and in words: the minutes are signed), and a signature block for every attendee.
"""

from __future__ import annotations

import os
from collections import Counter

from reportlab.platypus import Flowable, Paragraph, Spacer

from tresxuno.domain.ledger import party_rank
from tresxuno.domain.money import Money
from tresxuno.domain.words import amount_in_words, amount_with_words
from tresxuno.formatting import date_text, money_text, party_label, session_kind_label, stage_label
from tresxuno.i18n import N_, _, language
from tresxuno.reports.data import Attendee, SessionMinutes
from tresxuno.reports.pdf import fmt
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
from tresxuno.reports.pdf.page import Footer, PageDecor, PageGeometry

#: Whom each attendee signs for, by party.
SIGNS_FOR: dict[str, str] = {
    "federal": N_("For the federal government"),
    "state": N_("For the state government"),
    "municipal": N_("For the municipal government"),
    "club": N_("For the migrant clubs"),
    "partner": N_("For the partner"),
}
#: Room (points) a long table needs below its heading to start on the current page.
TABLE_START = 90.0
#: Attendee signatures side by side on a landscape page.
SIGNATURES_PER_ROW = 3


def ruling_label(ruling: str | None) -> str:
    """Translated ruling: the name of the stage it moves the project to; "Pending" when none yet."""
    return stage_label(ruling) if ruling else _("Pending")


def signature_of(person: Attendee) -> SignatureBlock:
    """An attendee's block: printed name, position, and the party they sign for."""
    body = SIGNS_FOR.get(person.party)
    return SignatureBlock(person.name, person.position, _(body) if body else party_label(person.party))


def attendees_table(data: SessionMinutes, width: float) -> Flowable:
    """Party (printed once per group), name and position of everyone present."""
    cols = [Col(_("Party"), min_width=60), Col(_("Name"), weight=2.0), Col(_("Position"), weight=2.0)]
    rows = []
    previous = None
    for person in data.attendees:
        rows.append(
            [party_label(person.party) if person.party != previous else "", person.name, person.position]
        )
        previous = person.party
    return fit_table(cols, rows, width)


def agenda_table(data: SessionMinutes, width: float, lang: str) -> Flowable:
    """Every project on the agenda: number, folio, name, club, municipality, cost and the ruling."""
    cols = [
        Col(_("No."), "right", wrap=False),
        Col(_("Folio"), wrap=False),
        Col(_("Project"), weight=2.5, min_width=90),
        Col(_("Club"), weight=1.5, min_width=60),
        Col(_("Municipality"), min_width=55),
        Col(_("Cost"), "right", wrap=False),
        Col(_("Ruling"), wrap=False),
        Col(_("Priority"), "right", wrap=False),
        Col(_("Conditions"), weight=2.5, min_width=80),
    ]
    rows = [
        [
            str(p.number),
            p.folio,
            p.name,
            p.club_name,
            p.municipality_name,
            money_text(p.cost, lang),
            ruling_label(p.ruling),
            "—" if p.priority is None else str(p.priority),
            p.conditions or "—",
        ]
        for p in data.agenda
    ]
    return fit_table(cols, rows, width)


def shares_table(data: SessionMinutes, width: float, lang: str) -> Flowable:
    """Each project's share per party and cost; the last row adds up the approved projects only."""
    parties = sorted({s.party for p in data.agenda for s in p.shares}, key=party_rank)
    cols = [
        Col(_("No."), "right", wrap=False),
        Col(_("Folio"), wrap=False),
        Col(_("Ruling"), wrap=False),
        *[Col(party_label(party), "right", wrap=False) for party in parties],
        Col(_("Cost"), "right", wrap=False),
    ]
    rows = []
    for p in data.agenda:
        amounts = {s.party: s.amount for s in p.shares}
        rows.append(
            [
                str(p.number),
                p.folio,
                ruling_label(p.ruling),
                *[money_text(amounts[party], lang) if party in amounts else "—" for party in parties],
                money_text(p.cost, lang),
            ]
        )
    approved = {a.party: a.amount for a in data.approved}
    rows.append(
        [
            "",
            _("Total approved"),
            "",
            *[money_text(approved.get(party, 0), lang) for party in parties],
            money_text(data.approved_total, lang),
        ]
    )
    return fit_table(cols, rows, width, total_rows=1)


def approved_table(data: SessionMinutes, width: float, lang: str) -> Flowable:
    """The money approved per party, in figures and in words, and the total."""
    cols = [
        Col(_("Party"), min_width=60),
        Col(_("Amount approved"), "right", wrap=False),
        Col(_("Amount in words"), weight=3.0),
    ]
    rows = [
        [party_label(a.party), money_text(a.amount, lang), amount_in_words(Money(a.amount))]
        for a in data.approved
    ]
    rows.append(
        [_("Total"), money_text(data.approved_total, lang), amount_in_words(Money(data.approved_total))]
    )
    return fit_table(cols, rows, width, total_rows=1)


def tally(data: SessionMinutes) -> str:
    """How many projects the session saw and how each was ruled."""
    counts = Counter(p.ruling for p in data.agenda)
    return _(
        "Projects on the agenda: {total}; approved: {approved}; rejected: {rejected}; returned: {returned}; "
        "pending: {pending}."
    ).format(
        total=len(data.agenda),
        approved=counts["aprobado"],
        rejected=counts["rechazado"],
        returned=counts["devuelto"],
        pending=counts[None],
    )


def render_session_minutes(data: SessionMinutes, output: str | os.PathLike[str]) -> int:
    """Draw the minutes of a COVAM session into ``output`` (a PDF, written atomically).

    Returns:
        The number of pages.
    """
    code = language()
    st = styles(9)
    title = _("Minutes of the COVAM session")
    day = date_text(data.held_on, code, style="long")
    decor = PageDecor(
        data.letterhead, title, (_("Session {number}").format(number=data.number), day), wide=True
    )
    footer = Footer(data.stamp, f"{title} {data.number}")
    width = PageGeometry.letter(wide=True, head_height=decor.height).body_width
    opening = _(
        "In {place}, on {date}, the Committee for the Validation and Attention of Migrants (COVAM) held "
        "its {kind} session number {number}, with the attendees listed below, to rule on the projects of "
        "its agenda."
    ).format(place=data.place, date=day, kind=session_kind_label(data.kind).lower(), number=data.number)
    story: list[Flowable] = [
        Paragraph(fmt.esc(opening), st.clause),
        fields_table(
            [
                (_("Session"), data.number),
                (_("Kind"), session_kind_label(data.kind)),
                (_("Date"), day),
                (_("Place"), data.place),
            ],
            width,
        ),
        heading(_("Attendees"), st),
    ]
    if data.attendees:
        story.append(attendees_table(data, width))
    else:
        story.append(Paragraph(fmt.esc(_("No attendees were recorded.")), st.body))
    # The agenda and the shares are long tables that split across pages: their headings are not
    # kept with them (the table would jump whole to the next page), a page starts only when
    # less than a few rows' room is left.
    story += [cond_break(TABLE_START), heading(_("Agenda and rulings"), st, keep_with_next=False)]
    if data.agenda:
        story += [
            agenda_table(data, width, code),
            Spacer(1, 3),
            Paragraph(fmt.esc(tally(data)), st.body),
            cond_break(TABLE_START),
            heading(_("Shares of the projects"), st, keep_with_next=False),
            shares_table(data, width, code),
            heading(_("Money approved per party"), st),
            approved_table(data, width, code),
            Spacer(1, 3),
            Paragraph(
                fmt.esc(
                    _("The session approved {total} in all.").format(
                        total=amount_with_words(Money(data.approved_total))
                    )
                ),
                st.body,
            ),
        ]
    else:
        story.append(Paragraph(fmt.esc(_("The agenda was empty.")), st.body))
    if data.notes:
        story += [heading(_("Notes"), st), Paragraph(fmt.esc(data.notes), st.clause)]
    closing = _(
        "There being no further business, the session was closed and these minutes were signed by those "
        "present."
    )
    blocks = signature_blocks([signature_of(a) for a in data.attendees], width, per_row=SIGNATURES_PER_ROW)
    # The closing line stays with the first row of signatures.
    story += [Spacer(1, 8), keep(Paragraph(fmt.esc(closing), st.body), *blocks[:1]), *blocks[1:]]
    return build_document(output, story, decor, footer, wide=True, title=f"{title} {data.number}")
