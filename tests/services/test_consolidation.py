"""Consolidation packages: a municipal office on its own SQLite file sends its changes to the state.

The municipal office (a SQLite file) registers a club, captures projects up to a signed convenio,
files their documents and records deposits; the state (the ``db`` fixture: SQLite, or PostgreSQL in
the server lane) imports its packages. Round trip, idempotence, the next package, and each refusal:
a tampered package, a forged one, a missing one, a project outside the office's jurisdiction, and a
record changed on both sides (shown with both versions, imported only once the state decides).
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.digest import database_digest
from tests.services.test_ledger import new_club, signed_project
from tests.services.test_registry_and_projects import club_input
from tresxuno.db.engine import Database, open_database
from tresxuno.db.models import AttachmentContent, ConsolidationConflict, LedgerEntry, Project
from tresxuno.domain.consolidation import new_private_key, public_key_of
from tresxuno.domain.ledger import ContributionInput
from tresxuno.domain.problems import InputError
from tresxuno.services import clubs, consolidation, consolidation_import, offices
from tresxuno.services.audit import check_integrity
from tresxuno.services.ledger import project_balance, record_contribution

JEREZ = "32020"


@pytest.fixture
def municipal(migrated_template: Path, tmp_path: Path) -> Iterator[Database]:
    """Jerez's own file: a club, two projects with a signed convenio and their documents, one deposit."""
    path = tmp_path / "jerez.sqlite"
    shutil.copyfile(migrated_template, path)
    db = open_database(str(path))
    club = new_club(db)
    for year, program in ((2019, "3x1"), (2020, "2x1-zacatecas")):
        project = signed_project(
            db, tmp_path / f"p{year}", club_id=club.id, fiscal_year=year, program=program
        )
        record_contribution(db, ContributionInput(project.id, "club", date(year, 6, 1), amount=250_000_00))
    yield db
    db.dispose()


def register_jerez(db: Database) -> Database:
    """``db`` as the state's database, with Jerez registered under this computer's consolidation key."""
    offices.create_office(
        db,
        offices.OfficeInput(
            "jerez",
            "Presidencia Municipal de Jerez",
            "municipal",
            "32",
            (JEREZ,),
            public_key=consolidation.public_key(),
        ),
    )
    return db


@pytest.fixture
def state(db: Database) -> Database:
    return register_jerez(db)


def _export(db: Database, path: Path, **options) -> Path:
    consolidation.export_package(db, path, **options)
    return path


def _money(db: Database) -> dict[str, tuple[int, tuple]]:
    """Per folio: cash and every party's received and paid, as the state's screens show them."""
    with db.transaction() as session:
        ids = dict(session.execute(select(Project.folio, Project.id)).all())
    result = {}
    for folio, pid in ids.items():
        b = project_balance(db, pid)
        result[folio] = (b.cash, tuple((p.party, p.share, p.received, p.paid) for p in b.parties))
    return result


def test_a_package_round_trips_and_importing_it_again_changes_nothing(municipal, state, tmp_path):
    package = _export(municipal, tmp_path / "jerez-1.zip")
    summary = consolidation_import.import_package(state, package, "jerez")
    assert not summary.already_imported and summary.rows > 0 and summary.conflicts == ()
    assert _money(state) == _money(municipal)  # every project, every party, to the centavo
    with municipal.transaction() as session:
        files = set(session.scalars(select(AttachmentContent.sha256)))
        entries = session.scalar(select(func.count()).select_from(LedgerEntry))
    with state.transaction() as session:
        assert files <= set(session.scalars(select(AttachmentContent.sha256)))  # the scans came too
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == entries
    assert check_integrity(state).ok  # the state's own trail recorded every row it wrote

    before = database_digest(state)
    again = consolidation_import.import_package(state, package, "jerez")
    assert again.already_imported and database_digest(state) == before


def test_the_next_package_carries_only_what_changed_since(municipal, state, tmp_path):
    first = _export(municipal, tmp_path / "jerez-1.zip")
    consolidation_import.import_package(state, first, "jerez")
    with municipal.transaction() as session:
        pid = session.scalar(select(Project.id).order_by(Project.id))
    record_contribution(municipal, ContributionInput(pid, "federal", date(2019, 7, 1), amount=100_000_00))
    second = _export(municipal, tmp_path / "jerez-2.zip")
    summary = consolidation_import.import_package(state, second, "jerez")
    assert summary.from_seq > 1 and summary.conflicts == ()
    assert _money(state) == _money(municipal)
    before = database_digest(state)
    assert consolidation_import.import_package(state, first, "jerez").already_imported
    assert database_digest(state) == before


def test_with_nothing_recorded_since_the_last_package_there_is_nothing_to_send(municipal, tmp_path):
    """Writing a package records what it sent; that record alone is not news for the state."""
    out = tmp_path / "paquetes"
    out.mkdir()
    first = _export(municipal, out / "jerez-1.zip")
    assert consolidation.unsent(municipal).records == 0
    with pytest.raises(InputError) as refused:
        consolidation.export_package(municipal, out / "jerez-2.zip")
    assert refused.value.problems[0].code == "consolidation.nothing_new"
    assert sorted(p.name for p in out.iterdir()) == [first.name]
    new_club(municipal, 2)
    waiting = consolidation.unsent(municipal)
    assert waiting.records > 0
    second = consolidation.export_package(municipal, out / "jerez-2.zip")
    # The next package starts right after the last one sent, bookkeeping record included.
    assert (second.from_seq, second.to_seq) == (waiting.first, waiting.last)


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the package with one member changed by ``change(name, bytes) -> bytes``."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, change(name, zin.read(name)))
    return target


def test_a_tampered_or_forged_package_is_refused_and_nothing_changes(municipal, state, tmp_path):
    package = _export(municipal, tmp_path / "jerez-1.zip")
    before = database_digest(state)

    def more_money(name: str, data: bytes) -> bytes:
        return data.replace(b"25000000", b"95000000") if name == "trail.jsonl" else data

    def later_start(name: str, data: bytes) -> bytes:
        return data.replace(b'"from_seq":1', b'"from_seq":2') if name == "manifest.json" else data

    for change, code in (
        (more_money, "consolidation.tampered"),
        (later_start, "consolidation.bad_signature"),
    ):
        altered = _rewrite(package, tmp_path / f"{change.__name__}.zip", change)
        with pytest.raises(InputError) as refused:
            consolidation_import.import_package(state, altered, "jerez")
        assert [p.code for p in refused.value.problems] == [code]
    # Signed with another key than the one registered for Jerez: someone else's package.
    offices.update_office(
        state,
        "jerez",
        offices.OfficeInput(
            "jerez", "Presidencia Municipal de Jerez", "municipal", "32", (JEREZ,),
            public_key=public_key_of(new_private_key()),
        ),
        expected_version=1,
    )  # fmt: skip
    with pytest.raises(InputError) as refused:
        consolidation_import.import_package(state, package, "jerez")
    assert [p.code for p in refused.value.problems] == ["consolidation.bad_signature"]
    assert database_digest(state) != before  # only the office's key changed:
    with state.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Project)) == 0


def test_a_package_that_skips_one_is_refused(municipal, state, tmp_path):
    consolidation_import.import_package(state, _export(municipal, tmp_path / "1.zip"), "jerez")
    with municipal.transaction() as session:
        pid = session.scalar(select(Project.id).order_by(Project.id))
    record_contribution(municipal, ContributionInput(pid, "state", date(2019, 7, 1), amount=10_00))
    _export(municipal, tmp_path / "2.zip")  # lost on the way
    record_contribution(municipal, ContributionInput(pid, "state", date(2019, 7, 2), amount=10_00))
    third = _export(municipal, tmp_path / "3.zip")
    before = database_digest(state)
    with pytest.raises(InputError) as refused:
        consolidation_import.import_package(state, third, "jerez")
    assert [p.code for p in refused.value.problems] == ["consolidation.gap"]
    assert database_digest(state) == before
    # Sent again from where the state stands, it goes through.
    resent = consolidation.export_package(municipal, tmp_path / "2-3.zip", since=1)
    assert consolidation_import.import_package(state, resent.path, "jerez").conflicts == ()
    assert _money(state) == _money(municipal)


def test_a_package_with_projects_outside_the_offices_jurisdiction_is_refused(municipal, db, tmp_path):
    offices.create_office(
        db,
        offices.OfficeInput(
            "fresnillo", "Presidencia Municipal de Fresnillo", "municipal", "32", ("32010",),
            public_key=consolidation.public_key(),
        ),
    )  # fmt: skip
    before = database_digest(db)
    with pytest.raises(InputError) as refused:
        consolidation_import.import_package(db, _export(municipal, tmp_path / "1.zip"), "fresnillo")
    assert [p.code for p in refused.value.problems] == ["consolidation.outside_jurisdiction"]
    assert database_digest(db) == before


def test_a_record_changed_on_both_sides_is_shown_with_both_versions_until_the_state_decides(
    municipal, state, tmp_path
):
    consolidation_import.import_package(state, _export(municipal, tmp_path / "1.zip"), "jerez")
    with state.transaction() as session:
        from tresxuno.db.models import Club

        state_club = session.scalars(select(Club)).one()
    clubs.update_club(
        state, state_club.id, club_input(toma_folio=state_club.toma_folio, name="Club Jerezano (estatal)"),
        expected_version=state_club.version,
    )  # fmt: skip
    with municipal.transaction() as session:
        from tresxuno.db.models import Club

        own = session.scalars(select(Club)).one()
    clubs.update_club(
        municipal, own.id, club_input(toma_folio=own.toma_folio, name="Club Jerezano (municipal)"),
        expected_version=own.version,
    )  # fmt: skip
    second = _export(municipal, tmp_path / "2.zip")
    before = database_digest(state)
    with pytest.raises(consolidation_import.ConsolidationConflictError) as refused:
        consolidation_import.import_package(state, second, "jerez")
    assert database_digest(state) == before
    (conflict,) = [c for c in refused.value.conflicts if c.table == "clubs"]
    assert "Club Jerezano (municipal)" in conflict.theirs and "Club Jerezano (estatal)" in conflict.ours
    summary = consolidation_import.import_package(state, second, "jerez", decision="theirs")
    assert [c.table for c in summary.conflicts] == ["clubs"]
    with state.transaction() as session:
        from tresxuno.db.models import Club

        assert session.scalars(select(Club.name)).one() == "Club Jerezano (municipal)"
        kept = session.scalars(select(ConsolidationConflict)).one()
        assert kept.decision == "theirs" and "(estatal)" in kept.ours and "(municipal)" in kept.theirs
