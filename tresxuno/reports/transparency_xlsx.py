"""Write a transparency format as XLSX: typed cells in the layout's order, and a notes sheet.

A pure renderer: it receives the layout, the rows (one dict per row, keyed by field) and what the
notes say, and writes them; it computes nothing. Amounts arrive in centavos and are written as
pesos (``Decimal``, exact) with the peso format; dates as dates; percentages in tenths as numbers
with one decimal; links as hyperlinks. The header row is frozen. The notes sheet carries the
programme legend (Ley General de Desarrollo Social, art. 28), what each figure means, the layout's
certainty and the audit chain's head the figures came from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tresxuno.domain.audit import ChainHead
from tresxuno.domain.transparency import Layout, TransparencyBook
from tresxuno.reports.ledger_formats import write_head_properties

#: Sheet holding the legend and the notes (after the data sheet, so a portal reads the first one).
NOTES_SHEET = "Notas"
PESO_FORMAT = '"$"#,##0.00'
PERCENT_FORMAT = "0.0"
#: Rows between cancel checks.
_TICK_EVERY = 2_000
#: Characters XML 1.0 cannot hold; tab, LF and CR are allowed.
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])


def _clean(text: str) -> str:
    return text.translate(_ILLEGAL)


def _value(kind: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if kind == "money":
        return Decimal(int(value)) / 100
    if kind == "percent":
        return Decimal(int(value)) / 10
    if kind == "int":
        return int(value)
    if kind == "date":
        return value if isinstance(value, date) else None
    return _clean(str(value))


def write_transparency(
    path: Path,
    layout: Layout,
    rows: Sequence[dict[str, Any]],
    book: TransparencyBook,
    head: ChainHead | None,
    *,
    tick: Callable[[], None] = lambda: None,
) -> None:
    """Write ``rows`` under ``layout``'s headers to ``path`` (an XLSX file), then the notes sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(layout.sheet)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    for i, column in enumerate(layout.columns):
        width = (
            14
            if column.kind in ("money", "date", "int", "percent")
            else min(48, max(14, len(column.header) // 2))
        )
        ws.column_dimensions[_letter(i + 1)].width = width
    header = []
    for column in layout.columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    formats = {"money": PESO_FORMAT, "percent": PERCENT_FORMAT, "date": "DD/MM/YYYY"}
    for n, row in enumerate(rows, start=1):
        out = []
        for column in layout.columns:
            value = _value(column.kind, row.get(column.field))
            cell = WriteOnlyCell(ws, value=value)
            if column.kind in formats and value is not None:
                cell.number_format = formats[column.kind]
            if column.kind == "link" and value:
                cell.hyperlink = str(value)
            out.append(cell)
        ws.append(out)
        if n % _TICK_EVERY == 0:
            tick()
    notes = wb.create_sheet(NOTES_SHEET)
    lines = [
        layout.title,
        "",
        f"{book.legend} ({book.legend_source})",
        "",
        layout.note,
        "",
        "Formato conservado como datos en seeds/transparency.toml: las columnas pueden ajustarse a la versión "
        "vigente de los lineamientos sin cambiar el programa. Su correspondencia exacta con la plataforma "
        "oficial no se verificó en línea (ver README).",
    ]
    if head is not None:
        lines += ["", f"Bitácora: cabeza {head.hash} · {head.records} registros"]
    for line in lines:
        notes.append([_clean(line)])
    write_head_properties(wb, head)
    wb.properties.title = layout.title
    wb.properties.subject = book.legend
    wb.save(path)


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)
