"""Plain-text renderings for the terminal: the share table and the rule-set listing."""

from __future__ import annotations

from tresxuno.domain.allocation import Allocation
from tresxuno.domain.rules import RuleBook, RuleSet
from tresxuno.formatting import category_label, money_text, party_label, percent_number
from tresxuno.i18n import _, language


def shares_table(program: str, year: int, category: str, rs: RuleSet, alloc: Allocation) -> str:
    """The split as an aligned table: party, amount (es-MX/en-US), percent, cap marker.

    Args:
        program: the programme id (``3x1``...).
        year: the fiscal year.
        category: the category id.
        rs: the rule set the split follows (its caps and shortfall order are named).
        alloc: the split, centavos MXN per party.

    Returns:
        The table, in the language in force, ending with a line break.
    """
    lang = language()
    rows = [
        (
            party_label(s.party),
            money_text(s.amount, lang),
            percent_number(s.percent_bp),
            _("capped") if s.capped else (_("fixed") if s.fixed else ""),
        )
        for s in alloc.shares
    ]
    total = (_("Total"), money_text(alloc.cost, lang), percent_number(10_000), "")
    width = [max(len(r[i]) for r in [*rows, total]) for i in range(3)]
    lines = [
        _("Programme {program}, fiscal year {year}, {category}").format(
            program=program, year=year, category=category_label(category)
        ),
        _("Rule set {id} v{version} ({years}); source verified: {verified}").format(
            id=rs.id,
            version=rs.version,
            years=rs.years_label(),
            verified=_("yes") if rs.verified else _("no"),
        ),
        "",
    ]
    for label, amount, pct, mark in [*rows, total]:
        if label == total[0]:
            lines.append("-" * (width[0] + width[1] + width[2] + 6))
        line = f"{label:<{width[0]}}  {amount:>{width[1]}}  {pct:>{width[2]}} %"
        lines.append(f"{line}  {mark}".rstrip())
    caps = rs.caps_for(year)
    for party in alloc.capped:
        lines.append(
            _("{party} is capped at {cap} per project; the excess is covered by: {who}").format(
                party=party_label(party),
                cap=money_text(caps[party], lang),
                who=", ".join(party_label(p) for p in rs.shortfall),
            )
        )
    return "\n".join(lines) + "\n"


def rules_listing(book: RuleBook) -> str:
    """Every programme and its rule sets: years, categories, mix, caps, source."""
    lang = language()
    lines = []
    for program in book.programs.values():
        lines.append(f"{program.id}: {program.name(lang)}")
        for rs in sorted(
            (r for r in book.all_rule_sets if r.program == program.id),
            key=lambda r: (r.first_year, r.id, r.version),
        ):
            lines.append(f"  {rs.id} v{rs.version}  {rs.years_label()}")
            lines.append(
                "    " + _("categories: {list}").format(list=", ".join(c.value for c in rs.categories))
            )
            lines.append(
                "    "
                + _("mix: {list}").format(
                    list=", ".join(f"{p.value} {percent_number(bp)} %" for p, bp in rs.mix)
                )
            )
            for cap in rs.caps:
                years = f"{cap.first_year}–{cap.last_year or ''}"
                lines.append(
                    "    "
                    + _("cap: {party} up to {amount} per project ({years})").format(
                        party=cap.party.value, amount=money_text(cap.amount, lang), years=years
                    )
                )
            if rs.shortfall:
                lines.append(
                    "    "
                    + _("shortfall covered by: {list}").format(list=", ".join(p.value for p in rs.shortfall))
                )
            for level, amount in rs.scholarship_amounts:
                lines.append(
                    "    "
                    + _("per student, {level}: {amount}").format(
                        level=level.value, amount=money_text(amount, lang)
                    )
                )
            lines.append(
                "    "
                + _("source: {source} (verified: {verified})").format(
                    source=rs.source_text(lang), verified=_("yes") if rs.verified else _("no")
                )
            )
        lines.append("")
    return "\n".join(lines)
