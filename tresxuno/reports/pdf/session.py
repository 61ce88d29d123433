"""Renderer of the minutes of a COVAM session (*acta de sesión*), landscape: the agenda table is wide.

Under the committee's own heading (a state-level committee, not a municipal letterhead): the
session's data with the dates it was called and held, its president and technical secretary, the
committee's composition by represented party, the quorum and the rule it follows, the priority
criteria applied, every project on the agenda with its ruling, priority, votes, the date the ruling
takes effect and its conditions, the shares of each project with the approved total per party (in
figures and in words: the minutes are signed), and a signature block for every attendee with vote.
The acta prints its version (and the reason of a new one); one not yet printed as final says so.
"""

from __future__ import annotations

import os
from collections import Counter

from reportlab.platypus import Flowable, Paragraph, Spacer

from tresxuno.domain.ledger import party_rank
from tresxuno.domain.money import Money
from tresxuno.domain.quorum import PRESIDENT, ROLE_LABELS, SECRETARY
from tresxuno.domain.words import amount_in_words, amount_with_words
from tresxuno.formatting import date_text, money_text, party_label, session_kind_label, stage_label
from tresxuno.i18n import N_, _, language
from tresxuno.reports.data import AgendaProject, Attendee, SessionMinutes
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


def represents(data: SessionMinutes, party: str) -> str:
    """Whom a party's attendees stand for: the institution of the session's date, else the generic name."""
    label = data.representation(party)
    if label:
        return label
    body = SIGNS_FOR.get(party)
    return _(body) if body else party_label(party)


def role_text(role: str) -> str:
    """The translated name of a role at the session."""
    label = ROLE_LABELS.get(role)
    return _(label) if label else role


def signature_of(person: Attendee, data: SessionMinutes | None = None) -> SignatureBlock:
    """An attendee's block: printed name, post (and the committee role of its chair or secretary), representation."""
    post = person.position
    if person.role in (PRESIDENT, SECRETARY):
        post = f"{post} · {role_text(person.role)}" if post else role_text(person.role)
    if data is not None:
        body = represents(data, person.party)
    else:
        generic = SIGNS_FOR.get(person.party)
        body = _(generic) if generic else party_label(person.party)
    return SignatureBlock(person.name, post, body)


def attendees_table(data: SessionMinutes, width: float) -> Flowable:
    """Party (printed once per group), name, position, role at the session and vote of everyone present."""
    cols = [
        Col(_("Party"), min_width=60),
        Col(_("Name"), weight=2.0),
        Col(_("Position"), weight=2.0),
        Col(_("Role at the session"), min_width=60),
        Col(_("Vote"), wrap=False),
    ]
    rows = []
    previous = None
    for person in data.attendees:
        rows.append(
            [
                party_label(person.party) if person.party != previous else "",
                person.name,
                person.position,
                role_text(person.role),
                _("Yes") if person.has_vote else _("No"),
            ]
        )
        previous = person.party
    return fit_table(cols, rows, width)


def composition_table(data: SessionMinutes, width: float) -> Flowable:
    """The committee by represented party: whom each stands for, attendees and members with vote."""
    cols = [
        Col(_("Party"), min_width=60),
        Col(_("Representation"), weight=3.0),
        Col(_("Attending"), "right", wrap=False),
        Col(_("With vote"), "right", wrap=False),
    ]
    rows = [
        [party_label(r.party), represents(data, r.party), str(r.present), str(r.voters)]
        for r in data.composition
    ]
    return fit_table(cols, rows, width)


def quorum_text(data: SessionMinutes) -> str:
    """The quorum sentence: the rule, the count, and whether there was quorum."""
    q = data.quorum
    if q is None:
        return ""
    rule = _(
        "Rule: there is quorum when more than half of the committee's members with vote attend, its "
        "president among them."
    )
    if q.reached:
        said = _(
            "There is a legal quorum: {present} of the {members} members with vote attend, the president "
            "of the committee among them."
        )
    elif not q.president_present:
        said = _(
            "There is no quorum: {present} of the {members} members with vote attend and the president of "
            "the committee is not among them; without quorum the committee cannot rule."
        )
    else:
        said = _(
            "There is no quorum: {present} of the {members} members with vote attend and {needed} are "
            "needed; without quorum the committee cannot rule."
        )
    return said.format(present=q.present, members=q.members, needed=q.needed) + " " + rule


def votes_text(p: AgendaProject) -> str:
    """``"5 / 0 / 1"`` (in favour / against / abstentions), or a dash when no votes were recorded."""
    if p.votes_for is None or p.votes_against is None or p.abstentions is None:
        return "—"
    return f"{p.votes_for} / {p.votes_against} / {p.abstentions}"


def agenda_table(data: SessionMinutes, width: float, lang: str) -> Flowable:
    """Every project on the agenda: folio, name, club, municipality, cost, ruling, priority, votes, effect."""
    cols = [
        Col(_("No."), "right", wrap=False),
        Col(_("Folio"), wrap=False),
        Col(_("Project"), weight=2.5, min_width=90),
        Col(_("Club"), weight=1.5, min_width=60),
        Col(_("Municipality"), min_width=55),
        Col(_("Cost"), "right", wrap=False),
        Col(_("Ruling"), wrap=False),
        Col(_("Priority"), "right", wrap=False),
        Col(_("Votes (for / against / abstentions)"), "right", min_width=56),
        Col(_("Takes effect"), wrap=False),
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
            votes_text(p),
            date_text(p.effective_on, lang) if p.effective_on and p.ruling else "—",
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
    version = _("Version {version}").format(version=data.version)
    if not data.final:
        version = _("{version} — draft, not yet final").format(version=version)
    decor = PageDecor(
        data.letterhead,
        title,
        (_("Session {number}").format(number=data.number), day, version),
        wide=True,
    )
    footer = Footer(data.stamp, f"{title} {data.number} · {version}")
    width = PageGeometry.letter(wide=True, head_height=decor.height).body_width
    kind = session_kind_label(data.kind).lower()
    if data.called_on is not None:
        opening = _(
            "In {place}, on {date}, the Committee for the Validation and Attention of Migrants (COVAM), "
            "called on {called}, held its {kind} session number {number}, with the attendees listed below, "
            "to rule on the projects of its agenda."
        ).format(
            place=data.place,
            date=day,
            called=date_text(data.called_on, code, style="long"),
            kind=kind,
            number=data.number,
        )
    else:
        opening = _(
            "In {place}, on {date}, the Committee for the Validation and Attention of Migrants (COVAM) held "
            "its {kind} session number {number}, with the attendees listed below, to rule on the projects of "
            "its agenda."
        ).format(place=data.place, date=day, kind=kind, number=data.number)
    president, secretary = data.holder(PRESIDENT), data.holder(SECRETARY)
    not_recorded = _("not recorded")
    story: list[Flowable] = [Paragraph(fmt.esc(opening), st.clause)]
    if data.version > 1:
        story.append(
            Paragraph(
                fmt.esc(
                    _(
                        "This version {version} of the minutes replaces version {previous}. Reason: {reason}"
                    ).format(version=data.version, previous=data.version - 1, reason=data.version_reason)
                ),
                st.clause,
            )
        )
    story += [
        fields_table(
            [
                (_("Session"), data.number),
                (_("Kind"), session_kind_label(data.kind)),
                (
                    _("Called on"),
                    date_text(data.called_on, code, style="long") if data.called_on else not_recorded,
                ),
                (_("Held on"), day),
                (_("Place"), data.place),
                (_("Version"), version),
                (_("President of the committee"), president.name if president else not_recorded),
                (_("Technical secretary"), secretary.name if secretary else not_recorded),
            ],
            width,
        ),
        heading(_("Composition of the committee"), st),
    ]
    if data.composition:
        story.append(composition_table(data, width))
    if data.quorum is not None:
        story += [Spacer(1, 3), Paragraph(fmt.esc(quorum_text(data)), st.clause)]
    story.append(heading(_("Attendees"), st))
    if data.attendees:
        story.append(attendees_table(data, width))
    else:
        story.append(Paragraph(fmt.esc(_("No attendees were recorded.")), st.body))
    story.append(heading(_("Priority criteria applied"), st))
    if data.criteria:
        story += [
            Paragraph(fmt.esc(f"{n}. {line}"), st.body) for n, line in enumerate(data.criteria, start=1)
        ]
    else:
        story.append(Paragraph(fmt.esc(_("No priority criteria were recorded.")), st.body))
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
    # Everyone with vote signs; guests attend without signing.
    signers = [signature_of(a, data) for a in data.attendees if a.has_vote]
    blocks = signature_blocks(signers, width, per_row=SIGNATURES_PER_ROW)
    # The closing line stays with the first row of signatures.
    story += [Spacer(1, 8), keep(Paragraph(fmt.esc(closing), st.body), *blocks[:1]), *blocks[1:]]
    return build_document(output, story, decor, footer, wide=True, title=f"{title} {data.number}")
