"""Where shipped data and the user's data are found: a source checkout, a bundle, a moved data folder."""

from __future__ import annotations

import sys
from pathlib import Path

from tresxuno import paths

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_data_comes_from_the_checkout_or_the_bundle(monkeypatch, tmp_path):
    assert paths.seeds_dir() == ROOT / "seeds" and (paths.seeds_dir() / "documents.toml").is_file()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.seeds_dir() == tmp_path / "seeds"
    assert paths.resources_dir() == tmp_path / "resources"


def test_the_data_folder_is_the_override_then_the_chosen_one_then_the_default(monkeypatch, tmp_path):
    override = paths.user_data_dir()
    assert paths.backups_dir() == override / "backups"
    monkeypatch.delenv("TRESXUNO_DATA_DIR")
    default = paths.user_data_dir()
    assert default == paths.default_data_dir() and default.name == "tresxuno"
    paths.data_location_file().parent.mkdir(parents=True, exist_ok=True)
    paths.data_location_file().write_text(f"{tmp_path / 'chosen'}\n", encoding="utf-8")
    assert paths.user_data_dir() == tmp_path / "chosen"
    assert paths.default_database_path() == tmp_path / "chosen" / "tresxuno.sqlite"
    monkeypatch.setenv("TRESXUNO_DATA_DIR", str(override))
    assert paths.user_data_dir() == override
