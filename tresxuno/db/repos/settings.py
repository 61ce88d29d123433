"""Office settings stored with the data (so every workstation on a shared database agrees)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tresxuno.db.models import Setting

#: The office's name printed on every report.
OFFICE_NAME = "office.name"
#: INEGI key of the office's municipality ("32056").
OFFICE_MUNICIPALITY = "office.municipality_key"
#: Path of the logo printed on reports.
OFFICE_LOGO = "office.logo_path"
#: RFC of the municipality the office bills as (the receiver of every invoice it pays); "" when unset.
OFFICE_RFC = "office.rfc"
#: "off" where the office waived separation of duties (a one-person office); anything else: on.
SEPARATION_OF_DUTIES = "office.separation_of_duties"
#: IANA zone of the office's local dates ("America/Tijuana"); unset: America/Mexico_City.
OFFICE_TIMEZONE = "office.timezone"


class SettingsRepository:
    """Key/value access to ``settings``."""

    @staticmethod
    def get(session: Session, key: str, default: str | None = None) -> str | None:
        """The value stored under ``key``, or ``default``."""
        setting = session.get(Setting, key)
        return default if setting is None else setting.value

    @staticmethod
    def set(session: Session, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing any previous value."""
        setting = session.get(Setting, key)
        if setting is None:
            session.add(Setting(key=key, value=value))
        else:
            setting.value = value
        session.flush()
