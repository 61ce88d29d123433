"""The fonts every PDF report embeds: DejaVu Sans, shipped in ``resources/fonts/`` with its licence.

Embedding our own TrueType files (never the 14 standard PDF fonts, which have no "ñ" or "€" in
every viewer) makes every accent render the same on every machine; reportlab embeds the subset of
glyphs used, as a ``FontFile2`` stream.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import cast

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from tresxuno import paths

#: The registered font names: regular, bold and oblique (italic).
REGULAR, BOLD, ITALIC = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"
#: File of each font name in :func:`fonts_dir`.
FILES: dict[str, str] = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
}


class FontsMissingError(FileNotFoundError):
    """A shipped font file is missing: the installation is broken (reports refuse to fall back)."""


def fonts_dir() -> Path:
    """The folder of the shipped fonts: ``resources/fonts`` of the installation."""
    return paths.resources_dir() / "fonts"


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str, str]:
    """Register the DejaVu fonts with reportlab once per process; return (regular, bold, italic).

    Also maps the family so that ``<b>`` and ``<i>`` in Paragraph markup pick the bold and oblique
    files (there is no bold-oblique file: bold italic falls back to bold).

    Raises:
        FontsMissingError: a font file is not in :func:`fonts_dir`; the message names it.
    """
    folder = fonts_dir()
    for name, file in FILES.items():
        path = folder / file
        if not path.is_file():
            raise FontsMissingError(f"font file {path} is missing; reinstall tresxuno")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD, ITALIC


class Measure:
    """Fast text widths for one font: a per-character table, summed, instead of reportlab's call.

    reportlab's ``stringWidth`` is exact but goes through several calls per string; the statement
    measures tens of thousands of strings, so widths of single characters (at 1 pt) are cached
    here and a string's width is their sum times the size. Results equal ``stringWidth``'s.
    """

    def __init__(self, font_name: str):
        register_fonts()
        # Our fonts are registered TTFonts (getFont is typed as returning the Type 1 Font class).
        font = cast(TTFont, pdfmetrics.getFont(font_name))
        self.font_name = font_name
        face = font.face  # TTFont's parsed metrics
        self._glyphs: dict[int, float] = face.charWidths
        self._default: float = face.defaultWidth
        self._cache: dict[str, float] = {}

    def char(self, ch: str) -> float:
        """Width of one character at 1 pt."""
        width = self._cache.get(ch)
        if width is None:
            width = self._glyphs.get(ord(ch), self._default) / 1000.0
            self._cache[ch] = width
        return width

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` at ``size`` points."""
        cache = self._cache
        try:
            return sum(map(cache.__getitem__, text)) * size
        except KeyError:
            return sum(map(self.char, text)) * size

    def split(self, text: str, width: float, size: float) -> list[str]:
        """Break ``text`` into lines no wider than ``width`` at ``size`` points.

        Greedy by words (runs of spaces collapse to one); a word wider than the line is broken
        after its hyphens, and a part still too wide between characters; line breaks in ``text``
        are kept. Never returns an empty list: an
        empty text is one empty line. Every line's :meth:`width` is at most ``width``.
        """
        limit = width / size  # compare at 1 pt: one multiplication per text instead of per word
        space = self.char(" ")
        lines: list[str] = []
        for paragraph in text.split("\n"):
            words = paragraph.split()
            if not words:
                lines.append("")
                continue
            if self.width(paragraph, 1.0) <= limit - 1e-9:
                # It all fits (most cells do): the greedy loop below would give this one line.
                lines.append(" ".join(words))
                continue
            current: list[str] = []
            used = 0.0
            for word in words:
                w = self.width(word, 1.0)
                if w > limit:
                    # A run too long for a line (a UUID, a long reference): flush, then break it after
                    # its hyphens, and only where a part is still too long, between characters.
                    if current:
                        lines.append(" ".join(current))
                        current, used = [], 0.0
                    piece, piece_w = "", 0.0
                    for part in _after_hyphens(word):
                        part_w = self.width(part, 1.0)
                        if piece and piece_w + part_w <= limit:
                            piece += part
                            piece_w += part_w
                            continue
                        if piece:
                            lines.append(piece)
                        piece, piece_w = "", 0.0
                        for ch in part:
                            cw = self.char(ch)
                            if piece and piece_w + cw > limit:
                                lines.append(piece)
                                piece, piece_w = "", 0.0
                            piece += ch
                            piece_w += cw
                    current, used = [piece], piece_w
                    continue
                needed = w if not current else used + space + w
                if needed <= limit:
                    current.append(word)
                    used = needed
                else:
                    lines.append(" ".join(current))
                    current, used = [word], w
            lines.append(" ".join(current))
        return lines


def _after_hyphens(word: str) -> list[str]:
    """``word`` cut after each hyphen (``"AB-CD-E"`` -> ``["AB-", "CD-", "E"]``); joined, it is ``word``."""
    parts = word.split("-")
    return [p + "-" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
