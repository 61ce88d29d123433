"""Programme rule sets as data: loading, validating and resolving them.

Rule sets live in TOML files (``seeds/rules/`` ships them; an administrator adds files to the
user's rules folder). Nothing about a programme's percentages or caps is written in code: this
module only reads, checks and looks up what the files say.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tresxuno.domain.parties import PARTY_ORDER, Category, Party, SchoolLevel
from tresxuno.domain.problems import InputError, Problem, RuleSetError
from tresxuno.i18n import _

#: The largest rule file read: the shipped ones are a few kilobytes; more is a wrong file.
MAX_RULE_FILE_BYTES = 1024 * 1024

#: Percentages are stored as integer basis points: 2500 = 25.00 %; a mix sums to FULL.
FULL = 10_000

_PARTY_IDS = ", ".join(p.value for p in PARTY_ORDER)
_CATEGORY_IDS = ", ".join(c.value for c in Category)
_LEVEL_IDS = ", ".join(s.value for s in SchoolLevel)


def _in_language(lang: str, es: str, en: str, neutral: str) -> str:
    """The text for ``lang``: its own language, else the other one, else the single-language text."""
    first, second = (en, es) if lang == "en" else (es, en)
    return first or neutral or second


#: Shown where a document's publication date is not yet confirmed (never an invented date).
DATE_TO_CONFIRM = {"es": "fecha de publicación por confirmar", "en": "publication date to be confirmed"}


@dataclass(frozen=True)
class RuleDocument:
    """The official document governing a programme in one fiscal year (that year's Reglas de Operación).

    ``published`` says where and when (``DOF 28/02/2013``); empty while the date is unconfirmed.
    """

    year: int
    title: str
    published: str = ""

    def citation(self, lang: str) -> str:
        """``<title>, DOF dd/mm/yyyy`` (the title is the official Spanish name in both languages)."""
        when = self.published or DATE_TO_CONFIRM["en" if lang == "en" else "es"]
        if lang == "en":
            return f"{self.title} (operating rules for fiscal year {self.year}), {when}"
        return f"{self.title}, {when}"

    def to_data(self) -> dict[str, Any]:
        """Plain data for the frozen copy of a rule set."""
        return {"year": self.year, "title": self.title, "published": self.published}


@dataclass(frozen=True)
class Cap:
    """The most one party may pay for one project, in centavos, for a span of fiscal years."""

    party: Party
    amount: int
    first_year: int
    last_year: int | None
    source: str = ""
    verified: bool = False
    source_es: str = ""
    source_en: str = ""

    def source_text(self, lang: str) -> str:
        """Where the cap comes from, in ``lang``."""
        return _in_language(lang, self.source_es, self.source_en, self.source)

    def applies_to(self, year: int) -> bool:
        """Whether this cap is in force in fiscal ``year``."""
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


@dataclass(frozen=True)
class Program:
    """A matching programme (``3x1``, ``4x1``, ``2x1-zacatecas`` or one an administrator adds)."""

    id: str
    name_es: str
    name_en: str
    description: str = ""
    folio_prefix: str = ""
    #: The last fiscal year the programme has rules for (None: still running); no rule set may go past it.
    last_year: int | None = None
    #: The description in each language (``description`` is the single-language text of older files).
    description_es: str = ""
    description_en: str = ""

    def description_text(self, lang: str) -> str:
        """The programme's description in ``lang``, else in the other language, else the old single text."""
        first, second = (
            (self.description_en, self.description_es)
            if lang == "en"
            else (
                self.description_es,
                self.description_en,
            )
        )
        return first or second or self.description

    @property
    def folio_code(self) -> str:
        """The short code that starts the folios of this programme's projects (``2X1Z``)."""
        return self.folio_prefix or self.id.upper()

    def name(self, lang: str) -> str:
        """The programme's display name in ``lang``."""
        return self.name_en if lang == "en" else self.name_es


@dataclass(frozen=True)
class RuleSet:
    """How one programme splits projects of some categories over a span of fiscal years.

    Attributes:
        id: stable identifier; with ``version`` it names the rule set a project was computed under.
        version: a higher version of the same id replaces the lower for new computations.
        mix: basis points per participating party, summing to :data:`FULL`.
        caps: per-party limits per project (centavos), each for its own years.
        shortfall: parties that cover what a capped party cannot pay, by their own percentages.
        scholarship_amounts: centavos per student by school level (scholarship rule sets).
        supersedes: ids of rule sets this one replaces for the years and categories it covers.
    """

    id: str
    version: int
    program: str
    first_year: int
    last_year: int | None
    categories: tuple[Category, ...]
    mix: tuple[tuple[Party, int], ...]
    caps: tuple[Cap, ...] = ()
    shortfall: tuple[Party, ...] = ()
    scholarship_amounts: tuple[tuple[SchoolLevel, int], ...] = ()
    supersedes: tuple[str, ...] = ()
    source: str = ""
    verified: bool = False
    notes: str = ""
    origin: str = field(default="", compare=False)
    source_es: str = ""
    source_en: str = ""
    notes_es: str = ""
    notes_en: str = ""
    #: Parties that share their joint percentage as they agree in each project's convenio
    #: (state and municipality in the 3x1 public works: 50 % jointly, 25/25 by default).
    joint: tuple[Party, ...] = ()
    #: The official document of each fiscal year (the year's Reglas de Operación).
    documents: tuple[RuleDocument, ...] = ()

    def source_text(self, lang: str) -> str:
        """Where the rule set comes from, in ``lang`` (Spanish or English)."""
        return _in_language(lang, self.source_es, self.source_en, self.source)

    def notes_text(self, lang: str) -> str:
        """The rule set's notes in ``lang``."""
        return _in_language(lang, self.notes_es, self.notes_en, self.notes)

    def document_for(self, year: int) -> RuleDocument | None:
        """The official document of fiscal ``year``, if the rule file names one."""
        return next((d for d in self.documents if d.year == year), None)

    def citation(self, year: int, lang: str) -> str:
        """What a printed project cites: the year's official document, else the rule set's source."""
        document = self.document_for(year)
        return document.citation(lang) if document else self.source_text(lang)

    @property
    def joint_total(self) -> int:
        """The joint parties' combined basis points (0 when the rule set has no joint share)."""
        mix = self.mix_map
        return sum(mix.get(p, 0) for p in self.joint)

    @property
    def mix_map(self) -> dict[Party, int]:
        """The mix as a dict in party order."""
        return dict(self.mix)

    @property
    def has_partner(self) -> bool:
        """Whether the outside partner takes part by percentage."""
        return any(p is Party.PARTNER and bp > 0 for p, bp in self.mix)

    def covers(self, year: int, category: str) -> bool:
        """Whether this rule set applies to ``category`` in fiscal ``year``."""
        in_years = self.first_year <= year and (self.last_year is None or year <= self.last_year)
        return in_years and category in self.categories

    def caps_for(self, year: int) -> dict[Party, int]:
        """Caps in force in ``year``, in centavos (the lowest if two overlap)."""
        caps: dict[Party, int] = {}
        for cap in self.caps:
            if cap.applies_to(year):
                caps[cap.party] = min(cap.amount, caps.get(cap.party, cap.amount))
        return caps

    def years_label(self) -> str:
        """``2002–2020`` or ``2021–`` for an open-ended rule set."""
        return f"{self.first_year}–{self.last_year or ''}"

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-ready data (amounts as centavos); the canonical form that is hashed and stored."""
        return {
            "id": self.id,
            "version": self.version,
            "program": self.program,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "categories": [c.value for c in self.categories],
            "mix": {p.value: bp for p, bp in self.mix},
            "caps": [
                {
                    "party": c.party.value,
                    "amount": c.amount,
                    "first_year": c.first_year,
                    "last_year": c.last_year,
                    "source": c.source,
                    "verified": c.verified,
                    **{k: v for k, v in (("source_es", c.source_es), ("source_en", c.source_en)) if v},
                }
                for c in self.caps
            ],
            "shortfall": [p.value for p in self.shortfall],
            "scholarship_amounts": {lvl.value: amount for lvl, amount in self.scholarship_amounts},
            "supersedes": list(self.supersedes),
            "source": self.source,
            "verified": self.verified,
            "notes": self.notes,
            **self._bilingual_data(),
        }

    def _bilingual_data(self) -> dict[str, Any]:
        """The keys added with bilingual sources, joint shares and documents (only when used)."""
        extra: dict[str, Any] = {
            key: value
            for key, value in (
                ("source_es", self.source_es),
                ("source_en", self.source_en),
                ("notes_es", self.notes_es),
                ("notes_en", self.notes_en),
            )
            if value
        }
        if self.joint:
            extra["joint"] = [p.value for p in self.joint]
        if self.documents:
            extra["documents"] = [d.to_data() for d in self.documents]
        return extra

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: detects a rule set changed without a new version."""
        canonical = json.dumps(self.to_data(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RuleSet:
        """Rebuild a rule set from :meth:`to_data` output (e.g. the frozen copy a project keeps)."""
        return cls(
            id=data["id"],
            version=int(data["version"]),
            program=data["program"],
            first_year=int(data["first_year"]),
            last_year=data["last_year"],
            categories=tuple(Category(c) for c in data["categories"]),
            mix=tuple((Party(p), int(bp)) for p, bp in _in_party_order(data["mix"])),
            caps=tuple(
                Cap(
                    Party(c["party"]),
                    int(c["amount"]),
                    int(c["first_year"]),
                    c["last_year"],
                    c.get("source", ""),
                    bool(c.get("verified", False)),
                    c.get("source_es", ""),
                    c.get("source_en", ""),
                )
                for c in data["caps"]
            ),
            shortfall=tuple(Party(p) for p in data["shortfall"]),
            scholarship_amounts=tuple(
                (SchoolLevel(k), int(v)) for k, v in data.get("scholarship_amounts", {}).items()
            ),
            supersedes=tuple(data.get("supersedes", ())),
            source=data.get("source", ""),
            verified=bool(data.get("verified", False)),
            notes=data.get("notes", ""),
            source_es=data.get("source_es", ""),
            source_en=data.get("source_en", ""),
            notes_es=data.get("notes_es", ""),
            notes_en=data.get("notes_en", ""),
            joint=tuple(Party(p) for p in data.get("joint", ())),
            documents=tuple(
                RuleDocument(int(d["year"]), d["title"], d.get("published", ""))
                for d in data.get("documents", ())
            ),
        )


def _in_party_order(mix: Mapping[str, int]) -> list[tuple[str, int]]:
    order = {p.value: i for i, p in enumerate(PARTY_ORDER)}
    return sorted(mix.items(), key=lambda kv: order.get(kv[0], len(order)))


# --------------------------------------------------------------------------- loading


class _Reader:
    """Reads one TOML file and raises RuleSetError naming the file, the key and what is allowed."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, what: str) -> RuleSetError:
        return RuleSetError(_("{file}: key '{key}': {what}").format(file=self.path, key=key, what=what))

    def require(self, table: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in table:
            raise self.fail(f"{where}.{key}" if where else key, _("is missing"))
        return table[key]

    def text(self, table: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = self.require(table, key, where) if required else table.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{where}.{key}", _("must be non-empty text in quotes"))
        return value.strip()

    def year(self, value: Any, key: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 2200:
            raise self.fail(key, _("must be a fiscal year written as a whole number between 1990 and 2200"))
        return value

    def percent(self, value: Any, key: str) -> int:
        """Percentages as whole numbers (25) or quoted decimals ("33.34"); floats are refused."""
        if isinstance(value, (bool, float)):
            raise self.fail(
                key,
                _('must be a whole number (25) or a quoted decimal ("33.34"), not {value}').format(
                    value=value
                ),
            )
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.fail(key, _("must be a percentage between 0 and 100")) from None
        if not number.is_finite() or number < 0 or number > 100 or number != number.quantize(Decimal("0.01")):
            raise self.fail(key, _("must be a percentage between 0 and 100 with at most two decimals"))
        return int(number * 100)

    def amount(self, value: Any, key: str) -> int:
        """Amounts in MXN as whole pesos (1000000) or quoted text ("1000000.00")."""
        from tresxuno.domain.money import Money

        if isinstance(value, (bool, float)) or not isinstance(value, (int, str)):
            raise self.fail(
                key, _('must be an amount in pesos: a whole number or quoted text like "1000000.00"')
            )
        try:
            return Money.parse(str(value)).centavos
        except InputError:
            raise self.fail(
                key,
                _('must be a positive amount in pesos like "1000000.00", not {value}').format(value=value),
            ) from None

    def party(self, value: Any, key: str) -> Party:
        try:
            return Party(value)
        except ValueError:
            raise self.fail(
                key, _("'{value}' is not a party; allowed: {allowed}").format(value=value, allowed=_PARTY_IDS)
            ) from None

    def category(self, value: Any, key: str) -> Category:
        try:
            return Category(value)
        except ValueError:
            raise self.fail(
                key,
                _("'{value}' is not a category; allowed: {allowed}").format(
                    value=value, allowed=_CATEGORY_IDS
                ),
            ) from None

    def flag(self, table: Mapping[str, Any], key: str, where: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", _("must be true or false"))
        return value


_PROGRAM_KEYS = {
    "id",
    "name_es",
    "name_en",
    "description",
    "description_es",
    "description_en",
    "folio_prefix",
    "last_year",
    "documents",
}
_DOCUMENT_KEYS = {"year", "title", "published"}
_RULE_KEYS = {
    "id",
    "version",
    "years",
    "categories",
    "mix",
    "caps",
    "shortfall",
    "scholarship_amounts",
    "supersedes",
    "source",
    "verified",
    "notes",
    "source_es",
    "source_en",
    "notes_es",
    "notes_en",
    "joint",
}
_CAP_KEYS = {"party", "amount", "years", "source", "verified", "source_es", "source_en"}


def _check_keys(reader: _Reader, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise reader.fail(
                f"{where}.{key}" if where else key,
                _("is not a known key; allowed: {allowed}").format(allowed=", ".join(sorted(allowed))),
            )


def _years(reader: _Reader, value: Any, key: str) -> tuple[int, int | None]:
    """``years = [2002, 2020]`` (inclusive) or ``[2021]`` for open-ended."""
    if not isinstance(value, list) or not 1 <= len(value) <= 2:
        raise reader.fail(key, _("must be [first, last] or [first] for no end year, e.g. [2002, 2020]"))
    first = reader.year(value[0], key)
    last = reader.year(value[1], key) if len(value) == 2 else None
    if last is not None and last < first:
        raise reader.fail(
            key, _("the last year {last} comes before the first year {first}").format(first=first, last=last)
        )
    return first, last


def _read_rule_set(reader: _Reader, program: str, raw: Any, index: int) -> RuleSet:
    where = f"rule_sets[{index}]"
    if not isinstance(raw, dict):
        raise reader.fail(where, _("must be a table"))
    rule_id = reader.text(raw, "id", where)
    where = f"rule_sets[{rule_id}]"
    _check_keys(reader, raw, _RULE_KEYS, where)
    version = raw.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise reader.fail(f"{where}.version", _("must be a whole number from 1 up"))
    first, last = _years(reader, reader.require(raw, "years", where), f"{where}.years")

    raw_categories = reader.require(raw, "categories", where)
    if not isinstance(raw_categories, list) or not raw_categories:
        raise reader.fail(
            f"{where}.categories", _("must list at least one of: {allowed}").format(allowed=_CATEGORY_IDS)
        )
    categories = tuple(reader.category(c, f"{where}.categories") for c in raw_categories)

    raw_mix = reader.require(raw, "mix", where)
    if not isinstance(raw_mix, dict) or not raw_mix:
        raise reader.fail(
            f"{where}.mix",
            _("must be a table of party = percentage; parties: {allowed}").format(allowed=_PARTY_IDS),
        )
    mix_map = {
        reader.party(p, f"{where}.mix"): reader.percent(v, f"{where}.mix.{p}") for p, v in raw_mix.items()
    }
    total = sum(mix_map.values())
    if total != FULL:
        raise reader.fail(
            f"{where}.mix",
            _("percentages must add up to 100, they add up to {total}").format(total=Decimal(total) / 100),
        )
    mix = tuple((p, mix_map[p]) for p in PARTY_ORDER if p in mix_map)

    caps = []
    raw_caps = raw.get("caps", [])
    if not isinstance(raw_caps, list):
        raise reader.fail(f"{where}.caps", _("must be a list of tables with party, amount and years"))
    for i, raw_cap in enumerate(raw_caps):
        cw = f"{where}.caps[{i}]"
        if not isinstance(raw_cap, dict):
            raise reader.fail(cw, _("must be a table with party, amount and years"))
        _check_keys(reader, raw_cap, _CAP_KEYS, cw)
        party = reader.party(reader.require(raw_cap, "party", cw), f"{cw}.party")
        if party not in mix_map:
            raise reader.fail(
                f"{cw}.party",
                _("'{party}' has no percentage in this rule set's mix").format(party=party.value),
            )
        cap_first, cap_last = _years(
            reader, raw_cap.get("years", [first] + ([last] if last else [])), f"{cw}.years"
        )
        caps.append(
            Cap(
                party,
                reader.amount(reader.require(raw_cap, "amount", cw), f"{cw}.amount"),
                cap_first,
                cap_last,
                reader.text(raw_cap, "source", cw, required=False),
                reader.flag(raw_cap, "verified", cw),
                reader.text(raw_cap, "source_es", cw, required=False),
                reader.text(raw_cap, "source_en", cw, required=False),
            )
        )

    raw_shortfall = raw.get("shortfall", [])
    if not isinstance(raw_shortfall, list):
        raise reader.fail(
            f"{where}.shortfall",
            _("must be a list of parties; allowed: {allowed}").format(allowed=_PARTY_IDS),
        )
    shortfall = tuple(reader.party(p, f"{where}.shortfall") for p in raw_shortfall)
    for p in shortfall:
        if mix_map.get(p, 0) == 0:
            raise reader.fail(
                f"{where}.shortfall",
                _("'{party}' cannot cover a shortfall: it has no percentage").format(party=p.value),
            )
    if caps and not shortfall:
        raise reader.fail(
            f"{where}.shortfall",
            _("is required when caps are given: list who covers what a capped party cannot pay"),
        )

    raw_amounts = raw.get("scholarship_amounts", {})
    if not isinstance(raw_amounts, dict):
        raise reader.fail(
            f"{where}.scholarship_amounts",
            _("must be a table of level = amount; levels: {allowed}").format(allowed=_LEVEL_IDS),
        )
    amounts = []
    for level, value in raw_amounts.items():
        try:
            lvl = SchoolLevel(level)
        except ValueError:
            raise reader.fail(
                f"{where}.scholarship_amounts",
                _("'{value}' is not a school level; allowed: {allowed}").format(
                    value=level, allowed=_LEVEL_IDS
                ),
            ) from None
        amounts.append((lvl, reader.amount(value, f"{where}.scholarship_amounts.{level}")))

    supersedes = raw.get("supersedes", [])
    if not isinstance(supersedes, list) or not all(isinstance(s, str) for s in supersedes):
        raise reader.fail(f"{where}.supersedes", _("must be a list of rule set ids in quotes"))

    joint = _joint(reader, raw, mix_map, where)
    sources = _sources(reader, raw, where)

    return RuleSet(
        id=rule_id,
        version=version,
        program=program,
        first_year=first,
        last_year=last,
        categories=categories,
        mix=mix,
        caps=tuple(caps),
        shortfall=shortfall,
        scholarship_amounts=tuple(amounts),
        supersedes=tuple(supersedes),
        source=sources["source"],
        verified=reader.flag(raw, "verified", where),
        notes=sources["notes"],
        origin=str(reader.path),
        source_es=sources["source_es"],
        source_en=sources["source_en"],
        notes_es=sources["notes_es"],
        notes_en=sources["notes_en"],
        joint=joint,
    )


def _joint(
    reader: _Reader, raw: Mapping[str, Any], mix_map: Mapping[Party, int], where: str
) -> tuple[Party, ...]:
    """``joint = ["state", "municipal"]``: two or more parties of the mix that split their joint share."""
    raw_joint = raw.get("joint", [])
    if not isinstance(raw_joint, list) or (raw_joint and len(raw_joint) < 2):
        raise reader.fail(
            f"{where}.joint",
            _(
                'must list two or more parties of the mix that share their percentage, like ["state", "municipal"]'
            ),
        )
    joint = tuple(reader.party(p, f"{where}.joint") for p in raw_joint)
    for p in joint:
        if mix_map.get(p, 0) == 0:
            raise reader.fail(
                f"{where}.joint",
                _("'{party}' has no percentage in this rule set's mix").format(party=p.value),
            )
    if len(set(joint)) != len(joint):
        raise reader.fail(f"{where}.joint", _("names a party twice"))
    return tuple(p for p in PARTY_ORDER if p in joint)


def _sources(reader: _Reader, raw: Mapping[str, Any], where: str) -> dict[str, str]:
    """The source and notes: ``source_es`` and ``source_en`` (both), or a single-language ``source``."""
    found = {
        key: reader.text(raw, key, where, required=False)
        for key in ("source", "notes", "source_es", "source_en", "notes_es", "notes_en")
    }
    if found["source_es"] or found["source_en"]:
        for key in ("source_es", "source_en"):
            if not found[key]:
                raise reader.fail(
                    f"{where}.{key}", _("is missing: give the source in Spanish and in English")
                )
    elif not found["source"]:
        raise reader.fail(
            f"{where}.source_es",
            _(
                "is missing: name the document the rule set comes from, in Spanish (source_es) and English (source_en)"
            ),
        )
    return found


def _documents(reader: _Reader, raw: Any, first: int, last: int | None) -> tuple[RuleDocument, ...]:
    """``[[program.documents]]``: the official document of each fiscal year (year, title, published)."""
    if not isinstance(raw, list):
        raise reader.fail("program.documents", _("must be written as [[program.documents]] tables"))
    documents = []
    for i, entry in enumerate(raw):
        dw = f"program.documents[{i}]"
        if not isinstance(entry, dict):
            raise reader.fail(dw, _("must be a table with year, title and published"))
        _check_keys(reader, entry, _DOCUMENT_KEYS, dw)
        year = reader.year(reader.require(entry, "year", dw), f"{dw}.year")
        if year < first or (last is not None and year > last):
            raise reader.fail(
                f"{dw}.year",
                _("{year} is outside the programme's years {first}–{last}").format(
                    year=year, first=first, last=last or ""
                ),
            )
        documents.append(
            RuleDocument(
                year, reader.text(entry, "title", dw), reader.text(entry, "published", dw, required=False)
            )
        )
    if len({d.year for d in documents}) != len(documents):
        raise reader.fail("program.documents", _("names a fiscal year twice"))
    return tuple(sorted(documents, key=lambda d: d.year))


def _folio_prefix(reader: _Reader, raw: Mapping[str, Any]) -> str:
    """Optional short folio code: 2-8 uppercase letters or digits (folios must fit 32 characters)."""
    prefix = raw.get("folio_prefix", "")
    if not isinstance(prefix, str) or (
        prefix and not (2 <= len(prefix) <= 8 and prefix.isalnum() and prefix == prefix.upper())
    ):
        raise reader.fail("program.folio_prefix", _("must be 2 to 8 uppercase letters or digits, like 2X1Z"))
    return prefix


def _read_text(reader: _Reader) -> str:
    """The file's text: a regular file of at most :data:`MAX_RULE_FILE_BYTES`, UTF-8 with or without BOM.

    Opened without blocking and checked with ``fstat`` before reading, so a folder, a pipe (FIFO) or a
    device named ``*.toml`` is refused at once instead of hanging the program or crashing it.
    """
    try:
        fd = os.open(reader.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise reader.fail("(file)", _("cannot be read: {error}").format(error=exc.strerror or exc)) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise reader.fail(
            "(file)", _("is not a regular file (a folder, pipe or device); remove or rename it")
        )
    with os.fdopen(fd, "rb") as handle:
        try:
            content = handle.read(MAX_RULE_FILE_BYTES + 1)
        except OSError as exc:
            raise reader.fail(
                "(file)", _("cannot be read: {error}").format(error=exc.strerror or exc)
            ) from None
    if len(content) > MAX_RULE_FILE_BYTES:
        raise reader.fail(
            "(file)",
            _("is larger than {max_kb} KB; a rule file is a few kilobytes").format(
                max_kb=MAX_RULE_FILE_BYTES // 1024
            ),
        )
    try:
        return content.decode("utf-8-sig")  # Notepad writes a BOM: accept it
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise reader.fail("(file)", _("line {line} is not UTF-8 text").format(line=line)) from None


def _parse_file(reader: _Reader) -> dict[str, Any]:
    """The file's TOML, or a one-line RuleSetError naming the file."""
    text = _read_text(reader)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        error = " ".join(str(exc).split())
        raise reader.fail("(file)", _("is not valid TOML: {error}").format(error=error)) from None
    except RecursionError:
        raise reader.fail("(file)", _("nests tables or arrays too deeply to be a rule file")) from None


def read_rule_file(
    path: Path, known_programs: Mapping[str, Program] | None = None
) -> tuple[Program | None, list[RuleSet]]:
    """Read and validate one rule file.

    A file has an optional ``[program]`` table (required when it introduces a programme) and a
    list of ``[[rule_sets]]``.

    Raises:
        RuleSetError: with a message naming the file, the key and what is allowed.
    """
    reader = _Reader(path)
    data = _parse_file(reader)
    _check_keys(reader, data, {"program", "rule_sets"}, "")
    program: Program | None = None
    documents: tuple[RuleDocument, ...] = ()
    if "program" in data:
        raw = data["program"]
        if not isinstance(raw, dict):
            raise reader.fail("program", _("must be a table"))
        _check_keys(reader, raw, _PROGRAM_KEYS, "program")
        pid = reader.text(raw, "id", "program")
        if not all(ch.isalnum() or ch in "-_" for ch in pid) or pid != pid.lower():
            raise reader.fail("program.id", _("must use lowercase letters, digits and hyphens, like '3x1'"))
        program_last = reader.year(raw["last_year"], "program.last_year") if "last_year" in raw else None
        program = Program(
            pid,
            reader.text(raw, "name_es", "program"),
            reader.text(raw, "name_en", "program"),
            reader.text(raw, "description", "program", required=False),
            _folio_prefix(reader, raw),
            program_last,
            reader.text(raw, "description_es", "program", required=False),
            reader.text(raw, "description_en", "program", required=False),
        )
        documents = _documents(reader, raw.get("documents", []), 1990, program_last)
    program_id = program.id if program else None
    raw_sets = data.get("rule_sets", [])
    if not isinstance(raw_sets, list):
        raise reader.fail("rule_sets", _("must be written as [[rule_sets]] tables"))
    rule_sets = []
    for i, raw in enumerate(raw_sets):
        owner: str | None = program_id
        if isinstance(raw, dict) and "program" in raw:
            # A file without [program] names, per rule set, an already known programme.
            owner = raw.pop("program")
        if owner is None or (program is None and owner not in (known_programs or {})):
            raise reader.fail(
                f"rule_sets[{i}].program",
                _("name a known programme or add a [program] table; known: {allowed}").format(
                    allowed=", ".join(sorted(known_programs or {}))
                ),
            )
        rule_set = _read_rule_set(reader, owner, raw, i)
        if program is not None and owner == program.id and documents:
            rule_set = replace(
                rule_set,
                documents=tuple(d for d in documents if rule_set.covers(d.year, rule_set.categories[0])),
            )
        rule_sets.append(rule_set)
    return program, rule_sets


# --------------------------------------------------------------------------- the rule book


class RuleBook:
    """Every known programme and rule set, and the lookup from (programme, year, category)."""

    def __init__(self, programs: Iterable[Program], rule_sets: Iterable[RuleSet]):
        self.programs: dict[str, Program] = {p.id: p for p in programs}
        self.all_rule_sets: tuple[RuleSet, ...] = tuple(rule_sets)
        latest: dict[str, RuleSet] = {}
        for rs in self.all_rule_sets:
            if rs.id not in latest or rs.version > latest[rs.id].version:
                latest[rs.id] = rs
        #: The rule sets in force for new computations: the highest version of each id.
        self.rule_sets: tuple[RuleSet, ...] = tuple(latest.values())

    def get(self, rule_id: str, version: int | None = None) -> RuleSet:
        """A rule set by id (the latest version unless ``version`` is given)."""
        matches = [
            rs for rs in self.all_rule_sets if rs.id == rule_id and (version is None or rs.version == version)
        ]
        if not matches:
            raise KeyError(f"{rule_id} v{version}")
        return max(matches, key=lambda rs: rs.version)

    def _candidates(self, program: str, year: int, category: str) -> list[RuleSet]:
        found = [rs for rs in self.rule_sets if rs.program == program and rs.covers(year, category)]
        superseded = {sid for rs in found for sid in rs.supersedes}
        return [rs for rs in found if rs.id not in superseded]

    def find(self, program: str, year: int, category: str) -> RuleSet:
        """The rule set that governs a new project.

        Raises:
            InputError: unknown programme or category, or no rule set for that year and category;
                the problem names what is allowed.
        """
        if program not in self.programs:
            raise InputError(
                Problem(
                    "program",
                    "rules.unknown_program",
                    {"program": program, "allowed": ", ".join(sorted(self.programs))},
                )
            )
        if category not in {c.value for c in Category}:
            raise InputError(
                Problem(
                    "category", "rules.unknown_category", {"category": category, "allowed": _CATEGORY_IDS}
                )
            )
        ended = self.programs[program].last_year
        if ended is not None and year > ended:
            raise InputError(
                Problem(
                    "year",
                    "rules.program_ended",
                    {
                        "program": program,
                        "year": year,
                        "last_year": ended,
                        "years": self.years_label(program),
                    },
                )
            )
        found = self._candidates(program, year, category)
        if found:
            return found[0]
        in_program = [rs for rs in self.rule_sets if rs.program == program]
        first = self.first_year_of(program, category)
        running = any(rs.covers(year, c) for rs in in_program for c in rs.categories)
        if first is not None and year < first and running:
            raise InputError(
                Problem(
                    "category",
                    "rules.category_not_yet",
                    {"program": program, "year": year, "category": category, "first_year": first},
                )
            )
        if any(rs.covers(year, c) for rs in in_program for c in rs.categories):
            allowed = sorted({c.value for rs in in_program for c in rs.categories if rs.covers(year, c)})
            raise InputError(
                Problem(
                    "category",
                    "rules.category_not_in_program",
                    {"program": program, "year": year, "category": category, "allowed": ", ".join(allowed)},
                )
            )
        raise InputError(
            Problem(
                "year",
                "rules.no_rule_for_year",
                {"program": program, "year": year, "years": self.years_label(program)},
            )
        )

    def first_year_of(self, program: str, category: str) -> int | None:
        """The first fiscal year ``program`` has a rule set for ``category`` (None: never)."""
        years = [
            rs.first_year
            for rs in self.rule_sets
            if rs.program == program and category in {c.value for c in rs.categories}
        ]
        return min(years) if years else None

    def categories_for(self, program: str, year: int) -> list[str]:
        """The category ids ``program`` has rules for in fiscal ``year`` (what a form may offer)."""
        return sorted(
            {
                c.value
                for rs in self.rule_sets
                if rs.program == program
                for c in rs.categories
                if rs.covers(year, c)
            }
        )

    def years_label(self, program: str) -> str:
        """The fiscal years a programme has rules for, as text: ``2002–2020``."""
        spans = sorted((rs.first_year, rs.last_year) for rs in self.rule_sets if rs.program == program)
        if not spans:
            return ""
        first = spans[0][0]
        lasts = [last for _first, last in spans]
        last = None if None in lasts else max(x for x in lasts if x is not None)
        return f"{first}–{last}" if last is not None else f"{first}–"

    def check_overlaps(self) -> None:
        """Refuse two rule sets in force for the same programme, year and category.

        One must supersede the other, so a lookup never depends on file order.

        Raises:
            RuleSetError: naming both rule sets and their files.
        """
        by_program: dict[str, list[RuleSet]] = {}
        for rs in self.rule_sets:
            by_program.setdefault(rs.program, []).append(rs)
        for sets in by_program.values():
            for i, a in enumerate(sets):
                for b in sets[i + 1 :]:
                    if a.id in b.supersedes or b.id in a.supersedes:
                        continue
                    shared = set(a.categories) & set(b.categories)
                    overlap = _years_overlap(a, b)
                    if shared and overlap is not None:
                        raise RuleSetError(
                            _(
                                "rule sets '{a}' ({a_file}) and '{b}' ({b_file}) both cover {category} "
                                'in {year}; give one of them supersedes = ["..."] naming the other, '
                                "or separate their years"
                            ).format(
                                a=a.id,
                                a_file=a.origin,
                                b=b.id,
                                b_file=b.origin,
                                category=sorted(shared)[0].value,
                                year=overlap,
                            )
                        )


def _years_overlap(a: RuleSet, b: RuleSet) -> int | None:
    start = max(a.first_year, b.first_year)
    ends = [y for y in (a.last_year, b.last_year) if y is not None]
    end = min(ends) if ends else start
    return start if start <= end else None


def _declared_programs(files: Sequence[Path]) -> dict[str, Program]:
    """Programme ids declared anywhere (placeholders; each file's own table is validated later)."""
    declared: dict[str, Program] = {}
    for path in files:
        try:
            raw = _parse_file(_Reader(path)).get("program")
        except RuleSetError:
            continue  # reported with file and position when the file itself is read
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            declared[raw["id"]] = Program(raw["id"], raw["id"], raw["id"])
    return declared


def load_rulebook(folders: Sequence[Path]) -> RuleBook:
    """Read every ``*.toml`` rule file in ``folders`` (shipped first, then the administrator's).

    Raises:
        RuleSetError: the first malformed file, naming file, key and what is allowed; or two
            rule sets that would both govern the same programme, year and category.
    """
    files = [path for folder in folders if folder.is_dir() for path in sorted(folder.glob("*.toml"))]
    # Programmes first, so a file may add rule sets to a programme defined in a later file.
    known = _declared_programs(files)
    programs: dict[str, Program] = {}
    rule_sets: list[RuleSet] = []
    seen: dict[tuple[str, int], str] = {}
    for path in files:
        program, sets = read_rule_file(path, known)
        if program is not None:
            if program.id in programs and programs[program.id] != program:
                raise RuleSetError(
                    _(
                        "{file}: key 'program.id': programme '{id}' is already defined "
                        "elsewhere; add rule sets without a [program] table"
                    ).format(file=path, id=program.id)
                )
            programs[program.id] = program
        for rs in sets:
            key = (rs.id, rs.version)
            if key in seen:
                raise RuleSetError(
                    _(
                        "{file}: key 'rule_sets[{id}].version': version {version} of '{id}' "
                        "is already defined in {other}; raise the version to change it"
                    ).format(file=path, id=rs.id, version=rs.version, other=seen[key])
                )
            seen[key] = str(path)
            rule_sets.append(rs)
    for rs in rule_sets:
        _check_program_end(programs.get(rs.program), rs)
    book = RuleBook(programs.values(), rule_sets)
    book.check_overlaps()
    return book


def _check_program_end(program: Program | None, rule_set: RuleSet) -> None:
    """Refuse a rule set that runs past its programme's last fiscal year (e.g. a 3x1 rule for 2020)."""
    if program is None or program.last_year is None:
        return
    if rule_set.last_year is None or rule_set.last_year > program.last_year:
        raise RuleSetError(
            _(
                "{file}: key 'rule_sets[{id}].years': the programme '{program}' has no rules after "
                "{last}; end the years at {last} or earlier"
            ).format(file=rule_set.origin, id=rule_set.id, program=program.id, last=program.last_year)
        )


def scholarship_cost(rule_set: RuleSet, students: Mapping[str, int]) -> int:
    """Cost in centavos of a scholarship batch: students per school level times the amount per student.

    Raises:
        InputError: a level without an amount in the rule set, or a negative or empty count.
    """
    amounts = dict(rule_set.scholarship_amounts)
    total = 0
    problems = []
    for level, count in students.items():
        try:
            lvl = SchoolLevel(level)
        except ValueError:
            problems.append(
                Problem(
                    f"students.{level}", "scholarship.unknown_level", {"level": level, "allowed": _LEVEL_IDS}
                )
            )
            continue
        if lvl not in amounts:
            problems.append(
                Problem(
                    f"students.{level}", "scholarship.no_amount", {"level": level, "rule_set": rule_set.id}
                )
            )
        elif count < 0:
            problems.append(Problem(f"students.{level}", "scholarship.negative", {"level": level}))
        else:
            total += amounts[lvl] * count
    if not problems and total == 0:
        problems.append(Problem("students", "scholarship.none", {}))
    if problems:
        raise InputError(problems)
    return total
