"""The user manual inside the program: Markdown pages from ``docs/manual/<lang>/`` in a browser window.

Why Markdown read by Qt rather than HTML or a web browser: the same files render on the project's web
page, need no extra dependency (``QTextBrowser`` reads Markdown), work offline, and links between pages
and to the screenshots resolve relative to each page. F1 opens the page of the view on screen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from tresxuno.i18n import _, language
from tresxuno.paths import manual_dir

#: The manual page for each view key (views' ``key``); other keys open the index.
VIEW_PAGES: dict[str, str] = {
    "home": "home",
    "projects": "projects",
    "project": "projects",
    "clubs": "clubs",
    "covam": "covam",
    "ledger": "ledger",
    "reports": "reports",
    "rules": "rules",
}


def page_path(page: str, lang: str | None = None) -> Path:
    """The Markdown file of ``page`` in ``lang`` (the language in force by default); English if missing."""
    folder = manual_dir()
    for candidate in (lang or language(), "en", "es"):
        path = folder / candidate / f"{page}.md"
        if path.is_file():
            return path
    return folder / (lang or language()) / "index.md"


class ManualWindow(QDialog):
    """A non-modal window showing the manual, with back, forward and contents."""

    _instance: ManualWindow | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("tresxuno manual"))
        self.resize(900, 700)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setAccessibleName(_("Manual page"))
        self.back_button = QPushButton(_("&Back"), self)
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.forward_button = QPushButton(_("&Forward"), self)
        self.contents_button = QPushButton(_("&Contents"), self)
        close = QPushButton(_("Close"), self)
        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button.clicked.connect(self.browser.forward)
        self.contents_button.clicked.connect(lambda: self.show_page("index"))
        close.clicked.connect(self.close)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.back_button.setEnabled(False)
        self.forward_button.setEnabled(False)
        buttons = QHBoxLayout()
        for button in (self.back_button, self.forward_button, self.contents_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.browser)

    def show_page(self, page: str) -> None:
        """Show ``page`` (a file name without ``.md``) in the language in force."""
        path = page_path(page)
        self.browser.setSource(QUrl.fromLocalFile(str(path)), self._markdown_resource())

    def current_page(self) -> str:
        """The file name (without ``.md``) of the page shown."""
        return Path(self.browser.source().toLocalFile()).stem

    @staticmethod
    def _markdown_resource():
        from PySide6.QtGui import QTextDocument

        return QTextDocument.ResourceType.MarkdownResource

    @classmethod
    def open_for(cls, parent: QWidget | None, view_key: str | None = None) -> ManualWindow:
        """Show the manual (one window per program) at the page of ``view_key`` (None: the contents)."""
        window = cls._instance
        if window is None or window.parent() is not parent:
            window = cls(parent)
            cls._instance = window
        window.show_page(VIEW_PAGES.get(view_key or "", "index"))
        window.show()
        window.raise_()
        window.activateWindow()
        return window
