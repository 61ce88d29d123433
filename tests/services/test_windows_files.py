"""Windows by construction: every file replacement survives a file held open, and paths are Windows' own.

No Windows machine runs these tests. What Windows does is simulated where the app meets it: ``os.replace``,
``unlink``, ``shutil.copy2`` and SQLite raise what Windows raises when another program holds the file
(``PermissionError``, ``WinError 32``, "database is locked") a few times, or for good; paths are written
the ``ntpath`` way (drive letters, spaces, accents, UNC shares, more than 260 characters).
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tresxuno import paths
from tresxuno.cli import CONSOLE_PROBE, console_safe, main
from tresxuno.domain.problems import StorageError
from tresxuno.messages import describe_storage
from tresxuno.services import backups, data_location, file_ops
from tresxuno.services.backups import backup_database, prune_backups, restore_database
from tresxuno.services.data_location import move_data_folder
from tresxuno.services.exports import export_ledger
from tresxuno.services.output_files import copy_output

pytestmark = pytest.mark.sqlite_only
ROOT = Path(__file__).resolve().parents[2]


def held(*, winerror: int | None = None) -> OSError:
    """What Windows raises for a file another process holds (``winerror`` as on Windows, when given)."""
    exc = PermissionError(
        13, "The process cannot access the file because it is being used by another process"
    )
    if winerror is not None:
        exc.winerror = winerror  # type: ignore[attr-defined]
    return exc


class Flaky:
    """Wraps a real function; its first ``fails`` calls (all when None) raise ``error`` instead."""

    def __init__(self, real: Callable[..., Any], fails: int | None, error: Callable[[], BaseException]):
        self.real, self.fails, self.error, self.calls = real, fails, error, []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(args)
        if self.fails is None or len(self.calls) <= self.fails:
            raise self.error()
        return self.real(*args, **kwargs)


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The pauses between tries, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(paths, "_sleep", slept.append)
    return slept


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# --- Exports and saved files over an existing file (--force) -------------------------------------


def test_an_export_over_a_file_excel_releases_after_a_moment_replaces_it(db, tmp_path, monkeypatch, waits):
    target = tmp_path / "Libro de movimientos 2026 — Tesorería.csv"
    target.write_text("last month's export", encoding="utf-8")
    replace = Flaky(os.replace, 3, lambda: held())
    monkeypatch.setattr(os, "replace", replace)
    export_ledger(db, "csv", target, force=True)
    assert target.read_text(encoding="utf-8-sig").startswith("asiento,fecha,")
    assert len(replace.calls) == 4 and waits == list(file_ops.RETRY_DELAYS[:3])
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("windows", "winerror", "code"),
    [
        (False, 32, "file.in_use"),  # Windows said "used by another process" outright
        (True, None, "file.in_use_or_denied"),  # a bare "access denied" on Windows: either
        (False, None, "file.not_writable"),  # POSIX never refuses an open file: a permission problem
    ],
)
def test_a_file_still_held_is_named_and_left_as_it_was(
    db, tmp_path, monkeypatch, waits, windows, winerror, code
):
    monkeypatch.setattr(file_ops, "ON_WINDOWS", windows)
    target = tmp_path / "libro.csv"
    target.write_text("open in Excel", encoding="utf-8")
    monkeypatch.setattr(os, "replace", Flaky(os.replace, None, lambda: held(winerror=winerror)))
    with pytest.raises(StorageError) as info:
        export_ledger(db, "csv", target, force=True)
    assert info.value.code == code and info.value.params["path"] == str(target)
    assert len(waits) == len(file_ops.RETRY_DELAYS)  # tried again before giving up
    assert target.read_text(encoding="utf-8") == "open in Excel"
    assert leftovers(tmp_path) == []
    if code != "file.not_writable":
        text = describe_storage(info.value)
        assert str(target) in text and "Excel" in text and "tresxuno" in text


def test_the_cli_says_in_one_line_which_file_another_program_holds(db, tmp_path, monkeypatch, waits):
    target = tmp_path / "Año 2026" / "libro.csv"
    target.parent.mkdir()
    target.write_text("open", encoding="utf-8")
    db.dispose()
    monkeypatch.setattr(os, "replace", Flaky(os.replace, None, lambda: held(winerror=32)))
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--db", str(db.path), "export", "ledger", "--format", "csv", "-o", str(target), "--force"], out, err
    )
    assert code == 1 and out.getvalue() == ""
    assert err.getvalue().count("\n") == 1 and str(target) in err.getvalue() and "Excel" in err.getvalue()


def test_a_report_saved_over_an_open_copy_waits_for_it(tmp_path, monkeypatch, waits):
    source = tmp_path / "preview.pdf"
    source.write_bytes(b"%PDF-1.4 new")
    target = tmp_path / "Cédula del proyecto.pdf"
    target.write_bytes(b"%PDF-1.4 old")
    monkeypatch.setattr(os, "replace", Flaky(os.replace, 2, lambda: held(winerror=32)))
    copy_output(source, target, force=True)
    assert target.read_bytes() == b"%PDF-1.4 new"


# --- Backups ------------------------------------------------------------------------------------


def test_a_backup_over_one_being_scanned_is_written_once_the_scan_ends(db, tmp_path, monkeypatch, waits):
    target = tmp_path / "respaldo.sqlite"
    target.write_bytes(b"older backup")
    monkeypatch.setattr(os, "replace", Flaky(os.replace, 2, lambda: held(winerror=32)))
    backup_database(db, target, force=True)
    assert target.read_bytes().startswith(b"SQLite format 3\x00")
    assert waits == list(file_ops.RETRY_DELAYS[:2])


def test_an_automatic_backup_survives_an_antivirus_scanning_the_copy_just_written(db, monkeypatch, waits):
    from tresxuno.services.backups import automatic_backup

    replace = Flaky(os.replace, 2, lambda: held(winerror=32))
    monkeypatch.setattr(os, "replace", replace)
    copy = automatic_backup(db, reason="al-cerrar")
    assert copy is not None and copy.read_bytes().startswith(b"SQLite format 3\x00")
    assert len(replace.calls) == 3 and not copy.with_name(copy.name + ".part").exists()


def test_pruning_skips_a_backup_another_program_holds_and_never_fails(db, tmp_path, monkeypatch, waits):
    folder = tmp_path / "backups"
    folder.mkdir()
    names = [f"{db.path.stem}-2026010{i}-120000.sqlite" for i in range(1, 6)]
    for name in names:
        (folder / name).write_bytes(b"backup")
    real_unlink = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name == names[0]:
            raise held(winerror=32)
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    deleted = prune_backups(db.path, 2, folder)
    assert [p.name for p in deleted] == names[1:3]
    assert sorted(p.name for p in folder.iterdir()) == [names[0], *names[3:]]


def test_a_scan_is_filed_while_an_antivirus_looks_at_its_copy(db, tmp_path, monkeypatch, waits):
    from datetime import date

    from tests.services.test_ledger import new_club
    from tests.services.test_registry_and_projects import project_input
    from tresxuno.services.attachments import attach_document, attachment_file
    from tresxuno.services.project_requests import submit_project

    project = submit_project(db, project_input(new_club(db).id, submitted_on=date(2019, 3, 1)))
    scan = tmp_path / "Solicitud firmada — José.pdf"
    scan.write_bytes(b"%PDF-1.4 solicitud")
    monkeypatch.setattr(os, "replace", Flaky(os.replace, 2, lambda: held(winerror=32)))
    info = attach_document(db, project.id, "solicitud", scan)
    assert attachment_file(db, info.id).read_bytes() == b"%PDF-1.4 solicitud"
    assert len(waits) == 2


# --- Restore ------------------------------------------------------------------------------------


@pytest.fixture
def restorable(db, tmp_path):
    backup = backup_database(db, tmp_path / "respaldo del lunes.sqlite")
    db.dispose()  # as the app and the CLI do: no pooled connection holds the file
    return db.path, backup


def test_a_restore_waits_for_another_window_to_let_go_of_the_database(restorable, monkeypatch, waits):
    database, backup = restorable
    copy = Flaky(backups._copy_into, 2, lambda: sqlite3.OperationalError("database is locked"))
    monkeypatch.setattr(backups, "_copy_into", copy)
    result = restore_database(database, backup)
    assert result.database == database and len(copy.calls) == 3


def test_a_restore_refused_by_a_held_database_names_it_and_changes_nothing(restorable, monkeypatch, waits):
    database, backup = restorable
    before = database.read_bytes()
    monkeypatch.setattr(
        backups,
        "_copy_into",
        Flaky(backups._copy_into, None, lambda: sqlite3.OperationalError("database is locked")),
    )
    with pytest.raises(StorageError) as info:
        restore_database(database, backup)
    assert (info.value.code, info.value.params["path"]) == ("file.in_use", str(database))
    assert database.read_bytes() == before


def test_a_restore_is_not_failed_by_a_scratch_copy_windows_will_not_delete(restorable, tmp_path, monkeypatch):
    import tempfile

    database, backup = restorable
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    real_unlink = os.unlink

    def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        if os.path.basename(os.fspath(path)) == "candidate.sqlite":  # an antivirus still has it open
            raise PermissionError(13, "The process cannot access the file")
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", unlink)
    result = restore_database(database, backup)  # the restore itself succeeded: it must say so
    assert result.database == database
    monkeypatch.setattr(os, "unlink", real_unlink)


# --- Moving the data folder ---------------------------------------------------------------------


@pytest.fixture
def data_folder(tmp_path, db, monkeypatch):
    folder = tmp_path / "Datos de José"
    (folder / "attachments" / "1").mkdir(parents=True)
    database = folder / "tresxuno.sqlite"
    db.dispose()
    shutil.copyfile(db.path, database)
    (folder / "attachments" / "1" / "Acta de sesión.pdf").write_bytes(b"%PDF-1.4 acta")
    monkeypatch.delenv("TRESXUNO_DATA_DIR")
    monkeypatch.setattr(paths, "default_data_dir", lambda: folder)
    monkeypatch.setattr(paths, "data_location_file", lambda: tmp_path / "config" / "data-folder.txt")
    return folder, database


def test_the_data_folder_moves_when_its_setting_is_briefly_held(data_folder, tmp_path, monkeypatch, waits):
    _folder, database = data_folder
    monkeypatch.setattr(os, "replace", Flaky(os.replace, 2, lambda: held(winerror=32)))
    target = tmp_path / "Mis documentos" / "tresxuno"
    move_data_folder(target, database=database)
    assert paths.user_data_dir() == target.resolve()
    assert (target / "attachments" / "1" / "Acta de sesión.pdf").read_bytes() == b"%PDF-1.4 acta"


def test_a_file_held_during_a_move_is_named_and_nothing_moves(data_folder, tmp_path, monkeypatch, waits):
    folder, database = data_folder
    real_copy = shutil.copy2

    def copy2(src: Any, dst: Any, **kwargs: Any) -> Any:
        if Path(src).name == "Acta de sesión.pdf":
            raise held(winerror=32)
        return real_copy(src, dst, **kwargs)

    monkeypatch.setattr(shutil, "copy2", copy2)
    target = tmp_path / "nueva"
    with pytest.raises(StorageError) as info:
        move_data_folder(target, database=database)
    assert info.value.code == "file.in_use"
    assert info.value.params["path"] == str(folder.resolve() / "attachments" / "1" / "Acta de sesión.pdf")
    assert not target.exists()  # the partial copy was removed
    assert paths.user_data_dir() == folder  # still the old folder


def test_a_data_folder_pointer_saved_by_notepad_with_a_bom_is_read(tmp_path, monkeypatch):
    pointer = tmp_path / "data-folder.txt"
    pointer.write_text("\ufeff" + str(tmp_path / "Datos José") + "\r\n", encoding="utf-8")
    monkeypatch.setattr(paths, "data_location_file", lambda: pointer)
    assert paths.chosen_data_dir() == tmp_path / "Datos José"


def test_data_location_uses_the_retrying_file_functions():
    # Every replacement and deletion of the move goes through file_ops (a plain os.replace would not retry).
    assert data_location.replace_file is file_ops.replace_file
    assert data_location.remove_file is file_ops.remove_file


# --- Windows paths ------------------------------------------------------------------------------

LONG_FOLDER = "C:\\Users\\José Pérez\\OneDrive - Presidencia Municipal\\Documentos\\" + "Migrantes 3x1\\" * 16


@pytest.mark.parametrize(
    ("path", "extended"),
    [
        ("C:\\Users\\Ana\\Documents\\libro.csv", None),  # short: as typed
        ("D:/Respaldos/tresxuno.sqlite", None),
        (LONG_FOLDER + "libro.csv", "\\\\?\\" + LONG_FOLDER + "libro.csv"),
        (
            "\\\\servidor\\Tesorería\\" + "Año 2026\\" * 30 + "x.csv",
            "\\\\?\\UNC\\servidor\\Tesorería\\" + "Año 2026\\" * 30 + "x.csv",
        ),
        (
            "C:/Datos/" + "carpeta larga/" * 20 + "x.csv",
            "\\\\?\\C:\\Datos\\" + "carpeta larga\\" * 20 + "x.csv",
        ),
        ("\\\\?\\C:\\ya\\extendido.csv", None),
    ],
)
def test_long_windows_paths_take_the_extended_form(path, extended):
    assert paths.extended_path(path, windows=True) == (extended or path)
    if extended:  # messages show the path as the officer typed it
        assert paths.shown_path(extended) == path.replace("/", "\\")
    assert paths.extended_path(path, windows=False) == path  # never on POSIX


def test_a_long_windows_target_is_replaced_in_its_extended_form_and_named_as_typed(monkeypatch, waits):
    monkeypatch.setattr(file_ops, "ON_WINDOWS", True)
    target = LONG_FOLDER + "Libro de movimientos.xlsx"
    replace = Flaky(os.replace, None, lambda: held(winerror=32))
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(StorageError) as info:
        file_ops.replace_file(LONG_FOLDER + ".tmp.part", target)
    assert replace.calls[0] == ("\\\\?\\" + LONG_FOLDER + ".tmp.part", "\\\\?\\" + target)
    assert info.value.params["path"] == target
    assert "\\\\?\\" not in describe_storage(info.value)


def test_windows_paths_split_the_windows_way():
    from pathlib import PureWindowsPath

    target = PureWindowsPath("C:\\Users\\José Pérez\\Mis documentos\\libro 2026.csv")
    # What atomic_output builds beside the target, with pathlib (no string surgery on separators).
    temporary = target.with_name(f".{target.name}.abcd1234.part")
    assert str(temporary.parent) == "C:\\Users\\José Pérez\\Mis documentos"
    assert temporary.drive == "C:" and temporary.name == ".libro 2026.csv.abcd1234.part"


def test_a_database_in_a_folder_with_percent_signs_and_accents_opens_that_file(tmp_path):
    from sqlalchemy import make_url

    from tresxuno.db.engine import database_url, open_database

    folder = tmp_path / "Gastos 100%41 Año ¿sí?"
    folder.mkdir()
    url = database_url(str(folder / "tresxuno.sqlite"))
    assert make_url(url).database == str((folder / "tresxuno.sqlite").resolve())
    db = open_database(url)
    try:
        assert db.path == (folder / "tresxuno.sqlite").resolve() and db.path.is_file()
    finally:
        db.dispose()
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]  # no "Gastos 100A..." beside it


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("\\\\servidor\\respaldos\\lunes.sqlite", "file:////servidor/respaldos/lunes.sqlite?mode=ro"),
        (
            "C:\\Users\\José Pérez\\Datos 100%\\t.sqlite",
            "file:///C:/Users/Jos%C3%A9%20P%C3%A9rez/Datos%20100%25/t.sqlite?mode=ro",
        ),
    ],
)
def test_sqlite_uris_of_windows_paths_have_no_authority(path, uri):
    from pathlib import PureWindowsPath

    assert paths.sqlite_uri(PureWindowsPath(path)) == uri


def test_sqlite_opens_a_uri_with_an_empty_authority_and_odd_characters(tmp_path):
    folder = tmp_path / "Respaldos #2 100%41 ¿sí?"
    folder.mkdir()
    database = folder / "copia.sqlite"
    with sqlite3.connect(database) as made:
        made.execute("CREATE TABLE t (x)")
    made.close()
    uri = paths.sqlite_uri(database)
    for form in (uri, uri.replace("file:///", "file:////")):  # the second is how a UNC share is written
        connection = sqlite3.connect(form, uri=True)
        try:
            assert connection.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
        finally:
            connection.close()


# --- The console --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "cp850", "ascii"])
def test_a_console_that_cannot_write_an_arrow_is_switched_to_utf8(encoding):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding)
    with pytest.raises(UnicodeEncodeError):
        stream.write(CONSOLE_PROBE)
        stream.flush()
    stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
    console_safe(stream)
    stream.write("Año 2026 → 3 proyectos · hecho…\n")
    stream.flush()
    assert stream.buffer.getvalue().decode("utf-8") == "Año 2026 → 3 proyectos · hecho…\n"  # type: ignore[attr-defined]


def test_a_utf8_console_keeps_going_past_an_undecodable_file_name():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    console_safe(stream)
    stream.write("archivo \udcff.csv\n")  # a byte that was not UTF-8 in a file name (surrogateescape)
    stream.flush()
    assert stream.buffer.getvalue() == b"archivo ?.csv\n"  # type: ignore[attr-defined]


def test_the_cli_writes_spanish_to_a_cp1252_pipe(monkeypatch):
    pipe = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", pipe)
    with pytest.raises(SystemExit) as done:
        main(["--lang", "es", "--help"])
    assert done.value.code == 0 and sys.stdout is pipe and pipe.encoding == "utf-8"
    pipe.flush()
    assert "ó" in pipe.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]


# --- The bundle spec's Windows branch -----------------------------------------------------------


def run_spec(monkeypatch, platform: str) -> dict[str, Any]:
    """Execute packaging/tresxuno.spec as PyInstaller would on ``platform``, recording what it builds."""
    made: dict[str, Any] = {"EXE": []}

    class Recorder:
        def __init__(self, kind: str):
            self.kind = kind

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            record = types.SimpleNamespace(args=args, **kwargs)
            if self.kind == "Analysis":
                record.datas = [(dest, src, "DATA") for src, dest in kwargs["datas"]] + [
                    ("babel/locale-data/fr.dat", "x", "DATA"),
                    ("babel/locale-data/es_MX.dat", "x", "DATA"),
                    ("PySide6\\translations\\qtbase_de.qm", "x", "DATA"),
                    ("PySide6\\translations\\qtbase_es.qm", "x", "DATA"),
                ]
                record.pure = record.scripts = record.binaries = []
            if self.kind == "EXE":
                made["EXE"].append(record)
            else:
                made[self.kind] = record
            return record

    class Versions(types.ModuleType):
        """PyInstaller's version-resource classes (Windows-only imports) as plain records."""

        def __getattr__(self, name: str) -> Any:
            return lambda *args, **kwargs: (name, args, kwargs)

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.win32.versioninfo", Versions("versioninfo"))
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda name, filter=None: [name]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    spec = ROOT / "packaging" / "tresxuno.spec"
    namespace = {"SPECPATH": str(spec.parent), "__file__": str(spec)}
    namespace |= {kind: Recorder(kind) for kind in ("Analysis", "PYZ", "EXE", "COLLECT")}
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), namespace)
    made["namespace"] = namespace
    return made


def test_the_spec_builds_a_windowless_app_and_a_console_cli_on_windows(monkeypatch):
    made = run_spec(monkeypatch, "win32")
    gui, cli = made["EXE"]
    assert (gui.name, gui.console, cli.name, cli.console) == ("tresxuno", False, "tresxuno-cli", True)
    for exe in (gui, cli):
        assert exe.icon.endswith("tresxuno.ico") and Path(exe.icon).is_file()
        assert ("X utf8", None, "OPTION") in exe.args[2]  # UTF-8 mode: pipes and open() not in cp1252
        assert exe.upx is False and exe.version is not None
    name, _args, kwargs = gui.version
    assert name == "VSVersionInfo"
    strings = kwargs["kids"][0][1][0][0][1][1]  # StringFileInfo([StringTable(lang, [StringStruct...])])
    assert ("StringStruct", ("OriginalFilename", "tresxuno.exe"), {}) in strings


def test_the_spec_ships_every_data_folder_and_only_spanish_and_english(monkeypatch):
    made = run_spec(monkeypatch, "win32")
    analysis = made["Analysis"]
    sources = [source for _dest, source, _kind in analysis.datas if source != "x"]
    assert sources and all(Path(source).is_file() for source in sources)
    kept = {dest for dest, _src, _kind in analysis.datas}
    assert "babel/locale-data/es_MX.dat" in kept and "babel/locale-data/fr.dat" not in kept
    assert "PySide6\\translations\\qtbase_es.qm" in kept and "PySide6\\translations\\qtbase_de.qm" not in kept
    targets = {Path(dest.replace("\\", "/")).parts[0] for dest in kept}
    assert {"seeds", "resources", "tresxuno", "docs"} <= targets


def test_the_spec_on_linux_asks_for_no_windows_resource(monkeypatch):
    made = run_spec(monkeypatch, "linux")
    gui, _cli = made["EXE"]
    assert gui.console is True and gui.version is None and gui.icon.endswith(".png")
