"""The cédula de validación técnica: a project's technical file scored criterion by criterion.

The criteria and their points are data (``seeds/validation.toml``), chosen by fiscal year; a
scoring stores each criterion's points, so a cédula printed years later adds up as it did then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tresxuno.domain.problems import Problem

#: Longest note on one criterion (a sentence of the validator's).
MAX_NOTE = 500


@dataclass(frozen=True)
class Criterion:
    """One criterion: its id, the most points it gives, whether 0 points fails the cédula, its label."""

    id: str
    points: int
    label_es: str
    label_en: str
    required: bool = False

    def label(self, lang: str) -> str:
        """The criterion's text in ``lang`` (Spanish unless English is asked)."""
        return self.label_en if lang == "en" and self.label_en else self.label_es


@dataclass(frozen=True)
class CriteriaSet:
    """The criteria in force for fiscal years ``first_year``..``last_year`` (None: still in force)."""

    id: str
    first_year: int
    last_year: int | None
    passing: int
    criteria: tuple[Criterion, ...]
    source_es: str = ""
    source_en: str = ""

    @property
    def total(self) -> int:
        """The most points a project can reach."""
        return sum(c.points for c in self.criteria)

    def source(self, lang: str) -> str:
        """Where the criteria come from, in ``lang``."""
        return self.source_en if lang == "en" and self.source_en else self.source_es

    def covers(self, year: int) -> bool:
        """Whether the set is in force in fiscal ``year``."""
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


@dataclass(frozen=True)
class Score:
    """The points given to one criterion and the validator's note."""

    criterion: str
    points: int
    note: str = ""


@dataclass(frozen=True)
class Verdict:
    """The sum of a scoring, the least to pass, the required criteria scored 0, and the result."""

    points: int
    total: int
    passing: int
    failed_required: tuple[str, ...]

    @property
    def valid(self) -> bool:
        """Technically valid: enough points and no required criterion at 0."""
        return self.points >= self.passing and not self.failed_required


def parse_criteria(data: Mapping[str, Any]) -> tuple[CriteriaSet, ...]:
    """The criteria sets of a parsed ``validation.toml``.

    Raises:
        ValueError: a set or criterion lacks its id, points or label, points are not positive, an
            id repeats, or ``passing`` exceeds the set's total.
    """
    sets: list[CriteriaSet] = []
    for raw in data.get("criteria_sets", []):
        years = list(raw["years"])
        criteria = tuple(
            Criterion(
                id=str(c["id"]),
                points=int(c["points"]),
                label_es=str(c["label_es"]),
                label_en=str(c.get("label_en", "")),
                required=bool(c.get("required", False)),
            )
            for c in raw["criteria"]
        )
        ids = [c.id for c in criteria]
        if len(set(ids)) != len(ids) or any(c.points <= 0 for c in criteria):
            raise ValueError(f"criteria set {raw['id']}: repeated ids or points that are not positive")
        found = CriteriaSet(
            id=str(raw["id"]),
            first_year=int(years[0]),
            last_year=int(years[1]) if len(years) > 1 else None,
            passing=int(raw["passing"]),
            criteria=criteria,
            source_es=str(raw.get("source_es", "")),
            source_en=str(raw.get("source_en", "")),
        )
        if not 0 < found.passing <= found.total:
            raise ValueError(
                f"criteria set {found.id}: passing {found.passing} is not within 1..{found.total}"
            )
        sets.append(found)
    return tuple(sets)


def set_for_year(sets: Sequence[CriteriaSet], year: int) -> CriteriaSet | None:
    """The set in force in fiscal ``year`` (the latest-starting one when ranges overlap)."""
    covering = [s for s in sets if s.covers(year)]
    return max(covering, key=lambda s: s.first_year) if covering else None


def check_scores(criteria: CriteriaSet, scores: Sequence[Score]) -> list[Problem]:
    """Problems of a scoring: every criterion scored once, 0..its points, notes within the limit."""
    problems: list[Problem] = []
    known = {c.id: c for c in criteria.criteria}
    given: dict[str, Score] = {}
    for s in scores:
        if s.criterion not in known:
            allowed = ", ".join(known)
            problems.append(
                Problem(
                    f"scores.{s.criterion}",
                    "validation.unknown_criterion",
                    {"id": s.criterion, "allowed": allowed},
                )
            )
            continue
        if s.criterion in given:
            problems.append(
                Problem(f"scores.{s.criterion}", "validation.repeated_criterion", {"id": s.criterion})
            )
        given[s.criterion] = s
        top = known[s.criterion].points
        if not 0 <= s.points <= top:
            problems.append(
                Problem(
                    f"scores.{s.criterion}",
                    "validation.points_range",
                    {"id": s.criterion, "max": top, "value": s.points},
                )
            )
        if len(s.note) > MAX_NOTE:
            problems.append(
                Problem(
                    f"scores.{s.criterion}.note", "text.too_long", {"max": MAX_NOTE, "length": len(s.note)}
                )
            )
    for c in criteria.criteria:
        if c.id not in given:
            problems.append(Problem(f"scores.{c.id}", "validation.missing_criterion", {"id": c.id}))
    return problems


def verdict(criteria: CriteriaSet, scores: Sequence[Score]) -> Verdict:
    """Add up a scoring (scores of unknown criteria are ignored)."""
    by_id = {s.criterion: s.points for s in scores}
    points = sum(by_id.get(c.id, 0) for c in criteria.criteria)
    failed = tuple(c.id for c in criteria.criteria if c.required and by_id.get(c.id, 0) == 0)
    return Verdict(points, criteria.total, criteria.passing, failed)
