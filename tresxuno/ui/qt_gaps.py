"""Qt's own words that its Spanish translation (``qtbase_es.qm``) leaves in English, or in Spain's Spanish.

Qt's file dialog showed "Look in:" and "Files of type:" beside "Nombre de fichero:" (issue 15, item
10). :class:`QtGaps` answers those few Qt strings from tresxuno's own catalogue (so they are
translated with the rest, in Mexican Spanish); every other Qt string still comes from Qt's file.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTranslator

from tresxuno.i18n import N_, _

#: (Qt context, Qt's English text) -> our msgid for it (the same English text, marked for our catalogue).
QT_GAPS: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): N_("&Look in:"),
    ("QFileDialog", "Files of &type:"): N_("Files of &type:"),
    ("QFileDialog", "File &name:"): N_("File &name:"),
    ("QPlatformTheme", "Don't Save"): N_("Don't Save"),
    # The file dialog's Type column: Qt 6 moved these to a context its Spanish file does not have yet.
    ("QAbstractFileIconProvider", "Folder"): N_("Folder"),
    ("QAbstractFileIconProvider", "Drive"): N_("Drive"),
    ("QAbstractFileIconProvider", "File"): N_("File"),
    ("QAbstractFileIconProvider", "%1 File"): N_("%1 File"),
    ("QAbstractFileIconProvider", "Shortcut"): N_("Shortcut"),
    ("QAbstractFileIconProvider", "Alias"): N_("Alias"),
    ("QAbstractFileIconProvider", "Unknown"): N_("Unknown"),
}


class QtGaps(QTranslator):
    """Translates :data:`QT_GAPS` through tresxuno's catalogue; says "not mine" for every other string."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        """Never empty: it has no file, yet it translates (Qt skips an empty translator's change event)."""
        return False

    def translate(  # type: ignore[override]
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        """Our translation of a Qt string listed in :data:`QT_GAPS`; None for any other."""
        msgid = QT_GAPS.get((context, source))
        return _(msgid) if msgid is not None else None  # None: Qt asks the next translator
