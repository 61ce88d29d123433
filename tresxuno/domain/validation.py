"""Input records for registering clubs and federations and submitting projects, and their checks.

Every check returns :class:`Problem` data; nothing here touches the database. Checks that need
stored data (does the municipality exist? is the folio taken?) live in the services.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from tresxuno.domain import limits
from tresxuno.domain.money import _TOO_LARGE as TOO_LARGE
from tresxuno.domain.money import MAX_CENTAVOS
from tresxuno.domain.parties import Category, Party
from tresxuno.domain.problems import Problem

if TYPE_CHECKING:  # an annotation only: loading the share rules would slow every command's start
    from tresxuno.domain.allocation import CapAuthorisation

#: A club needs at least this many adult members abroad.
MIN_CLUB_MEMBERS = 10
#: A toma de nota is valid for two years from its issue date.
TOMA_VALIDITY_YEARS = 2
#: Tomas de nota expiring within this many days are flagged so the club renews in time.
TOMA_WARNING_DAYS = 60
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2002, 2100

US_STATES = frozenset(
    (
        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
        "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR"
    ).split()
)


class TomaStatus(StrEnum):
    """At-a-glance state of a club's registration on a given day."""

    VALID = "valid"
    EXPIRING = "expiring"
    LAPSED = "lapsed"
    NOT_YET_VALID = "not_yet_valid"


def toma_status(issued_on: date, expires_on: date, today: date) -> TomaStatus:
    """The toma de nota's status on ``today`` (valid through its expiry date inclusive)."""
    if today < issued_on:
        return TomaStatus.NOT_YET_VALID
    if today > expires_on:
        return TomaStatus.LAPSED
    if (expires_on - today).days <= TOMA_WARNING_DAYS:
        return TomaStatus.EXPIRING
    return TomaStatus.VALID


def toma_latest_expiry(issued_on: date) -> date:
    """The last day a toma de nota issued on ``issued_on`` can be valid (two years, minus a day)."""
    if issued_on.year + TOMA_VALIDITY_YEARS > date.max.year:
        return date.max  # no calendar goes that far; the issue date itself is refused elsewhere
    try:
        anniversary = issued_on.replace(year=issued_on.year + TOMA_VALIDITY_YEARS)
    except ValueError:  # issued on 29 February
        anniversary = issued_on.replace(year=issued_on.year + TOMA_VALIDITY_YEARS, day=28)
    return anniversary - timedelta(days=1)


#: Characters that reorder how text is shown ("Trojan Source"): a name could read differently on screen
#: and in the database.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

#: Characters that show as nothing: two names that look the same would be different names, and a search
#: would miss one. (Zero-width joiners, U+200C and U+200D, stay: scripts and emoji need them.)
_INVISIBLE = frozenset("\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad\u2028\u2029\ufff9\ufffa\ufffb")


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


#: Consulates issued no toma de nota before the hometown-club programmes (a year 1 date is a typo).
EARLIEST_TOMA = date(1990, 1, 1)
#: ... nor one dated past this century (a year 9999 date is a typo too).
LATEST_TOMA = date(2099, 12, 31)

#: The smallest project cost accepted, in centavos MXN (1,000.00 pesos). The rule sets name no
#: minimum; no work of the programme costs less, and shares of a few pesos split four ways are a
#: typo (0.50 for 50,000.00) rather than a project.
MIN_PROJECT_COST = 1_000_00

#: A hometown club with more members than this is a typing mistake.
MAX_CLUB_MEMBERS = 1_000_000

#: More beneficiaries than Mexico has inhabitants is a typing mistake.
MAX_BENEFICIARIES = 130_000_000


def clean_text(
    value: str,
    field_name: str,
    problems: list[Problem],
    *,
    required: bool = True,
    max_len: int = limits.NAME,
    multiline: bool = False,
) -> str:
    """Trimmed, NFC-normalised text; records a problem for empty, too long or unsafe characters.

    Refused anywhere: control characters (line breaks and tabs only where ``multiline``), characters
    that reorder text (bidi overrides and marks), invisible characters (zero-width space, byte-order
    mark, word joiner...) and lone surrogates. Problems name the position (1-based) and the character.
    ``max_len`` comes from the table in :mod:`tresxuno.domain.limits`.
    """
    text = unicodedata.normalize("NFC", (value or "").strip())
    if multiline:
        text = text.replace("\r\n", "\n")  # Windows line ends; a lone carriage return stays refused
    allowed = "\n\t" if multiline else ""
    if required and not text:
        problems.append(Problem(field_name, "text.required", {}))
        return text
    if len(text) > max_len:
        problems.append(Problem(field_name, "text.too_long", {"max": max_len, "length": len(text)}))
        return text
    for position, ch in enumerate(text, start=1):
        if ch in _BIDI_CONTROLS or (unicodedata.category(ch) == "Cc" and ch not in allowed):
            problems.append(
                Problem(field_name, "text.control_chars", {"position": position, "char": _codepoint(ch)})
            )
            break
        if ch in _INVISIBLE:
            problems.append(
                Problem(field_name, "text.invisible_char", {"position": position, "char": _codepoint(ch)})
            )
            break
        if unicodedata.category(ch) == "Cs":
            # Lone surrogates: bytes that were not UTF-8, smuggled through; no database can store them.
            problems.append(Problem(field_name, "text.invalid_characters", {"position": position}))
            break
    return text


@dataclass(frozen=True)
class FederationInput:
    """What an officer types to register a federation."""

    name: str
    mx_state_key: str
    us_region: str
    contact: str = ""


def check_federation(data: FederationInput) -> list[Problem]:
    """Problems with a federation's fields (the state's existence is checked by the service)."""
    problems: list[Problem] = []
    clean_text(data.name, "name", problems)
    clean_text(data.us_region, "us_region", problems, max_len=limits.SHORT)
    clean_text(data.contact, "contact", problems, required=False)
    if not (len(data.mx_state_key) == 2 and data.mx_state_key.isascii() and data.mx_state_key.isdigit()):
        problems.append(Problem("mx_state_key", "state.unknown", {"key": data.mx_state_key}))
    return problems


@dataclass(frozen=True)
class ClubInput:
    """What an officer types to register a club and its toma de nota."""

    name: str
    toma_folio: str
    toma_issuer: str
    toma_issued_on: date
    toma_expires_on: date
    members: int
    us_city: str
    us_state: str
    home_state_key: str
    home_municipality_key: str
    home_contact: str = ""
    federation_id: int | None = None
    board: tuple[str, ...] = ()


def check_club(data: ClubInput) -> list[Problem]:
    """Problems with a club's own fields: names, toma de nota dates, members, US state, keys."""
    problems: list[Problem] = []
    clean_text(data.name, "name", problems)
    clean_text(data.toma_folio, "toma_folio", problems, max_len=limits.FOLIO)
    clean_text(data.toma_issuer, "toma_issuer", problems)
    clean_text(data.us_city, "us_city", problems, max_len=limits.SHORT)
    clean_text(data.home_contact, "home_contact", problems, required=False)
    for i, member in enumerate(data.board):
        clean_text(member, f"board[{i}]", problems, max_len=limits.NAME)
    if not EARLIEST_TOMA <= data.toma_issued_on <= LATEST_TOMA:
        bounds = {
            "date": data.toma_issued_on.isoformat(),
            "min": EARLIEST_TOMA.isoformat(),
            "max": LATEST_TOMA.isoformat(),
        }
        problems.append(Problem("toma_issued_on", "toma.date_out_of_range", bounds))
    elif data.toma_expires_on < data.toma_issued_on:
        problems.append(
            Problem(
                "toma_expires_on",
                "toma.dates_order",
                {"issued": data.toma_issued_on.isoformat(), "expires": data.toma_expires_on.isoformat()},
            )
        )
    elif data.toma_expires_on > toma_latest_expiry(data.toma_issued_on):
        problems.append(
            Problem(
                "toma_expires_on",
                "toma.too_long",
                {
                    "expires": data.toma_expires_on.isoformat(),
                    "latest": toma_latest_expiry(data.toma_issued_on).isoformat(),
                },
            )
        )
    if data.members < MIN_CLUB_MEMBERS:
        problems.append(
            Problem("members", "members.too_few", {"min": MIN_CLUB_MEMBERS, "value": data.members})
        )
    elif data.members > MAX_CLUB_MEMBERS:
        allowed = {"value": data.members, "min": MIN_CLUB_MEMBERS, "max": MAX_CLUB_MEMBERS}
        problems.append(Problem("members", "number.out_of_range", allowed))
    if data.us_state.upper() not in US_STATES:
        problems.append(Problem("us_state", "us_state.unknown", {"value": data.us_state}))
    if not (
        len(data.home_municipality_key) == 5
        and data.home_municipality_key.isascii()
        and data.home_municipality_key.isdigit()
    ):
        problems.append(
            Problem("home_municipality_key", "municipality.unknown", {"key": data.home_municipality_key})
        )
    elif data.home_municipality_key[:2] != data.home_state_key:
        problems.append(
            Problem(
                "home_municipality_key",
                "municipality.wrong_state",
                {"key": data.home_municipality_key, "state_key": data.home_state_key},
            )
        )
    return problems


@dataclass(frozen=True)
class ProjectInput:
    """A project request as submitted: amounts in centavos MXN, the mix override in basis points."""

    club_id: int
    program: str
    fiscal_year: int
    category: str
    state_key: str
    municipality_key: str
    name: str
    cost: int
    submitted_on: date
    locality: str = ""
    #: The locality's INEGI key (9 digits: the municipality's 5, then 4); "" when not known.
    locality_key: str = ""
    description: str = ""
    beneficiaries: int = 0
    partner_mode: str | None = None  # None: by the rule set's default
    partner_amount: int | None = None
    mix_override: Mapping[Party, int] | None = None
    mix_override_reason: str = ""
    students: Mapping[str, int] = field(default_factory=dict)
    #: The state's basis points of the joint state and municipal share (None: the rule set's default).
    joint_split_bp: int | None = None
    #: Leave for a party to pay above its cap in this project (who, why, the oficio).
    cap_authorisations: tuple[CapAuthorisation, ...] = ()


def check_project(data: ProjectInput) -> list[Problem]:
    """Problems with a project's own fields; rule set, club and catalogue checks are the service's."""
    problems: list[Problem] = []
    clean_text(data.name, "name", problems)
    clean_text(data.locality, "locality", problems, required=False)
    key = data.locality_key.strip()
    if key and not (
        len(key) == 9 and key.isascii() and key.isdigit() and key.startswith(data.municipality_key)
    ):
        problems.append(
            Problem(
                "locality_key",
                "locality.key_invalid",
                {"key": key, "municipality": data.municipality_key},
            )
        )
    clean_text(
        data.description, "description", problems, required=False, max_len=limits.LONG_TEXT, multiline=True
    )
    clean_text(
        data.mix_override_reason,
        "mix_reason",
        problems,
        required=False,
        max_len=limits.LONG_TEXT,
        multiline=True,
    )
    for auth in data.cap_authorisations:
        clean_text(auth.authorised_by, "cap_authorised_by", problems, required=False)
        clean_text(
            auth.reason, "cap_reason", problems, required=False, max_len=limits.LONG_TEXT, multiline=True
        )
        clean_text(auth.document, "cap_document", problems, required=False)
    if not FIRST_FISCAL_YEAR <= data.fiscal_year <= LAST_FISCAL_YEAR:
        problems.append(
            Problem(
                "fiscal_year",
                "year.out_of_range",
                {"year": data.fiscal_year, "min": FIRST_FISCAL_YEAR, "max": LAST_FISCAL_YEAR},
            )
        )
    if data.category not in {c.value for c in Category}:
        problems.append(
            Problem(
                "category",
                "rules.unknown_category",
                {"category": data.category, "allowed": ", ".join(c.value for c in Category)},
            )
        )
    if data.cost <= 0:
        problems.append(Problem("cost", "cost.not_positive", {}))
    elif data.cost < MIN_PROJECT_COST:
        problems.append(Problem("cost", "cost.too_small", {"cost": data.cost, "amount": MIN_PROJECT_COST}))
    elif data.cost >= MAX_CENTAVOS:
        problems.append(Problem("cost", "amount.too_large", dict(TOO_LARGE)))
    if data.beneficiaries < 0:
        problems.append(Problem("beneficiaries", "beneficiaries.negative", {}))
    elif data.beneficiaries > MAX_BENEFICIARIES:
        problems.append(Problem("beneficiaries", "beneficiaries.too_many", {"max": MAX_BENEFICIARIES}))
    if not (
        len(data.municipality_key) == 5
        and data.municipality_key.isascii()
        and data.municipality_key.isdigit()
    ):
        problems.append(Problem("municipality_key", "municipality.unknown", {"key": data.municipality_key}))
    elif data.municipality_key[:2] != data.state_key:
        problems.append(
            Problem(
                "municipality_key",
                "municipality.wrong_state",
                {"key": data.municipality_key, "state_key": data.state_key},
            )
        )
    return problems
