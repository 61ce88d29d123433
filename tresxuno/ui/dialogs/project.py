"""The project request form: a new request, or a draft or returned project changed, with the split beside it.

Here: reading the form, saving a draft and submitting; its fields are built and kept consistent in
``project_form_layout`` and ``project_form_behaviour``.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tresxuno.domain.actor import current_actor
from tresxuno.domain.money import Money
from tresxuno.domain.problems import InputError, Problem, RuleSetError, StorageError
from tresxuno.domain.records import ClubInfo, ProjectDetail
from tresxuno.domain.stages import Stage
from tresxuno.domain.validation import ProjectInput, TomaStatus
from tresxuno.i18n import _
from tresxuno.services.clubs import all_clubs
from tresxuno.services.project_requests import (
    club_submission_problems,
    save_draft,
    stored_request,
    submit_draft,
    submit_project,
    update_project,
)
from tresxuno.services.projects import ProjectOverview, project_overview
from tresxuno.services.rules import rulebook
from tresxuno.services.store import Database
from tresxuno.ui.dialogs.project_choices import SearchCombo as SearchCombo  # the reports page uses it
from tresxuno.ui.dialogs.project_form_behaviour import ProjectFormBehaviour
from tresxuno.ui.dialogs.project_form_layout import ProjectFormLayout
from tresxuno.ui.errors import show_error
from tresxuno.ui.forms import FieldErrors
from tresxuno.ui.record_undo import project_edited
from tresxuno.ui.widgets.share_preview import ShareSplitPreview, parse_override, parse_partner


class ProjectDialog(ProjectFormLayout, ProjectFormBehaviour, QDialog):
    """Capture or change a project request, with the live split beside the form.

    Args:
        db: the open database.
        project_id: a draft or returned project to change; None for a new request.
        parent: the window the dialog belongs to.
        today: the day the form treats as today (request date, fiscal years offered).

    Raises:
        InputError: the project does not exist or can no longer be changed.
        StorageError, RuleSetError: the database or the rule files cannot be read.
    """

    #: Emitted with the stored project after a successful save or submission.
    saved = Signal(object)

    def __init__(
        self,
        db: Database,
        project_id: int | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ):
        super().__init__(parent)
        self._db = db
        self._today = today or date.today()
        self._book = rulebook(db)  # with the rule files accepted in this database
        self._overview: ProjectOverview | None = None
        if project_id is not None:
            self._overview = project_overview(db, project_id)
            if not self._overview.editable:
                detail = self._overview.detail
                raise InputError(
                    Problem("project", "project.not_editable", {"folio": detail.folio, "stage": detail.stage})
                )
        self._clubs: dict[int, ClubInfo] = {c.id: c for c in all_clubs(db)}
        self._partner_touched = False
        #: The chosen club's toma de nota status on the request date (None with no club chosen).
        self.toma_status: TomaStatus | None = None
        self.result_detail: ProjectDetail | None = None

        self.setWindowTitle(
            _("New project")
            if self._overview is None
            else _("Project {folio}").format(folio=self._overview.detail.folio)
        )
        self.setModal(True)
        self.general = QLabel(self)
        self.errors = FieldErrors(self.general)
        self._error_labels: dict[str, QLabel] = {}
        self._forms: list[QFormLayout] = []

        form_page = QWidget(self)
        column = QVBoxLayout(form_page)
        column.addWidget(self.general)
        column.addWidget(self._applicant_group(form_page))
        column.addWidget(self._programme_group(form_page))
        column.addWidget(self._place_group(form_page))
        column.addWidget(self._project_group(form_page))
        column.addWidget(self._money_group(form_page))
        column.addStretch(1)
        self._align_labels()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_page)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(form_page.minimumSizeHint().width() + 24)

        self.preview = ShareSplitPreview(self)
        side = QWidget(self)
        side_box = QVBoxLayout(side)
        side_box.addWidget(self.preview)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        self.buttons = QDialogButtonBox(self)
        editing_returned = self._overview is not None and self._overview.detail.stage == Stage.DEVUELTO
        self.draft_button = QPushButton(_("Save changes") if editing_returned else _("Save draft"), self)
        self.submit_button = QPushButton(_("Submit request"), self)
        self.cancel_button = QPushButton(_("Cancel"), self)
        for button in (self.draft_button, self.submit_button, self.cancel_button):
            # Enter in a field must never submit a request with public money by accident.
            button.setAutoDefault(False)
            button.setDefault(False)
        self.draft_button.setToolTip(_("Keep the request as a draft; it can be completed later"))
        self.submit_button.setToolTip(_("Check everything and take the request in (stage “Requested”)"))
        self.buttons.addButton(self.draft_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.draft_button.clicked.connect(self.save_as_draft)
        self.submit_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.buttons)
        self._fill_programmes()
        self._connect()
        if self._overview is not None:
            self._load(self._overview)
        else:
            self._on_program_changed()
        self._update_toma()
        self._update_partner_widgets()
        self._update_override_widgets()
        self._update_cap_widgets()
        self._set_tab_order()
        self.refresh_preview()
        self.preview.recompute()
        self.resize(1200, 780)
        self.splitter.setSizes([700, 500])
        self.club.setFocus()

    # -- reading the form and acting --------------------------------------------------------------

    def collect(self) -> tuple[ProjectInput | None, list[Problem]]:
        """The request as typed, or the problems the form itself finds (nothing asked of the database)."""
        problems: list[Problem] = []
        club_id = self.club.chosen()
        if not isinstance(club_id, int):
            problems.append(Problem("club", "text.required", {}))
        program, year, category = self.rules_choice()
        for field, value in (("program", program), ("fiscal_year", year), ("category", category)):
            if not value:
                problems.append(Problem(field, "text.required", {}))
        state_key = self.state.chosen()
        if not isinstance(state_key, str):
            problems.append(Problem("state_key", "text.required", {}))
        municipality_key = self.municipality.chosen()
        if not isinstance(municipality_key, str):
            problems.append(Problem("municipality_key", "text.required", {}))
        cost = 0
        try:
            cost = Money.parse(self.cost.text(), field="cost").centavos
        except InputError as exc:
            problems.extend(exc.problems)
        mode: str | None = None
        amount: int | None = None
        try:
            mode, amount = parse_partner(self.partner_entry())
        except InputError as exc:
            problems.extend(exc.problems)
        mix = None
        try:
            mix = parse_override(self.override_texts())
        except InputError as exc:
            problems.extend(exc.problems)
        joint_split = None
        try:
            joint_split = self.joint_split_bp() if mix is None else None
        except InputError as exc:
            problems.extend(exc.problems)
        if problems:
            return None, problems
        assert isinstance(club_id, int) and isinstance(state_key, str) and isinstance(municipality_key, str)
        return ProjectInput(
            club_id=club_id,
            program=program,
            fiscal_year=year,
            category=category,
            state_key=state_key,
            municipality_key=municipality_key,
            name=self.name.text(),
            cost=cost,
            submitted_on=self.request_day(),
            locality=self.locality.text(),
            locality_key=self.locality_key.text(),
            description=self.description.toPlainText(),
            beneficiaries=self.beneficiaries.value(),
            partner_mode=mode,
            partner_amount=amount,
            mix_override=mix,
            mix_override_reason=self.mix_reason.text() if mix is not None else "",
            joint_split_bp=joint_split,
            cap_authorisations=self.cap_authorisations(),
        ), []

    def show_problems(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        """Each problem under its field (the rest at the top); the first field with one gets the focus."""
        first = self.errors.show(problems)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def error_texts(self) -> dict[str, str]:
        """Visible problem text per field (tests and screen readers read it)."""
        return self.errors.texts()

    def save_as_draft(self) -> bool:
        """Store the request as a draft (or store the changes); True when stored and the dialog closed."""
        data, problems = self.collect()
        if data is None:
            self.show_problems(problems)
            return False
        try:
            if self._overview is None:
                detail = save_draft(self._db, data, user=current_actor().username)
            else:
                project_id = self._overview.detail.id
                before, _version = stored_request(self._db, project_id)
                detail = update_project(
                    self._db,
                    project_id,
                    data,
                    expected_version=self._overview.version,
                    user=current_actor().username,
                )
                project_edited(
                    self._db,
                    project_id,
                    detail.folio,
                    before,
                    stored_request(self._db, project_id)[0],
                    self.parentWidget(),
                )
        except InputError as exc:
            self.show_problems(exc.problems)
            return False
        except (StorageError, RuleSetError) as exc:
            show_error(self, exc)
            return False
        return self._done(detail)

    def submit(self) -> bool:
        """Take the request in as ``solicitado``; True when stored and the dialog closed."""
        data, problems = self.collect()
        if data is None:
            self.show_problems(problems)
            return False
        try:
            # Refused before anything else, with the service's own sentence: a lapsed toma de nota.
            early = club_submission_problems(self._db, data.club_id, data.submitted_on)
            if early:
                self.show_problems(early)
                return False
            if self._overview is None:
                detail = submit_project(self._db, data, user=current_actor().username)
            else:
                detail = submit_draft(
                    self._db,
                    self._overview.detail.id,
                    on=data.submitted_on,
                    user=current_actor().username,
                    data=data,
                    expected_version=self._overview.version,
                )
        except InputError as exc:
            self.show_problems(exc.problems)
            return False
        except (StorageError, RuleSetError) as exc:
            show_error(self, exc)
            return False
        return self._done(detail)

    def _done(self, detail: ProjectDetail) -> bool:
        self.errors.clear()
        self.result_detail = detail
        self.saved.emit(detail)
        self.accept()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, db: Database, project_id: int | None = None) -> ProjectDetail | None:
        """Open the form (a new request, or the draft or returned project ``project_id``).

        Returns:
            The stored project, or None when the officer cancels (or the project cannot be edited,
            which is explained first).
        """
        try:
            dialog = cls(db, project_id, parent)
        except (InputError, StorageError, RuleSetError) as exc:
            show_error(parent, exc)
            return None
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.result_detail
            return None
        finally:
            dialog.deleteLater()


def bold(label: QLabel) -> QLabel:
    """``label`` in bold (headers of the form and the record)."""
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label
