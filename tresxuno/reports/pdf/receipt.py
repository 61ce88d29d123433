"""Renderer of the receipt for a contribution (*recibo de aportación*): Spanish and English on one page.

The club abroad reads English, the office files Spanish, so every label, sentence and the footer
are printed in both languages whatever language is in force (each from its own catalogue). The
amount in words is the Spanish legal form in both, as Mexican receipts write it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from tresxuno.domain.money import Money
from tresxuno.domain.parties import Party
from tresxuno.domain.words import amount_in_words, amount_with_words
from tresxuno.formatting import PARTY_LABELS, date_text, money_text
from tresxuno.i18n import N_
from tresxuno.reports.data import Receipt
from tresxuno.reports.fx import DIFFERENCE, EFFECTIVE_RATE, rate_gap, rate_text
from tresxuno.reports.pdf import fmt
from tresxuno.reports.pdf.flow import GRID, PAD_X, SignatureBlock, build_document, signature_blocks
from tresxuno.reports.pdf.fonts import BOLD, ITALIC, REGULAR, Measure, register_fonts
from tresxuno.reports.pdf.page import Footer, PageDecor, PageGeometry

#: The two languages of the receipt, in the order printed.
LANGUAGES = ("es", "en")

TITLE = N_("Contribution receipt")
RECEIVED = N_(
    "Received from {contributor} the amount of {amount} as its contribution to project {folio}, {name}."
)
#: Who deposited, when it is not the club: the institution, named as it signs (Spanish contracts
#: "de el" into "del": "Se recibió del Gobierno Federal").
RECEIVED_FROM = {
    "federal": N_(
        "Received from the Federal Government the amount of {amount} as its contribution to project "
        "{folio}, {name}."
    ),
    "state": N_(
        "Received from the Government of the State of {state} the amount of {amount} as its contribution "
        "to project {folio}, {name}."
    ),
    "municipal": N_(
        "Received from the Municipality of {municipality} the amount of {amount} as its contribution to "
        "project {folio}, {name}."
    ),
    "partner": N_(
        "Received from the project's partner the amount of {amount} as its contribution to project "
        "{folio}, {name}."
    ),
}
#: The contributor's name on the receipt's data table, for the institutions.
CONTRIBUTOR = {
    "federal": N_("Federal Government"),
    "state": N_("Government of the State of {state}"),
    "municipal": N_("Municipality of {municipality}"),
    "partner": N_("The project's partner"),
}
REVERSED = N_("This contribution was later cancelled by a reversal entry; this receipt is void.")
LABELS = {
    "number": N_("Receipt number"),
    "date": N_("Date received"),
    "contributor": N_("Contributor"),
    "federation": N_("Federation"),
    "toma": N_("Toma de nota folio"),
    "project": N_("Project"),
    "location": N_("Location"),
    "programme": N_("Programme"),
    "reference": N_("Bank reference"),
    "usd": N_("Amount in dollars (USD)"),
    "rate": N_("Exchange rate (MXN per USD)"),
    "rate_date": N_("Date of the exchange rate"),
    "rate_source": N_("Source of the exchange rate"),
    "mxn": N_("Amount credited (MXN)"),
    "words": N_("Amount in words"),
    "pesos": N_("Deposit made in pesos (MXN)"),
    "officer": N_("Receiving officer"),
    "recorded": N_("Recorded by"),
}


def both(msgid: str) -> tuple[str, str]:
    """``msgid`` in Spanish and in English."""
    es, en = (fmt.translator(code)(msgid) for code in LANGUAGES)
    return es, en


def joined(msgid: str) -> str:
    """``msgid`` as "Spanish / English" (once when both read the same)."""
    es, en = both(msgid)
    return es if es == en else f"{es} / {en}"


class _Styles:
    """The receipt's paragraph styles."""

    def __init__(self) -> None:
        register_fonts()
        self.label = ParagraphStyle("r-label", fontName=BOLD, fontSize=8.5, leading=10.5)
        self.value = ParagraphStyle("r-value", fontName=REGULAR, fontSize=9, leading=11.5)
        self.amount = ParagraphStyle("r-amount", parent=self.value, alignment=TA_RIGHT, fontName=BOLD)
        self.text = ParagraphStyle("r-text", fontName=REGULAR, fontSize=9.5, leading=13, alignment=4)
        self.english = ParagraphStyle("r-en", parent=self.text, fontName=ITALIC, fontSize=8.5, leading=11.5)


def label_cell(msgid: str, st: _Styles) -> Paragraph:
    """A label in Spanish (bold) over English (italic)."""
    es, en = both(msgid)
    if es == en:
        return Paragraph(fmt.esc(es), st.label)
    return Paragraph(f"{fmt.esc(es)}<br/><font name='{ITALIC}' size='7.5'>{fmt.esc(en)}</font>", st.label)


def grid(rows: Sequence[Sequence[Flowable]], widths: Sequence[float], pad: float = 3) -> Table:
    """A two-column grid of label and value cells; ``pad`` above and below each cell's text."""
    table = Table([list(r) for r in rows], colWidths=list(widths), hAlign="LEFT", splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), REGULAR, 9),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD_X + 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X + 1),
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ]
        )
    )
    return table


def render_receipt(data: Receipt, output: str | os.PathLike[str]) -> int:
    """Draw the bilingual receipt of one contribution into ``output`` (a PDF, written atomically).

    Returns:
        The number of pages (one, unless the texts are very long).
    """
    st = _Styles()
    p = data.project
    title = joined(TITLE)
    decor = PageDecor(data.letterhead, title, (f"No. {data.number}", p.folio))
    footer = Footer(data.stamp, data.number, languages=LANGUAGES)
    width = PageGeometry.letter(wide=False, head_height=decor.height).body_width
    names = {"state": p.state_name, "municipality": p.municipality_name}
    if data.contributor or data.party not in CONTRIBUTOR:
        contributor = data.contributor or joined(_party_msgid(data.party))
    else:
        es, en = (text.format(**names) for text in both(CONTRIBUTOR[data.party]))
        contributor = es if es == en else f"{es} / {en}"
    place = ", ".join(x for x in (p.locality, p.municipality_name, p.state_name) if x)
    mxn = Money(data.amount)
    story: list[Flowable] = []
    for code, style in zip(LANGUAGES, (st.text, st.english), strict=True):
        # Amounts in words are Spanish (pesos M.N.): the English line gives the figure alone.
        amount = amount_with_words(mxn) if code == "es" else money_text(mxn, "en")
        template = RECEIVED_FROM.get(data.party, RECEIVED) if not data.contributor else RECEIVED
        sentence = fmt.translator(code)(template).format(
            contributor=contributor, amount=amount, folio=p.folio, name=p.name, **names
        )
        story += [Paragraph(fmt.esc(sentence), style), Spacer(1, 4)]
    if data.reversed:
        es, en = both(REVERSED)
        story.append(Paragraph(f"<b>{fmt.esc(es)}</b><br/><i>{fmt.esc(en)}</i>", st.text))
        story.append(Spacer(1, 4))

    label_w = _label_width(width, st)
    gap = gap_rows(data, st) if data.usd_amount is not None else []
    # The two rows explaining the bank's rate take room: tighter cells keep the receipt on one page.
    pad = 2.0 if gap else 3.0
    value = st.value
    rows = [
        (LABELS["number"], data.number),
        (
            LABELS["date"],
            f"{date_text(data.entry_date, 'es', style='long')} / {date_text(data.entry_date, 'en', style='long')}",
        ),
        (LABELS["contributor"], contributor),
    ]
    if data.party == "club":
        rows += [(LABELS["federation"], data.club.federation_name), (LABELS["toma"], data.club.toma_folio)]
    rows += [
        (LABELS["project"], f"{p.folio} — {p.name}"),
        (LABELS["location"], place),
        (LABELS["programme"], f"{p.program.name('es')} / {p.program.name('en')} — {p.fiscal_year}"),
        (LABELS["reference"], data.reference),
    ]
    story += [
        grid(
            [[label_cell(k, st), Paragraph(fmt.esc(v or "—"), value)] for k, v in rows],
            [label_w, width - label_w],
            pad,
        ),
        Spacer(1, 8),
    ]
    money_rows: list[list[Flowable]] = []
    if data.usd_amount is not None:
        money_rows += [
            [
                label_cell(LABELS["usd"], st),
                Paragraph(fmt.esc(money_text(Money(data.usd_amount, "USD"), "es")), st.amount),
            ],
            [label_cell(LABELS["rate"], st), Paragraph(fmt.esc(data.rate), st.amount)],
            [
                label_cell(LABELS["rate_date"], st),
                Paragraph(
                    fmt.esc(
                        f"{date_text(data.rate_date, 'es', style='short')} / {date_text(data.rate_date, 'en', style='short')}"
                    ),
                    st.amount,
                ),
            ],
            [label_cell(LABELS["rate_source"], st), Paragraph(fmt.esc(data.rate_source or "—"), st.amount)],
        ]
        money_rows += gap
    else:
        money_rows.append([label_cell(LABELS["pesos"], st), Paragraph("", st.amount)])
    money_rows += [
        [label_cell(LABELS["mxn"], st), Paragraph(fmt.esc(money_text(mxn, "es", code=True)), st.amount)],
        [label_cell(LABELS["words"], st), Paragraph(fmt.esc(amount_in_words(mxn)), st.value)],
    ]
    story.append(grid(money_rows, [label_w, width - label_w], pad))
    officer = SignatureBlock(
        "", joined(LABELS["officer"]), data.letterhead.office_name or data.letterhead.municipality
    )
    space = 36 if gap else 48
    story += [Spacer(1, 10), *signature_blocks([officer], width * 0.6, per_row=1, space=space)]
    if data.received_by:
        story.append(Paragraph(fmt.esc(f"{joined(LABELS['recorded'])}: {data.received_by}"), st.english))
    return build_document(output, story, decor, footer, title=f"{title} {data.number}")


def gap_rows(data: Receipt, st: _Styles) -> list[list[Flowable]]:
    """The bank's effective rate and the difference against FIX, when the pesos are not USD x rate."""
    gap = rate_gap(data.usd_amount, data.amount, data.rate)
    if gap is None:
        return []
    return [
        [label_cell(EFFECTIVE_RATE, st), Paragraph(fmt.esc(rate_text(gap.effective_rate)), st.amount)],
        [
            label_cell(DIFFERENCE, st),
            Paragraph(fmt.esc(money_text(Money(gap.difference), "es", code=True)), st.amount),
        ],
    ]


def _party_msgid(party: str) -> str:
    """The msgid of a party's display name (the receipt translates it twice)."""
    try:
        return PARTY_LABELS[Party(party)]
    except ValueError:
        return party


def _label_width(width: float, st: _Styles) -> float:
    """The label column: as wide as the widest label line (Spanish or English), within 30-45 %."""
    bold = Measure(BOLD)
    widest = max(
        bold.width(text, st.label.fontSize)
        for msgid in (*LABELS.values(), EFFECTIVE_RATE, DIFFERENCE)
        for text in both(msgid)
    )
    return min(max(widest + 2 * PAD_X + 4, width * 0.30), width * 0.45)
