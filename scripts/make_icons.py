"""Render resources/icons/tresxuno.svg into the PNG sizes and the Windows .ico the app and bundles use.

Run from the repository root after editing the SVG, and commit the results:

    python scripts/make_icons.py

The SVG is drawn with Qt's QSvgRenderer, with the bundled DejaVu Sans Bold loaded first so the mark
looks the same on every machine. The .ico holds every size (Pillow writes it when installed; without
Pillow, Qt writes a single 256 px image, which Windows scales).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def main() -> int:
    """Write ``tresxuno-<size>.png`` for every size and ``tresxuno.ico``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontDatabase, QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    QFontDatabase.addApplicationFont(str(ROOT / "resources" / "fonts" / "DejaVuSans-Bold.ttf"))
    renderer = QSvgRenderer(str(ICONS / "tresxuno.svg"))
    if not renderer.isValid():
        sys.stderr.write("tresxuno.svg is not valid SVG\n")
        return 1
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        renderer.render(painter)
        painter.end()
        path = ICONS / f"tresxuno-{size}.png"
        image.save(str(path))
        written.append(path)
    ico = ICONS / "tresxuno.ico"
    try:
        from PIL import Image
    except ImportError:
        QImage(str(written[-1])).save(str(ico))
    else:
        with Image.open(written[-1]) as big:
            big.save(ico, sizes=[(s, s) for s in SIZES])
    del app
    for path in [*written, ico]:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
