"""A lean streaming XLSX writer: each row goes into the zip as XML text the moment it is written.

The ledger export writes up to a million rows of the same few kinds of cell. General writers
(openpyxl, XlsxWriter) build an object or make several calls per cell; here the exporter renders a
whole row as one string from cached pieces, so writing costs little more than a CSV. The package
holds only what a spreadsheet needs: workbook, styles (a few number formats and bold), sheets with
a frozen header and column widths, and the document properties (the audit chain's head). Cells are
typed: numbers (written from exact decimal text, never through a float), dates as serial days with
a date format, inline strings, and formulas with their cached value. Nothing is kept in memory but
the current batch of rows; the file appears only when :meth:`StreamWorkbook.close` succeeds.
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

#: Excel's limits: characters in a cell, rows in a sheet, characters in a sheet name.
MAX_CELL_TEXT, MAX_ROWS, MAX_SHEET_NAME = 32_767, 1_048_576, 31
#: Day 0 of Excel's serial dates (the 1900 system, past its fictitious 29 February 1900).
EPOCH = date(1899, 12, 30)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: Column letters of the first 26 * 27 columns (A..ZZ): more than any export here needs.
_LETTERS = [chr(65 + i) for i in range(26)]
COLUMNS: tuple[str, ...] = (*_LETTERS, *(a + b for a in _LETTERS for b in _LETTERS))


@dataclass(frozen=True)
class Style:
    """A cell style: an Excel number format code (None: general) and whether the font is bold."""

    number_format: str | None = None
    bold: bool = False


def text_xml(text: str) -> str:
    """``text`` escaped for an inline string cell: XML's three, and CR kept as a reference.

    A literal CR would be read back as LF (XML normalises line ends); characters XML cannot hold
    must have been removed by the caller (they are not valid in any XML 1.0 file).
    """
    escaped = escape(text[:MAX_CELL_TEXT])
    return escaped.replace("\r", "&#13;") if "\r" in escaped else escaped


def cents_text(centavos: int) -> str:
    """Exact decimal text of an amount in centavos (``-123456`` -> ``-1234.56``): the cell's value."""
    sign = "-" if centavos < 0 else ""
    units, cents = divmod(abs(centavos), 100)
    return f"{sign}{units}.{cents:02d}"


def serial(day: date) -> int:
    """Excel's serial number of ``day`` (days since 30 December 1899)."""
    return (day - EPOCH).days


class SheetStream:
    """One sheet being written: rows in order, each a string of ``<c>`` elements (see the helpers)."""

    def __init__(self, handle: IO[bytes], batch: int = 2_000) -> None:
        self._handle = handle
        self._pending: list[str] = []
        self._batch = batch
        self.rows = 0

    def row(self, cells: str) -> int:
        """Append a row made of ``cells`` (already rendered); returns its 1-based row number."""
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise ValueError(f"a sheet holds at most {MAX_ROWS:,} rows")
        self._pending.append(f'<row r="{self.rows}">{cells}</row>')
        if len(self._pending) >= self._batch:
            self.flush()
        return self.rows

    def flush(self) -> None:
        """Write the pending rows into the zip."""
        if self._pending:
            self._handle.write("".join(self._pending).encode("utf-8"))
            self._pending.clear()


def cell_text(column: str, row: int, escaped: str, style: int = 0) -> str:
    """An inline string cell (``escaped`` from :func:`text_xml`)."""
    s = f' s="{style}"' if style else ""
    return f'<c r="{column}{row}"{s} t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'


def cell_number(column: str, row: int, value: str | int, style: int = 0) -> str:
    """A number cell; ``value`` is its exact decimal text (or an int)."""
    s = f' s="{style}"' if style else ""
    return f'<c r="{column}{row}"{s}><v>{value}</v></c>'


def cell_formula(column: str, row: int, formula: str, cached: str, style: int = 0) -> str:
    """A formula cell (without the leading "=") with its value as computed here."""
    s = f' s="{style}"' if style else ""
    return f'<c r="{column}{row}"{s}><f>{escape(formula)}</f><v>{cached}</v></c>'


class StreamWorkbook:
    """An XLSX written sheet by sheet into ``path``; call :meth:`close` to finish it.

    Args:
        path: the file to write (the caller writes to a temporary name and renames it).
        styles: the cell styles; a style's index + 1 is the ``s`` number its cells carry (0 is the
            default style).
        compresslevel: zlib level of the zip; 3 keeps the file near what openpyxl writes at little cost.
    """

    def __init__(self, path: str | Path, styles: Sequence[Style], *, compresslevel: int = 3) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._styles = tuple(styles)
        self._sheets: list[str] = []
        self._open: IO[bytes] | None = None
        self._current: SheetStream | None = None
        self.description = ""
        self.custom: list[tuple[str, str | int]] = []

    def add_sheet(
        self, name: str, widths: Sequence[float] = (), *, freeze_header: bool = True
    ) -> SheetStream:
        """Start a new sheet (finishing the one being written); its rows follow with ``row()``."""
        self._finish_sheet()
        if not name or len(name) > MAX_SHEET_NAME or any(ch in name for ch in "[]:*?/\\"):
            raise ValueError(f"{name!r} is not a valid sheet name")
        self._sheets.append(name)
        handle = self._zip.open(f"xl/worksheets/sheet{len(self._sheets)}.xml", "w")
        selected = ' tabSelected="1"' if len(self._sheets) == 1 else ""
        pane = (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/>'
            if freeze_header
            else ""
        )
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1)
        )
        head = (
            f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f'<sheetViews><sheetView workbookViewId="0"{selected}>{pane}</sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}<sheetData>'
        )
        handle.write(head.encode("utf-8"))
        self._open = handle
        self._current = SheetStream(handle)
        return self._current

    def _finish_sheet(self) -> None:
        if self._open is None or self._current is None:
            return
        self._current.flush()
        tail = '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
        self._open.write(tail.encode("utf-8"))
        self._open.close()
        self._open = self._current = None

    def close(self) -> None:
        """Finish the last sheet and write the workbook's parts; the file is complete afterwards."""
        self._finish_sheet()
        if not self._sheets:
            raise ValueError("a workbook needs at least one sheet")
        z = self._zip
        count = len(self._sheets)
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(self._sheets, start=1)
        )
        z.writestr(
            "xl/workbook.xml",
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f'<sheets>{sheets}</sheets><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        )
        rels += f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        z.writestr(
            "xl/_rels/workbook.xml.rels", f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>'
        )
        z.writestr("xl/styles.xml", self._styles_xml())
        z.writestr("docProps/core.xml", self._core_xml())
        parts = [
            ("officeDocument", f"{_REL}/officeDocument", "xl/workbook.xml"),
            ("core", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
             "docProps/core.xml"),
        ]  # fmt: skip
        if self.custom:
            z.writestr("docProps/custom.xml", self._custom_xml())
            parts.append(("custom", f"{_REL}/custom-properties", "docProps/custom.xml"))
        package = "".join(
            f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
            for i, (_name, kind, target) in enumerate(parts, start=1)
        )
        z.writestr("_rels/.rels", f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{package}</Relationships>')
        z.writestr("[Content_Types].xml", self._content_types())
        z.close()

    def discard(self) -> None:
        """Abandon the workbook (after an error or a cancel): close the zip; the caller removes the file."""
        if self._open is not None:
            with contextlib.suppress(OSError, ValueError):
                self._open.close()
        self._open = self._current = None
        with contextlib.suppress(OSError, ValueError):
            self._zip.close()

    def _styles_xml(self) -> str:
        formats = sorted({s.number_format for s in self._styles if s.number_format})
        ids = {code: 164 + i for i, code in enumerate(formats)}
        num_fmts = "".join(f'<numFmt numFmtId="{ids[c]}" formatCode={quoteattr(c)}/>' for c in formats)
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        xfs = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>']
        for s in self._styles:
            number = ids.get(s.number_format or "", 0)
            apply = (' applyNumberFormat="1"' if number else "") + (' applyFont="1"' if s.bold else "")
            xfs.append(
                f'<xf numFmtId="{number}" fontId="{1 if s.bold else 0}" fillId="0" borderId="0" xfId="0"{apply}/>'
            )
        return (
            f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
            f'<numFmts count="{len(formats)}">{num_fmts}</numFmts>'
            f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )

    def _core_xml(self) -> str:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            f"{_HEAD}<cp:coreProperties "
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>tresxuno</dc:creator><dc:description>{escape(self.description)}</dc:description>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
        )

    def _custom_xml(self) -> str:
        props = []
        for pid, (name, value) in enumerate(self.custom, start=2):
            typed = (
                f"<vt:i4>{value}</vt:i4>"
                if isinstance(value, int)
                else f"<vt:lpwstr>{escape(value)}</vt:lpwstr>"
            )
            props.append(
                f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name={quoteattr(name)}>'
                f"{typed}</property>"
            )
        return (
            f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"{''.join(props)}</Properties>"
        )

    def _content_types(self) -> str:
        sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        overrides = [
            (
                "/xl/workbook.xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            ),
            ("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"),
            ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
            *((f"/xl/worksheets/sheet{i}.xml", sheet) for i in range(1, len(self._sheets) + 1)),
        ]
        if self.custom:
            overrides.append(
                (
                    "/docProps/custom.xml",
                    "application/vnd.openxmlformats-officedocument.custom-properties+xml",
                )
            )
        body = "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
        return (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{body}</Types>'
        )
