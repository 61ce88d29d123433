"""The contraloría social committee of a project: who sits on it, when it was constituted, what it reported.

Beneficiaries of a works project elect a committee that watches the works and the money and reports
to the office (Ley General de Desarrollo Social, arts. 69-71: contraloría social). The office records
its constitution (date and members: one president, a secretary, vocales) and each of its minutes
and reports; the documents it signs are printed from that record. A report's findings are kept as
the committee wrote them; nothing here judges them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tresxuno.domain import limits
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.validation import clean_text

PRESIDENT, SECRETARY, MEMBER = "presidente", "secretario", "vocal"
#: Positions on the committee, in signing order.
POSITIONS: tuple[str, ...] = (PRESIDENT, SECRETARY, MEMBER)
SEXES: tuple[str, ...] = ("M", "H", "")  # mujer, hombre, not stated
#: What the office files from the committee: the minutes of a meeting, or a report (informe).
MINUTES, REPORT = "acta", "informe"
RECORD_KINDS: tuple[str, ...] = (MINUTES, REPORT)
#: A committee of one is no committee; more than this is a list to print on one page.
MIN_MEMBERS, MAX_MEMBERS = 2, 15
#: Stages in which a works project must have its committee: from the convenio to the hand-over.
NEEDS_COMMITTEE_STAGES: frozenset[str] = frozenset({"convenio_firmado", "en_ejecucion", "terminado"})


@dataclass(frozen=True)
class CommitteeMember:
    """One member: full name, position (presidente, secretario, vocal) and sex (M, H or "")."""

    name: str
    position: str
    sex: str = ""


@dataclass(frozen=True)
class CommitteeInput:
    """A committee as the officer records it: the day it was constituted and its members in order."""

    constituted_on: date
    members: tuple[CommitteeMember, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CommitteeRecordInput:
    """A meeting's minutes or a report of the committee: its kind, date, summary and findings."""

    kind: str
    held_on: date
    summary: str
    findings: str = ""


def check_committee(data: CommitteeInput, *, today: date, first_day: date) -> CommitteeInput:
    """The committee cleaned (names trimmed), or every problem found at once.

    Args:
        data: what was typed.
        today: the office's today: a committee is not constituted in the future.
        first_day: the earliest sensible day (the project's fiscal year starts; a committee is
            elected for a project already requested).

    Raises:
        InputError: ``committee.date_future``, ``committee.date_too_early``, ``committee.too_few``,
            ``committee.too_many``, ``committee.one_president``, ``committee.position``,
            ``committee.sex``, and the text problems of a member's name (``members[i].name``).
    """
    problems: list[Problem] = []
    if data.constituted_on > today:
        problems.append(
            Problem("constituted_on", "committee.date_future", {"date": data.constituted_on.isoformat()})
        )
    elif data.constituted_on < first_day:
        problems.append(
            Problem(
                "constituted_on",
                "committee.date_too_early",
                {"date": data.constituted_on.isoformat(), "first": first_day.isoformat()},
            )
        )
    members = []
    for i, member in enumerate(data.members):
        name = clean_text(member.name, f"members[{i}].name", problems, max_len=limits.NAME)
        if member.position not in POSITIONS:
            problems.append(
                Problem(
                    f"members[{i}].position",
                    "committee.position",
                    {"value": member.position, "allowed": ", ".join(POSITIONS)},
                )
            )
        if member.sex not in SEXES:
            problems.append(Problem(f"members[{i}].sex", "committee.sex", {"value": member.sex}))
        members.append(CommitteeMember(name, member.position, member.sex))
    if len(members) < MIN_MEMBERS:
        problems.append(Problem("members", "committee.too_few", {"min": MIN_MEMBERS}))
    elif len(members) > MAX_MEMBERS:
        problems.append(Problem("members", "committee.too_many", {"max": MAX_MEMBERS}))
    presidents = sum(1 for m in members if m.position == PRESIDENT)
    if members and presidents != 1:
        problems.append(Problem("members", "committee.one_president", {"count": presidents}))
    if problems:
        raise InputError(problems)
    return CommitteeInput(data.constituted_on, tuple(members))


def check_record(data: CommitteeRecordInput, *, today: date, constituted_on: date) -> CommitteeRecordInput:
    """A minutes or report entry cleaned, or every problem found at once.

    Raises:
        InputError: ``committee.record_kind``, ``committee.record_date_future``,
            ``committee.record_before_committee``, and the text problems of ``summary`` (required)
            and ``findings``.
    """
    problems: list[Problem] = []
    if data.kind not in RECORD_KINDS:
        problems.append(
            Problem("kind", "committee.record_kind", {"value": data.kind, "allowed": ", ".join(RECORD_KINDS)})
        )
    if data.held_on > today:
        problems.append(
            Problem("held_on", "committee.record_date_future", {"date": data.held_on.isoformat()})
        )
    elif data.held_on < constituted_on:
        problems.append(
            Problem(
                "held_on",
                "committee.record_before_committee",
                {"date": data.held_on.isoformat(), "constituted": constituted_on.isoformat()},
            )
        )
    summary = clean_text(data.summary, "summary", problems, max_len=limits.LONG_TEXT, multiline=True)
    findings = clean_text(
        data.findings, "findings", problems, required=False, max_len=limits.LONG_TEXT, multiline=True
    )
    if problems:
        raise InputError(problems)
    return CommitteeRecordInput(data.kind, data.held_on, summary, findings)
