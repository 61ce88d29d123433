"""Layouts of the transparency and federal-reporting formats, read from data, and their periods.

The portals' columns change with each version of their guidelines, so the layouts are data
(``seeds/transparency.toml``), not code: a column names the figure it holds (``field``), how its cell
is typed (``kind``) and, when the portal restricts its values, the catalogue they come from. This
module checks a layout against the figures the services ring can produce, so a typo in the file is
refused when read (naming the column), never discovered as an empty column by the portal.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

#: How a cell is typed: text, a date, an amount in centavos (written as pesos with the peso
#: format), a whole number, a percentage in tenths (455 = 45.5 %) or a hyperlink.
KINDS: frozenset[str] = frozenset({"text", "date", "money", "int", "percent", "link"})
#: The legend every document and publicity of a social programme carries, verbatim (Spanish in every
#: language: it is the law's text).
LGDS_LEGEND = (
    "Este programa es público, ajeno a cualquier partido político. Queda prohibido el uso para fines "
    "distintos a los establecidos en el programa."
)
LGDS_LEGEND_SOURCE = "Ley General de Desarrollo Social, artículo 28"
#: The formats ``export transparency`` writes, in the order the CLI lists them.
FORMAT_IDS: tuple[str, ...] = ("sipot-xv", "padron", "srft")
#: Spanish names of the quarters as the portals write them; index 0 is the whole year.
PERIOD_NAMES: tuple[str, ...] = (
    "Anual",
    "Primer trimestre",
    "Segundo trimestre",
    "Tercer trimestre",
    "Cuarto trimestre",
)


class LayoutError(ValueError):
    """The layout file is not usable; the message names the format and column."""


@dataclass(frozen=True)
class Column:
    """One column: its header, the figure it holds, how its cell is typed, its catalogue if any."""

    header: str
    field: str
    kind: str
    catalogue: str = ""


@dataclass(frozen=True)
class Layout:
    """One format: its id, sheet name, title, note (what each figure means) and columns in order."""

    id: str
    sheet: str
    title: str
    note: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class ProgramKeys:
    """A programme's budget keys: branch (ramo), programme key, SIPOT type, and whether it is federal."""

    branch: str
    key: str
    type: str
    federal: bool


@dataclass(frozen=True)
class TransparencyBook:
    """Every layout, the catalogues, the programmes' keys and the legend every file carries."""

    layouts: Mapping[str, Layout]
    catalogues: Mapping[str, tuple[str, ...]]
    programs: Mapping[str, ProgramKeys]
    legend: str
    legend_source: str


@dataclass(frozen=True)
class Period:
    """The period a file reports: a fiscal year, and a quarter (1-4) or the whole year (0)."""

    year: int
    quarter: int = 0

    @property
    def start(self) -> date:
        """First day of the period."""
        return date(self.year, 1, 1) if self.quarter == 0 else date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        """Last day of the period: figures are as of this day."""
        month = 12 if self.quarter == 0 else 3 * self.quarter
        return date(self.year, month, monthrange(self.year, month)[1])

    @property
    def name(self) -> str:
        """``Tercer trimestre`` or ``Anual``, as the portals' period catalogue has it."""
        return PERIOD_NAMES[self.quarter]


def parse_book(data: Mapping[str, Any], fields: Mapping[str, Collection[str]]) -> TransparencyBook:
    """The layouts of a parsed ``transparency.toml``, checked against the figures each format has.

    Args:
        data: the parsed TOML.
        fields: per format id, the fields the services ring fills for it.

    Raises:
        LayoutError: a format missing or unknown, a column without header, an unknown field, kind
            or catalogue; the message names the format and the column's position.
    """
    catalogues = {
        str(k): tuple(str(v) for v in values) for k, values in dict(data.get("catalogues", {})).items()
    }
    layouts: dict[str, Layout] = {}
    for raw in data.get("formats", ()):
        fid = str(raw.get("id", ""))
        if fid not in fields:
            raise LayoutError(f"format {fid!r}: unknown; expected one of {', '.join(sorted(fields))}")
        columns = []
        for n, col in enumerate(raw.get("columns", ()), start=1):
            where = f"format {fid!r}, column {n}"
            header, field, kind = (
                str(col.get("header", "")),
                str(col.get("field", "")),
                str(col.get("kind", "")),
            )
            catalogue = str(col.get("catalogue", ""))
            if not header.strip():
                raise LayoutError(f"{where}: the header is empty")
            if field not in fields[fid]:
                raise LayoutError(
                    f"{where} ({header}): unknown field {field!r}; allowed: {', '.join(sorted(fields[fid]))}"
                )
            if kind not in KINDS:
                raise LayoutError(
                    f"{where} ({header}): unknown kind {kind!r}; allowed: {', '.join(sorted(KINDS))}"
                )
            if catalogue and catalogue not in catalogues:
                raise LayoutError(f"{where} ({header}): unknown catalogue {catalogue!r}")
            columns.append(Column(header, field, kind, catalogue))
        if not columns:
            raise LayoutError(f"format {fid!r}: no columns")
        layouts[fid] = Layout(
            fid,
            str(raw.get("sheet", fid))[:31],
            str(raw.get("title", "")),
            str(raw.get("note", "")),
            tuple(columns),
        )
    missing = sorted(set(fields) - set(layouts))
    if missing:
        raise LayoutError(f"no layout for {', '.join(missing)}")
    programs = {
        str(pid): ProgramKeys(
            str(p.get("branch", "")),
            str(p.get("key", "")),
            str(p.get("type", "")),
            bool(p.get("federal", False)),
        )
        for pid, p in dict(data.get("programs", {})).items()
    }
    for pid, keys in programs.items():
        allowed = catalogues.get("program_type", ())
        if allowed and keys.type not in allowed:
            raise LayoutError(f"programs.{pid}: type {keys.type!r} is not in the program_type catalogue")
    return TransparencyBook(layouts, catalogues, programs, LGDS_LEGEND, LGDS_LEGEND_SOURCE)


def share_percent_tenths(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` in tenths of a percent, rounded half up; None when ``whole`` is 0."""
    if whole <= 0:
        return None
    return (part * 2000 + whole) // (2 * whole)
