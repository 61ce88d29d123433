"""The sentence a report prints under amended amounts: which convenio modificatorio set them."""

from __future__ import annotations

from tresxuno.formatting import date_text, money_text
from tresxuno.i18n import _
from tresxuno.reports.data import AmendmentNote


def amendment_text(note: AmendmentNote, lang: str) -> str:
    """The note under amended amounts: the amendment's number, date, document, cost before and after, why."""
    document = f" ({note.document_reference})" if note.document_reference else ""
    return _(
        "Cost and contributions as amended by convenio modificatorio no. {number} signed on {date}{document}: "
        "cost {cost} (previously {previous}); authorised by {who}; reason: {reason}"
    ).format(
        number=note.number,
        date=date_text(note.signed_on, lang),
        document=document,
        cost=money_text(note.cost, lang),
        previous=money_text(note.previous_cost, lang),
        who=note.authorised_by,
        reason=note.reason,
    )
