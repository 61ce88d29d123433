"""Renderer of the hand-over of finished works (*acta de entrega-recepción*), portrait.

The works and where they are, the club, the dates (agreement, start, finish), the final physical
progress, the money per party (approved, received, paid) with the totals in figures and in words,
the hand-over statement, and the signatures: every party, then the community committee.
"""

from __future__ import annotations

import os
from datetime import date

from reportlab.platypus import Flowable, Paragraph, Spacer

from tresxuno.domain.money import Money
from tresxuno.domain.words import amount_in_words, amount_with_words
from tresxuno.formatting import category_label, date_text, money_text, party_label, percent, stage_label
from tresxuno.i18n import N_, _, language
from tresxuno.reports.data import CommitteeMember, DeliveryAct, Handover, PartyMoney
from tresxuno.reports.pdf import fmt

# The same people sign for the same parties as in the agreement.
from tresxuno.reports.pdf.agreement import BLANK, signature_of
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

#: The community committee's officers as printed.
COMMITTEE_ROLES: dict[str, str] = {
    "president": N_("President of the community committee"),
    "secretary": N_("Secretary of the community committee"),
    "treasurer": N_("Treasurer of the community committee"),
    "member": N_("Member of the community committee"),
}


def day_or_blank(day: date | None, lang: str) -> str:
    """A long date, or a blank line to fill in by hand when the history does not have it."""
    return date_text(day, lang, style="long") if day else BLANK


def committee_signature(member: CommitteeMember, locality: str) -> SignatureBlock:
    """A committee member's block: name (blank line when not stored), role, and the community."""
    role = COMMITTEE_ROLES.get(member.role)
    return SignatureBlock(
        member.name,
        _(role) if role else member.role,
        _("For the community of {place}").format(place=locality),
    )


def money_table(data: Handover | DeliveryAct, width: float, lang: str) -> Flowable:
    """The financial close per party: approved, deposited, paid, refunded and available (right-aligned).

    Totals equal the ledger's balance; available is deposited less paid less refunded.
    """
    cols = [
        Col(_("Party"), min_width=60),
        Col(_("Approved"), "right", wrap=False),
        Col(_("Deposited"), "right", wrap=False),
        Col(_("Paid"), "right", wrap=False),
        Col(_("Refunded"), "right", wrap=False),
        Col(_("Available"), "right", wrap=False),
    ]
    m = money_text

    def figures(x: PartyMoney) -> list[int]:
        return [x.approved, x.received, x.paid, x.refunded, x.cash]

    rows = [[party_label(x.party), *(m(v, lang) for v in figures(x))] for x in data.money]
    totals = [sum(col) for col in zip(*(figures(x) for x in data.money), strict=True)] or [0] * 5
    rows.append([_("Total"), *(m(v, lang) for v in totals)])
    return fit_table(cols, rows, width, total_rows=1)


def totals_in_words(data: Handover | DeliveryAct, width: float, lang: str) -> Flowable:
    """The totals approved, deposited, paid, refunded and available, in figures and in words."""
    cols = [
        Col(_("Total"), min_width=60),
        Col(_("Amount"), "right", wrap=False),
        Col(_("Amount in words"), weight=3.0),
    ]
    totals = [
        (_("Approved"), sum(x.approved for x in data.money)),
        (_("Deposited"), sum(x.received for x in data.money)),
        (_("Paid"), sum(x.paid for x in data.money)),
        (_("Refunded"), sum(x.refunded for x in data.money)),
        (_("Available"), sum(x.cash for x in data.money)),
    ]
    rows = [[label, money_text(amount, lang), amount_in_words(Money(amount))] for label, amount in totals]
    return fit_table(cols, rows, width)


def exercised_text(paid: int, approved: int) -> str:
    """The amount exercised against the amount approved, with the difference stated."""
    if paid == approved:
        return _("The amount exercised equals the amount approved.")
    if paid < approved:
        return _("{amount} less than approved was exercised.").format(
            amount=amount_with_words(Money(approved - paid))
        )
    return _("{amount} more than approved was exercised.").format(
        amount=amount_with_words(Money(paid - approved))
    )


def conformity_text(data: Handover) -> str:
    """What the parties certify: conformity with what was approved only when the figures show it.

    The works conform when the physical progress is 100 % and the amount exercised equals the amount
    approved with no party's deposits beyond its share; otherwise the acta records the facts only.
    """
    paid = sum(x.paid for x in data.money)
    approved = sum(x.approved for x in data.money)
    conform = (
        data.progress_tenths == 1000 and paid == approved and not any(x.over_received for x in data.money)
    )
    if conform:
        first = _(
            "The parties inspected the works and state that they were carried out as the COVAM approved and "
            "the coordination agreement provides."
        )
    else:
        first = _(
            "The parties inspected the works and record the physical progress reached and the amounts "
            "exercised stated above, with their differences from what was approved."
        )
    return " ".join(
        (
            first,
            _(
                "From this day the community, through its committee, takes charge of their proper use, "
                "operation and maintenance; the executor keeps the proof of spending available to the parties "
                "and to the auditing bodies."
            ),
        )
    )


def statement(data: Handover, lang: str) -> list[str]:
    """The paragraphs of the hand-over statement."""
    p = data.project
    municipality = next((s.name for s in data.signatories if s.party == "municipal"), data.place)
    progress = percent(data.progress_tenths * 10, decimals=1) if data.progress_tenths is not None else BLANK
    paid = sum(x.paid for x in data.money)
    approved = sum(x.approved for x in data.money)
    texts = [
        _(
            "In {place}, on {date}, the Municipality of {municipality}, which executed the works, hands over "
            "to the community of {locality}, represented by its community committee, the works {name} (folio "
            "{folio}), in the presence of the representatives of {club} and of the other parties to the "
            "coordination agreement signed on {signed}."
        ).format(
            place=data.place,
            date=day_or_blank(data.finished_on, lang),
            municipality=municipality,
            locality=p.locality or p.municipality_name,
            name=p.name,
            folio=p.folio,
            club=data.club.name,
            signed=day_or_blank(data.signed_on, lang),
        ),
        " ".join(
            (
                _(
                    "The works were started on {started} and finished on {finished}, with a final physical "
                    "progress of {progress}. {paid} was paid for them, out of {approved} approved."
                ).format(
                    started=day_or_blank(data.started_on, lang),
                    finished=day_or_blank(data.finished_on, lang),
                    progress=progress,
                    paid=amount_with_words(Money(paid)),
                    approved=amount_with_words(Money(approved)),
                ),
                exercised_text(paid, approved),
            )
        ),
        conformity_text(data),
    ]
    if data.cash > 0:
        texts.append(
            _(
                "Money not spent at the hand-over: {amount}; it is refunded to the parties as the agreement "
                "provides."
            ).format(amount=amount_with_words(Money(data.cash)))
        )
    return texts


def render_handover(data: Handover, output: str | os.PathLike[str]) -> int:
    """Draw the acta de entrega-recepción into ``output`` (a PDF, written atomically).

    Returns:
        The number of pages.
    """
    code = language()
    st = styles(9)
    p, c = data.project, data.club
    title = _("Hand-over of the works")
    decor, footer, width = project_document(data.letterhead, data.stamp, title, p)
    progress = _("none reported")
    if data.progress_tenths is not None:
        progress = _("{percent} on {date}").format(
            percent=percent(data.progress_tenths * 10, decimals=1),
            date=date_text(data.progress_on, code, style="short"),
        )
    story: list[Flowable] = [
        heading(_("The works"), st),
        fields_table(
            [
                (_("Name"), p.name),
                (_("Location"), ", ".join(x for x in (p.locality, p.municipality_name, p.state_name) if x)),
                (_("Description"), p.description),
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
                (_("Beneficiaries"), f"{p.beneficiaries:,}"),
                (_("Club"), c.name),
                (_("Federation"), c.federation_name),
                (_("Agreement signed"), date_text(data.signed_on, code, style="short")),
                (_("Works started"), date_text(data.started_on, code, style="short")),
                (_("Works finished"), date_text(data.finished_on, code, style="short")),
                (_("Final physical progress"), progress),
                (_("Total cost"), money_text(p.cost, code)),
                (_("Stage"), stage_label(p.stage)),
            ],
            width,
        ),
        heading(_("Money per party"), st),
        money_table(data, width, code),
        Spacer(1, 4),
        totals_in_words(data, width, code),
        heading(_("Hand-over statement"), st),
    ]
    story += [Paragraph(fmt.esc(text), st.clause) for text in statement(data, code)]
    signed = _("Signed in {place} on {date}.").format(
        place=data.place, date=day_or_blank(data.finished_on, code)
    )
    parties = signature_blocks([signature_of(s) for s in data.signatories], width)
    committee = signature_blocks(
        [committee_signature(m, p.locality or p.municipality_name) for m in data.committee], width, per_row=3
    )
    story += [
        Spacer(1, 6),
        keep(Paragraph(fmt.esc(signed), st.body), *parties[:1]),
        *parties[1:],
        keep(heading(_("Community committee"), st), *committee[:1]),
        *committee[1:],
    ]
    return build_document(output, story, decor, footer, title=f"{title} {p.folio}")
