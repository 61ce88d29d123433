"""Use cases around rule sets: loading the rule book, accepting rule files, computing shares.

Rule files come from two folders: the shipped ``seeds/rules`` (accepted by shipping) and the
user's rules folder. A file of the user's folder takes effect only while an administrador has
accepted its exact content (:func:`accept_rule_file` records its name and sha256 in the audited
``accepted_rule_files`` table); a file dropped there does nothing alone, and a changed file (its
sha256 differs) is pending again. Only the bytes whose hash was accepted are read: each accepted
file is copied into a scratch folder and loaded from there.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from tresxuno import paths
from tresxuno.domain.allocation import (
    Allocation,
    CapAuthorisation,
    MixOverride,
    PartnerChoice,
    compute_shares,
    split_joint,
)
from tresxuno.domain.money import Money
from tresxuno.domain.parties import Party
from tresxuno.domain.problems import InputError, Problem, RuleSetError
from tresxuno.domain.rules import RuleBook, RuleSet, load_rulebook, read_rule_file
from tresxuno.reports.text import rules_listing, shares_table

if TYPE_CHECKING:  # the rule book itself needs no database: ``shares`` and ``rules list`` stay quick
    from tresxuno.db.engine import Database

#: Largest rule file read (the shipped ones are a few KB).
MAX_RULE_FILE_BYTES = 1024 * 1024

#: (file name, sha256) of the user's rule files accepted in the database this process last read.
_ACCEPTED: list[frozenset[tuple[str, str]]] = [frozenset()]

SHIPPED, ACCEPTED, PENDING = "shipped", "accepted", "pending"


@dataclass(frozen=True)
class RuleFile:
    """A rule file and whether it is in force: ``shipped``, ``accepted`` or ``pending`` acceptance."""

    name: str
    path: Path
    sha256: str
    status: str


def _read_rule_file(path: Path) -> bytes | None:
    """The file's bytes (None when it is not a regular file, cannot be read or is too large)."""
    try:
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            data = handle.read(MAX_RULE_FILE_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_RULE_FILE_BYTES else None


def _user_files(folder: Path) -> list[tuple[Path, bytes]]:
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.toml")):
        data = _read_rule_file(path)
        if data is not None:
            found.append((path, data))
    return found


@lru_cache(maxsize=4)
def _cached_rulebook(user_dir: str, accepted: frozenset[tuple[str, str]] = frozenset()) -> RuleBook:
    folder = Path(user_dir)
    with tempfile.TemporaryDirectory(prefix="tresxuno-rules-", ignore_cleanup_errors=True) as scratch:
        origins: dict[str, str] = {}
        for path, data in _user_files(folder):
            if (path.name, hashlib.sha256(data).hexdigest()) in accepted:
                copy = Path(scratch) / path.name
                copy.write_bytes(data)
                origins[str(copy)] = str(path)
        try:
            book = load_rulebook([paths.seeds_dir() / "rules", Path(scratch)])
        except RuleSetError as exc:
            raise RuleSetError(str(exc).replace(scratch, str(folder))) from None
    if not origins:
        return book
    return RuleBook(
        book.programs.values(),
        [replace(rs, origin=origins.get(rs.origin, rs.origin)) for rs in book.all_rule_sets],
    )


def accepted_files(db: Database) -> frozenset[tuple[str, str]]:
    """(file name, sha256) of every rule file an administrador accepted in ``db``."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from tresxuno.db.models import AcceptedRuleFile

    try:
        with db.transaction() as session:
            rows = session.execute(select(AcceptedRuleFile.file_name, AcceptedRuleFile.sha256)).all()
    except SQLAlchemyError:  # a database older than the table (read-only archive): nothing accepted
        return frozenset()
    return frozenset((name, sha) for name, sha in rows)


def rulebook(db: Database | None = None) -> RuleBook:
    """The shipped rule sets plus the user's rule files an administrador accepted.

    With ``db``, the accepted files are read from it (every use case that stores shares passes
    it); without, those this process last read are used (none before any database was read).

    Raises:
        RuleSetError: a malformed file (the message names file, key and what is allowed).
    """
    if db is not None:
        _ACCEPTED[0] = accepted_files(db)
    return _cached_rulebook(str(paths.user_rules_dir()), _ACCEPTED[0])


def rule_files(db: Database | None) -> list[RuleFile]:
    """Every rule file: the shipped ones, then the user's folder's, each accepted or pending."""
    accepted = accepted_files(db) if db is not None else _ACCEPTED[0]
    shipped = [
        RuleFile(path.name, path, hashlib.sha256(data).hexdigest(), SHIPPED)
        for path, data in _user_files(paths.seeds_dir() / "rules")
    ]
    mine = []
    for path, data in _user_files(paths.user_rules_dir()):
        sha = hashlib.sha256(data).hexdigest()
        mine.append(RuleFile(path.name, path, sha, ACCEPTED if (path.name, sha) in accepted else PENDING))
    return shipped + mine


def pending_rule_files(db: Database | None) -> list[RuleFile]:
    """The user's rule files waiting for an administrador's acceptance (they do nothing yet)."""
    return [f for f in rule_files(db) if f.status == PENDING]


def accept_rule_file(db: Database, path: Path | str) -> RuleFile:
    """Accept a rule file of the user's rules folder: its current content takes effect.

    The file is read once; its sha256 is recorded (who, when; audited) only if the rule book
    with it loads (a malformed file, or one overlapping another, is refused with its reason).
    A later change to the file makes it pending again.

    Raises:
        InputError: ``auth.role_required`` (``rules.edit``); ``rules.not_in_folder`` when the
            file is not a readable ``*.toml`` file directly inside the user's rules folder.
        RuleSetError: the rule book with this file would be malformed.
    """
    from sqlalchemy import select

    from tresxuno.db.models import AcceptedRuleFile
    from tresxuno.services.auth import require

    actor = require(db, "rules.edit")
    folder = paths.user_rules_dir()
    path = Path(path)
    data = _read_rule_file(path)
    try:
        inside = path.parent.resolve() == folder.resolve() and not path.is_symlink()
    except OSError:
        inside = False
    if inside and path.suffix == ".toml" and data is None and path.exists():
        read_rule_file(path)  # says why: not a regular file, too large or unreadable (RuleSetError)
    if not inside or path.suffix != ".toml" or data is None:
        raise InputError(Problem("file", "rules.not_in_folder", {"path": str(path), "folder": str(folder)}))
    sha = hashlib.sha256(data).hexdigest()
    accepted = accepted_files(db) | {(path.name, sha)}
    _cached_rulebook(str(folder), accepted)  # refuses a file that would break the rule book
    with db.transaction(immediate=True) as session:
        known = session.scalar(
            select(AcceptedRuleFile.id).where(
                AcceptedRuleFile.file_name == path.name, AcceptedRuleFile.sha256 == sha
            )
        )
        if known is None:
            session.add(AcceptedRuleFile(file_name=path.name, sha256=sha, accepted_by=actor.username))
    _ACCEPTED[0] = accepted
    return RuleFile(path.name, path, sha, ACCEPTED)


def rules_text(db: Database | None = None) -> str:
    """The ``tresxuno rules list`` listing: every programme and rule set, then the files pending acceptance."""
    from tresxuno.i18n import _

    text = rules_listing(rulebook(db))
    pending = pending_rule_files(db)
    if pending:
        text += (
            "\n"
            + _("Rule files pending acceptance (they take effect once an administrator accepts them):")
            + "\n"
        )
        text += "".join(f"  {f.path}  sha256 {f.sha256[:16]}\n" for f in pending)
    return text


def reload_rulebook(db: Database) -> RuleBook:
    """Forget the cached rule book (after an administrator adds a file) and read it again.

    Administrador only, as the users of ``db`` say. Reloading never puts a file in force: only
    the files whose content was accepted (:func:`accept_rule_file`) are read.

    Raises:
        InputError: ``auth.role_required``.
        RuleSetError: a malformed file.
    """
    from tresxuno.services.auth import require

    require(db, "rules.reload")
    _cached_rulebook.cache_clear()
    return rulebook(db)


def folio_code(program: str) -> str:
    """The code a programme's folios start with (its ``folio_prefix``, else its id in capitals)."""
    known = rulebook().programs.get(program)
    return known.folio_code if known else program.upper()


@dataclass(frozen=True)
class ShareQuote:
    """The answer to "how is this project split?": the rule set used and the allocation."""

    program: str
    year: int
    category: str
    rule_set: RuleSet
    allocation: Allocation
    partner_mode: str

    def as_contract_json(self) -> dict[str, object]:
        """The ``tresxuno shares --json`` object (amounts as strings with two decimals)."""
        return {
            "program": self.program,
            "year": self.year,
            "category": self.category,
            "cost": str(Money(self.allocation.cost)),
            "currency": self.allocation.currency,
            "shares": {s.party.value: str(Money(s.amount)) for s in self.allocation.shares},
            "capped": [p.value for p in self.allocation.capped],
        }

    def as_text(self) -> str:
        """The ``tresxuno shares`` table for the terminal, in the language in force."""
        return shares_table(self.program, self.year, self.category, self.rule_set, self.allocation)


def parse_mix(mix: Mapping[str, str]) -> dict[Party, int]:
    """Percentages typed per party ("25", "33.34") to basis points.

    Raises:
        InputError: an unknown party or a percentage that is not a number from 0 to 100.
    """
    from decimal import Decimal, InvalidOperation

    result: dict[Party, int] = {}
    problems = []
    for key, text in mix.items():
        try:
            party = Party(key.strip())
        except ValueError:
            problems.append(Problem("mix", "mix.unknown_party", {"party": key}))
            continue
        try:
            value = Decimal(str(text).strip().rstrip("%"))
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value < 0 or value > 100 or value != value.quantize(Decimal("0.01")):
            problems.append(
                Problem(f"mix.{party.value}", "number.out_of_range", {"value": text, "min": 0, "max": 100})
            )
            continue
        result[party] = int(value * 100)
    if problems:
        raise InputError(problems)
    return result


def quote_shares(
    program: str,
    year: int,
    category: str,
    cost: Money,
    *,
    partner_amount: Money | None = None,
    partner_mode: str | None = None,
    override: MixOverride | None = None,
    book: RuleBook | None = None,
    joint_split_bp: int | None = None,
    authorisations: Sequence[CapAuthorisation] = (),
) -> ShareQuote:
    """Compute each party's share of a proposed project, to the centavo.

    Args:
        program: programme id (``3x1``...).
        year: fiscal year.
        category: category id.
        cost: total cost in MXN (positive).
        partner_amount: a fixed amount agreed with the partner (MXN); implies partner mode "fixed".
        partner_mode: "none", "rule" or "fixed"; by default "rule" where the rule set has a
            partner percentage, else "none".
        override: a per-project mix with its reason, or None for the rule set's mix.
        book: the rule book to use (the shipped and administrator rule sets by default).
        joint_split_bp: the state's basis points of the joint state and municipal share as agreed in
            the convenio (None: the rule set's default split).
        authorisations: recorded leave for a party to pay above its cap.

    Raises:
        InputError: unknown programme, category or year, or inputs the allocation refuses.
    """
    book = book or rulebook()
    rule_set = book.find(program, year, category)
    if cost.currency != "MXN":
        raise InputError(
            Problem("cost", "amount.wrong_currency", {"expected": "MXN", "found": cost.currency})
        )
    if partner_amount is not None:
        partner = PartnerChoice("fixed", partner_amount.centavos)
    else:
        partner = PartnerChoice(partner_mode or ("rule" if rule_set.has_partner else "none"))
    joint_split = split_joint(rule_set, joint_split_bp) if override is None else None
    allocation = compute_shares(
        rule_set,
        year,
        cost.centavos,
        partner=partner,
        override=override,
        joint_split=joint_split,
        authorisations=authorisations,
    )
    return ShareQuote(program, year, category, rule_set, allocation, partner.mode)
