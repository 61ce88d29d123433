"""Import clubs or projects from a CSV or XLSX file: choose it, match its columns, preview, import.

Every check runs in :mod:`tresxuno.services.importer` off the GUI thread (the same run as the import,
rolled back), so the preview shows exactly what the import would refuse: each bad cell is tinted,
marked with an icon and explained in its tooltip, and every problem is listed with its row, column
and reason. "Import all" stays disabled while any row has a problem; "Import only the valid rows"
asks first. The import itself is one transaction with a progress dialog whose Cancel rolls it back.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.i18n import _, ngettext
from tresxuno.services import importer
from tresxuno.services.importer import ImportPreview, ImportResult, SourceTable
from tresxuno.services.progress import CancelToken, Progress
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.tasks import Task, run_task

#: Rows shown in the preview table; the list of problems always covers every row.
PREVIEW_ROWS = 200
#: Pause after the officer changes the column matching before the rows are checked again.
RECHECK_DELAY_MS = 400
#: Background of a refused cell (colour is never the only sign: an icon and a tooltip go with it).
BAD_CELL = QColor("#fde2e1")
#: Fields shown right-aligned (amounts and counts).
_NUMERIC = frozenset({"cost", "members", "beneficiaries", "fiscal_year"})
#: Preview columns before the file's own.
_STATUS_COLUMN = 0


class ImportDialog(QDialog):
    """Choose a file, match its columns to tresxuno's fields, look at the rows, import.

    Attributes exposed for tests and callers: ``choose_button``, ``kind_combo``, ``sheet_combo``,
    ``mapping_combos`` (file header -> field combo), ``preview_table``, ``problems_table``,
    ``counts_label``, ``import_all_button``, ``import_valid_button``, ``cancel_button``, and
    ``preview`` (the last :class:`ImportPreview`) and ``result`` (the :class:`ImportResult`).
    """

    def __init__(self, db: Database, parent: QWidget | None = None, *, user: str = ""):
        super().__init__(parent)
        self._db = db
        self._user = user
        self.path: Path | None = None
        self.source: SourceTable | None = None
        self.preview: ImportPreview | None = None
        self.result: ImportResult | None = None
        self.mapping_combos: dict[str, QComboBox] = {}
        self._task: Task | None = None
        self._again = False
        self._reload = False
        self._sheet: str | None = None
        self._closing: int | None = None  # the close asked for while a check was still running
        self.setWindowTitle(_("Import clubs or projects"))
        self.setModal(True)

        self._recheck = QTimer(self)
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(RECHECK_DELAY_MS)
        self._recheck.timeout.connect(self.check)

        layout = QVBoxLayout(self)
        layout.addLayout(self._file_row())
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self._mapping_box())
        self.splitter.addWidget(self._rows_box())
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(self._status_row())
        layout.addWidget(self._buttons())
        self._set_tab_order()
        self._show_state()
        self.resize(1220, 760)
        self.splitter.setSizes([380, 840])
        self.choose_button.setFocus()

    # -- building ---------------------------------------------------------------------------------

    def _file_row(self) -> QHBoxLayout:
        self.file_edit = QLineEdit(self)
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(_("No file chosen"))
        self.file_edit.setAccessibleName(_("File to import"))
        self.choose_button = QPushButton(_("&Choose file…"), self)
        self.choose_button.setToolTip(
            _("A CSV or XLSX file with a header row and one club or project per row (Ctrl+O)")
        )
        self.choose_button.clicked.connect(self.choose_file)
        self.kind_combo = QComboBox(self)
        for kind in importer.KINDS:
            self.kind_combo.addItem(_(importer.KIND_LABELS[kind]), kind)
        self.kind_combo.setAccessibleName(_("What the file holds"))
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        kind_label = QLabel(_("The file &holds:"), self)
        kind_label.setBuddy(self.kind_combo)
        self.sheet_combo = QComboBox(self)
        self.sheet_combo.setAccessibleName(_("Worksheet"))
        self.sheet_combo.currentIndexChanged.connect(self._on_sheet)
        self.sheet_label = QLabel(_("&Sheet:"), self)
        self.sheet_label.setBuddy(self.sheet_combo)
        self.sheet_combo.hide()  # shown for workbooks with more than one sheet
        self.sheet_label.hide()
        self.file_info = QLabel(self)
        self.file_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.file_edit, 1)
        row.addWidget(self.choose_button)
        row.addSpacing(12)
        row.addWidget(kind_label)
        row.addWidget(self.kind_combo)
        row.addSpacing(12)
        row.addWidget(self.sheet_label)
        row.addWidget(self.sheet_combo)
        row.addSpacing(12)
        row.addWidget(self.file_info)
        return row

    def _mapping_box(self) -> QGroupBox:
        box = QGroupBox(_("Columns of the file"), self)
        column = QVBoxLayout(box)
        explain = QLabel(
            _(
                "Each column of the file goes into the field chosen beside it; columns set to "
                "“(ignore)” are left out. Fields marked * are required."
            ),
            box,
        )
        explain.setWordWrap(True)
        self.mapping_page = QWidget(box)
        self.mapping_grid = QGridLayout(self.mapping_page)
        self.mapping_grid.setColumnStretch(1, 1)
        scroll = QScrollArea(box)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.mapping_page)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.mapping_scroll = scroll
        self.missing_label = QLabel(box)
        self.missing_label.setWordWrap(True)
        self.missing_label.setTextFormat(Qt.TextFormat.PlainText)
        column.addWidget(explain)
        column.addWidget(scroll, 1)
        column.addWidget(self.missing_label)
        return box

    def _rows_box(self) -> QWidget:
        self.preview_table = QTableWidget(self)
        self.preview_table.setAccessibleName(_("Preview of the rows"))
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.preview_table.setWordWrap(False)
        self.preview_table.verticalHeader().setDefaultSectionSize(
            self.preview_table.fontMetrics().height() + 8
        )
        self.preview_note = QLabel(self)
        self.preview_note.setWordWrap(True)

        self.problems_table = QTableWidget(0, 3, self)
        self.problems_table.setAccessibleName(_("Problems found"))
        self.problems_table.setHorizontalHeaderLabels([_("Row"), _("Column"), _("Problem")])
        self.problems_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems_table.setWordWrap(True)
        self.problems_table.verticalHeader().hide()
        header = self.problems_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # Wrapped reasons need their rows re-measured whenever the reason column changes width (also
        # once the dialog is shown: rows filled while hidden were measured against a default width).
        self._fit_rows = QTimer(self)
        self._fit_rows.setSingleShot(True)
        self._fit_rows.setInterval(0)
        self._fit_rows.timeout.connect(self.problems_table.resizeRowsToContents)
        header.sectionResized.connect(lambda *_args: self._fit_rows.start())
        self.problems_table.cellActivated.connect(self._go_to_problem)
        self.problems_table.cellDoubleClicked.connect(self._go_to_problem)
        self.problems_title = QLabel(self)
        self.problems_title.setBuddy(self.problems_table)

        tables = QSplitter(Qt.Orientation.Vertical, self)
        top = QWidget(tables)
        top_box = QVBoxLayout(top)
        top_box.setContentsMargins(0, 0, 0, 0)
        preview_title = QLabel(_("&Rows as read"), top)
        preview_title.setBuddy(self.preview_table)
        top_box.addWidget(preview_title)
        top_box.addWidget(self.preview_table, 1)
        top_box.addWidget(self.preview_note)
        bottom = QWidget(tables)
        bottom_box = QVBoxLayout(bottom)
        bottom_box.setContentsMargins(0, 0, 0, 0)
        bottom_box.addWidget(self.problems_title)
        bottom_box.addWidget(self.problems_table, 1)
        tables.addWidget(top)
        tables.addWidget(bottom)
        tables.setChildrenCollapsible(False)
        tables.setSizes([440, 220])

        self.empty_label = QLabel(
            _(
                "Choose a CSV or XLSX file with a header row and one club or project per row.\n\n"
                "Its columns are matched to tresxuno's fields by their names (“Nombre del club”, “Folio toma de "
                "nota”, “Municipio”, “Costo”…); check the matching on the left. Every row is checked as if it "
                "were typed in the forms, and nothing is written until you import."
            ),
            self,
        )
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setMargin(24)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.empty_label)
        self.pages.addWidget(tables)
        return self.pages

    def _status_row(self) -> QHBoxLayout:
        self.status_icon = QLabel(self)
        self.counts_label = QLabel(self)
        self.counts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.counts_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.status_icon)
        row.addWidget(self.counts_label, 1)
        return row

    def _buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox(self)
        self.import_all_button = QPushButton(_("Import &all"), self)
        self.import_all_button.setToolTip(
            _("Import every row, in one go; only possible when no row has a problem")
        )
        self.import_valid_button = QPushButton(_("Import &only the valid rows"), self)
        self.import_valid_button.setToolTip(_("Import the rows without problems and leave the others out"))
        self.cancel_button = QPushButton(_("Cancel"), self)
        for button in (self.import_all_button, self.import_valid_button, self.cancel_button):
            # Enter in a combo box must never import public-money records by accident.
            button.setAutoDefault(False)
            button.setDefault(False)
        self.buttons.addButton(self.import_all_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.import_valid_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.import_all_button.clicked.connect(self.import_all)
        self.import_valid_button.clicked.connect(self.import_valid)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Open), self, self.choose_file)
        return self.buttons

    def _set_tab_order(self) -> None:
        """File, kind, sheet, each column's field, the rows, the problems, the buttons."""
        chain: list[QWidget] = [
            self.choose_button,
            self.kind_combo,
            self.sheet_combo,
            *self.mapping_combos.values(),
            self.preview_table,
            self.problems_table,
            self.import_all_button,
            self.import_valid_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- choosing the file and the mapping ------------------------------------------------------------

    @property
    def kind(self) -> str:
        """``"clubs"`` or ``"projects"``, as chosen."""
        return self.kind_combo.currentData()

    def choose_file(self) -> None:
        """Ask for the file (through ``prompts.choose_open_file``) and check it."""
        path = prompts.choose_open_file(
            self, _("Import from a file"), _("Spreadsheets (*.csv *.xlsx);;All files (*)")
        )
        if path:
            self.load(path)

    def load(self, path: str | Path, *, sheet: str | None = None) -> None:
        """Read ``path`` (the worksheet ``sheet`` of a workbook), match its columns and check its rows."""
        self.path = Path(path)
        self.file_edit.setText(str(self.path))
        self.file_edit.setToolTip(str(self.path))
        self.source = None
        self._sheet = sheet
        self._reload = True
        self.check()

    def mapping(self) -> dict[str, str | None]:
        """``{file header: field key or None}`` as the combos say now."""
        return {header: combo.currentData() for header, combo in self.mapping_combos.items()}

    def set_field(self, header: str, key: str | None) -> None:
        """Match the file column ``header`` to field ``key`` (None: ignore it), as the officer would."""
        combo = self.mapping_combos[header]
        combo.setCurrentIndex(combo.findData(key))

    def _fill_mapping(self, mapping: dict[str, str]) -> None:
        """One label and combo per file column, set to ``mapping``."""
        self._clear_mapping()
        self.mapping_combos.clear()
        assert self.source is not None
        specs = importer.fields_of(self.kind)
        examples = self._examples()
        for row, header in enumerate(self.source.headers):
            label = QLabel(header, self.mapping_page)
            label.setToolTip(_("Example: {value}").format(value=examples[row]) if examples[row] else "")
            label.setWordWrap(True)
            combo = QComboBox(self.mapping_page)
            combo.addItem(_("(ignore)"), None)
            for spec in specs:
                text = f"{spec.label} *" if spec.required else spec.label
                combo.addItem(text, spec.key)
                if spec.hint:
                    combo.setItemData(combo.count() - 1, _(spec.hint), Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(combo.findData(mapping.get(header)))
            # Narrow combos keep every column's label readable; the open list shows the whole text.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(22)
            combo.setToolTip(combo.currentText())
            combo.currentTextChanged.connect(combo.setToolTip)
            combo.setAccessibleName(_("Field for the column «{column}»").format(column=header))
            combo.currentIndexChanged.connect(self._on_mapping_changed)
            label.setBuddy(combo)
            self.mapping_grid.addWidget(label, row, 0)
            self.mapping_grid.addWidget(combo, row, 1)
            self.mapping_combos[header] = combo
        self.mapping_grid.setRowStretch(len(self.source.headers), 1)
        # Never clip a combo: the pane is at least as wide as its labels and narrowest combos.
        self.mapping_scroll.setMinimumWidth(
            self.mapping_page.minimumSizeHint().width()
            + self.mapping_scroll.verticalScrollBar().sizeHint().width()
            + 4
        )
        self._set_tab_order()

    def _examples(self) -> list[str]:
        assert self.source is not None
        examples = [""] * len(self.source.headers)
        for _number, cells in self.source.rows[:50]:
            for i, cell in enumerate(cells):
                if not examples[i] and cell.text.strip():
                    examples[i] = cell.text.strip()[:60]
        return examples

    def _on_kind(self) -> None:
        if self.source is not None:
            self._fill_mapping(importer.suggest_mapping(self.kind, self.source.headers))
            self.check()

    def _on_sheet(self) -> None:
        if self.source is not None and self.sheet_combo.currentText() != self.source.sheet:
            self.load(self.path or "", sheet=self.sheet_combo.currentText())

    def _on_mapping_changed(self) -> None:
        self._set_buttons(busy=True)
        self._recheck.start()

    # -- checking -------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a check or the import is running (or about to run)."""
        return (self._task is not None and self._task.running) or self._recheck.isActive()

    def check(self) -> None:
        """Check every row in the background with the mapping shown (re-reading the file when new)."""
        self._recheck.stop()
        if self.path is None:
            return
        if self._task is not None and self._task.running:
            self._again = True  # the mapping changed while checking: check again once this run ends
            return
        db, path, kind, sheet = self._db, self.path, self.kind, self._sheet
        source = None if self._reload else self.source
        mapping = None if source is None else self.mapping()

        def work(progress: Progress, cancel: CancelToken) -> tuple[SourceTable, str, ImportPreview]:
            table = source or importer.read_file(path, sheet=sheet)
            chosen = kind if source is not None else importer.guess_kind(table.headers)
            return (
                table,
                chosen,
                importer.preview(db, table, chosen, mapping, progress=progress, cancel=cancel),
            )

        self._reload = False
        self._set_buttons(busy=True)
        self.counts_label.setText(_("Checking the rows…"))
        self.status_icon.clear()
        self._task = run_task(
            self,
            _("Checking {file}").format(file=path.name),
            work,
            on_success=self._checked,
            on_cancel=self._after_task,
        )
        self._task.failed.connect(self._check_failed)

    def _checked(self, outcome: tuple[SourceTable, str, ImportPreview]) -> None:
        if self._close_if_asked():
            return
        table, kind, preview = outcome
        new_file = table is not self.source
        self.source = table
        if new_file:
            self.kind_combo.blockSignals(True)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
            self.kind_combo.blockSignals(False)
            self._fill_sheets()
            self._fill_mapping(dict(preview.mapping))
        self.show_preview(preview)
        self._after_task()

    def _check_failed(self, _exc: object) -> None:
        """The file could not be read (``show_error`` has said why): forget the last file's rows."""
        if self.source is None:
            self.preview = None
            self.mapping_combos.clear()
            self._clear_mapping()
            self.missing_label.clear()
            self.file_info.clear()
        self._after_task()

    def _clear_mapping(self) -> None:
        """Remove the labels and combos of the previous file's columns."""
        while self.mapping_grid.count():
            item = self.mapping_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def _after_task(self) -> None:
        if self._close_if_asked():
            return
        if self._again:
            self._again = False
            QTimer.singleShot(0, self.check)
            return
        self._show_state()

    def _fill_sheets(self) -> None:
        assert self.source is not None
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(self.source.sheets))
        self.sheet_combo.setCurrentText(self.source.sheet or "")
        self.sheet_combo.blockSignals(False)
        many = len(self.source.sheets) > 1
        self.sheet_combo.setVisible(many)
        self.sheet_label.setVisible(many)
        if self.source.file_format == "csv":
            separator = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs")}.get(
                self.source.delimiter or ",", self.source.delimiter or ""
            )
            self.file_info.setText(
                _("CSV, {encoding}, separated by {separator}").format(
                    encoding=(self.source.encoding or "").upper().replace("-SIG", " (BOM)"),
                    separator=separator,
                )
            )
        else:
            self.file_info.setText(_("Excel workbook, sheet «{sheet}»").format(sheet=self.source.sheet))

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

    # -- importing ----------------------------------------------------------------------------------

    def import_all(self) -> None:
        """Import every row (enabled only when no row has a problem)."""
        if self.preview is not None and self.preview.can_import_all:
            self._run_import(valid_only=False)

    def import_valid(self) -> None:
        """Ask, then import only the rows without problems."""
        preview = self.preview
        if preview is None or not preview.can_import_valid:
            return
        question = _("{bad} of {total} rows have problems and will be left out. Import the other {valid}?")
        question = question.format(
            bad=preview.error_count, total=len(preview.rows), valid=preview.valid_count
        )
        if prompts.confirm(self, _("Import only the valid rows"), question):
            self._run_import(valid_only=True)

    def _run_import(self, *, valid_only: bool) -> None:
        assert self.source is not None
        db, source, kind, mapping, user = self._db, self.source, self.kind, self.mapping(), self._user

        def work(progress: Progress, cancel: CancelToken) -> ImportResult:
            return importer.run_import(
                db, source, kind, mapping, valid_only=valid_only, user=user, progress=progress, cancel=cancel
            )

        self._set_buttons(busy=True)
        self.counts_label.setText(_("Importing…"))
        self._task = run_task(
            self,
            _("Importing {file}").format(file=source.name),
            work,
            on_success=self._imported,
            on_cancel=self._import_cancelled,
        )
        self._task.failed.connect(lambda _exc: self._show_state())

    def _imported(self, result: ImportResult) -> None:
        if result.written:
            self.result = result
            done = ngettext(
                "{count} row imported from {file}.", "{count} rows imported from {file}.", result.imported
            )
            prompts.message(
                self,
                prompts.Icon.Information,
                _("Import finished"),
                done.format(count=result.imported, file=result.preview.source.name),
            )
            self.accept()
            return
        # Someone changed the database since the preview (a folio taken, a club renewed): show why.
        self.show_preview(result.preview)
        prompts.message(
            self,
            prompts.Icon.Warning,
            _("Nothing was imported"),
            _(
                "The rows were checked again while importing and some have problems now. "
                "Nothing was written; see the list of problems."
            ),
        )

    def _import_cancelled(self) -> None:
        if self._close_if_asked():
            return
        self._show_state()
        cancelled = _("import cancelled; nothing was written")
        self.counts_label.setText(f"{self.counts_label.text()} — {cancelled}")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Measure the problem rows against the real width, now that there is one."""
        super().showEvent(event)
        self._fit_rows.start()

    # -- closing ------------------------------------------------------------------------------------

    def done(self, code: int) -> None:
        """Close; a check still running is cancelled first (its thread must not outlive the dialog)."""
        self._recheck.stop()
        self._again = False
        if self._task is not None and self._task.running:
            # The worker stops at its next row and rolls back; the dialog closes when it reports.
            self._closing = code
            self._task.cancel()
            self._set_buttons(busy=True)
            return
        super().done(code)

    def _close_if_asked(self) -> bool:
        """Finish a close that waited for a running check; True when the dialog closed."""
        if self._closing is None:
            return False
        code, self._closing = self._closing, None
        QTimer.singleShot(0, lambda: self.done(code))  # after the task has wound down
        return True

    @classmethod
    def ask(
        cls, parent: QWidget | None, db: Database, *, user: str = "", path: str | Path | None = None
    ) -> ImportResult | None:
        """Run the dialog (on ``path`` if given, else the officer chooses); the import's result or None."""
        dialog = cls(db, parent, user=user)
        try:
            if path is not None:
                dialog.load(path)
            return dialog.result if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()
