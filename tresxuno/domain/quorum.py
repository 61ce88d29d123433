"""The COVAM's quorum and votes: the rules the acta states and the services enforce.

Quorum (the rule the acta prints): more than half of the committee's members with vote are
present, the president among them. Without quorum the committee cannot rule, so no ruling is
recorded. A project is approved only by more votes in favour than against; the votes cast on a
project never exceed the members with vote present.
"""

from __future__ import annotations

from dataclasses import dataclass

from tresxuno.domain.problems import Problem
from tresxuno.i18n import N_

#: Roles at a session: chair, minute-taker, members, guests (guests never vote).
ROLES: tuple[str, ...] = ("presidente", "secretario_tecnico", "vocal", "invitado")
PRESIDENT, SECRETARY, MEMBER, GUEST = ROLES
#: Each role's name (msgids; translate with ``_()`` when shown or printed).
ROLE_LABELS: dict[str, str] = {
    PRESIDENT: N_("President of the committee"),
    SECRETARY: N_("Technical secretary"),
    MEMBER: N_("Member"),
    GUEST: N_("Guest (no vote)"),
}


@dataclass(frozen=True)
class Quorum:
    """Whether a session had quorum, and the figures the acta states.

    Attributes:
        present: members with vote present.
        members: the committee's members with vote (the base of the majority).
        needed: the fewest members with vote that make quorum (more than half of ``members``).
        president_present: whether the president attended.
    """

    present: int
    members: int
    needed: int
    president_present: bool

    @property
    def reached(self) -> bool:
        """More than half of the members with vote present, the president among them."""
        return self.president_present and self.present >= self.needed


def quorum(present: int, members: int | None, president_present: bool) -> Quorum:
    """The quorum of a session with ``present`` voting attendees out of ``members`` (None: as many as present)."""
    base = max(members if members is not None else present, present)
    return Quorum(present, base, base // 2 + 1, president_present)


def check_votes(
    where: str,
    ruling: str,
    votes_for: int | None,
    votes_against: int | None,
    abstentions: int | None,
    voters: int,
) -> list[Problem]:
    """Problems with one project's votes: all three or none, none negative, at most ``voters`` cast.

    An approval needs more votes in favour than against.
    """
    counts = (votes_for, votes_against, abstentions)
    if all(c is None for c in counts):
        return []
    if any(c is None for c in counts):
        return [Problem(where, "votes.incomplete", {})]
    given = [int(c) for c in counts if c is not None]
    if any(c < 0 for c in given):
        return [Problem(where, "votes.negative", {})]
    problems: list[Problem] = []
    if sum(given) > voters:
        problems.append(Problem(where, "votes.too_many", {"cast": sum(given), "voters": voters}))
    if ruling == "aprobado" and given[0] <= given[1]:
        problems.append(Problem(where, "votes.not_a_majority", {"for": given[0], "against": given[1]}))
    return problems
