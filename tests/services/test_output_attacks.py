"""Attacks with output files: ``-o`` (and the save dialogs' services) aimed at the database and at non-files.

An auditor once ran ``export ledger --format csv -o demo.sqlite`` and the live database was gone (exit
0); ``backup -o`` replaced the database's own ``-wal``. Each test performs such an attack through the
service and through ``python -m tresxuno`` (a real subprocess) and asserts a specific refusal, exit 2,
and the database file byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tresxuno.db.engine import Database, open_database
from tresxuno.demo.projects import generate_demo
from tresxuno.domain.problems import InputError
from tresxuno.services.backups import backup_database
from tresxuno.services.exports import export_ledger
from tresxuno.services.output_files import copy_output
from tresxuno.services.reporting.run import write_report

pytestmark = pytest.mark.sqlite_only  # about the SQLite file and its neighbours

POSIX = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and symbolic links as POSIX has them")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outputs") / "demo.sqlite"
    db = open_database(str(path))
    generate_demo(db, projects=12, seed=5)
    db.dispose()
    return path


@pytest.fixture
def demo(tmp_path: Path, template: Path) -> Iterator[Database]:
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(template, path)
    database = open_database(str(path))
    yield database
    database.dispose()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folio_of(db: Database) -> str:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return str(conn.execute(text("SELECT folio FROM projects ORDER BY id LIMIT 1")).scalar())


#: Each writer as a service call ``(db, target, force)`` and as CLI arguments after ``--db FILE``.
def _export(db: Database, target: Path, force: bool) -> object:
    return export_ledger(db, "csv", target, force=force)


def _report(db: Database, target: Path, force: bool) -> object:
    return write_report(db, "project", target, folio=folio_of(db), printed_by="auditor", force=force)


def _backup(db: Database, target: Path, force: bool) -> object:
    return backup_database(db, target, force=force)


def _save_as(db: Database, target: Path, force: bool) -> object:
    source = target.parent / "informe-listo.pdf"
    if not source.exists():
        source.write_bytes(b"%PDF-1.4 a finished report\n")
    return copy_output(source, target, db=db, force=force)


SERVICES: dict[str, Callable[[Database, Path, bool], object]] = {
    "export": _export,
    "report": _report,
    "backup": _backup,
    "save_as": _save_as,
}


def cli_args(name: str, db: Database) -> list[str]:
    return {
        "export": ["export", "ledger", "--format", "csv"],
        "report": ["report", "project", "--project", folio_of(db)],
        "backup": ["backup"],
    }[name]


def cli(db: Database, name: str, target: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = cli_args(name, db)
    db.dispose()
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tresxuno",
            "--db",
            str(db.path),
            "--lang",
            "en",
            *args,
            "-o",
            str(target),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def refused(call: Callable[[], object], code: str) -> InputError:
    with pytest.raises(InputError) as info:
        call()
    [problem] = info.value.problems
    assert (problem.field, problem.code) == ("output", code)
    return info.value


# --- The database itself and its side files --------------------------------------------------------


@pytest.mark.parametrize("name", list(SERVICES))
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_the_database_and_its_side_files_are_never_written_even_with_force(demo, name, suffix):
    database = demo.path
    target = Path(str(database) + suffix)
    before = digest(database)
    side_before = target.read_bytes() if target.exists() else None
    for force in (False, True):
        refused(lambda force=force: SERVICES[name](demo, target, force), "output.is_database")
    assert digest(database) == before
    assert (target.read_bytes() if target.exists() else None) == side_before
    assert not [p for p in database.parent.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("name", ["export", "report", "backup"])
@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_cli_refuses_the_database_and_its_wal_even_with_force(demo, name, suffix):
    database = demo.path
    before = digest(database)
    target = Path(str(database) + suffix)
    for extra in ((), ("--force",)):
        result = cli(demo, name, target, *extra)
        assert result.returncode == 2, result.stderr
        assert f"-o: {target} is the database in use" in result.stderr
        assert digest(database) == before
    if suffix:
        assert not target.exists()


@POSIX
@pytest.mark.parametrize("name", list(SERVICES))
def test_a_symbolic_link_to_the_database_is_the_database(demo, tmp_path, name):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = elsewhere / "informe.csv"
    link.symlink_to(demo.path)
    wal_link = elsewhere / "bitacora.log"
    wal_link.symlink_to(Path(str(demo.path) + "-wal"))  # dangling while the -wal is absent
    before = digest(demo.path)
    refused(lambda: SERVICES[name](demo, link, True), "output.is_database")
    refused(lambda: SERVICES[name](demo, wal_link, True), "output.is_database")
    assert digest(demo.path) == before and link.is_symlink()


@POSIX
def test_cli_a_symbolic_link_and_a_linked_folder_to_the_database(demo, tmp_path):
    before = digest(demo.path)
    link = tmp_path / "libro.csv"
    link.symlink_to(demo.path)
    result = cli(demo, "export", link, "--force")
    assert result.returncode == 2 and "is the database in use" in result.stderr
    folder = tmp_path / "atajo"
    folder.symlink_to(demo.path.parent, target_is_directory=True)
    result = cli(demo, "backup", folder / (demo.path.name + "-wal"), "--force")
    assert result.returncode == 2 and "is the database in use" in result.stderr
    assert digest(demo.path) == before


@pytest.mark.parametrize("name", list(SERVICES))
def test_a_hard_link_to_the_database_is_the_database(demo, tmp_path, name):
    link = tmp_path / "otro-nombre.pdf"
    try:
        os.link(demo.path, link)
    except OSError:
        pytest.skip("no hard links on this file system")
    before = digest(demo.path)
    refused(lambda: SERVICES[name](demo, link, True), "output.is_database")
    assert digest(demo.path) == before and os.stat(link).st_nlink == 2
    result = cli(demo, "export", link, "--force") if name == "export" else None
    if result is not None:
        assert result.returncode == 2 and "is the database in use" in result.stderr
        assert digest(demo.path) == before


# --- Not a regular file --------------------------------------------------------------------------


@POSIX
@pytest.mark.parametrize("name", list(SERVICES))
def test_a_fifo_is_refused_without_being_opened(demo, tmp_path, name):
    fifo = tmp_path / "tuberia.csv"
    os.mkfifo(fifo)
    # Opening a FIFO for writing would block this test forever: the refusal comes first.
    refused(lambda: SERVICES[name](demo, fifo, True), "output.not_regular")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    if name != "save_as":
        result = cli(demo, name, fifo, "--force")
        assert result.returncode == 2 and f"-o: {fifo} is not a regular file" in result.stderr


@pytest.mark.parametrize("name", list(SERVICES))
def test_a_folder_is_refused(demo, tmp_path, name):
    folder = tmp_path / "carpeta.pdf"
    folder.mkdir()
    (folder / "dentro.txt").write_text("intacto", encoding="utf-8")
    refused(lambda: SERVICES[name](demo, folder, True), "output.not_regular")
    assert (folder / "dentro.txt").read_text(encoding="utf-8") == "intacto"
    if name != "save_as":
        result = cli(demo, name, folder, "--force")
        assert result.returncode == 2 and "is not a regular file" in result.stderr


@POSIX
@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
@pytest.mark.parametrize("name", list(SERVICES))
def test_a_device_is_refused(demo, name):
    device = Path("/dev/null")
    refused(lambda: SERVICES[name](demo, device, True), "output.not_regular")
    if name != "save_as":
        result = cli(demo, name, device, "--force")
        assert result.returncode == 2 and "-o: /dev/null is not a regular file" in result.stderr


def test_a_missing_folder_is_named(demo, tmp_path):
    target = tmp_path / "no-existe" / "libro.csv"
    refused(lambda: export_ledger(demo, "csv", target), "output.no_folder")
    result = cli(demo, "export", target)
    assert result.returncode == 2 and f"-o: the folder of {target} does not exist" in result.stderr


# --- An existing file: only with --force ----------------------------------------------------------


@pytest.mark.parametrize("name", list(SERVICES))
def test_an_existing_file_is_replaced_only_with_force(demo, tmp_path, name):
    target = tmp_path / "trabajo-de-ayer.dat"
    target.write_text("el trabajo de ayer", encoding="utf-8")
    refused(lambda: SERVICES[name](demo, target, False), "output.exists")
    assert target.read_text(encoding="utf-8") == "el trabajo de ayer"
    SERVICES[name](demo, target, True)
    assert target.read_bytes() != b"el trabajo de ayer"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []


@pytest.mark.parametrize("name", ["export", "report", "backup"])
def test_cli_names_the_file_and_force(demo, tmp_path, name):
    target = tmp_path / "trabajo-de-ayer.dat"
    target.write_text("el trabajo de ayer", encoding="utf-8")
    before = digest(demo.path)
    result = cli(demo, name, target)
    assert result.returncode == 2
    assert result.stderr.strip() == f"tresxuno: -o: {target} already exists; add --force to replace it"
    assert target.read_text(encoding="utf-8") == "el trabajo de ayer"
    result = cli(demo, name, target, "--force")
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() != b"el trabajo de ayer"
    assert digest(demo.path) == before or name != "backup"  # a backup reads; the others too


def test_a_file_appearing_during_an_export_is_not_replaced(demo, tmp_path):
    target = tmp_path / "libro.csv"

    def progress(done: int, total: int, message: str) -> None:
        if not target.exists():
            target.write_text("llegó mientras tanto", encoding="utf-8")

    refused(lambda: export_ledger(demo, "csv", target, progress=progress), "output.exists")
    assert target.read_text(encoding="utf-8") == "llegó mientras tanto"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
