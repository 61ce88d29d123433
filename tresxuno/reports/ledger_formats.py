"""Ledger files from plain rows: CSV, XLSX and double-entry journals (beancount, ledger).

The writers take what :mod:`tresxuno.services.exports` reads (entry rows and allocation lines, as two
streams of batches in the same order) and write as they read, so a million entries need no more
memory than a thousand; they never see SQL, a session or a permission.

Formats (all amounts are exact centavos turned into text only at the very end):

* ``csv``: UTF-8 with a byte-order mark (Excel then reads accents right), CRLF line ends, one row per
  allocation line (entry x party), so per-party sums are a plain SUMIF. Amounts are plain decimal
  text (``-1234.56``, no grouping). The whole file is in one language (:class:`Vocabulary`): in
  Spanish the header is :data:`CSV_HEADER` and kinds and parties read ``Aportación``, ``Estatal``...;
  in English :data:`CSV_HEADER_EN` with ``Contribution``, ``State``...
* ``xlsx``: the same rows in a streaming workbook (:mod:`tresxuno.reports.xlsx_stream`); amounts are numbers with a
  currency format, dates are dates, the header row is frozen, each sheet ends with a totals row whose
  figure is computed here (a ``SUM`` formula is added below it only as a cross-check). A sheet holds
  at most :data:`XLSX_SHEET_ROWS` rows (Excel's limit is 1,048,576), further rows go to
  "Movimientos (2)" and so on. A last sheet, "Saldos", lists the balance of every project account.
* ``beancount`` (checked by ``bean-check``) and ``ledger`` (read by hledger and Ledger): one balanced
  transaction per entry, then one balance assertion per project account, dated the day after the
  last exported entry, whose figures are :attr:`LedgerRows.balances` (a separate SQL aggregate in
  the services): a journal that passes its checks agrees with the database to the centavo.

Formula injection: a text cell (CSV or XLSX) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading ``'``, so a spreadsheet shows it as text instead of running it; amounts
are numbers, not text, and keep their minus sign.

Chart of accounts of the Spanish journals (party components: ``Club``, ``Federal``, ``Estatal``,
``Municipal``, ``Socio``; ``FOLIO`` is the project folio reduced to ``A-Z``, ``0-9`` and ``-``; an
English export names them ``Assets:Projects``, ``Income:Contributions``, ``Expenses:Payments``,
``Expenses:Refunds`` and ``State``, ``Partner``, see :data:`JOURNAL_ACCOUNTS`)::

    Assets:Proyectos:FOLIO:Parte     the project's cash that came from that party (asserted)
    Income:Aportaciones:Parte        contributions received from the party (contribution)
    Expenses:Pagos:Parte             payments to suppliers made with the party's money (payment)
    Expenses:Reintegros:Parte        money given back to the party, e.g. to the TESOFE (refund)

Each allocation line becomes two postings: the signed line amount on the project account and its
negation on the counter-account of the entry's kind, so every transaction balances even if an entry's
lines were ever inconsistent. A reversal posts the opposite of what it reverses, on the
counter-accounts of the original entry (followed down chains of reversals of reversals). With
``year``, a journal holds that year's movements only: its balances start at zero on 1 January.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any, TextIO

from tresxuno.domain.audit import ChainHead
from tresxuno.domain.parties import PARTY_ORDER
from tresxuno.formatting import ENTRY_KIND_LABELS, PARTY_LABELS

# People's text for the terminal summary; this module's own money_text is the journals' plain figure.
from tresxuno.formatting import money_text as display_money
from tresxuno.i18n import N_, _, translate
from tresxuno.reports.xlsx_stream import (
    COLUMNS,
    SheetStream,
    StreamWorkbook,
    Style,
    cell_formula,
    cell_number,
    cell_text,
    cents_text,
    serial,
    text_xml,
)

#: Export formats, in the order the CLI lists them.
FORMATS: tuple[str, ...] = ("csv", "xlsx", "beancount", "ledger")
#: The formats that assert balances, so need :attr:`LedgerRows.balances` and ``reversal_roots``.
JOURNAL_FORMATS: frozenset[str] = frozenset({"beancount", "ledger"})
#: Data rows per XLSX sheet: below Excel's 1,048,576 rows, leaving room for header and totals.
XLSX_SHEET_ROWS = 1_000_000
#: Header of the CSV and XLSX exports (contract). ``asiento`` is the entry id, which ``revierte_a``
#: refers to; the rest follows the issue's list.
CSV_HEADER: tuple[str, ...] = (
    "asiento",
    "fecha",
    "folio",
    "proyecto",
    "tipo",
    "parte",
    "monto",
    "monto_usd",
    "tipo_de_cambio",
    "fecha_tc",
    "fuente_tc",
    "referencia",
    "beneficiario",
    "rfc",
    "concepto",
    "uuid_cfdi",
    "revierte_a",
    "motivo",
)
#: The same columns in English, for an export made in English (one language per file).
CSV_HEADER_EN: tuple[str, ...] = (
    "entry",
    "date",
    "folio",
    "project",
    "kind",
    "party",
    "amount",
    "amount_usd",
    "exchange_rate",
    "rate_date",
    "rate_source",
    "reference",
    "payee",
    "rfc",
    "concept",
    "cfdi_uuid",
    "reverses",
    "reason",
)
#: Header of the CSV and XLSX exports per language; the Spanish one is the historical contract.
CSV_HEADERS: dict[str, tuple[str, ...]] = {"es": CSV_HEADER, "en": CSV_HEADER_EN}
#: Header of the XLSX "balances" sheet per language.
BALANCE_HEADERS: dict[str, tuple[str, ...]] = {
    "es": ("folio", "proyecto", "parte", "cuenta", "saldo"),
    "en": ("folio", "project", "party", "account", "balance"),
}
#: Account components of the parties (Spanish, as an accountant in Mexico reads them).
PARTY_ACCOUNTS: dict[str, str] = {
    "club": "Club",
    "federal": "Federal",
    "state": "Estatal",
    "municipal": "Municipal",
    "partner": "Socio",
}
#: Counter-account of each kind of entry; a reversal uses the one of the entry it reverses.
COUNTER_ACCOUNTS: dict[str, str] = {
    "contribution": "Income:Aportaciones",
    "payment": "Expenses:Pagos",
    "refund": "Expenses:Reintegros",
}
PROJECT_ACCOUNT = "Assets:Proyectos"
#: The journals' account names per language. Components are ASCII letters, digits and ``-`` (what
#: beancount, Ledger and hledger all accept); the roots stay ``Assets``, ``Income`` and ``Expenses``,
#: the names beancount requires and hledger reads as account types.
JOURNAL_ACCOUNTS: dict[str, tuple[dict[str, str], dict[str, str], str]] = {
    "es": (PARTY_ACCOUNTS, COUNTER_ACCOUNTS, PROJECT_ACCOUNT),
    "en": (
        {
            "club": "Club",
            "federal": "Federal",
            "state": "State",
            "municipal": "Municipal",
            "partner": "Partner",
        },
        {
            "contribution": "Income:Contributions",
            "payment": "Expenses:Payments",
            "refund": "Expenses:Refunds",
        },
        "Assets:Projects",
    ),
}
#: Account roots as people read them in a spreadsheet (the journals keep the tools' names).
_ROOT_LABELS: dict[str, str] = {"Assets": N_("Assets"), "Income": N_("Income"), "Expenses": N_("Expenses")}
_PARTY_LABEL_IDS: dict[str, str] = {party.value: label for party, label in PARTY_LABELS.items()}
CURRENCY_FORMAT = '"$"#,##0.00'
USD_FORMAT = '"US$"#,##0.00'
RATE_FORMAT = "0.0000##"
DATE_FORMAT = "dd/mm/yyyy"

#: First characters that make a spreadsheet read a cell as a formula (or mangle it).
_FORMULA_START = frozenset("=+-@\t\r")
_CSV_SPECIAL = re.compile(r'[",\r\n]').search
_RATE_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?").fullmatch
#: Characters XML 1.0 cannot hold (openpyxl refuses them); tab, LF and CR are allowed.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Whitespace and control characters that would break a journal line.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_NOT_ACCOUNT_CHAR = re.compile(r"[^A-Z0-9-]+")
#: Rank of each party id in the fixed party order (club, federal, state, municipal, partner).
_PARTY_RANK = {party.value: rank for rank, party in enumerate(PARTY_ORDER)}
_CENTS = tuple(f".{i:02d}" for i in range(100))
#: Memo caches of converted texts are emptied when they grow past this many distinct values.
_MEMO_LIMIT = 50_000

#: Columns of the entry rows the writers take, in this order (the services read them so).
ENTRY_COLUMNS: tuple[str, ...] = (
    "id",
    "entry_date",
    "project_id",
    "kind",
    "usd_amount",
    "rate",
    "rate_date",
    "rate_source",
    "reference",
    "payee_name",
    "payee_rfc",
    "concept",
    "cfdi_uuid",
    "reverses_id",
    "reason",
)

#: An entry row (columns as :data:`ENTRY_COLUMNS`) and an allocation line ``(entry_id, party, amount)``.
EntryRow = Sequence[Any]
LineRow = Sequence[Any]
#: What a stream of lines gives once it is exhausted: never equal to an entry id.
_END: LineRow = (None, None, 0)


class LedgerIntegrityError(RuntimeError):
    """The stored ledger breaks its contract (e.g. an entry without allocation lines); a bug, not input."""


@dataclass(frozen=True)
class Vocabulary:
    """Every word an export writes, in one language: headers, kinds, parties, accounts and labels.

    A file is read by one person in one language: a Spanish export says ``Aportación`` and
    ``Estatal`` under Spanish headers, an English one ``Contribution`` and ``State``. Journals take
    their account names from :data:`JOURNAL_ACCOUNTS` (valid for beancount and hledger in both).

    Attributes:
        lang: ``es`` or ``en``.
        header: the CSV and XLSX header (:data:`CSV_HEADERS`).
        party_accounts: journal account component per party id.
        counter_accounts: journal counter-account per kind of entry.
        project_account: journal prefix of the project accounts.
    """

    lang: str
    header: tuple[str, ...]
    party_accounts: Mapping[str, str]
    counter_accounts: Mapping[str, str]
    project_account: str

    def text(self, message: str) -> str:
        """An English msgid in this vocabulary's language."""
        return translate(message, self.lang)

    def kind(self, kind: str) -> str:
        """The name of a kind of entry (``contribution`` -> ``Aportación``); an unknown id as stored."""
        label = ENTRY_KIND_LABELS.get(kind)
        return self.text(label) if label else kind

    def party(self, party: str) -> str:
        """The name of a party (``state`` -> ``Estatal``); an unknown id as stored."""
        label = _PARTY_LABEL_IDS.get(party)
        return self.text(label) if label else party

    def key(self, spanish_column: str) -> str:
        """The name in this language of a column of :data:`CSV_HEADER` (journal metadata keys)."""
        return self.header[CSV_HEADER.index(spanish_column)]

    def account_label(self, account: str) -> str:
        """A journal account as a spreadsheet shows it: its root in words (``Activo:Proyectos:...``)."""
        root, _sep, rest = account.partition(":")
        label = _ROOT_LABELS.get(root)
        return f"{self.text(label)}:{rest}" if label and rest else account


@cache
def vocabulary(lang: str = "es") -> Vocabulary:
    """The :class:`Vocabulary` of ``lang`` (``es`` for anything but ``en``)."""
    lang = lang if lang in CSV_HEADERS else "es"
    parties, counters, project = JOURNAL_ACCOUNTS[lang]
    return Vocabulary(lang, CSV_HEADERS[lang], parties, counters, project)


@dataclass(frozen=True)
class AccountBalance:
    """The sum of one project account (project x party) over the scope, from SQL.

    Attributes:
        project_id: the project's id.
        folio: the project's folio.
        party: the party id (``club``, ``federal``...).
        centavos: signed sum of the party's allocation lines, centavos MXN.
        lines: how many allocation lines were summed.
        first_date: date of the earliest of those lines' entries.
        last_date: date of the latest of those lines' entries.
    """

    project_id: int
    folio: str
    party: str
    centavos: int
    lines: int
    first_date: date
    last_date: date


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote.

    Attributes:
        rows: data rows written: allocation lines for CSV and XLSX, transactions for the journals.
        total_centavos: sum of every exported allocation line (= sum of the entries), centavos MXN.
        per_account: signed centavos per ``(folio, party)``, summed from the lines as written.
        entries: ledger entries exported.
        lines: allocation lines exported.
        format: one of :data:`FORMATS`.
        path: the file written.
        head: the audit chain's head in the snapshot exported (None when not read).
    """

    rows: int
    total_centavos: int
    per_account: Mapping[tuple[str, str], int]
    entries: int
    lines: int
    format: str
    path: Path
    head: ChainHead | None = None


@dataclass
class Tally:
    """Counts and sums gathered while writing; per-account sums keyed by project id, then party.

    Attributes:
        rows: data rows written: allocation lines for CSV and XLSX, transactions for the journals.
        entries: ledger entries written.
        lines: allocation lines written.
        sums: signed centavos per project id, then party id, summed from the lines as written.
    """

    rows: int = 0
    entries: int = 0
    lines: int = 0
    sums: defaultdict[int, defaultdict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )

    def per_account(self, projects: Mapping[int, tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Signed centavos per ``(folio, party)``; ``projects`` gives each id's folio and name."""
        return {
            (projects[pid][0], party): amount
            for pid, parties in self.sums.items()
            for party, amount in parties.items()
        }


@dataclass(frozen=True)
class LedgerRows:
    """What a writer reads: plain rows gathered by the services, never a connection.

    Attributes:
        projects: folio and name of every project the rows may name, by project id.
        entries: batches of entry rows (columns as :data:`ENTRY_COLUMNS`), by entry date then id.
        lines: batches of allocation lines ``(entry_id, party, centavos)``, in the entries' order
            then by party id; every entry has at least one.
        balances: per project account, the sum of its lines over the same rows (ordered by folio,
            then party); only the journals need them, for their balance assertions.
        reversal_roots: for every reversal entry id, the kind of the entry its chain of reversals
            starts from; only the journals need them.
        head: the audit chain's head in the same snapshot: the journals write it as a comment, the
            XLSX as document properties; the CSV has no place for it (its header is a contract).
        lang: the language of every word of the file (``es`` or ``en``, see :class:`Vocabulary`).
    """

    projects: Mapping[int, tuple[str, str]]
    entries: Iterable[Sequence[EntryRow]]
    lines: Iterable[Sequence[LineRow]]
    balances: Sequence[AccountBalance] = ()
    reversal_roots: Mapping[int, str] = field(default_factory=dict)
    head: ChainHead | None = None
    lang: str = "es"


def head_comment(head: ChainHead | None, lang: str = "es") -> str:
    """The journals' comment line naming the audit chain's head, in the file's language."""
    if head is None:
        return ""
    text = translate(
        N_("Audit trail: head {hash} · {records} records (check with: tresxuno check --anchor {hash})"), lang
    ).format(hash=head.hash, records=head.records)
    return f"; {text}\n"


def _no_lines(entry_id: int) -> LedgerIntegrityError:
    return LedgerIntegrityError(f"ledger entry {entry_id} has no allocation lines")


def merge_entries(
    entry_batches: Iterable[Sequence[EntryRow]], line_batches: Iterable[Sequence[LineRow]]
) -> Generator[list[tuple[EntryRow, list[LineRow]]], None, None]:
    """Pair each entry with its allocation lines, one batch of entries at a time.

    Args:
        entry_batches: batches of entry rows, ordered by date then id.
        line_batches: batches of ``(entry_id, party, centavos)`` in the same entry order.

    Yields:
        Per batch of entries, each entry with its lines.

    Raises:
        LedgerIntegrityError: an entry has no allocation lines (the contract says every entry has).
    """
    lines = chain.from_iterable(line_batches)
    pending = next(lines, _END)
    for batch in entry_batches:
        merged = []
        for entry in batch:
            eid = entry[0]
            if pending[0] != eid:
                raise _no_lines(eid)
            own = []
            while pending[0] == eid:
                own.append(pending)
                pending = next(lines, _END)
            merged.append((entry, own))
        yield merged


# --- Cells and text ----------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """``text`` made safe for a spreadsheet cell: a leading ``'`` when it would start a formula."""
    return "'" + text if text and text[0] in _FORMULA_START else text


def money_text(centavos: int) -> str:
    """Centavos as plain decimal text for files: ``-1234.56``, no grouping, no symbol."""
    if centavos < 0:
        units, cents = divmod(-centavos, 100)
        return f"-{units}{_CENTS[cents]}"
    units, cents = divmod(centavos, 100)
    return f"{units}{_CENTS[cents]}"


def _csv_field(text: str | None) -> str:
    """One CSV field: neutralised, quoted only when it holds a comma, quote or line break."""
    if not text:
        return ""
    if text[0] in _FORMULA_START:
        text = "'" + text
    if _CSV_SPECIAL(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_rate(rate: str | None) -> str:
    """A stored rate: a number stays a number; anything else is text like any other."""
    if rate is None:
        return ""
    return rate if _RATE_TEXT(rate) else _csv_field(rate)


def _xlsx_text(text: str | None) -> str | None:
    """One XLSX text cell: neutralised, without characters XML cannot hold; None stays empty."""
    if not text:
        return None
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub("", text)
    return neutralise(text)


def _xlsx_rate(rate: str | None) -> Decimal | str | None:
    """A stored rate as a number cell, or as text when it is not a plain decimal."""
    if rate is None:
        return None
    if _RATE_TEXT(rate):
        with suppress(InvalidOperation):
            return Decimal(rate)
    return _xlsx_text(rate)


class _Memo(dict[Any, Any]):
    """A conversion cached per distinct input: payees, concepts and sources repeat across entries."""

    def __init__(self, convert: Callable[[Any], Any]):
        super().__init__()
        self.convert = convert

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.convert(key)
        return value

    def trim(self) -> None:
        """Forget everything once the cache is large, so memory stays bounded on any data."""
        if len(self) > _MEMO_LIMIT:
            self.clear()


def as_date(value: date | str) -> date:
    """A date column's value: SQLite's raw cursor gives ISO text, other drivers give dates."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def account_component(folio: str) -> str:
    """A folio as a journal account component: ``A-Z``, ``0-9`` and ``-``, starting with a letter or digit.

    Beancount requires each component to start with a capital letter or a digit; Ledger and hledger
    accept the same names.
    """
    text = _NOT_ACCOUNT_CHAR.sub("-", folio.upper()).strip("-")
    return text if text else "SIN-FOLIO"


def _account_components(projects: Mapping[int, tuple[str, str]]) -> dict[int, str]:
    """Account component per project id; two folios that reduce to the same text get the id added."""
    components: dict[int, str] = {}
    taken: set[str] = set()
    for pid in sorted(projects, key=lambda p: (projects[p][0], p)):
        name = account_component(projects[pid][0])
        if name in taken:
            name = f"{name}-ID{pid}"
        taken.add(name)
        components[pid] = name
    return components


def party_key(party: str) -> tuple[int, str]:
    """Sort key of a party id: the fixed party order, unknown ids last."""
    return (_PARTY_RANK.get(party, len(_PARTY_RANK)), party)


def _party_account(party: str, vocab: Vocabulary | None = None) -> str:
    accounts = PARTY_ACCOUNTS if vocab is None else vocab.party_accounts
    return accounts.get(party) or account_component(party).capitalize()


def _one_line(text: str | None) -> str:
    """Free text on one journal line: control characters and line breaks become single spaces."""
    return " ".join(_LINE_BREAKING.sub(" ", text).split()) if text else ""


def _bean_string(text: str) -> str:
    """A beancount string literal: backslashes, quotes and line breaks escaped."""
    text = _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _ledger_text(text: str) -> str:
    """Text for a Ledger/hledger description or comment: one line, no ``;`` (it starts a comment)."""
    return _one_line(text).replace(";", ",")


# --- Writers ------------------------------------------------------------------------------------


@dataclass
class _Job:
    """Everything a writer needs: what to read, where to write, and where to count."""

    path: Path
    rows: LedgerRows
    tally: Tally
    tick: Callable[[int], None]
    batch_size: int
    projects: Mapping[int, tuple[str, str]] = field(init=False)
    vocab: Vocabulary = field(init=False)

    def __post_init__(self) -> None:
        self.projects = self.rows.projects  # read once per entry in the hot loops
        self.vocab = vocabulary(self.rows.lang)

    def entries(self) -> Generator[tuple[EntryRow, list[LineRow]], None, None]:
        """Each entry with its lines; ``tick`` (progress, cancel) is called after each batch."""
        for batch in merge_entries(self.rows.entries, self.rows.lines):
            yield from batch
            self.tick(sum(len(lines) for _entry, lines in batch))


def _write_csv(job: _Job) -> int:
    """Write the CSV export; returns the data rows written."""
    # utf-8-sig writes the byte-order mark; newline="" keeps our CRLF (RFC 4180, what Excel writes).
    with open(job.path, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(",".join(job.vocab.header) + "\r\n")
        return _write_csv_rows(fh, job)


def write_csv_rows(path: Path, rows: LedgerRows, *, tick: Callable[[int], None], batch_size: int) -> Tally:
    """Write ``rows`` as CSV data rows only (no byte-order mark, no header): a part another file continues.

    A big export's second half is written so by another process and appended to the first
    (:mod:`tresxuno.services.csv_half`); the bytes are those :func:`write_ledger` would write there.
    """
    tally = Tally()
    with open(path, "x", encoding="utf-8", newline="") as fh:
        tally.rows = _write_csv_rows(fh, _Job(path, rows, tally, tick, batch_size))
    return tally


def _write_csv_rows(fh: TextIO, job: _Job) -> int:
    """Write the CSV's data rows to ``fh``; returns how many.

    The hot loop of a million-entry export, so the merge of the two streams is written out here: an
    entry's columns are formatted once and shared by its lines, a line costs one f-string, and amounts
    are formatted inline (no call per line).
    """
    memo = _Memo(_csv_field)
    project_text = {
        pid: f"{_csv_field(folio)},{_csv_field(name)}" for pid, (folio, name) in job.projects.items()
    }
    sums = job.tally.sums
    cents = _CENTS
    vocab = job.vocab
    kinds = _Memo(lambda kind: _csv_field(vocab.kind(kind)))
    parties = _Memo(lambda party: _csv_field(vocab.party(party)))
    rows = entries = 0
    lines = chain.from_iterable(job.rows.lines)
    pending = next(lines, _END)
    for batch in job.rows.entries:
        out: list[str] = []
        append = out.append
        for (eid, day, pid, kind, usd, rate, rate_day, source, reference, payee, rfc, concept, uuid,
             reverses, reason) in batch:  # fmt: skip
            head = f"{eid},{day},{project_text[pid]},{kinds[kind]},"
            tail = (
                f",{'' if usd is None else money_text(usd)},{'' if rate is None else _csv_rate(rate)},"
                f"{'' if rate_day is None else rate_day},{memo[source]},{_csv_field(reference)},"
                f"{memo[payee]},{memo[rfc]},{memo[concept]},{_csv_field(uuid)},"
                f"{'' if reverses is None else reverses},{memo[reason]}\r\n"
            )
            account = sums[pid]
            if pending[0] != eid:
                raise _no_lines(eid)
            while pending[0] == eid:
                party, amount = pending[1], pending[2]
                account[party] += amount
                if amount < 0:
                    units, cent = divmod(-amount, 100)
                    append(f"{head}{parties[party]},-{units}{cents[cent]}{tail}")
                else:
                    units, cent = divmod(amount, 100)
                    append(f"{head}{parties[party]},{units}{cents[cent]}{tail}")
                pending = next(lines, _END)
        fh.write("".join(out))
        rows += len(out)
        entries += len(batch)
        memo.trim()
        job.tick(len(out))
    job.tally.entries, job.tally.lines = entries, rows
    return rows


#: Column widths of the XLSX sheets, in characters (Excel's unit), for the header's columns.
_XLSX_WIDTHS = (9, 11, 24, 40, 13, 10, 16, 14, 12, 11, 16, 20, 36, 15, 48, 38, 10, 30)


#: Styles of the XLSX export, in the order of their ``s`` numbers (1 = the first).
_XLSX_STYLES = (
    Style(bold=True),
    Style(DATE_FORMAT),
    Style(CURRENCY_FORMAT),
    Style(CURRENCY_FORMAT, bold=True),
    Style(USD_FORMAT),
    Style(RATE_FORMAT),
)
_BOLD, _DATE, _MONEY, _MONEY_BOLD, _USD, _RATE = range(1, 7)


def _text_rest(text: str | None, style: int = 0) -> str | None:
    """What follows the row number in an inline string cell of ``text`` (None: no cell)."""
    if text is None:
        return None
    s = f' s="{style}"' if style else ""
    return f'"{s} t="inlineStr"><is><t xml:space="preserve">{text_xml(text)}</t></is></c>'


def _number_rest(value: str | int | None, style: int = 0) -> str | None:
    """What follows the row number in a number cell (None: no cell)."""
    if value is None:
        return None
    s = f' s="{style}"' if style else ""
    return f'"{s}><v>{value}</v></c>'


def _template(cells: Sequence[tuple[str, str | None]]) -> list[str]:
    """Cells as pieces to join with a row number: ``str(row).join(pieces)`` renders them in that row.

    Each cell is (column letter, what follows the row number); empty cells are left out.
    """
    pieces, rest = [], ""
    for column, after in cells:
        if after is None:
            continue
        pieces.append(f'{rest}<c r="{column}')
        rest = after
    pieces.append(rest)
    return pieces


def _write_xlsx(job: _Job) -> int:
    """Write the XLSX export with :class:`~tresxuno.reports.xlsx_stream.StreamWorkbook`; the data rows.

    Each entry's cells are rendered once as a template; each of its lines then costs one join with
    the row number plus its party and amount, so a million rows take little more than the CSV.
    """
    vocab = job.vocab
    cols = COLUMNS
    kinds = _Memo(lambda kind: _text_rest(_xlsx_text(vocab.kind(kind))))
    parties = _Memo(lambda party: _text_rest(_xlsx_text(vocab.party(party))))
    texts = _Memo(lambda text: _text_rest(_xlsx_text(text)))
    sheet_name = vocab.text(N_("Entries"))
    money_col = CSV_HEADER.index("monto")
    money_letter = cols[money_col]
    projects = {
        pid: (_text_rest(_xlsx_text(folio)), _text_rest(_xlsx_text(name)))
        for pid, (folio, name) in job.projects.items()
    }
    sums = job.tally.sums
    wb = StreamWorkbook(job.path, _XLSX_STYLES)

    def new_sheet(number: int) -> SheetStream:
        ws = wb.add_sheet(sheet_name if number == 1 else f"{sheet_name} ({number})", _XLSX_WIDTHS)
        ws.row("".join(cell_text(cols[i], 1, text_xml(name), _BOLD) for i, name in enumerate(vocab.header)))
        return ws

    def close_sheet(
        ws: SheetStream, data_rows: int, sheet_total: int, *, split: bool, grand: int | None
    ) -> None:
        # The figure is computed here in exact centavos; the formula below it is only a cross-check.
        # When the rows fill several sheets, each ends with its own total and the last adds the
        # grand total.
        label = vocab.text(N_("Total of this sheet")) if split else vocab.text(N_("Total"))
        n = ws.rows + 1
        ws.row(
            cell_text("A", n, text_xml(label), _BOLD)
            + cell_number(money_letter, n, cents_text(sheet_total), _MONEY_BOLD)
        )
        if data_rows:
            n += 1
            formula = f"SUM({money_letter}2:{money_letter}{data_rows + 1})"
            ws.row(
                cell_text("A", n, text_xml(vocab.text(N_("Check (formula)"))))
                + cell_formula(money_letter, n, formula, cents_text(sheet_total), _MONEY)
            )
        if grand is not None:
            n += 1
            ws.row(
                cell_text("A", n, text_xml(vocab.text(N_("Grand total"))), _BOLD)
                + cell_number(money_letter, n, cents_text(grand), _MONEY_BOLD)
            )

    try:
        sheet_number = 1
        ws = new_sheet(sheet_number)
        rows = entries = sheet_rows = sheet_total = grand_total = 0
        party_col, amount_col = cols[money_col - 1], cols[money_col]
        for entry, lines in job.entries():
            (eid, day, pid, kind, usd, rate, rate_day, source, reference, payee, rfc, concept, uuid,
             reverses, reason) = entry  # fmt: skip
            entries += 1
            folio, name = projects[pid]
            rate_value = _xlsx_rate(rate)
            if isinstance(rate_value, Decimal):
                rate_rest = _number_rest(format(rate_value, "f"), _RATE)
            else:
                rate_rest = _text_rest(rate_value)
            head = _template(
                [
                    (cols[0], _number_rest(eid)),
                    (cols[1], _number_rest(serial(as_date(day)), _DATE)),
                    (cols[2], folio),
                    (cols[3], name),
                    (cols[4], kinds[kind]),
                ]
            )
            tail = _template(
                [
                    (cols[7], None if usd is None else _number_rest(cents_text(usd), _USD)),
                    (cols[8], rate_rest),
                    (cols[9], None if rate_day is None else _number_rest(serial(as_date(rate_day)), _DATE)),
                    (cols[10], texts[source]),
                    (cols[11], _text_rest(_xlsx_text(reference))),
                    (cols[12], texts[payee]),
                    (cols[13], texts[rfc]),
                    (cols[14], texts[concept]),
                    (cols[15], _text_rest(_xlsx_text(uuid))),
                    (cols[16], _number_rest(reverses)),
                    (cols[17], texts[reason]),
                ]
            )
            account = sums[pid]
            for _eid, party, amount in lines:
                if sheet_rows == XLSX_SHEET_ROWS:
                    close_sheet(ws, sheet_rows, sheet_total, split=True, grand=None)
                    sheet_number += 1
                    ws = new_sheet(sheet_number)
                    sheet_rows = sheet_total = 0
                account[party] += amount
                sheet_total += amount
                grand_total += amount
                n = str(ws.rows + 1)
                ws.row(
                    f'{n.join(head)}<c r="{party_col}{n}{parties[party]}'
                    f'<c r="{amount_col}{n}" s="{_MONEY}"><v>{cents_text(amount)}</v></c>{n.join(tail)}'
                )
                sheet_rows += 1
                rows += 1
            if entries % job.batch_size == 0:
                texts.trim()
                parties.trim()
        split = sheet_number > 1
        close_sheet(ws, sheet_rows, sheet_total, split=split, grand=grand_total if split else None)
        job.tally.entries, job.tally.lines = entries, rows
        _write_balances_sheet(wb, job)
        if job.rows.head is not None:
            wb.custom = head_properties(job.rows.head)
            wb.description = head_comment(job.rows.head, job.rows.lang).lstrip("; ").rstrip("\n")
        wb.close()
    except BaseException:
        wb.discard()
        raise
    return rows


def _write_balances_sheet(wb: StreamWorkbook, job: _Job) -> None:
    """The "Saldos" sheet: every project account's balance, as summed from the rows written."""
    vocab = job.vocab
    ws = wb.add_sheet(vocab.text(N_("Balances")), (24, 40, 10, 52, 18))
    ws.row(
        "".join(
            cell_text(COLUMNS[i], 1, text_xml(name), _BOLD)
            for i, name in enumerate(BALANCE_HEADERS[vocab.lang])
        )
    )
    components = _account_components(job.projects)
    total = 0
    for pid in sorted(job.tally.sums, key=lambda p: (job.projects[p][0], p)):
        folio, name = job.projects[pid]
        for party, amount in sorted(job.tally.sums[pid].items(), key=lambda item: party_key(item[0])):
            total += amount
            account = vocab.account_label(
                f"{vocab.project_account}:{components[pid]}:{_party_account(party, vocab)}"
            )
            row = str(ws.rows + 1)
            cells = [
                (c, _text_rest(_xlsx_text(v)))
                for c, v in zip("ABCD", (folio, name, vocab.party(party), account), strict=True)
            ]
            ws.row(row.join(_template([*cells, ("E", _number_rest(cents_text(amount), _MONEY))])))
    n = ws.rows + 1
    ws.row(
        cell_text("A", n, text_xml(vocab.text(N_("Total"))), _BOLD)
        + cell_number("E", n, cents_text(total), _MONEY_BOLD)
    )


#: Custom document properties of the XLSX carrying the audit chain's head (File > Info > Properties).
XLSX_HEAD_PROPERTY, XLSX_RECORDS_PROPERTY = "Bitácora: cabeza", "Bitácora: registros"


def head_properties(head: ChainHead) -> list[tuple[str, str | int]]:
    """The audit chain's head as two custom document properties (name, value)."""
    return [(XLSX_HEAD_PROPERTY, head.hash), (XLSX_RECORDS_PROPERTY, head.records)]


def write_head_properties(wb: Any, head: ChainHead | None, lang: str = "es") -> None:
    """The audit chain's head as document properties of an openpyxl workbook: two custom ones, and the description.

    Properties rather than a sheet, so the workbook keeps its sheets as readers expect them.
    """
    if head is None:
        return
    from openpyxl.packaging.custom import IntProperty, StringProperty

    wb.custom_doc_props.append(StringProperty(name=XLSX_HEAD_PROPERTY, value=head.hash))
    wb.custom_doc_props.append(IntProperty(name=XLSX_RECORDS_PROPERTY, value=head.records))
    wb.properties.description = head_comment(head, lang).lstrip("; ").rstrip("\n")


@dataclass(frozen=True)
class _Journal:
    """What both journals know before their first transaction."""

    balances: list[AccountBalance]
    components: dict[int, str]
    roots: dict[int, str]
    first: date
    last: date
    vocab: Vocabulary

    @classmethod
    def prepare(cls, job: _Job) -> _Journal:
        """The balances (for the opening and the assertions), account names and reversal roots."""
        balances = list(job.rows.balances)
        first = min((b.first_date for b in balances), default=date(2000, 1, 1))
        last = max((b.last_date for b in balances), default=first)
        roots = dict(job.rows.reversal_roots)
        return cls(balances, _account_components(job.projects), roots, first, last, job.vocab)

    def project_account(self, pid: int, party: str) -> str:
        return f"{self.vocab.project_account}:{self.components[pid]}:{self.party_account(party)}"

    def party_account(self, party: str) -> str:
        return _party_account(party, self.vocab)

    def counter_accounts(self) -> list[str]:
        """Counter-accounts of every kind for every party with an account: few, opened up front."""
        parties = sorted({b.party for b in self.balances}, key=party_key)
        counters = self.vocab.counter_accounts.values()
        return [f"{counter}:{self.party_account(p)}" for counter in counters for p in parties]

    def counter_of(self, kind: str, entry_id: int) -> str:
        """The counter-account prefix of an entry; a reversal takes the one of its chain's first entry."""
        base = self.roots.get(entry_id, "payment") if kind == "reversal" else kind
        counters = self.vocab.counter_accounts
        return counters.get(base, counters["payment"])

    def preamble(self) -> str:
        """The file's first comment line, in its language."""
        return (
            "; "
            + self.vocab.text(N_("Ledger of the 3x1 for Migrants Programme, exported by tresxuno."))
            + "\n"
        )


def _narration(
    vocab: Vocabulary,
    kind: str,
    folio: str,
    reverses: int | None,
    concept: str | None,
    reason: str | None,
    payee: str | None,
) -> str:
    """The description of an entry's transaction, in the file's language."""
    if kind == "reversal":
        text = vocab.text(N_("Reversal of entry {entry} {folio}")).format(entry=reverses, folio=folio)
        return f"{text}: {reason}" if reason else text
    text = f"{vocab.kind(kind)} {folio}"
    if payee:
        text = vocab.text(N_("{description} to {payee}")).format(description=text, payee=payee)
    return f"{text}: {concept}" if concept else text


def _write_beancount(job: _Job) -> int:
    """Write the beancount journal; returns the transactions written."""
    journal = _Journal.prepare(job)
    sums = job.tally.sums
    rows = lines_written = 0
    vocab, key = job.vocab, job.vocab.key
    title = _bean_string(vocab.text(N_("tresxuno: ledger")))
    with open(job.path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            journal.preamble()
            + head_comment(job.rows.head, vocab.lang)
            + f'option "title" {title}\n'
            + 'option "operating_currency" "MXN"\n\n'
        )
        for balance in journal.balances:
            fh.write(
                f"{journal.first} open {journal.project_account(balance.project_id, balance.party)} MXN\n"
            )
        for account in journal.counter_accounts():
            fh.write(f"{journal.first} open {account} MXN\n")
        out: list[str] = []
        for entry, lines in job.entries():
            (eid, day, pid, kind, usd, rate, rate_day, source, reference, payee, rfc, concept, uuid,
             reverses, reason) = entry  # fmt: skip
            folio = job.projects[pid][0]
            narration = _bean_string(_narration(vocab, kind, folio, reverses, concept, reason, None))
            payee_text = f"{_bean_string(payee)} " if payee else ""
            text = [f"\n{day} * {payee_text}{narration}\n  {key('asiento')}: {eid}\n"
                    f"  folio: {_bean_string(folio)}\n  {key('tipo')}: {_bean_string(vocab.kind(kind))}\n"]  # fmt: skip
            if reference:
                text.append(f"  {key('referencia')}: {_bean_string(reference)}\n")
            if rfc:
                text.append(f"  rfc: {_bean_string(rfc)}\n")
            if uuid:
                text.append(f"  {key('uuid_cfdi')}: {_bean_string(uuid)}\n")
            if reverses is not None:
                text.append(f"  {key('revierte_a')}: {reverses}\n")
            if usd is not None:
                text.append(f'  {key("monto_usd")}: "{money_text(usd)} USD"\n')
            if rate:
                text.append(f"  {key('tipo_de_cambio')}: {_bean_string(rate)}\n")
            if rate_day is not None:
                text.append(f"  {key('fecha_tc')}: {rate_day}\n")
            if source:
                text.append(f"  {key('fuente_tc')}: {_bean_string(source)}\n")
            counter = journal.counter_of(kind, eid)
            party_sums = sums[pid]
            for line in lines:
                party, amount = line[-2], line[-1]
                party_sums[party] += amount
                name = journal.party_account(party)
                text.append(
                    f"  {vocab.project_account}:{journal.components[pid]}:{name}  {money_text(amount)} MXN\n"
                    f"  {counter}:{name}  {money_text(-amount)} MXN\n"
                )
            out.append("".join(text))
            rows += 1
            lines_written += len(lines)
            if len(out) >= 1000:
                fh.write("".join(out))
                out.clear()
        fh.write("".join(out))
        # Beancount checks a balance at the start of its date: the day after the last entry.
        check_day = journal.last + timedelta(days=1)
        fh.write("\n")
        for balance in journal.balances:
            fh.write(
                f"{check_day} balance {journal.project_account(balance.project_id, balance.party)}  "
                f"{money_text(balance.centavos)} MXN\n"
            )
    job.tally.entries, job.tally.lines = rows, lines_written
    _check_against(journal.balances, job.tally)
    return rows


def _write_ledger(job: _Job) -> int:
    """Write the Ledger/hledger journal; returns the transactions written (assertions not counted)."""
    journal = _Journal.prepare(job)
    sums = job.tally.sums
    rows = lines_written = 0
    vocab, key = job.vocab, job.vocab.key
    with open(job.path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            journal.preamble()
            + head_comment(job.rows.head, vocab.lang)
            + "commodity MXN\n    format 1,000.00 MXN\n\n"
        )
        for balance in journal.balances:
            fh.write(f"account {journal.project_account(balance.project_id, balance.party)}\n")
        for account in journal.counter_accounts():
            fh.write(f"account {account}\n")
        out: list[str] = []
        for entry, lines in job.entries():
            (eid, day, pid, kind, usd, rate, rate_day, source, reference, payee, rfc, concept, uuid,
             reverses, reason) = entry  # fmt: skip
            folio = job.projects[pid][0]
            # The description always starts with a fixed word: a leading "(" would be read as a
            # transaction code, and ";" anywhere as the start of a comment.
            description = _ledger_text(_narration(vocab, kind, folio, reverses, concept, reason, payee))
            text = [f"\n{day} * {description}\n    ; {key('asiento')}: {eid}\n"
                    f"    ; {key('tipo')}: {_ledger_text(vocab.kind(kind))}\n"]  # fmt: skip
            if reference:
                text.append(f"    ; {key('referencia')}: {_ledger_text(reference)}\n")
            if rfc:
                text.append(f"    ; rfc: {_ledger_text(rfc)}\n")
            if uuid:
                text.append(f"    ; {key('uuid_cfdi')}: {_ledger_text(uuid)}\n")
            if usd is not None:
                text.append(
                    f"    ; {key('monto_usd')}: {money_text(usd)} USD, {key('tipo_de_cambio')}: "
                    f"{_ledger_text(rate)}, {key('fecha_tc')}: {rate_day or ''}, "
                    f"{key('fuente_tc')}: {_ledger_text(source)}\n"
                )
            counter = journal.counter_of(kind, eid)
            party_sums = sums[pid]
            for line in lines:
                party, amount = line[-2], line[-1]
                party_sums[party] += amount
                name = journal.party_account(party)
                text.append(
                    f"    {vocab.project_account}:{journal.components[pid]}:{name}    {money_text(amount)} MXN\n"
                    f"    {counter}:{name}    {money_text(-amount)} MXN\n"
                )
            out.append("".join(text))
            rows += 1
            lines_written += len(lines)
            if len(out) >= 1000:
                fh.write("".join(out))
                out.clear()
        fh.write("".join(out))
        # One zero-amount transaction per project whose postings assert each account's balance
        # ("ACCOUNT  0 MXN = BALANCE"), which both hledger and Ledger check.
        check_day = journal.last + timedelta(days=1)
        by_project: dict[int, list[AccountBalance]] = defaultdict(list)
        for balance in journal.balances:
            by_project[balance.project_id].append(balance)
        for pid, project_balances in by_project.items():
            title = vocab.text(N_("Balance check {folio}")).format(folio=job.projects[pid][0])
            fh.write(f"\n{check_day} * {_ledger_text(title)}\n")
            for balance in project_balances:
                fh.write(
                    f"    {journal.project_account(pid, balance.party)}    0 MXN = "
                    f"{money_text(balance.centavos)} MXN\n"
                )
    job.tally.entries, job.tally.lines = rows, lines_written
    _check_against(journal.balances, job.tally)
    return rows


def _check_against(balances: Sequence[AccountBalance], tally: Tally) -> None:
    """The balances asserted in a journal must be what its transactions add up to.

    Both come from the same snapshot (the services read them so), so a difference means a bug in the
    reading, never user input.
    """
    asserted = {(b.project_id, b.party): b.centavos for b in balances}
    written = {
        (pid, party): amount for pid, parties in tally.sums.items() for party, amount in parties.items()
    }
    if asserted != written:
        raise LedgerIntegrityError("the exported lines do not add up to the SQL balances")


_WRITERS: dict[str, Callable[[_Job], int]] = {
    "csv": _write_csv,
    "xlsx": _write_xlsx,
    "beancount": _write_beancount,
    "ledger": _write_ledger,
}


def write_ledger(
    fmt: str, path: Path, rows: LedgerRows, *, tick: Callable[[int], None], batch_size: int
) -> Tally:
    """Write ``rows`` to ``path`` in ``fmt``, streaming: one batch of entries in memory at a time.

    Args:
        fmt: one of :data:`FORMATS`.
        path: the file to write (created or truncated; the services pass a temporary file).
        rows: the entries and lines to write; the journals (:data:`JOURNAL_FORMATS`) also need its
            ``balances`` and ``reversal_roots``.
        tick: called after each batch with the number of allocation lines it held (the services
            report progress and check for a cancel there; whatever it raises propagates).
        batch_size: entries per batch as read (the XLSX writer trims its text caches that often).

    Returns:
        Rows, entries, lines and per-account sums as written.

    Raises:
        ValueError: ``fmt`` is not one of :data:`FORMATS`.
        LedgerIntegrityError: an entry without lines, or journal balances that disagree with the
            lines written.
    """
    if fmt not in _WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    tally = Tally()
    tally.rows = _WRITERS[fmt](_Job(path, rows, tally, tick, batch_size))
    return tally


def write_summary(summary: ExportSummary, out: TextIO, lang: str = "es") -> None:
    """One line for the terminal: what was written where, the total, and the audit chain's head then.

    The head is here (and not in a CSV, whose header is a contract) so it can be written down and
    checked later with ``tresxuno check --anchor``.
    """
    text = _("{lines} lines of {entries} ledger entries written to {path}; total {total}").format(
        lines=summary.lines,
        entries=summary.entries,
        path=summary.path,
        total=display_money(summary.total_centavos, lang),
    )
    if summary.head is not None:
        text += "; " + _("head {hash} · {records} records").format(
            hash=summary.head.hash, records=summary.head.records
        )
    out.write(text + "\n")
