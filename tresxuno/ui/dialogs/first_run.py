"""The first-run dialog: which office uses this database (name, municipality, RFC, logo), its admin, demo data.

Shown when the database has no office settings yet. :class:`OfficeForm` is the office part alone,
reused by the Preferences dialog. The example data load runs off the GUI thread with progress and
a Cancel that rolls the whole load back (see :func:`tresxuno.demo.projects.generate_demo`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from tresxuno.demo.projects import DemoSummary, generate_demo
from tresxuno.domain.actor import Actor, set_actor
from tresxuno.domain.problems import InputError, Problem, StorageError
from tresxuno.domain.rfc import check_rfc, normalize_rfc, only_check_digit
from tresxuno.domain.roles import Role, join_roles
from tresxuno.i18n import _
from tresxuno.services.auth import has_users
from tresxuno.services.office import (
    OfficeSettings,
    holds_records,
    office_settings,
    save_office_settings,
    set_office_rfc,
    set_separation_of_duties,
)
from tresxuno.services.places import MunicipalityInfo, get_municipality, list_municipalities, list_states
from tresxuno.services.progress import CancelToken, Progress
from tresxuno.services.store import Database
from tresxuno.services.users import create_user
from tresxuno.ui import prompts
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.rfc_confirm import confirm_rfc_check_digit
from tresxuno.ui.screen_fit import scrolling, show_whole
from tresxuno.ui.tasks import Task, run_task

#: Projects in the example data: enough to try every screen, quick to write (a second or two).
DEMO_PROJECTS = 180
#: Side of the logo preview, in pixels.
PREVIEW_SIZE = 72


class OfficeForm(QWidget):
    """Office name, state then municipality (INEGI catalogue), the municipality's RFC, and logo with a preview.

    :meth:`save` checks and stores through :func:`save_office_settings` and :func:`set_office_rfc`,
    showing each problem under its field; the logo is copied into the data folder by the service.
    """

    def __init__(self, db: Database, current: OfficeSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.initial = current if current is not None else OfficeSettings()
        self.logo_path = self.initial.logo_path

        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.name = QLineEdit(self.initial.name, self)
        self.name.setPlaceholderText(_("e.g. Oficina de Atención al Migrante de Jerez"))
        self.name.setMaxLength(200)
        self.name.setCursorPosition(0)  # a long name shows its beginning, not its end
        self.errors.add_row(form, "name", _("Office &name:"), self.name)

        self.state = QComboBox(self)
        self.state.setPlaceholderText(_("Choose the state"))
        self.state.setAccessibleName(_("State (Mexico)"))
        for state in list_states(db):
            self.state.addItem(state.name, state.key)
        form.addRow(_("&State:"), self.state)

        self.municipality = QComboBox(self)
        self.municipality.setPlaceholderText(_("Choose the state first"))
        self.municipality.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.municipality.setMinimumContentsLength(24)
        self.errors.add_row(form, "municipality_key", _("&Municipality:"), self.municipality)
        self.state.currentIndexChanged.connect(self._fill_municipalities)

        self.rfc = QLineEdit(self.initial.rfc, self)
        self.rfc.setMaxLength(16)
        self.rfc.setPlaceholderText(_("e.g. MJZ850101B72"))
        self.rfc.setToolTip(
            _(
                "Every invoice (CFDI) paid from the projects must be billed to this RFC; an invoice "
                "billed to another receiver is refused. Leave it empty to stop checking."
            )
        )
        self.errors.add_row(form, "rfc", _("Municipality's &RFC:"), self.rfc)

        form.addRow(_("&Logo:"), self._logo_row())
        # Alt+letter on a label goes to its input, not to the row's container.
        widgets = (self.name, self.state, self.municipality, self.rfc, self.choose_logo_button)
        for row, widget in enumerate(widgets):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if label is not None and isinstance(label.widget(), QLabel):
                label.widget().setBuddy(widget)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.general)
        layout.addLayout(form)
        self._select_municipality(self.initial.municipality_key)
        self._show_logo()

    # -- building --------------------------------------------------------------------------------

    def _logo_row(self) -> QWidget:
        row = QWidget(self)
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        self.preview = QLabel(row)
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setAccessibleName(_("Logo preview"))
        self.logo_label = QLabel(row)
        self.logo_label.setWordWrap(True)
        self.logo_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.choose_logo_button = QPushButton(_("Choose…"), row)
        self.choose_logo_button.setAccessibleName(_("Choose the logo"))
        self.choose_logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = QPushButton(_("Remove"), row)
        self.remove_logo_button.setAccessibleName(_("Remove the logo"))
        self.remove_logo_button.clicked.connect(self.remove_logo)
        self.logo_error = QLabel(row)
        self.errors.register("logo", self.choose_logo_button, self.logo_error)
        text = QVBoxLayout()
        text.addWidget(self.logo_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose_logo_button)
        buttons.addWidget(self.remove_logo_button)
        buttons.addStretch(1)
        text.addLayout(buttons)
        text.addWidget(self.logo_error)
        box.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(text, 1)
        return row

    def _fill_municipalities(self) -> None:
        self.municipality.clear()
        key = self.state.currentData()
        if key is None:
            self.municipality.setPlaceholderText(_("Choose the state first"))
            self.municipality.setEnabled(False)
            return
        self.municipality.setPlaceholderText(_("Choose the municipality"))
        self.municipality.setEnabled(True)
        for municipality in list_municipalities(self._db, key):
            self.municipality.addItem(municipality.name, municipality.key)
        self.municipality.setCurrentIndex(-1)

    def _select_municipality(self, key: str) -> None:
        found: MunicipalityInfo | None = get_municipality(self._db, key) if key else None
        if found is None:
            self.state.setCurrentIndex(-1)
            self._fill_municipalities()
            return
        self.state.setCurrentIndex(self.state.findData(found.state_key))
        self.municipality.setCurrentIndex(self.municipality.findData(found.key))

    def select_municipality(self, key: str) -> None:
        """Choose the state and municipality of the five-digit INEGI ``key`` (tests and defaults)."""
        self._select_municipality(key)

    # -- the logo --------------------------------------------------------------------------------

    def choose_logo(self) -> None:
        """Ask for the logo file; it is shown at once and copied into the data folder on saving."""
        path = prompts.choose_open_file(
            self,
            _("Choose the office's logo"),
            _("Images (*.png *.jpg *.jpeg)"),
            str(Path(self.logo_path).parent) if self.logo_path else "",
        )
        if path:
            self.logo_path = path
            self._show_logo()

    def remove_logo(self) -> None:
        """Reports go without a logo."""
        self.logo_path = ""
        self._show_logo()

    def _show_logo(self) -> None:
        if not self.logo_path:
            self.preview.clear()
            self.preview.setText(_("No logo"))
            self.logo_label.setText(_("Printed at the top of every report. PNG or JPEG."))
            self.remove_logo_button.setEnabled(False)
            return
        pixmap = QPixmap(self.logo_path)
        if pixmap.isNull():
            self.preview.clear()
            self.preview.setText(_("No preview"))
        else:
            side = PREVIEW_SIZE - 6
            self.preview.setPixmap(
                pixmap.scaled(
                    side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
        self.logo_label.setText(Path(self.logo_path).name)
        self.logo_label.setToolTip(self.logo_path)
        self.remove_logo_button.setEnabled(True)

    # -- values ----------------------------------------------------------------------------------

    def values(self) -> OfficeSettings:
        """The settings the fields describe now (not yet checked)."""
        return OfficeSettings(
            self.name.text(), self.municipality.currentData() or "", self.logo_path, self.rfc.text().strip()
        )

    def changed(self) -> bool:
        """Whether the officer changed anything."""
        return self.values() != self.initial

    def save(self) -> OfficeSettings | None:
        """Check and store the settings; None when a problem is shown (under its field) or storing failed."""
        self.errors.clear()
        values = self.values()
        rfc = normalize_rfc(values.rfc) if values.rfc else ""
        rfc_changed = rfc != self.initial.rfc
        try:
            # The RFC is checked before anything is stored: a wrong one saves nothing at all.
            rfc_problems = check_rfc(rfc, "rfc") if rfc_changed and rfc else []
            accepted = only_check_digit(rfc_problems) and confirm_rfc_check_digit(self, rfc_problems[0])
            if rfc_problems and not accepted:
                raise InputError(rfc_problems)
            saved = save_office_settings(self._db, values)
            if rfc_changed:
                saved = replace(saved, rfc=set_office_rfc(self._db, rfc, accept_check_digit=accepted))
        except InputError as exc:
            first = self.errors.show(exc.problems)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        except StorageError as exc:
            show_error(self.window(), exc)
            return None
        self.initial = saved
        self.logo_path = saved.logo_path
        self.rfc.setText(saved.rfc)
        return saved


class FirstRunDialog(QDialog):
    """Welcome: set up the office, and optionally load example data to try the app."""

    def __init__(self, parent: QWidget | None, db: Database):
        super().__init__(parent)
        self._db = db
        self.office: OfficeSettings | None = None
        self.demo_summary: DemoSummary | None = None
        self.task: Task | None = None
        self.setWindowTitle(_("Welcome to tresxuno"))
        self.setModal(True)

        intro = QLabel(
            _(
                "Before you start, tell tresxuno which office works with this database. The "
                "name and logo are printed on every report; you can change them later in "
                "File \u203a Preferences."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.form = OfficeForm(db, office_settings(db), self)

        self.demo = QCheckBox(
            _("Load example data ({count} projects) to try the app").format(count=DEMO_PROJECTS), self
        )
        self.demo_hint = QLabel(self)
        self.demo_hint.setWordWrap(True)
        self.demo_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        if holds_records(db):
            self.demo.setEnabled(False)
            self.demo_hint.setText(
                _("This database already holds records; example data only go into an empty database.")
            )
        else:
            self.demo_hint.setText(
                _("Made-up clubs, projects and payments for training; do not mix them with real records.")
            )
        self.demo_status = QLabel(self)
        self.demo_status.setWordWrap(True)
        self.demo_status.hide()
        self.admin_box = self._admin_box() if not has_users(db) else None
        self.admin_created = False

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Start"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Later"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            _("Close without saving; this dialog is shown again at the next start")
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        # The form scrolls on a small screen; the buttons below it always stay in view.
        content = QWidget(self)
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(intro)
        body.addSpacing(6)
        body.addWidget(self.form)
        body.addSpacing(6)
        if self.admin_box is not None:
            body.addWidget(self.admin_box)
            body.addSpacing(6)
        body.addWidget(self.demo)
        body.addWidget(self.demo_hint)
        body.addWidget(self.demo_status)
        body.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling(content, self), 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        show_whole(self)
        self.form.name.setFocus()

    def _admin_box(self) -> QGroupBox:
        """The office's administrator: who will manage users, rule sets and settings."""
        box = QGroupBox(_("Administrator"), self)
        hint = QLabel(
            _(
                "The administrator adds the other users and gives them their roles; from then on "
                "everyone signs in. Leave the user name empty to work without users for now."
            ),
            box,
        )
        hint.setWordWrap(True)
        self.admin_general = QLabel(box)
        self.admin_errors = FieldErrors(self.admin_general)
        form = QFormLayout()
        self.admin_username = QLineEdit(box)
        self.admin_username.setMaxLength(40)
        self.admin_errors.add_row(form, "username", _("&User name:"), self.admin_username)
        self.admin_full_name = QLineEdit(box)
        self.admin_full_name.setMaxLength(200)
        self.admin_errors.add_row(form, "full_name", _("&Full name:"), self.admin_full_name)
        self.admin_password = QLineEdit(box)
        self.admin_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.admin_errors.add_row(form, "password", _("&Password:"), self.admin_password)
        self.admin_password_again = QLineEdit(box)
        self.admin_password_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.admin_errors.add_row(form, "password_again", _("Password &again:"), self.admin_password_again)
        self.one_person = QCheckBox(_("One-person office: this user holds every role"), box)
        # The detail wraps on its own line (a check box's text never wraps and would be cut off).
        self.one_person_detail = QLabel(
            _(
                "Data entry, review, treasury and administration; separation of duties is waived and the "
                "waiver is recorded and printed where it applies."
            ),
            box,
        )
        self.one_person_detail.setWordWrap(True)
        self.one_person_detail.setIndent(22)
        self.one_person.setChecked(True)
        self.one_person.setToolTip(
            _(
                "The same officer captures, prevalidates, rules and pays: separation of duties is waived, "
                "the waiver is recorded in the audit trail and printed on the documents it affects. "
                "Uncheck it when several officers share the work; the administrator then gives each a role."
            )
        )
        layout = QVBoxLayout(box)
        layout.addWidget(hint)
        layout.addWidget(self.admin_general)
        layout.addLayout(form)
        layout.addWidget(self.one_person)
        layout.addWidget(self.one_person_detail)
        return box

    def _create_admin(self) -> bool:
        """Create and sign in the administrator when a user name is given; False when a problem shows."""
        if self.admin_box is None or self.admin_created or not self.admin_username.text().strip():
            return True
        if self.admin_password.text() != self.admin_password_again.text():
            self.admin_errors.show([Problem("password_again", "user.password_mismatch", {})])
            return False
        try:
            alone = self.one_person.isChecked()
            info = create_user(
                self._db,
                self.admin_username.text(),
                self.admin_full_name.text(),
                join_roles(Role) if alone else Role.ADMINISTRADOR.value,
                self.admin_password.text(),
            )
            set_actor(Actor(info.username, info.role))
            if alone:
                set_separation_of_duties(self._db, False)
        except InputError as exc:
            self.admin_errors.show(exc.problems)
            return False
        except StorageError as exc:
            show_error(self, exc)
            return False
        self.admin_errors.clear()
        self.admin_created = True
        set_actor(Actor(info.username, info.role))
        self.admin_box.setEnabled(False)
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database) -> OfficeSettings | None:
        """Show the dialog; the stored office settings, or None when the officer leaves it for later."""
        dialog = cls(parent, db)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.office
        finally:
            dialog.deleteLater()

    def accept(self) -> None:
        """Store the office (problems shown under their fields), then load the example data if asked."""
        if self.task is not None and self.task.running:
            return
        if not self._create_admin():
            return
        office = self.form.save()
        if office is None:
            return
        self.office = office
        if not (self.demo.isChecked() and self.demo.isEnabled()):
            super().accept()
            return
        self._load_demo()

    def _load_demo(self) -> None:
        db = self._db

        def work(progress: Progress, cancel: CancelToken) -> DemoSummary:
            return generate_demo(db, projects=DEMO_PROJECTS, progress=progress, cancel=cancel)

        self._set_busy(True)
        self.demo_status.hide()
        self.task = run_task(
            self,
            _("Loading example data"),
            work,
            on_success=self._demo_loaded,
            on_cancel=self._demo_cancelled,
        )
        self.task.failed.connect(lambda _exc: self._set_busy(False))

    def _set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)
        self.form.setEnabled(not busy)
        self.demo.setEnabled(not busy)

    def _demo_loaded(self, summary: DemoSummary) -> None:
        self.demo_summary = summary
        self._set_busy(False)
        super().accept()

    def _demo_cancelled(self) -> None:
        self._set_busy(False)
        self.demo_status.setText(
            _(
                "Loading the example data was cancelled; nothing was loaded. Press "
                "\u201cStart\u201d to try again, or untick the box."
            )
        )
        self.demo_status.show()

    def reject(self) -> None:
        """Leave for later, unless example data are being written (their progress dialog cancels them)."""
        if self.task is not None and self.task.running:
            return
        super().reject()
