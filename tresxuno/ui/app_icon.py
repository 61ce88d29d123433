"""tresxuno's own icon (resources/icons, drawn from tresxuno.svg by scripts/make_icons.py)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from tresxuno import paths

#: The PNG sizes shipped; Qt picks the nearest for title bars, task bars and Alt+Tab.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The application icon with every shipped size (an empty icon if the files are missing)."""
    icon = QIcon()
    folder = paths.resources_dir() / "icons"
    for size in ICON_SIZES:
        png = folder / f"tresxuno-{size}.png"
        if png.is_file():
            icon.addFile(str(png))
    return icon
