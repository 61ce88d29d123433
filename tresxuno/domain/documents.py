"""The documents a project request must carry, per category, read from ``seeds/documents.toml``."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tresxuno.domain.parties import Category
from tresxuno.domain.problems import RuleSetError
from tresxuno.domain.stages import MAIN_ROAD, Stage


@dataclass(frozen=True)
class DocumentRequirement:
    """One required document: a stable id (stored as the attachment's kind) and its names."""

    id: str
    name_es: str
    name_en: str
    categories: tuple[str, ...]  # category ids, or ("*",) for every category
    #: The stage the document is needed to enter (``en_covam``: part of the request's checklist).
    needed_for: str = "en_covam"
    #: The first stage on the main road from which the project's checklist lists it.
    listed_from: str = "borrador"

    def name(self, lang: str) -> str:
        """The document's name in ``lang``."""
        return self.name_en if lang == "en" else self.name_es

    @property
    def for_covam(self) -> bool:
        """Whether the request cannot go to the COVAM without it."""
        return self.needed_for == "en_covam"

    def listed_at(self, stage: str) -> bool:
        """Whether a project in ``stage`` lists it (from :attr:`listed_from` on along the main road)."""
        road = [s.value for s in MAIN_ROAD]
        if self.listed_from not in road:
            return True
        return stage in road and road.index(stage) >= road.index(self.listed_from)

    def applies_to(self, category: str) -> bool:
        """Whether a project of ``category`` needs this document."""
        return "*" in self.categories or category in self.categories


def load_requirements(path: Path) -> tuple[DocumentRequirement, ...]:
    """Read the checklist file.

    Raises:
        RuleSetError: naming the file and the entry when an id, name or category is wrong.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    known = {c.value for c in Category} | {"*"}
    result = []
    for i, raw in enumerate(data.get("documents", [])):
        where = f"{path}: documents[{i}]"
        try:
            doc = DocumentRequirement(
                str(raw["id"]),
                str(raw["name_es"]),
                str(raw["name_en"]),
                tuple(raw["categories"]),
                str(raw.get("needed_for", "en_covam")),
                str(raw.get("listed_from", "borrador")),
            )
        except (KeyError, TypeError) as exc:
            raise RuleSetError(
                f"{where}: missing or wrong key {exc}; each document needs id, name_es, "
                "name_en and categories"
            ) from None
        unknown = [c for c in doc.categories if c not in known]
        if unknown:
            raise RuleSetError(
                f"{where}.categories: {unknown[0]!r} is not a category; allowed: {', '.join(sorted(known))}"
            )
        stages = {s.value for s in Stage}
        for key in ("needed_for", "listed_from"):
            if getattr(doc, key) not in stages:
                raise RuleSetError(
                    f"{where}.{key}: {getattr(doc, key)!r} is not a stage; allowed: {', '.join(sorted(stages))}"
                )
        result.append(doc)
    return tuple(result)


def required_for(requirements: Iterable[DocumentRequirement], category: str) -> list[DocumentRequirement]:
    """The documents a project of ``category`` must carry, in the file's order."""
    return [doc for doc in requirements if doc.applies_to(category)]
