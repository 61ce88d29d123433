"""The rule book, read-only: every programme's rule sets with their years, mix, caps and sources.

Rules are data (TOML files): the shipped ones and those an administrator adds to the user's rules
folder. This page shows what the app will apply, side by side so mixes compare at a glance, and the
details of the selected rule set below (caps, who covers a shortfall, amounts per student, where
each figure comes from and whether it was checked). "Reload rules" reads the files again after an
administrator added one; a broken file is reported and the rules in force stay shown.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QByteArray, QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tresxuno import paths
from tresxuno.domain.parties import PARTY_ORDER, Category
from tresxuno.domain.problems import InputError, RuleSetError
from tresxuno.domain.rules import RuleBook, RuleSet
from tresxuno.formatting import category_label, money_text, party_label, percent, school_level_label
from tresxuno.i18n import N_, _, language, ngettext
from tresxuno.services.rules import accept_rule_file, pending_rule_files, reload_rulebook, rulebook
from tresxuno.services.store import Database
from tresxuno.ui.errors import show_error
from tresxuno.ui.permissions import allowed, gate
from tresxuno.ui.settings import Settings
from tresxuno.ui.views.base import View

#: Programmes shipped, in the order officers name them; administrators' come after, by id.
SHIPPED = ("3x1", "4x1", "2x1-zacatecas")
#: Tree columns: the rule set, its years and categories, one column per party, whether verified.
#: The party columns use the same msgids as ``party_label``, in ``PARTY_ORDER``.
HEADERS = (
    N_("Programme / rule set"),
    N_("Fiscal years"),
    N_("Categories"),
    N_("Club"),
    N_("Federal"),
    N_("State"),
    N_("Municipal"),
    N_("Partner"),
    N_("Verified"),
)
_CATEGORY_ORDER = {category: number for number, category in enumerate(Category)}
_FIRST_PARTY_COLUMN = 3
_VERIFIED_COLUMN = _FIRST_PARTY_COLUMN + len(PARTY_ORDER)
#: Roles on rule-set rows: the rule set's (id, version).
_RULE_ROLE = Qt.ItemDataRole.UserRole
#: Settings names of the remembered layout.
_HEADER_STATE = "rules"
_SPLITTER_STATE = "rules.splitter"


def _years(first: int, last: int | None) -> str:
    return f"{first}–{last}" if last is not None else _("{first} onwards").format(first=first)


class _ElideWithTooltip(QStyledItemDelegate):
    """Long category lists are elided in the cell; the whole text is in the item's tooltip."""

    def initStyleOption(  # noqa: N802 - Qt API
        self,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight


class RulesView(View):
    """Programmes and their rule sets, read-only, with where an administrator adds rule files."""

    key = "rules"
    title_msgid = N_("Rules")
    icon_pixmap = QStyle.StandardPixmap.SP_FileDialogInfoView

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self._db = db
        self.book: RuleBook | None = None

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reload_button = QPushButton(
            self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload), _("Reload rules"), self
        )
        self.reload_button.setToolTip(
            _("Read the rule files again, after an administrator added or changed one")
        )
        self.reload_button.clicked.connect(self.reload)
        gate(self.reload_button, db, "rules.reload")  # the service refuses it too
        self.folder_button = QPushButton(
            self.style().standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon), _("Open rules folder"), self
        )
        self.folder_button.setToolTip(_("Open the folder where an administrator puts rule files"))
        self.folder_button.clicked.connect(self.open_rules_folder)

        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName(_("Rule sets"))
        self.tree.setColumnCount(len(HEADERS))
        self.tree.setHeaderLabels([_(h) for h in HEADERS])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setItemDelegate(_ElideWithTooltip(self.tree))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tree.currentItemChanged.connect(self._on_current)

        self.details = QTextBrowser(self)
        self.details.setAccessibleName(_("Details of the rule set"))
        self.details.setOpenLinks(False)

        self.legend = QLabel(_("* The party's share has a cap per project: see the details below."), self)
        self.legend.setWordWrap(True)
        upper = QWidget(self)
        upper_box = QVBoxLayout(upper)
        upper_box.setContentsMargins(0, 0, 0, 0)
        upper_box.addWidget(self.tree, 1)
        upper_box.addWidget(self.legend)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(self.details)
        self.splitter.setSizes([300, 500])  # proportions until the officer moves it
        self.splitter.setChildrenCollapsible(False)

        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.splitter)
        self.pages.addWidget(self.problem)

        # Files dropped in the rules folder do nothing until an administrador accepts their content.
        self.pending_label = QLabel(
            _(
                "Rule files pending acceptance: they take effect only once an administrator accepts them "
                "(a changed file must be accepted again)."
            ),
            self,
        )
        self.pending_label.setWordWrap(True)
        self.pending_list = QListWidget(self)
        self.pending_list.setAccessibleName(_("Rule files pending acceptance"))
        self.pending_list.setMaximumHeight(90)
        self.accept_button = QPushButton(_("Accept rule file"), self)
        self.accept_button.setToolTip(_("Put the selected rule file, exactly as it is now, into effect"))
        self.accept_button.clicked.connect(self.accept_selected)
        gate(self.accept_button, db, "rules.edit")  # the service refuses it too
        self.pending_box = QWidget(self)
        pending_layout = QVBoxLayout(self.pending_box)
        pending_layout.setContentsMargins(0, 0, 0, 0)
        pending_layout.addWidget(self.pending_label)
        pending_row = QHBoxLayout()
        pending_row.addWidget(self.pending_list, 1)
        pending_row.addWidget(self.accept_button, 0, Qt.AlignmentFlag.AlignTop)
        pending_layout.addLayout(pending_row)

        bar = QHBoxLayout()
        bar.addWidget(self.intro, 1)
        bar.addWidget(self.folder_button, 0, Qt.AlignmentFlag.AlignTop)
        bar.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pending_box)
        layout.addWidget(self.pages, 1)
        QWidget.setTabOrder(self.folder_button, self.reload_button)
        QWidget.setTabOrder(self.reload_button, self.tree)
        QWidget.setTabOrder(self.tree, self.details)

        self._show_intro()
        try:
            self._show(rulebook(db))
        except RuleSetError as exc:
            self._show_problem(exc)
        self._show_pending()

    # -- showing ---------------------------------------------------------------------------------

    def _show_intro(self) -> None:
        folder = paths.user_rules_dir()
        self.intro.setText(
            _(
                "How each programme splits a project's cost, as the app applies it. Rules are data: to add a "
                "programme or a new fiscal year, or to correct a figure, an administrator puts a rule file "
                "(TOML) in {folder} and accepts it here; a file nobody accepted does nothing. Projects keep "
                "the rule set they were approved under."
            ).format(folder=folder)
        )

    def _programmes(self, book: RuleBook) -> list[str]:
        shipped = [p for p in SHIPPED if p in book.programs]
        return shipped + sorted(p for p in book.programs if p not in SHIPPED)

    def _show(self, book: RuleBook) -> None:
        """Fill the tree from ``book``, keeping the selected rule set selected when it still exists."""
        selected = self.selected_rule_set()
        self.book = book
        self.tree.clear()
        lang = language()
        latest = {rs.id: rs.version for rs in book.rule_sets}
        to_select: QTreeWidgetItem | None = None
        for program_id in self._programmes(book):
            program = book.programs[program_id]
            spans = [(rs.first_year, rs.last_year) for rs in book.rule_sets if rs.program == program_id]
            last_years = [last for _first, last in spans]
            last = None if None in last_years else max((y for y in last_years if y is not None), default=None)
            years = _years(min(first for first, _last in spans), last) if spans else ""
            top = QTreeWidgetItem([program.name(lang), years])
            top.setToolTip(0, program.description_text(lang) or program.name(lang))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.tree.addTopLevelItem(top)
            # By years, then in category order (public works before scholarships and productive).
            rule_sets = sorted(
                (rs for rs in book.all_rule_sets if rs.program == program_id),
                key=lambda r: (r.first_year, min(_CATEGORY_ORDER[c] for c in r.categories), r.id, r.version),
            )
            for rule_set in rule_sets:
                item = self._rule_item(rule_set, latest.get(rule_set.id, rule_set.version))
                top.addChild(item)
                if selected == (rule_set.id, rule_set.version):
                    to_select = item
            top.setExpanded(True)
        self._fit_columns()
        self.pages.setCurrentIndex(0)
        if to_select is None and self.tree.topLevelItemCount():
            first = self.tree.topLevelItem(0)
            to_select = first.child(0) if first.childCount() else first
        if to_select is not None:
            self.tree.setCurrentItem(to_select)
        self.status_changed.emit(self.status_text())

    def _rule_item(self, rule_set: RuleSet, latest_version: int) -> QTreeWidgetItem:
        categories = ", ".join(category_label(c.value) for c in rule_set.categories)
        label = f"{rule_set.id} v{rule_set.version}"
        if rule_set.version < latest_version:
            label += " " + _("(replaced by version {version})").format(version=latest_version)
        item = QTreeWidgetItem([label, _years(rule_set.first_year, rule_set.last_year), categories])
        item.setData(0, _RULE_ROLE, (rule_set.id, rule_set.version))
        item.setToolTip(2, categories)
        mix = rule_set.mix_map
        caps = {cap.party for cap in rule_set.caps}
        for offset, party in enumerate(PARTY_ORDER):
            column = _FIRST_PARTY_COLUMN + offset
            if party in mix:
                text = percent(mix[party]) + (" *" if party in caps else "")
                item.setText(column, text)
                if party in caps:
                    item.setToolTip(
                        column,
                        _("{party}: {percent}, with a cap per project (see details)").format(
                            party=party_label(party), percent=percent(mix[party])
                        ),
                    )
            else:
                item.setText(column, "—")
                item.setToolTip(column, _("{party} does not take part").format(party=party_label(party)))
            item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # Text beside the icon: colour alone must not carry the answer.
        pixmap = QStyle.StandardPixmap
        if rule_set.verified:
            item.setText(_VERIFIED_COLUMN, _("Yes"))
            item.setIcon(_VERIFIED_COLUMN, self.style().standardIcon(pixmap.SP_DialogApplyButton))
        else:
            item.setText(_VERIFIED_COLUMN, _("Not verified"))
            item.setIcon(_VERIFIED_COLUMN, self.style().standardIcon(pixmap.SP_MessageBoxWarning))
            item.setToolTip(
                _VERIFIED_COLUMN,
                _("Taken from secondary sources; check it against the programme's rules of operation"),
            )
        return item

    def _fit_columns(self) -> None:
        """Every column wide enough for its header and cells, except the categories, which take the rest."""
        header = self.tree.header()
        for column in range(len(HEADERS)):
            if column != 2:
                self.tree.resizeColumnToContents(column)
                header.resizeSection(column, max(header.sectionSize(column), header.sectionSizeHint(column)))

    def _show_problem(self, exc: RuleSetError) -> None:
        self.book = None
        self.tree.clear()
        self.details.clear()
        self.problem.setText(
            _(
                "The rule files could not be read:\n\n{error}\n\nCorrect the file, then press "
                "\u201cReload rules\u201d."
            ).format(error=exc)
        )
        self.pages.setCurrentIndex(1)
        self.status_changed.emit(self.status_text())

    def selected_rule_set(self) -> tuple[str, int] | None:
        """(id, version) of the rule set selected in the tree, or None (a programme row, or nothing)."""
        item = self.tree.currentItem()
        value = item.data(0, _RULE_ROLE) if item is not None else None
        return tuple(value) if value else None  # type: ignore[return-value]

    def _on_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if item is None or self.book is None:
            self.details.clear()
            return
        key = item.data(0, _RULE_ROLE)
        if key:
            self.details.setHtml(self.rule_set_html(self.book.get(key[0], key[1])))
        else:
            program_id = self._programmes(self.book)[self.tree.indexOfTopLevelItem(item)]
            program = self.book.programs[program_id]
            self.details.setHtml(
                f"<h3>{escape(program.name(language()))}</h3><p>{escape(program.description_text(language()))}</p>"
            )

    def rule_set_html(self, rule_set: RuleSet) -> str:
        """The details of one rule set as HTML: mix and caps, shortfall, amounts per student, sources."""
        lang = language()
        program = self.book.programs.get(rule_set.program) if self.book else None
        title = program.name(lang) if program else rule_set.program
        parts = [f"<h3>{escape(title)} — {escape(rule_set.id)} v{rule_set.version}</h3>"]
        rows = [
            (_("Fiscal years"), _years(rule_set.first_year, rule_set.last_year)),
            (_("Categories"), ", ".join(category_label(c.value) for c in rule_set.categories)),
        ]
        if rule_set.supersedes:
            rows.append((_("Replaces"), ", ".join(rule_set.supersedes)))
        if rule_set.origin and not _shipped(rule_set.origin):
            # An administrator's own file: where to find it. Shipped rules name their documents, not files.
            rows.append((_("File"), rule_set.origin))
        parts.append(_table(rows))

        heading = _("Share of each party")
        parts.append(f"<h4>{escape(heading)}</h4>")
        if rule_set.caps:
            head: tuple[str, ...] = (
                _("Party"),
                _("Share"),
                _("Cap per project"),
                _("Cap in force"),
                _("Source of the cap"),
            )
        else:
            head = (_("Party"), _("Share"))
        body: list[tuple[str, ...]] = []
        for party, basis_points in rule_set.mix:
            if not rule_set.caps:
                body.append((party_label(party), percent(basis_points)))
                continue
            for cap in [c for c in rule_set.caps if c.party is party] or [None]:
                body.append(
                    (
                        party_label(party),
                        percent(basis_points),
                        money_text(cap.amount, lang) if cap else _("no cap"),
                        _years(cap.first_year, cap.last_year) if cap else "",
                        (cap.source_text(lang) + " " + _verified_text(cap.verified)) if cap else "",
                    )
                )
        parts.append(_grid(head, body, right=(1, 2)))
        if rule_set.shortfall:
            parts.append(
                "<p>"
                + escape(
                    _(
                        "When a capped party cannot pay its whole share, the rest is covered by: {parties}, in "
                        "proportion to their own shares."
                    ).format(parties=", ".join(party_label(p) for p in rule_set.shortfall))
                )
                + "</p>"
            )
        elif rule_set.caps:
            nobody = _("No party is named to cover what a capped party cannot pay.")
            parts.append(f"<p>{escape(nobody)}</p>")

        if rule_set.scholarship_amounts:
            heading = _("Scholarship per student")
            parts.append(f"<h4>{escape(heading)}</h4>")
            levels = [
                (school_level_label(level), money_text(amount, lang))
                for level, amount in rule_set.scholarship_amounts
            ]
            parts.append(_grid((_("School level"), _("Amount per student")), levels, right=(1,)))

        if rule_set.joint:
            parts.append(
                "<p>"
                + escape(
                    _(
                        "{parties} pay {percent} together and split it as they agree in the convenio; "
                        "the shares above are the default split."
                    ).format(
                        parties=", ".join(party_label(p) for p in rule_set.joint),
                        percent=percent(rule_set.joint_total),
                    )
                )
                + "</p>"
            )

        heading, source = _("Source"), rule_set.source_text(lang) or _("No source given.")
        parts.append(f"<h4>{escape(heading)}</h4>")
        parts.append(f"<p>{escape(source)}</p>")
        parts.append(f"<p><b>{escape(_verified_text(rule_set.verified))}</b></p>")
        if rule_set.documents:
            heading = _("Official document of each fiscal year")
            parts.append(f"<h4>{escape(heading)}</h4>")
            rows = [(str(d.year), d.citation(lang)) for d in rule_set.documents]
            parts.append(_grid((_("Fiscal year"), _("Document")), rows, right=()))
        notes = rule_set.notes_text(lang)
        if notes:
            heading = _("Notes")
            parts.append(f"<h4>{escape(heading)}</h4><p>{escape(notes)}</p>")
        return "\n".join(parts)

    # -- behaviour -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the rule files again; a broken file is reported and the rules shown before stay."""
        try:
            # Other roles see the rules as loaded (F5 included); only an administrador reads new files.
            book = reload_rulebook(self._db) if allowed(self._db, "rules.reload") else rulebook(self._db)
        except RuleSetError as exc:
            show_error(self.window(), exc)
            if self.book is None:
                self._show_problem(exc)
            return
        finally:
            self._show_pending()
        self._show(book)

    def _show_pending(self) -> None:
        """List the rule files waiting for acceptance (the box is hidden when there are none)."""
        self.pending_list.clear()
        for found in pending_rule_files(self._db):
            item = QListWidgetItem(f"{found.name}  ·  sha256 {found.sha256[:16]}", self.pending_list)
            item.setData(Qt.ItemDataRole.UserRole, str(found.path))
            item.setToolTip(f"{found.path}\nsha256 {found.sha256}")
        if self.pending_list.count():
            self.pending_list.setCurrentRow(0)
        self.pending_box.setVisible(self.pending_list.count() > 0)

    def accept_selected(self) -> None:
        """Accept the selected pending rule file (administrador only; a broken file is refused)."""
        item = self.pending_list.currentItem()
        if item is None:
            return
        try:
            accept_rule_file(self._db, item.data(Qt.ItemDataRole.UserRole))
        except (InputError, RuleSetError) as exc:
            show_error(self.window(), exc)
            self._show_pending()
            return
        self.reload()

    def refresh(self) -> None:
        """F5: the rule files may have changed on disk; read them again."""
        self.reload()

    def open_rules_folder(self) -> None:
        """Open the administrator's rules folder in the file manager (created when missing)."""
        folder = paths.user_rules_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def status_text(self) -> str:
        """``"3 programmes, 7 rule sets"``, or that the files could not be read."""
        if self.book is None:
            return _("The rule files could not be read")
        programmes = ngettext("{count} programme", "{count} programmes", len(self.book.programs)).format(
            count=len(self.book.programs)
        )
        sets = ngettext("{count} rule set", "{count} rule sets", len(self.book.all_rule_sets)).format(
            count=len(self.book.all_rule_sets)
        )
        return f"{programmes}, {sets}"

    def focus_search(self) -> None:
        """No search box here: Ctrl+F goes to the list of rule sets."""
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def save_layout(self, settings: Settings) -> None:
        """Remember the column widths and where the list and details split."""
        settings.set_table_state(_HEADER_STATE, bytes(self.tree.header().saveState().data()))
        settings.set_table_state(_SPLITTER_STATE, bytes(self.splitter.saveState().data()))

    def restore_layout(self, settings: Settings) -> None:
        """Put back the column widths and the split."""
        header = settings.table_state(_HEADER_STATE)
        if header:
            self.tree.header().restoreState(QByteArray(header))
        splitter = settings.table_state(_SPLITTER_STATE)
        if splitter:
            self.splitter.restoreState(QByteArray(splitter))


def _verified_text(verified: bool) -> str:
    return (
        _("Verified against the official rules.")
        if verified
        else _(
            "Not verified: taken from secondary sources; check it against the programme's rules of operation."
        )
    )


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><td><b>{escape(k)}</b>&nbsp;&nbsp;</td><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"


def _shipped(origin: str) -> bool:
    """Whether a rule set comes from the rule files shipped with tresxuno (not the user's folder)."""
    try:
        return Path(origin).resolve().parent == (paths.seeds_dir() / "rules").resolve()
    except OSError:
        return False


def _grid(head: tuple[str, ...], rows: list[tuple[str, ...]], *, right: tuple[int, ...] = ()) -> str:
    """An HTML table with a header row; columns in ``right`` are right-aligned (amounts, percentages)."""

    def cell(tag: str, number: int, text: str) -> str:
        align = "right" if number in right else "left"
        return f"<{tag} align='{align}'>{escape(text)}</{tag}>"

    header = "".join(cell("th", n, t) for n, t in enumerate(head))
    body = "".join("<tr>" + "".join(cell("td", n, t) for n, t in enumerate(row)) + "</tr>" for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='4'><tr>{header}</tr>{body}</table>"
