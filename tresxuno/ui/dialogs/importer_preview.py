"""The import dialog's preview: the rows as they would be imported, bad cells marked, every problem listed.

A bad cell is tinted, marked with an icon and explained in its tooltip (colour is never the only sign).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QStyle,
    QTableWidgetItem,
)

from tresxuno.i18n import _, ngettext
from tresxuno.services import importer
from tresxuno.services.importer import ImportPreview, SourceTable

#: Rows shown in the preview table; the list of problems always covers every row.
PREVIEW_ROWS = 200
#: Background of a refused cell (colour is never the only sign: an icon and a tooltip go with it).
BAD_CELL = QColor("#fde2e1")
#: Fields shown right-aligned (amounts and counts).
_NUMERIC = frozenset({"cost", "members", "beneficiaries", "fiscal_year"})
#: Preview columns before the file's own.
_STATUS_COLUMN = 0


class ImportPreviewDisplay:
    """Shows a check's outcome in :class:`~tresxuno.ui.dialogs.importer.ImportDialog`."""

    preview: ImportPreview | None
    source: SourceTable | None

    # -- showing the result of a check ----------------------------------------------------------------

    def show_preview(self, preview: ImportPreview) -> None:
        """Fill the preview, the problem list, the counts and the buttons from ``preview``."""
        self.preview = preview
        self._fill_preview_table(preview)
        self._fill_problems(preview)
        specs = {s.key: s for s in importer.fields_of(preview.kind)}
        if preview.missing_columns:
            names = ", ".join(specs[k].label for k in preview.missing_columns)
            self.missing_label.setText(
                "⚠ " + _("Required fields without a column: {fields}").format(fields=names)
            )
            self.missing_label.setStyleSheet("color: #b00020;")
        elif preview.extra_columns:
            self.missing_label.setText(
                _("Ignored columns: {columns}").format(
                    columns=", ".join(f"«{c}»" for c in preview.extra_columns)
                )
            )
            self.missing_label.setStyleSheet("")
        else:
            self.missing_label.setText(_("Every column goes into a field."))
            self.missing_label.setStyleSheet("")
        self._show_state()

    def _fill_preview_table(self, preview: ImportPreview) -> None:
        table = self.preview_table
        headers = preview.source.headers
        rows = preview.rows[:PREVIEW_ROWS]
        table.clear()
        table.setColumnCount(len(headers) + 1)
        table.setRowCount(len(rows))
        status = QTableWidgetItem(_("Status"))
        table.setHorizontalHeaderItem(_STATUS_COLUMN, status)
        specs = {s.key: s for s in importer.fields_of(preview.kind)}
        for i, header in enumerate(headers, start=1):
            key = preview.mapping.get(header)
            item = QTableWidgetItem(header)
            if key:
                item.setToolTip(_("Goes into: {field}").format(field=specs[key].label))
            else:
                item.setToolTip(_("Ignored: this column is not imported"))
                item.setForeground(QBrush(self.palette().color(self.palette().ColorRole.PlaceholderText)))
                font = QFont(item.font())
                font.setItalic(True)
                item.setFont(font)
            table.setHorizontalHeaderItem(i, item)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        ok_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)
        numeric = {i for i, h in enumerate(headers, start=1) if preview.mapping.get(h) in _NUMERIC}
        for r, row in enumerate(rows):
            table.setVerticalHeaderItem(r, QTableWidgetItem(str(row.row)))
            bad = row.bad_columns()
            if row.ok:
                state = QTableWidgetItem(ok_icon, _("OK"))
                state.setToolTip(
                    _("Will be imported as {created}").format(created=row.created)
                    if row.created
                    else _("No problems")
                )
            else:
                state = QTableWidgetItem(
                    warning,
                    ngettext("{count} problem", "{count} problems", len(row.problems)).format(
                        count=len(row.problems)
                    ),
                )
                state.setToolTip("\n".join(p.reason() for p in row.problems))
                state.setBackground(QBrush(BAD_CELL))
            table.setItem(r, _STATUS_COLUMN, state)
            for c, text in enumerate(row.cells, start=1):
                item = QTableWidgetItem(text.replace("\n", " ⏎ "))
                reasons = bad.get(headers[c - 1])
                key = preview.mapping.get(headers[c - 1])
                if reasons:
                    item.setIcon(warning)
                    item.setBackground(QBrush(BAD_CELL))
                    item.setToolTip("\n".join(reasons))
                    item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "; ".join(reasons))
                elif key and key in row.values:
                    shown = importer.value_text(key, row.values[key])
                    if shown != text.strip() and key not in ("club", "federation"):
                        item.setToolTip(_("Read as: {value}").format(value=shown))
                if c in numeric:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        metrics = table.fontMetrics()
        for c in range(table.columnCount()):
            # Long descriptions are elided (the tooltip and the file hold them): keep the table scannable.
            table.setColumnWidth(c, min(table.columnWidth(c), metrics.averageCharWidth() * 36))
        if len(preview.rows) > PREVIEW_ROWS:
            self.preview_note.setText(
                _(
                    "Showing the first {shown} of {total} rows; the list of problems below covers every row."
                ).format(shown=PREVIEW_ROWS, total=len(preview.rows))
            )
            self.preview_note.show()
        else:
            self.preview_note.hide()

    def _fill_problems(self, preview: ImportPreview) -> None:
        problems = preview.problems
        table = self.problems_table
        table.setRowCount(len(problems))
        for r, problem in enumerate(problems):
            row = QTableWidgetItem(str(problem.row))
            row.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            row.setData(Qt.ItemDataRole.UserRole, problem.row)
            table.setItem(r, 0, row)
            column = QTableWidgetItem(problem.column or "—")
            column.setData(Qt.ItemDataRole.UserRole, problem.column)
            table.setItem(r, 1, column)
            table.setItem(r, 2, QTableWidgetItem(problem.reason()))
        self._fit_rows.start()
        if problems:
            self.problems_title.setText(
                ngettext("&Problems: {count}", "&Problems: {count}", len(problems)).format(
                    count=len(problems)
                )
            )
        else:
            self.problems_title.setText(_("&Problems: none. Every row can be imported."))

    def _go_to_problem(self, index: int, _column: int = 0) -> None:
        """Select the preview cell a listed problem is about."""
        if self.preview is None:
            return
        row_number = self.problems_table.item(index, 0).data(Qt.ItemDataRole.UserRole)
        header = self.problems_table.item(index, 1).data(Qt.ItemDataRole.UserRole)
        rows = [r.row for r in self.preview.rows[:PREVIEW_ROWS]]
        if row_number not in rows:
            return
        headers = self.preview.source.headers
        column = headers.index(header) + 1 if header in headers else _STATUS_COLUMN
        self.preview_table.setCurrentCell(rows.index(row_number), column)
        self.preview_table.setFocus()

    def _show_state(self) -> None:
        """Counts, icon, page and buttons for the current state."""
        preview = self.preview
        self.pages.setCurrentIndex(0 if preview is None else 1)
        if self.path is None or (self._task is not None and self._task.running):
            if self.path is None:
                self.counts_label.setText(_("No file chosen yet."))
            self._set_buttons(busy=self.path is not None)
            return
        if preview is None:
            self.counts_label.setText(_("The file could not be read."))
            self._set_buttons(busy=False)
            return
        valid = ngettext("{count} valid row", "{count} valid rows", preview.valid_count).format(
            count=preview.valid_count
        )
        bad = ngettext("{count} with errors", "{count} with errors", preview.error_count).format(
            count=preview.error_count
        )
        text = f"{valid}, {bad}"
        if preview.file_problems:
            text += " — " + _("the columns must be fixed before anything can be imported")
        self.counts_label.setText(text)
        pixmap = (
            QStyle.StandardPixmap.SP_DialogApplyButton
            if preview.can_import_all
            else (QStyle.StandardPixmap.SP_MessageBoxWarning)
        )
        size = self.counts_label.fontMetrics().height()
        self.status_icon.setPixmap(self.style().standardIcon(pixmap).pixmap(size, size))
        self._set_buttons(busy=False)

    def _set_buttons(self, *, busy: bool) -> None:
        preview = self.preview
        ready = not busy and preview is not None
        self.import_all_button.setEnabled(ready and preview.can_import_all)  # type: ignore[union-attr]
        self.import_valid_button.setEnabled(ready and preview.can_import_valid and preview.error_count > 0)  # type: ignore[union-attr]
        self.kind_combo.setEnabled(not busy or self.source is not None)
