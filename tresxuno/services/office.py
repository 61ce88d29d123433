"""The office's own data: its name, municipality and logo, printed on every report and shown in the title.

Stored in the database (``settings`` table), not in the per-user preferences, so every workstation
sharing a database agrees. Also whether a database still holds no records (first run, demo data).
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from tresxuno import paths
from tresxuno.db.engine import Database
from tresxuno.db.models import Club, Federation, Project
from tresxuno.db.repos.catalogue import CatalogueRepository
from tresxuno.db.repos.settings import (
    OFFICE_LOGO,
    OFFICE_MUNICIPALITY,
    OFFICE_NAME,
    OFFICE_RFC,
    OFFICE_TIMEZONE,
    SEPARATION_OF_DUTIES,
    SettingsRepository,
)
from tresxuno.domain import limits
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.rfc import check_rfc, normalize_rfc
from tresxuno.domain.validation import clean_text
from tresxuno.formatting import set_office_zone
from tresxuno.services.auth import require

#: Longest office name accepted: it must fit a report's letterhead on one or two lines.
MAX_NAME = limits.NAME
#: Largest logo accepted, in bytes: a letterhead logo is tens of kilobytes; 5 MB catches a wrong file.
MAX_LOGO_BYTES = 5 * 1024 * 1024
#: Image formats the report renderer (reportlab) and Qt both read, by their first bytes.
_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}


@dataclass(frozen=True)
class OfficeSettings:
    """Who runs this database: the office's name, its municipality's INEGI key and its logo.

    Attributes:
        name: the office's name as printed on reports ("" when never set).
        municipality_key: five-digit INEGI key ("32020"), or "" when never set.
        logo_path: absolute path of the logo (a copy in the user's data folder), or "" for none.
        rfc: the municipality's RFC, the receiver every paid invoice must name ("" when never set;
            stored by :func:`set_office_rfc`, not by :func:`save_office_settings`).
    """

    name: str = ""
    municipality_key: str = ""
    logo_path: str = ""
    rfc: str = ""

    @property
    def is_set(self) -> bool:
        """Whether the office was set up (the first-run dialog is shown until it is)."""
        return bool(self.name)


def office_settings(db: Database) -> OfficeSettings:
    """The office's settings as stored; empty strings for whatever was never set.

    Raises:
        StorageError: the database cannot be read.
    """
    with db.transaction() as session:
        return OfficeSettings(
            name=SettingsRepository.get(session, OFFICE_NAME, "") or "",
            municipality_key=SettingsRepository.get(session, OFFICE_MUNICIPALITY, "") or "",
            logo_path=SettingsRepository.get(session, OFFICE_LOGO, "") or "",
            rfc=SettingsRepository.get(session, OFFICE_RFC, "") or "",
        )


def logos_dir() -> Path:
    """Where chosen logos are copied, so a report still finds the logo after the original moves."""
    return paths.user_data_dir() / "logos"


def check_logo(path_text: str, problems: list[Problem]) -> tuple[Path, str] | None:
    """The logo file and its canonical suffix, or None with a problem recorded."""
    path = Path(path_text).expanduser()
    if not path.is_file():
        problems.append(Problem("logo", "file.not_found", {"path": str(path)}))
        return None
    if path.stat().st_size > MAX_LOGO_BYTES:
        problems.append(Problem("logo", "file.too_large", {"max_mb": MAX_LOGO_BYTES // (1024 * 1024)}))
        return None
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = next((s for magic, s in _IMAGE_MAGIC.items() if head.startswith(magic)), None)
    if suffix is None:
        problems.append(Problem("logo", "logo.not_image", {"path": str(path)}))
        return None
    return path, suffix


def _copy_logo(source: Path, suffix: str) -> Path:
    """Copy ``source`` into :func:`logos_dir` under a name made of its content's hash.

    A new logo never overwrites an old one: earlier printed reports may be reprinted with it.
    """
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = logos_dir() / f"logo-{digest}{suffix}"
    if source.resolve() != target.resolve():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return target


def logo_file(content: bytes) -> Path:
    """A logo kept in the database, as a file in :func:`logos_dir` the report renderer can draw.

    Named by the content's hash, so it is written once and a changed logo gets a new file.
    """
    suffix = next((s for magic, s in _IMAGE_MAGIC.items() if content.startswith(magic)), ".img")
    target = logos_dir() / f"logo-{hashlib.sha256(content).hexdigest()[:16]}{suffix}"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return target


def save_office_settings(db: Database, settings: OfficeSettings) -> OfficeSettings:
    """Check and store the office's settings; the logo is copied into the user's data folder first.

    Args:
        db: the open database.
        settings: the name (required), the municipality's INEGI key (required, must exist) and the
            logo's path ("" for none; a PNG or JPEG file of at most :data:`MAX_LOGO_BYTES`).

    Returns:
        What was stored: the name trimmed, and ``logo_path`` pointing at the copy.

    Raises:
        InputError: problems on ``name``, ``municipality_key`` or ``logo``; nothing is stored.
        StorageError: the database cannot be written.
    """
    require(db, "settings.edit")
    problems: list[Problem] = []
    name = clean_text(settings.name, "name", problems, max_len=MAX_NAME)
    key = settings.municipality_key.strip()
    logo = check_logo(settings.logo_path, problems) if settings.logo_path.strip() else None
    with db.transaction(immediate=True) as session:
        if not key:
            problems.append(Problem("municipality_key", "text.required", {}))
        elif CatalogueRepository.municipality(session, key) is None:
            problems.append(Problem("municipality_key", "municipality.unknown", {"key": key}))
        if problems:
            raise InputError(problems)
        logo_path = str(_copy_logo(*logo)) if logo is not None else ""
        SettingsRepository.set(session, OFFICE_NAME, name)
        SettingsRepository.set(session, OFFICE_MUNICIPALITY, key)
        SettingsRepository.set(session, OFFICE_LOGO, logo_path)
        rfc = SettingsRepository.get(session, OFFICE_RFC, "") or ""
    return OfficeSettings(name, key, logo_path, rfc)


def set_office_rfc(db: Database, rfc: str, *, accept_check_digit: bool = False) -> str:
    """Store the municipality's RFC: every CFDI paid from now on must be billed to it.

    Args:
        db: the open database.
        rfc: the RFC (spaces and hyphens are fine), or "" to stop checking the receiver.
        accept_check_digit: the officer confirmed an RFC whose SAT check digit does not match
            (some municipalities' real RFCs fail it, e.g. Cuautitlán Izcalli's on its invoices).

    Returns:
        The RFC as stored (normalised), or "".

    Raises:
        InputError: ``rfc.*`` for an RFC of the wrong shape, or ``rfc.check_digit`` for a wrong
            check digit not confirmed; nothing is stored.
    """
    require(db, "settings.edit")
    value = normalize_rfc(rfc) if rfc.strip() else ""
    problems = check_rfc(value, "rfc", check_digit=not accept_check_digit) if value else []
    if problems:
        raise InputError(problems)
    with db.transaction(immediate=True) as session:
        SettingsRepository.set(session, OFFICE_RFC, value)
    return value


def holds_records(db: Database) -> bool:
    """Whether the database holds any federation, club or project (demo data needs none)."""
    with db.transaction() as session:
        for model in (Project, Club, Federation):
            if session.scalar(select(func.count()).select_from(model)):
                return True
    return False


def separation_of_duties(db: Database) -> bool:
    """Whether nobody may rule on what they captured nor reverse their own payment (the default)."""
    with db.transaction() as session:
        return (SettingsRepository.get(session, SEPARATION_OF_DUTIES, "on") or "on") != "off"


def set_separation_of_duties(db: Database, enabled: bool) -> bool:
    """Keep or waive separation of duties for the office (administrador; recorded in the audit trail).

    A one-person office waives it: the same officer captures, prevalidates and pays. Every act the
    waiver lets through says so in its stage history and on the documents that print it.

    Raises:
        InputError: ``auth.role_required``.
    """
    require(db, "settings.edit")
    with db.transaction(immediate=True) as session:
        SettingsRepository.set(session, SEPARATION_OF_DUTIES, "on" if enabled else "off")
    return enabled


#: The zones of Mexico an office may be in, as the IANA database names them.
MEXICAN_ZONES: tuple[str, ...] = (
    "America/Mexico_City",
    "America/Cancun",
    "America/Merida",
    "America/Monterrey",
    "America/Matamoros",
    "America/Chihuahua",
    "America/Ciudad_Juarez",
    "America/Ojinaga",
    "America/Mazatlan",
    "America/Bahia_Banderas",
    "America/Hermosillo",
    "America/Tijuana",
)


def apply_office_zone(db: Database) -> str | None:
    """Print local dates in the office's zone from now on (read from its settings; None: the computer's)."""
    with db.transaction() as session:
        name = SettingsRepository.get(session, OFFICE_TIMEZONE, "") or ""
    return set_office_zone(name or None)


def set_office_timezone(db: Database, name: str) -> str | None:
    """Store the office's time zone (administrador) and use it at once.

    Raises:
        InputError: ``auth.role_required``; ``office.timezone_unknown`` (not a zone of Mexico).
    """
    require(db, "settings.edit")
    if name not in MEXICAN_ZONES:
        raise InputError(
            Problem(
                "timezone", "office.timezone_unknown", {"value": name, "allowed": ", ".join(MEXICAN_ZONES)}
            )
        )
    with db.transaction(immediate=True) as session:
        SettingsRepository.set(session, OFFICE_TIMEZONE, name)
    return set_office_zone(name)
