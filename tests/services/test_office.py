"""Office settings: stored in the database, checked field by field, the logo copied to the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tresxuno.demo.projects import generate_demo
from tresxuno.domain.problems import InputError
from tresxuno.services.office import (
    MAX_LOGO_BYTES,
    OfficeSettings,
    holds_records,
    logos_dir,
    office_settings,
    save_office_settings,
)
from tresxuno.services.places import get_municipality, list_municipalities, list_states

#: The smallest valid PNG: enough for the format check, which reads the signature.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _codes(exc: pytest.ExceptionInfo[InputError]) -> dict[str, str]:
    return {p.field: p.code for p in exc.value.problems}


def test_a_new_database_has_no_office_settings(db):
    assert office_settings(db) == OfficeSettings()
    assert not office_settings(db).is_set


def test_saved_settings_are_read_back_trimmed(db):
    saved = save_office_settings(db, OfficeSettings("  Oficina del Migrante de Jerez ", "32020"))
    assert saved == OfficeSettings("Oficina del Migrante de Jerez", "32020", "")
    assert office_settings(db) == saved and saved.is_set


def test_name_and_municipality_are_required_and_nothing_is_stored(db):
    with pytest.raises(InputError) as exc:
        save_office_settings(db, OfficeSettings("   ", ""))
    assert _codes(exc) == {"name": "text.required", "municipality_key": "text.required"}
    assert office_settings(db) == OfficeSettings()


def test_an_unknown_municipality_is_refused(db):
    with pytest.raises(InputError) as exc:
        save_office_settings(db, OfficeSettings("Oficina", "99999"))
    assert _codes(exc) == {"municipality_key": "municipality.unknown"}


def test_the_logo_is_copied_into_the_data_folder(db, tmp_path):
    original = tmp_path / "escudo.png"
    original.write_bytes(PNG)
    saved = save_office_settings(db, OfficeSettings("Oficina", "32020", str(original)))
    copy = Path(saved.logo_path)
    assert copy.parent == logos_dir() and copy.suffix == ".png"
    assert copy.read_bytes() == PNG
    original.unlink()  # the office's copy survives the original being moved or deleted
    assert Path(office_settings(db).logo_path).is_file()
    # Saving again with the stored copy keeps the same file.
    again = save_office_settings(db, OfficeSettings("Oficina", "32020", saved.logo_path))
    assert again.logo_path == saved.logo_path


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"GIF89a not accepted", "logo.not_image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_LOGO_BYTES, "file.too_large"),
    ],
)
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused(db, tmp_path, content, code):
    path = tmp_path / "logo.png"
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        save_office_settings(db, OfficeSettings("Oficina", "32020", str(path)))
    assert _codes(exc) == {"logo": code}
    assert not logos_dir().exists() or not any(logos_dir().iterdir())


def test_a_missing_logo_file_is_refused(db, tmp_path):
    with pytest.raises(InputError) as exc:
        save_office_settings(db, OfficeSettings("Oficina", "32020", str(tmp_path / "gone.png")))
    assert _codes(exc) == {"logo": "file.not_found"}


def test_states_then_municipalities_from_the_inegi_catalogue(db):
    states = list_states(db)
    assert len(states) == 32 and states[-1].key == "32" and states[-1].name == "Zacatecas"
    zacatecas = list_municipalities(db, "32")
    assert len(zacatecas) == 58
    assert [m.name for m in zacatecas] == sorted(m.name for m in zacatecas)
    jerez = get_municipality(db, "32020")
    assert jerez is not None and (jerez.name, jerez.state_key, jerez.state_name) == (
        "Jerez",
        "32",
        "Zacatecas",
    )
    assert (jerez.key, jerez.name) in zacatecas
    assert get_municipality(db, "99999") is None
    assert list_municipalities(db, "99") == []


def test_holds_records_tells_an_empty_registry_from_one_with_data(db):
    assert not holds_records(db)
    save_office_settings(db, OfficeSettings("Oficina", "32020"))
    assert not holds_records(db)  # settings are not records
    generate_demo(db, projects=5, seed=1)
    assert holds_records(db)
    # Demo data keeps an office's own settings.
    assert office_settings(db).name == "Oficina"


def test_an_office_rfc_failing_the_check_digit_is_stored_only_once_confirmed(db):
    # The Municipio de Cuautitlán Izcalli's real RFC, on the invoices SAT stamps for it, fails
    # SAT's check-digit formula: the officer confirms it rather than being unable to enter it.
    from tresxuno.services.office import set_office_rfc

    with pytest.raises(InputError) as exc:
        set_office_rfc(db, "MCI7306249Y1")
    assert _codes(exc) == {"rfc": "rfc.check_digit"}
    assert office_settings(db).rfc == ""
    assert set_office_rfc(db, "mci 730624 9y1", accept_check_digit=True) == "MCI7306249Y1"
    assert office_settings(db).rfc == "MCI7306249Y1"
    with pytest.raises(InputError) as exc:
        set_office_rfc(db, "MCI7313249Y1", accept_check_digit=True)  # 13th month: never confirmable
    assert _codes(exc) == {"rfc": "rfc.date"}
    assert office_settings(db).rfc == "MCI7306249Y1"
