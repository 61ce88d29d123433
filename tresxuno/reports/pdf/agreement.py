"""Renderer of the agreement (*convenio de concertación*), portrait: parties, amounts in words, clauses.

Each party's contribution is written in figures and in words (the words are the fixed Spanish legal
form of :func:`tresxuno.domain.words.amount_in_words`, in every language), then the total; the
clauses state the obligations (deposit deadline, execution, proof of spending, refunds of unspent
money, social oversight, validity); every party signs in its own block.
"""

from __future__ import annotations

import os
from datetime import date

from reportlab.platypus import Flowable, Paragraph, Spacer

from tresxuno.domain.convenio import ADMINISTRACION_DIRECTA, CONTRATO
from tresxuno.domain.money import Money
from tresxuno.domain.parties import closing_act
from tresxuno.domain.words import amount_in_words, amount_with_words
from tresxuno.formatting import (
    category_label,
    date_text,
    money_text,
    party_label,
    percent,
    shares_of_total_bp,
)
from tresxuno.i18n import N_, _, language
from tresxuno.reports.data import Agreement, Signatory
from tresxuno.reports.pdf import fmt
from tresxuno.reports.pdf.amendment import amendment_text
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
from tresxuno.reports.pdf.statement import tranche_trigger_text

#: Clause ordinals, as Mexican agreements number them (PRIMERA, SEGUNDA...).
ORDINALS = (
    N_("FIRST"), N_("SECOND"), N_("THIRD"), N_("FOURTH"), N_("FIFTH"),
    N_("SIXTH"), N_("SEVENTH"), N_("EIGHTH"), N_("NINTH"), N_("TENTH"),
)  # fmt: skip
#: Declarations are numbered in Roman numerals (I, II, III...), one per party and then the joint one.
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")
#: A blank to fill in by hand (a date or name not recorded).
BLANK = "_" * 24


def party_intro(s: Signatory, data: Agreement, lang: str) -> str:
    """How the opening names a party."""
    if s.party == "municipal":
        if closing_act(data.project.category) is not None:
            return _("The Municipality of {name}, which executes the project.").format(name=s.name)
        return _("The Municipality of {name}, which executes the works.").format(name=s.name)
    if s.party == "state":
        return _("The Government of the State of {name}.").format(name=s.name)
    if s.party == "federal":
        return _(
            "The federal government, through the {agency}, by its delegation in the State of {state}."
        ).format(agency=s.name, state=data.project.state_name)
    if s.party == "club":
        c = data.club
        text = _(
            "{name}, a migrant club holding toma de nota {folio} issued by {issuer}, valid until {expires}."
        ).format(
            name=c.name,
            folio=c.toma_folio,
            issuer=c.toma_issuer,
            expires=date_text(c.toma_expires_on, lang, style="long"),
        )
        if c.federation_name:
            text += " " + _("Member of the {federation}.").format(federation=c.federation_name)
        if s.signer_name:
            text += " " + _("Represented by {name} ({role}).").format(
                name=s.signer_name, role=s.signer_role or "—"
            )
        return text
    return _("The partner {name}, an outside contributor.").format(name=s.name or BLANK)


def words(centavos: int) -> str:
    """An amount in figures and in capital words, as a convenio writes it."""
    return amount_with_words(Money(centavos), capitals=True)


#: First words of programme names that are feminine in Spanish ("la Iniciativa Ciudadana 3x1").
FEMININE_HEADS = ("iniciativa", "estrategia", "acción", "accion", "alianza")


def programme_reference(name: str, lang: str) -> str:
    """The programme with the article its name takes: "del Programa 3x1", "de la Iniciativa 4x1".

    Spanish contracts "de el" into "del" and the article follows the gender of the name's first
    word; English reads "the 3x1 Program for Migrants".
    """
    if lang != "es":
        return f"the {name}"
    first = name.split(" ", 1)[0].casefold()
    return f"de la {name}" if first in FEMININE_HEADS else f"del {name}"


def or_blank(text: str) -> str:
    """The text, or a line to fill in by hand."""
    return text or BLANK


def declaration_text(s: Signatory, data: Agreement, lang: str) -> str:
    """What a party declares: its legal personality, representative, domicile and RFC."""
    p = data.project
    d = data.declaration(s.party)
    if s.party == "municipal":
        text = _(
            "The Municipality of {name} is a free municipality with legal personality and its own assets, "
            "under article 115 of the Constitution of the United Mexican States; it is represented by "
            "{representative}, {role}; its domicile is {domicile}; its RFC is {rfc}."
        )
    elif s.party == "state":
        text = _(
            "The State of {name} is a free and sovereign state of the Federation, under articles 40 and 43 "
            "of the Constitution of the United Mexican States; it is represented by {representative}, "
            "{role}; its domicile is {domicile}; its RFC is {rfc}."
        )
    elif s.party == "federal":
        text = _(
            "The {name} is a department of the centralised Federal Public Administration, under the Organic "
            "Law of the Federal Public Administration, and acts through its delegation in the State of "
            "{state}, represented by {representative}, {role}; its domicile is {domicile}; its RFC is {rfc}."
        )
    elif s.party == "club":
        c = data.club
        role, representative = c.representative
        text = _(
            "{name} is an organisation of migrants recognised by toma de nota {folio}, issued by {issuer} "
            "and valid until {expires}; it acts through its board (mesa directiva), represented by "
            "{representative}, {role}"
        ).format(
            name=c.name,
            folio=c.toma_folio,
            issuer=c.toma_issuer,
            expires=date_text(c.toma_expires_on, lang, style="long"),
            representative=or_blank(s.signer_name or representative),
            role=or_blank(s.signer_role or role),
        )
        if c.federation_name:
            text += _(", and is a member of the {federation}").format(federation=c.federation_name)
        where = ", ".join(x for x in (c.us_city, c.us_state) if x)
        text += "; " + _("its domicile is {domicile}; it has no RFC of its own in Mexico.").format(
            domicile=or_blank(where)
        )
        return text
    else:
        t = data.terms
        return _(
            "{name}, the outside partner, is represented by {representative}; its domicile is {domicile}; "
            "its RFC is {rfc}."
        ).format(
            name=or_blank(t.partner_name),
            representative=or_blank(t.partner_representative),
            domicile=or_blank(t.partner_domicile),
            rfc=or_blank(t.partner_rfc),
        )
    return text.format(
        name=s.name,
        state=p.state_name,
        representative=or_blank(d.representative),
        role=or_blank(d.role),
        domicile=or_blank(d.domicile),
        rfc=or_blank(d.rfc),
    )


def legal_basis(data: Agreement, lang: str) -> str:
    """The law and the fiscal year's Reglas de Operación (with their DOF date) the agreement rests on."""
    year = data.project.fiscal_year
    if data.rop(lang):
        return _(
            "The parties declare jointly that this agreement is made under the Ley General de Desarrollo "
            "Social and the {rop}, which govern the programme in fiscal year {year}, and that they recognise "
            "one another's capacity to sign it."
        ).format(rop=data.rop(lang), year=year)
    return _(
        "The parties declare jointly that this agreement is made under the Ley General de Desarrollo "
        "Social and the Reglas de Operación that govern the programme in fiscal year {year} ({source}), and "
        "that they recognise one another's capacity to sign it."
    ).format(year=year, source=(data.rule_source(lang) or BLANK).rstrip("."))


def modality_text(data: Agreement) -> str:
    """How the works are executed, with the contractor when by contract."""
    t = data.terms
    if t.modality == CONTRATO:
        return _("By contract, with {contractor} (RFC {rfc})").format(
            contractor=or_blank(t.contractor_name), rfc=or_blank(t.contractor_rfc)
        )
    if t.modality == ADMINISTRACION_DIRECTA:
        return _("By direct administration (administración directa) of the Municipality")
    return BLANK


def signature_of(s: Signatory) -> SignatureBlock:
    """The signature block of a party: its signer (or a blank line), role and whom they sign for."""
    # The governments sign by the officials in office on the convenio's date when recorded.
    if s.party == "municipal":
        return SignatureBlock(
            s.signer_name,
            s.signer_role or _("Municipal president"),
            _("For the Municipality of {name}").format(name=s.name),
        )
    if s.party == "state":
        return SignatureBlock(
            s.signer_name,
            s.signer_role or _("Authorised official"),
            _("For the Government of the State of {name}").format(name=s.name),
        )
    if s.party == "federal":
        return SignatureBlock(
            s.signer_name,
            s.signer_role or _("Delegate or authorised official"),
            _("For the federal government: {agency}").format(agency=s.name),
        )
    if s.party == "club":
        return SignatureBlock(
            s.signer_name, s.signer_role or _("Club representative"), _("For {name}").format(name=s.name)
        )
    return SignatureBlock(
        s.signer_name, _("Legal representative"), _("For {name}, partner").format(name=s.name or BLANK)
    )


def clauses(data: Agreement, lang: str) -> list[tuple[str, str]]:
    """(title, text) of each clause, in order."""
    p = data.project
    year_end = date_text(date(p.fiscal_year, 12, 31), lang, style="long")
    place = ", ".join(x for x in (p.locality, p.municipality_name, p.state_name) if x)
    # The programme comes with its article ("del Programa", "de la Iniciativa"; "the ... Program").
    purpose = _(
        "The parties agree to fund and carry out jointly the project {name}, folio {folio}, in {place}, "
        "within the framework of {program}, fiscal year {year}, with a total cost of {total}."
    ).format(
        name=p.name,
        folio=p.folio,
        place=place,
        program=programme_reference(p.program.name(lang), lang),
        year=p.fiscal_year,
        total=words(p.cost),
    )
    if data.approved_on is not None:
        purpose += " " + _("The project was approved by the COVAM on {date}.").format(
            date=date_text(data.approved_on, lang, style="long")
        )
    shares = "; ".join(f"{party_label(s.party)}: {words(s.amount)}" for s in data.signatories if s.amount)
    contributions = _(
        "Each party contributes the amount set out in the table of contributions: {shares}. Together they "
        "make the total cost of {total}."
    ).format(shares=shares, total=words(p.cost))
    deadline = date_text(data.deposit_deadline, lang, style="long") if data.deposit_deadline else year_end
    deposits = _(
        "Each party deposits its full contribution into the project's account within {days} calendar days "
        "of the signing of this agreement, and no later than {deadline}."
    ).format(days=data.deposit_days, deadline=deadline)
    deposits += " " + _(
        "The account is CLABE {clabe} at {bank}, held by {holder}; each party deposits by the calendar of "
        "ministraciones set out above."
    ).format(
        clabe=or_blank(data.terms.clabe),
        bank=or_blank(data.terms.bank),
        holder=or_blank(data.terms.account_holder),
    )
    municipality = next((s.name for s in data.signatories if s.party == "municipal"), p.municipality_name)
    act = closing_act(p.category)
    if act == "scholarships":
        execution = _(
            "The Municipality of {municipality} executes the project: it pays each student of the padrón the "
            "scholarship that the rules set for their school level against a receipt signed by the student "
            "or, for a minor, their mother, father or guardian; it reports the progress every quarter and "
            "keeps the receipts available to the parties and to the auditing bodies."
        ).format(municipality=municipality)
    elif act == "goods":
        execution = _(
            "The Municipality of {municipality} executes the project: it acquires the goods under the "
            "applicable procurement rules and delivers them to the beneficiary families, reports the "
            "progress every quarter, and keeps the supporting documents available to the parties and to "
            "the auditing bodies."
        ).format(municipality=municipality)
        execution += " " + _("Execution modality: {modality}.").format(modality=modality_text(data))
    else:
        execution = _(
            "The Municipality of {municipality} executes the works under the applicable public-works rules, "
            "reports the physical and financial progress every quarter, and keeps the supporting documents "
            "available to the parties and to the auditing bodies."
        ).format(municipality=municipality)
        execution += " " + _("Execution modality: {modality}.").format(modality=modality_text(data))
    proof = _(
        "Every payment is supported by an electronic invoice (CFDI) or, where none can be issued, by a "
        "receipt; the executor delivers the proof of spending (comprobación) before the closing of fiscal "
        "year {year}."
    ).format(year=p.fiscal_year)
    if data.has_federal:
        refunds = _(
            "Federal money not spent, or not proven, by {year_end} is refunded to the Federal Treasury "
            "(TESOFE) with any interest earned within the first 15 days of January of the following year, "
            "that is, no later than {deadline}, as the federal rules require; unspent money of the other "
            "parties is returned to each in proportion to what it contributed."
        ).format(year_end=year_end, deadline=date_text(date(p.fiscal_year + 1, 1, 15), lang, style="long"))
    else:
        refunds = _(
            "Money not spent, or not proven, at the closing of the fiscal year is returned to each party in "
            "proportion to what it contributed."
        )
    if act == "scholarships":
        oversight = _(
            "The parties promote social oversight (contraloría social): the beneficiaries form a committee "
            "that watches over the delivery of the scholarships, the use of the money and the fulfilment of "
            "the goals, under the Ley General de Desarrollo Social and the programme's rules; the executor "
            "gives it the information it needs and attends to its complaints. At the end the executor, the "
            "club and the committee sign the act of delivery of the scholarships (acta de entrega de becas)."
        )
        validity = _(
            "This agreement is in force from its signing until the delivery of the scholarships and the "
            "closing of fiscal year {year}."
        ).format(year=p.fiscal_year)
    elif act == "goods":
        oversight = _(
            "The parties promote social oversight (contraloría social): the beneficiaries form a committee "
            "that watches over the delivery of the goods, the use of the money and the fulfilment of the "
            "goals, under the Ley General de Desarrollo Social and the programme's rules; the executor gives "
            "it the information it needs and attends to its complaints. At the end the executor, the club "
            "and the beneficiary families sign the act of delivery of the goods (acta de entrega de bienes)."
        )
        validity = _(
            "This agreement is in force from its signing until the delivery of the goods and the closing of "
            "fiscal year {year}."
        ).format(year=p.fiscal_year)
    else:
        oversight = _(
            "The parties promote social oversight (contraloría social): the beneficiaries form a committee "
            "that watches over the works, the use of the money and the fulfilment of the goals, under the Ley "
            "General de Desarrollo Social and the programme's rules; the executor gives it the information "
            "it needs and attends to its complaints. At the end the executor, the club and the committee sign "
            "the hand-over act (acta de entrega-recepción)."
        )
        validity = _(
            "This agreement is in force from its signing until the hand-over of the works and the closing of "
            "fiscal year {year}."
        ).format(year=p.fiscal_year)
    return [
        (_("Purpose"), purpose),
        (_("Contributions"), contributions),
        (_("Deposits"), deposits),
        (_("Execution"), execution),
        (_("Proof of spending"), proof),
        (_("Refunds"), refunds),
        (_("Social oversight"), oversight),
        (_("Validity"), validity),
    ]


def contributions_table(data: Agreement, width: float, lang: str) -> Flowable:
    """Party, percent, amount in figures (right-aligned) and in words; the total in both."""
    cols = [
        Col(_("Party"), min_width=60),
        Col(_("Percent"), "right", wrap=False),
        Col(_("Amount"), "right", wrap=False),
        Col(_("Amount in words"), weight=3.0),
    ]
    shares = shares_of_total_bp({s.party: s.amount for s in data.signatories})
    rows = [
        [
            party_label(s.party),
            percent(shares[s.party]),
            money_text(s.amount, lang),
            amount_in_words(Money(s.amount), capitals=True),
        ]
        for s in data.signatories
        if s.amount or s.percent_bp
    ]
    total = sum(s.amount for s in data.signatories)
    rows.append(
        [
            _("Total"),
            percent(sum(shares.values())),
            money_text(total, lang),
            amount_in_words(Money(total), capitals=True),
        ]
    )
    return fit_table(cols, rows, width, total_rows=1)


def goals_table(data: Agreement, width: float) -> Flowable:
    """The goals (metas): description, quantity, unit and beneficiaries."""
    cols = [
        Col(_("Goal"), weight=3.0),
        Col(_("Quantity"), "right", wrap=False),
        Col(_("Unit"), min_width=50),
        Col(_("Beneficiaries"), "right", wrap=False),
    ]
    rows = [[g.description, g.quantity_text, g.unit, f"{g.beneficiaries:,}"] for g in data.goals]
    return fit_table(cols, rows, width)


def calendar_table(data: Agreement, width: float, lang: str) -> Flowable:
    """The calendar of ministraciones: party, tranche, when it falls due and its amount."""
    cols = [
        Col(_("Party"), min_width=60),
        Col(_("Tranche"), "right", wrap=False),
        Col(_("Falls due"), weight=2.0),
        Col(_("Amount"), "right", wrap=False),
    ]
    rows = [
        [
            party_label(line.party),
            str(line.number),
            tranche_trigger_text(line.trigger, line.due_date, line.progress_percent, lang),
            money_text(line.amount, lang),
        ]
        for line in data.calendar
    ]
    return fit_table(cols, rows, width)


def render_agreement(data: Agreement, output: str | os.PathLike[str]) -> int:
    """Draw the convenio de concertación into ``output`` (a PDF, written atomically).

    Returns:
        The number of pages.
    """
    code = language()
    st = styles(9)
    p = data.project
    title = _("Coordination agreement")
    decor, footer, width = project_document(data.letterhead, data.stamp, title, p)
    story: list[Flowable] = [
        Paragraph(
            fmt.esc(
                _(
                    "Coordination agreement (convenio de concertación) entered into, for the project "
                    "described below, by the following parties, who agree to the clauses that follow:"
                )
            ),
            st.clause,
        )
    ]
    for number, s in enumerate(data.signatories, start=1):
        story.append(Paragraph(f"{number}. {fmt.esc(party_intro(s, data, code))}", st.clause))
    story.append(heading(_("DECLARATIONS"), st))
    for number, s in enumerate(data.signatories, start=1):
        story.append(Paragraph(f"{ROMAN[number - 1]}. {fmt.esc(declaration_text(s, data, code))}", st.clause))
    story.append(Paragraph(f"{ROMAN[len(data.signatories)]}. {fmt.esc(legal_basis(data, code))}", st.clause))
    story += [
        heading(_("Project"), st),
        fields_table(
            [
                (_("Folio"), p.folio),
                (_("Name"), p.name),
                (_("Location"), ", ".join(x for x in (p.locality, p.municipality_name, p.state_name) if x)),
                (_("Category"), category_label(p.category)),
                (_("Programme"), f"{p.program.name(code)} — {p.fiscal_year}"),
                (_("Beneficiaries"), f"{p.beneficiaries:,}"),
                (_("Total cost"), words(p.cost)),
                (_("Execution modality"), modality_text(data)),
                (_("Description"), p.description),
            ],
            width,
            columns=1,
        ),
        heading(_("Contributions"), st),
        contributions_table(data, width, code),
        *([Paragraph(fmt.esc(amendment_text(data.amendment, code)), st.note)] if data.amendment else []),
        heading(_("Goals"), st),
        goals_table(data, width)
        if data.goals
        else Paragraph(fmt.esc(_("No goals recorded: write them in by hand.")) + "<br/>" + BLANK, st.body),
        heading(_("Calendar of ministraciones"), st),
        calendar_table(data, width, code),
        heading(_("Bank account"), st),
        fields_table(
            [
                (_("CLABE"), or_blank(data.terms.clabe)),
                (_("Bank"), or_blank(data.terms.bank)),
                (_("Account holder"), or_blank(data.terms.account_holder)),
            ],
            width,
            columns=1,
        ),
        heading(_("Clauses"), st),
    ]
    for number, (name, text) in enumerate(clauses(data, code)):
        ordinal = _(ORDINALS[number]) if number < len(ORDINALS) else str(number + 1)
        story.append(Paragraph(f"<b>{fmt.esc(ordinal)}. {fmt.esc(name)}.</b> {fmt.esc(text)}", st.clause))
    day = date_text(data.signed_on, code, style="long") if data.signed_on else BLANK
    signed = _("Signed in {place} on {date}, in {copies} copies.").format(
        place=data.place, date=day, copies=len(data.signatories)
    )
    blocks = signature_blocks([signature_of(s) for s in data.signatories], width)
    # The signing line stays with the first row of signatures.
    story += [Spacer(1, 6), keep(Paragraph(fmt.esc(signed), st.body), *blocks[:1]), *blocks[1:]]
    return build_document(output, story, decor, footer, title=f"{title} {p.folio}")
