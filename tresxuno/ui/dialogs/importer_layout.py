"""The import dialog's layout: the file row, the column matching, the rows and problems, the buttons."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from tresxuno.i18n import _
from tresxuno.services import importer


class ImportDialogLayout:
    """Builds the widgets of :class:`~tresxuno.ui.dialogs.importer.ImportDialog`."""

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
