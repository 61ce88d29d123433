"""The typed settings object: values round-trip, unset values have plain defaults, files are isolated."""

from __future__ import annotations

from tresxuno.ui.settings import Settings, settings_path


def test_settings_live_under_xdg_config_home(_isolated_user_folders):
    assert settings_path() == _isolated_user_folders / "config" / "tresxuno" / "tresxuno.ini"
    assert Settings().path == settings_path()


def test_unset_values_have_plain_defaults():
    settings = Settings()
    assert settings.language is None
    assert settings.database_url is None
    assert settings.window_geometry == b""
    assert settings.window_state == b""
    assert settings.last_view == ""


def test_values_round_trip_through_the_file():
    settings = Settings()
    settings.language = "en"
    settings.database_url = "postgresql+psycopg://oficina@servidor/tresxuno"
    settings.window_geometry = b"\x01\xd9\xd0\xcb\x00binary"
    settings.window_state = b"\x00\xff"
    settings.last_view = "projects"
    assert settings.path.exists()

    again = Settings()
    assert again.language == "en"
    assert again.database_url == "postgresql+psycopg://oficina@servidor/tresxuno"
    assert again.window_geometry == b"\x01\xd9\xd0\xcb\x00binary"
    assert again.window_state == b"\x00\xff"
    assert again.last_view == "projects"


def test_none_or_blank_forgets_a_value():
    settings = Settings()
    settings.database_url = "oficina.sqlite"
    settings.database_url = None
    settings.language = "  "
    assert Settings().database_url is None
    assert Settings().language is None
