"""Renderer of the project sheet (*cédula del proyecto*), portrait.

Project data, club and federation, the mix per party (percent, amount, cap), the rule set it was
computed under and where its figures come from, the stage history, the physical progress (latest
and history) and the financial progress per party from the ledger's balance.
"""

from __future__ import annotations

import os

from reportlab.platypus import Flowable, Paragraph, Spacer

from tresxuno.formatting import (
    category_label,
    date_text,
    local_date,
    money_text,
    party_label,
    percent,
    shares_of_total_bp,
    stage_label,
)
from tresxuno.i18n import _, language
from tresxuno.reports.data import ProjectSheet
from tresxuno.reports.pdf import fmt
from tresxuno.reports.pdf.amendment import amendment_text
from tresxuno.reports.pdf.flow import Col, Styles, build_document, fields_table, fit_table, heading, styles
from tresxuno.reports.pdf.page import project_document


def render_project_sheet(data: ProjectSheet, output: str | os.PathLike[str]) -> int:
    """Draw the cédula of one project into ``output`` (a PDF, written atomically).

    Returns:
        The number of pages.
    """
    code = language()
    st = styles(9)
    p, c = data.project, data.club
    title = _("Project sheet")
    decor, footer, width = project_document(data.letterhead, data.stamp, title, p)
    story: list[Flowable] = [
        heading(_("Project"), st),
        fields_table([(_("Name"), p.name), (_("Description"), p.description)], width, columns=1),
        Spacer(1, 3),
        fields_table(
            [
                (_("Folio"), p.folio),
                (_("Programme"), p.program.name(code)),
                (_("Fiscal year"), str(p.fiscal_year)),
                (_("Category"), category_label(p.category)),
                (_("State (Mexico)"), p.state_name),
                (_("Municipality"), p.municipality_name),
                (_("Locality"), p.locality),
                (_("Beneficiaries"), f"{p.beneficiaries:,}"),
                (_("Stage"), stage_label(p.stage)),
                (_("Total cost"), money_text(p.cost, code)),
            ],
            width,
        ),
        heading(_("Club and federation"), st),
        fields_table(
            [
                (_("Club"), c.name),
                (_("Federation"), c.federation_name),
                (_("Toma de nota folio"), c.toma_folio),
                (_("Toma de nota issued by"), c.toma_issuer),
                (
                    _("Valid"),
                    _("from {start} to {end}").format(
                        start=date_text(c.toma_issued_on, code, style="short"),
                        end=date_text(c.toma_expires_on, code, style="short"),
                    ),
                ),
                (_("City (US)"), ", ".join(x for x in (c.us_city, c.us_state) if x)),
                (_("Contact in the home community"), c.home_contact),
                (_("Board"), "; ".join(c.board)),
            ],
            width,
        ),
        *officials_part(data, width, code, st),
        heading(_("Mix of contributions"), st),
        mix_table(data, width, code),
    ]
    notes = [amendment_text(data.amendment, code)] if data.amendment else []
    if data.partner_mode == "fixed" and data.partner_amount is not None:
        notes.append(
            _(
                "The partner contributes a fixed amount agreed in advance: {amount}; the other parties "
                "split the rest by the rule set."
            ).format(amount=money_text(data.partner_amount, code))
        )
    if data.mix_override_reason:
        notes.append(_("Mix set by hand; reason: {reason}").format(reason=data.mix_override_reason))
    if data.joint_split_bp is not None:
        notes.append(
            _(
                "The state's share as agreed in the convenio: {percent} of the cost; the municipality "
                "pays the rest of the joint state and municipal share."
            ).format(percent=percent(data.joint_split_bp))
        )
    for auth in data.cap_authorisations:
        notes.append(
            _(
                "The {party} share of {amount} exceeds its cap of {cap} by authorisation of {who}, "
                "document {document}; reason: {reason}"
            ).format(
                party=party_label(auth.party),
                amount=money_text(auth.amount, code),
                cap=money_text(auth.cap, code),
                who=auth.authorised_by,
                document=auth.document,
                reason=auth.reason,
            )
        )
    story += [Paragraph(fmt.esc(n), st.note) for n in notes]
    rs = data.rule_set
    story += [
        heading(_("Rule set"), st),
        fields_table(
            [
                (_("Rule set"), _("{id}, version {version}").format(id=rs.id, version=rs.version)),
                (_("Source verified"), fmt.yes_no(rs.verified)),
                (_("Source"), rs.source),
            ],
            width,
            columns=1,
        ),
        heading(_("Stage history"), st),
        history_table(data, width, code),
        heading(_("Physical progress"), st),
        *progress_part(data, width, code, st),
        heading(_("Financial progress"), st),
        money_table(data, width, code),
        Spacer(1, 3),
        Paragraph(fmt.esc(paid_share(data, code)), st.body),
        Paragraph(fmt.esc(_("Cash on hand: {amount}").format(amount=money_text(data.cash, code))), st.body),
    ]
    return build_document(output, story, decor, footer, title=f"{title} {p.folio}")


def mix_table(data: ProjectSheet, width: float, lang: str) -> Flowable:
    """Party, percent, amount (right-aligned) and the cap of a capped share; total = cost."""
    cols = [
        Col(_("Party")),
        Col(_("Percent"), "right", wrap=False),
        Col(_("Amount"), "right", wrap=False),
        Col(_("Cap"), "right", wrap=False),
    ]
    shares = shares_of_total_bp({m.party: m.amount for m in data.mix})
    rows = [
        [
            party_label(m.party),
            percent(shares[m.party]),
            money_text(m.amount, lang),
            # "con tope: $1,000,000.00": the marker officers know, then the cap in force.
            _("capped") + f": {money_text(m.cap, lang)}" if m.capped and m.cap is not None else "",
        ]
        for m in data.mix
    ]
    rows.append(
        [
            _("Total"),
            percent(sum(shares.values())),
            money_text(sum(m.amount for m in data.mix), lang),
            "",
        ]
    )
    return fit_table(cols, rows, width, total_rows=1)


def history_table(data: ProjectSheet, width: float, lang: str) -> Flowable:
    """Every stage move: date, from, to, who, comment."""
    cols = [
        Col(_("Date"), wrap=False),
        Col(_("From"), min_width=50),
        Col(_("To"), min_width=50),
        Col(_("By"), min_width=40),
        Col(_("Comment"), weight=3.0),
    ]
    rows = [
        [
            date_text(local_date(s.changed_at), lang, style="short"),
            stage_label(s.from_stage),
            stage_label(s.to_stage),
            s.changed_by,
            s.comment,
        ]
        for s in data.history
    ]
    return fit_table(cols, rows, width)


def progress_part(data: ProjectSheet, width: float, lang: str, st: Styles) -> list[Flowable]:
    """The latest physical progress in words, and every report in a table."""
    if not data.progress:
        return [Paragraph(fmt.esc(_("No progress reported yet.")), st.body)]
    last = data.progress[-1]
    latest = _("Latest: {percent} on {date}").format(
        percent=percent(last.percent_tenths * 10, decimals=1),
        date=date_text(last.reported_on, lang, style="short"),
    )
    cols = [Col(_("Date"), wrap=False), Col(_("Percent"), "right", wrap=False), Col(_("Note"), weight=4.0)]
    rows = [
        [date_text(x.reported_on, lang, style="short"), percent(x.percent_tenths * 10, decimals=1), x.note]
        for x in data.progress
    ]
    return [Paragraph(fmt.esc(latest), st.body), Spacer(1, 3), fit_table(cols, rows, width)]


def money_table(data: ProjectSheet, width: float, lang: str) -> Flowable:
    """Per party: approved, received, outstanding, paid, refunded; totals equal the project's balance."""
    cols = [
        Col(_("Party")),
        Col(_("Approved"), "right", wrap=False),
        Col(_("Received"), "right", wrap=False),
        Col(_("Outstanding"), "right", wrap=False),
        Col(_("Paid"), "right", wrap=False),
        Col(_("Refunded"), "right", wrap=False),
    ]
    m = money_text
    rows = [
        [
            party_label(x.party),
            m(x.approved, lang),
            m(x.received, lang),
            m(x.outstanding, lang),
            m(x.paid, lang),
            m(x.refunded, lang),
        ]
        for x in data.money
    ]
    t = data.money
    rows.append(
        [
            _("Total"),
            m(sum(x.approved for x in t), lang),
            m(sum(x.received for x in t), lang),
            m(sum(x.outstanding for x in t), lang),
            m(sum(x.paid for x in t), lang),
            m(sum(x.refunded for x in t), lang),
        ]
    )
    return fit_table(cols, rows, width, total_rows=1)


def paid_share(data: ProjectSheet, lang: str) -> str:
    """The paid share: "Paid $X of $Y approved (Z %)", in tenths, rounded down (never overstated)."""
    approved = sum(x.approved for x in data.money)
    paid = sum(x.paid for x in data.money)
    if approved <= 0:
        return _("Paid: {paid}").format(paid=money_text(paid, lang))
    return _("Paid {paid} of {approved} approved ({percent})").format(
        paid=money_text(paid, lang),
        approved=money_text(approved, lang),
        percent=percent((paid * 1000 // approved) * 10, decimals=1),
    )


def officials_part(data: ProjectSheet, width: float, lang: str, st: Styles) -> list[Flowable]:
    """Those in office on the project's date (the date the toma de nota above is valid on too)."""
    if data.as_of is None:
        return []
    day = date_text(data.as_of, lang, style="long")
    part: list[Flowable] = [heading(_("Officials in office on {date}").format(date=day), st)]
    if not data.officials:
        part.append(Paragraph(fmt.esc(_("No officials are recorded for that date.")), st.body))
        return part
    cols = [Col(_("Post"), min_width=80), Col(_("Name"), weight=1.5), Col(_("Title"), weight=2.0)]
    rows = [
        [o.post_label, o.name, ", ".join(x for x in (o.title, o.institution) if x)] for o in data.officials
    ]
    return [*part, fit_table(cols, rows, width)]
