"""The app's identity: icon files and window icon, the Linux menu entry, and Help > About's attributions."""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path

from PySide6.QtGui import QImage

import tresxuno
from tresxuno import paths
from tresxuno.ui.app import application
from tresxuno.ui.app_icon import ICON_SIZES, app_icon
from tresxuno.ui.dialogs.about import about_html

ROOT = Path(__file__).resolve().parents[2]


def test_every_icon_size_is_shipped_and_is_the_window_icon(qapp):
    folder = paths.resources_dir() / "icons"
    for size in ICON_SIZES:
        image = QImage(str(folder / f"tresxuno-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
    assert (folder / "tresxuno.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "<svg" in (folder / "tresxuno.svg").read_text(encoding="utf-8")
    assert {s.width() for s in app_icon().availableSizes()} >= set(ICON_SIZES)
    assert not application().windowIcon().isNull()


def test_the_desktop_file_names_the_app_in_english_and_spanish():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "packaging" / "tresxuno.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert "Migrants" in section["Name"] and "Migrantes" in section["Name[es]"]
    assert section["Comment"] != section["Comment[es]"]
    assert section["Categories"] == "Office;Finance;"
    assert section["Icon"] == "tresxuno" and section["Exec"].startswith("tresxuno")


def test_about_names_version_licence_and_every_shipped_rule_source():
    text = about_html()
    assert tresxuno.__version__ in text and "MIT" in text and "INEGI" in text and "DejaVu" in text
    # The programme's legend (Ley General de Desarrollo Social, art. 28), verbatim.
    assert "Este programa es público, ajeno a cualquier partido político." in text
    for path in sorted((paths.seeds_dir() / "rules").glob("*.toml")):
        for rule_set in tomllib.loads(path.read_text(encoding="utf-8"))["rule_sets"]:
            assert rule_set["id"] in text
            source = rule_set.get("source", "").replace("&", "&amp;").replace("'", "&#x27;")
            assert source.replace('"', "&quot;") in text, rule_set["id"]
