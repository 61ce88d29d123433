"""An office's jurisdiction: the municipalities whose projects and clubs its officers see and change.

A state that runs every municipality on one server gives each officer an office. An officer with no
office works on the whole database (a single municipal office on its own file, the server's
administrators); an officer of an office sees only what is filed under its municipalities, and may
not take the actions that change what every office shares.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Actions that change what every office of a shared database relies on (its users, rule sets,
#: settings, the file itself): only an officer of the whole database may take them.
WHOLE_DATABASE_ACTIONS: frozenset[str] = frozenset(
    {
        "users.manage",
        "offices.manage",
        "rules.edit",
        "rules.reload",
        "settings.edit",
        "data.backup",
        "data.restore",
        "data.move",
        "demo.generate",
        "consolidation.import",
        "consolidation.export",
    }
)

#: Actions for a state office (or the whole database), not a municipal one: COVAM is the state's
#: committee, exchange rates and the closing of a fiscal year hold for every municipality at once.
STATE_ACTIONS: frozenset[str] = frozenset({"covam.edit", "covam.rule", "rates.edit", "ledger.close_year"})


@dataclass(frozen=True)
class Jurisdiction:
    """What one office covers: municipalities by INEGI key, and whole states by key.

    Attributes:
        office_id: the office's id.
        office_name: its name, for messages ("outside the jurisdiction of …").
        kind: ``"municipal"`` or ``"state"``.
        municipality_keys: five-digit keys of the municipalities it covers one by one.
        state_keys: two-digit keys of the states it covers whole.
    """

    office_id: int
    office_name: str
    kind: str
    municipality_keys: frozenset[str] = frozenset()
    state_keys: frozenset[str] = frozenset()

    def covers(self, municipality_key: str) -> bool:
        """Whether a project or club of ``municipality_key`` is this office's."""
        return municipality_key in self.municipality_keys or municipality_key[:2] in self.state_keys

    def may_take(self, action: str) -> bool:
        """Whether an officer of this office may take ``action`` at all (their role aside)."""
        if action in WHOLE_DATABASE_ACTIONS:
            return False
        return self.kind == "state" or action not in STATE_ACTIONS
