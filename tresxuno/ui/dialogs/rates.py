"""Exchange rates (pesos per dollar by date): the table, a rate typed by hand, and Banxico FIX imports.

The table only suggests the rate a dollar deposit is recorded with; each deposit keeps its own copy,
so correcting a rate here never changes an entry already in the Libro. An import stores every rate
of the file or, on any problem, none; the problems are listed one per line with the file's line
number, so the officer can fix the file and import it again.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.problems import InputError, StorageError
from tresxuno.formatting import date_text
from tresxuno.i18n import N_, _, ngettext
from tresxuno.messages import describe
from tresxuno.services.rates import (
    BANXICO_FIX,
    RateImport,
    RateRecord,
    import_rates_csv,
    list_rates,
    set_rate,
)
from tresxuno.services.store import Database
from tresxuno.ui import prompts
from tresxuno.ui.dialogs.club import date_edit, from_qdate, to_qdate
from tresxuno.ui.dialogs.entries import add_field, hint_label
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.tasks import Task

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
RATES_FILTER = N_("Rates (*.csv *.txt);;All files (*)")
#: The raw value behind a row (the :class:`RateRecord`), for code and tests.
RawRole = Qt.ItemDataRole.UserRole


class RatesDialog(QDialog):
    """The stored USD->MXN rates, newest first, with a form to add one and a button to import a file."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self._db = db
        self._today = today or date.today()
        self.changed = False
        self.import_task: Task | None = None
        self.rates: list[RateRecord] = []
        self.setWindowTitle(_("Exchange rates"))
        intro = hint_label(self)
        intro.setText(
            _(
                "Pesos per dollar by date. A deposit in dollars is offered the rate of its date (or "
                "the latest before it) and keeps its own copy: changing a rate here never changes "
                "a recorded entry."
            )
        )
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels([_("Date"), _("Rate (MXN per USD)"), _("Source")])
        self.table.setAccessibleName(_("Exchange rates"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        item = self.table.horizontalHeaderItem(1)
        if item is not None:
            item.setTextAlignment(_RIGHT)
        self.count_label = QLabel(self)
        self.empty_label = hint_label(self)
        self.empty_label.setText(
            _(
                "No rates stored yet. Import Banco de México's FIX series (a CSV file "
                "from its SIE portal, series SF43718) or add a rate by hand below."
            )
        )

        # A rate typed by hand (from a bank receipt or the DOF).
        box = QGroupBox(_("Add or correct a rate"), self)
        self.general = QLabel(box)
        self.errors = FieldErrors(self.general)
        form = QFormLayout()
        self.rate_date = date_edit(box)
        self.rate_date.setDate(to_qdate(self._today))
        self.rate_date.setMaximumDate(to_qdate(self._today))
        add_field(form, self.errors, "rate_date", _("&Date:"), self.rate_date, stretch=False)
        self.rate = QLineEdit(box)
        self.rate.setAlignment(_RIGHT)
        self.rate.setPlaceholderText("17.2345")
        self.rate.setMaximumWidth(self.rate.fontMetrics().horizontalAdvance("1234.567890") + 24)
        add_field(form, self.errors, "rate", _("&Rate (MXN per USD):"), self.rate, stretch=False)
        self.source = QLineEdit(BANXICO_FIX, box)
        add_field(form, self.errors, "source", _("&Source:"), self.source)
        self.add_button = QPushButton(_("&Add rate"), box)
        self.add_button.clicked.connect(self.add_rate)
        inner = QVBoxLayout(box)
        inner.addWidget(self.general)
        inner.addLayout(form)
        inner.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.import_button = QPushButton(_("&Import Banxico FIX CSV…"), self)
        self.import_button.setToolTip(
            _(
                "Read a file of Banco de México's SIE (series SF43718, dates "
                "dd/mm/yyyy) or plain lines date,rate"
            )
        )
        self.import_button.clicked.connect(lambda: self.import_file())
        self.import_result = hint_label(self)
        self.problems = QListWidget(self)
        self.problems.setAccessibleName(_("Problems found in the file"))
        self.problems.setWordWrap(True)
        self.problems.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.import_result)
        layout.addWidget(self.problems)
        layout.addWidget(box)
        layout.addWidget(close)
        self.resize(620, 640)
        self.reload()

    def reload(self) -> None:
        """Read the stored rates again, newest first."""
        try:
            self.rates = list(reversed(list_rates(self._db)))
        except StorageError as exc:
            show_error(self, exc)
            return
        self.table.setRowCount(len(self.rates))
        for row, rate in enumerate(self.rates):
            cells = (
                QTableWidgetItem(date_text(rate.rate_date)),
                QTableWidgetItem(rate.rate),
                QTableWidgetItem(rate.source),
            )
            cells[1].setTextAlignment(_RIGHT)
            cells[0].setData(RawRole, rate)
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        self.count_label.setText(
            ngettext("{count} rate stored", "{count} rates stored", len(self.rates)).format(
                count=f"{len(self.rates):,}"
            )
        )
        self.table.setVisible(bool(self.rates))
        self.empty_label.setVisible(not self.rates)

    def add_rate(self) -> bool:
        """Store the rate typed in the form (replacing that day's rate); True when stored."""
        try:
            record = set_rate(
                self._db,
                from_qdate(self.rate_date.date()),
                self.rate.text(),
                self.source.text(),
                today=self._today,
            )
        except InputError as exc:
            self.errors.point_out(exc.problems)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.errors.clear()
        self.rate.clear()
        self.changed = True
        self.reload()
        self._select(record.rate_date)
        return True

    def _select(self, day: date) -> None:
        for row, rate in enumerate(self.rates):
            if rate.rate_date == day:
                self.table.selectRow(row)
                self.table.scrollToItem(self.table.item(row, 0))
                return

    def import_file(self, path: str | None = None) -> None:
        """Ask for a rates file and import it off the GUI thread (all its rates, or none)."""
        path = path or prompts.choose_open_file(self, _("Import exchange rates"), _(RATES_FILTER))
        if not path:
            return
        source, db, today = Path(path), self._db, self._today
        self.problems.clear()
        self.problems.hide()
        self.import_result.clear()
        self.import_button.setEnabled(False)
        self.import_result.setText(_("Importing {name}…").format(name=source.name))
        # One short transaction (30 years of rates take a fraction of a second) that cannot stop
        # half-way: off the GUI thread, but with no Cancel button that could not really cancel.
        task = Task(
            self,
            _("Importing exchange rates…"),
            lambda progress, cancel: import_rates_csv(db, source, today=today),
            show_dialog=False,
        )
        task.finished_ok.connect(self._imported)
        # Input problems are listed in the dialog, line by line; anything else goes to show_error.
        task.failed.connect(self._import_failed)
        task.was_cancelled.connect(lambda: self.import_button.setEnabled(True))
        self.import_task = task.start()

    def _imported(self, result: RateImport) -> None:
        self.import_button.setEnabled(True)
        self.changed = True
        self.import_result.setText(
            _(
                "Imported rates from {first} to {last} ({source}): {inserted} new, {updated} corrected, "
                "{unchanged} unchanged; {not_published} days without a published rate skipped."
            ).format(
                first=date_text(result.first),
                last=date_text(result.last),
                source=result.source,
                inserted=result.inserted,
                updated=result.updated,
                unchanged=result.unchanged,
                not_published=result.not_published,
            )
        )
        self.reload()

    def _import_failed(self, exc: object) -> None:
        self.import_button.setEnabled(True)
        if not isinstance(exc, InputError):
            show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))
            return
        self.import_result.setText(
            ngettext(
                "Nothing was imported: the file has {count} problem. Correct it and import the file again.",
                "Nothing was imported: the file has {count} problems. Correct them and import the file again.",
                len(exc.problems),
            ).format(count=len(exc.problems))
        )
        for problem in exc.problems:
            self.problems.addItem(describe(problem, with_field=False))
        self.problems.show()

    def problem_texts(self) -> list[str]:
        """The problems listed after a refused import (tests read them)."""
        return [self.problems.item(i).text() for i in range(self.problems.count())]

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, *, today: date | None = None) -> bool:
        """Show the rates; True when any rate was added or imported."""
        dialog = cls(db, parent, today=today)
        try:
            dialog.exec()
            return dialog.changed
        finally:
            dialog.deleteLater()
