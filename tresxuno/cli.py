"""The ``tresxuno`` command line: the GUI by default, and commands that need no window.

Exit status (contract): 0 success, 2 bad input or usage (one line on stderr naming the field
and what is allowed), 1 any other failure. Commands other than ``gui`` never import Qt.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import NoReturn, TextIO

from tresxuno import __version__, paths
from tresxuno.domain.problems import InputError, Problem, RuleSetError, StorageError
from tresxuno.formatting import percent as percent_text
from tresxuno.i18n import N_, _, ngettext, set_language

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("tresxuno")


#: argparse's own messages, marked here so our catalogues translate them (see _translate_argparse).
ARGPARSE_MESSAGES = (
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("expected one argument"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
)


def _translate_argparse() -> None:
    """Route argparse's messages through our catalogue, so usage errors come in the user's language."""
    argparse._ = _  # type: ignore[attr-defined]  # argparse looks its gettext up as a module global


class UsageError(Exception):
    """Bad command-line usage (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line and lets :func:`main` choose the exit status."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _add_db(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--db", default=default, metavar="URL_OR_PATH", help=_("database URL, or a path to an SQLite file")
    )
    parser.add_argument(
        "--user",
        default=default,
        metavar="NAME",
        help=_(
            "sign in as NAME (needed once the database has users; the password is read from "
            "TRESXUNO_PASSWORD or asked)"
        ),
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line grammar (``--db`` accepted before or after the command)."""
    parser = _Parser(
        prog="tresxuno",
        description=_("3x1 para Migrantes: clubs, projects, shares and reports."),
        epilog=_(
            "Users: while a database has no users, every command works without signing in. Once it "
            "has users, demo, import, export, report, backup and restore need --user NAME (password from "
            "TRESXUNO_PASSWORD, or asked); shares and rules read no database and never ask."
        ),
    )
    parser.add_argument("--version", action="version", version=f"tresxuno {__version__}")
    _add_db(parser, default=None)
    parser.add_argument("--lang", choices=["es", "en"], default=None, help=_("language (es or en)"))
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    gui = sub.add_parser("gui", help=_("open the desktop application (the default)"))
    _add_db(gui, default=argparse.SUPPRESS)

    shares = sub.add_parser("shares", help=_("split a project's cost among the parties"))
    _add_db(shares, default=argparse.SUPPRESS)
    shares.add_argument("--program", required=True, help=_("programme id: 3x1, 4x1, 2x1-zacatecas"))
    shares.add_argument("--year", required=True, help=_("fiscal year"))
    shares.add_argument("--category", required=True, help=_("project category id"))
    shares.add_argument("--cost", required=True, help=_("total cost in MXN, e.g. 1,250,000.00"))
    shares.add_argument("--partner-amount", help=_("fixed amount agreed with the partner, in MXN"))
    shares.add_argument("--json", action="store_true", help=_("print one JSON object"))

    rules = sub.add_parser("rules", help=_("show the programme rule sets"))
    _add_db(rules, default=argparse.SUPPRESS)
    rules_sub = rules.add_subparsers(dest="rules_command", parser_class=_Parser, required=True)
    rules_list = rules_sub.add_parser("list", help=_("programmes, years, categories, mixes and caps"))
    _add_db(rules_list, default=argparse.SUPPRESS)
    rules_list.add_argument("--json", action="store_true", help=_("print JSON"))

    demo = sub.add_parser("demo", help=_("fill a database with realistic demo data"))
    _add_db(demo, default=argparse.SUPPRESS)
    demo.add_argument("--projects", default="180", help=_("number of projects (default 180)"))
    demo.add_argument("--seed", default="2026", help=_("random seed, for repeatable data"))
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help=_("do nothing (and succeed) when the database already holds data"),
    )

    imp = sub.add_parser("import", help=_("import clubs or projects from a CSV or XLSX file"))
    _add_db(imp, default=argparse.SUPPRESS)
    imp.add_argument("kind", choices=IMPORT_KINDS, help=_("what the file holds: clubs or projects"))
    imp.add_argument("file", metavar="FILE", help=_("the CSV or XLSX file"))
    imp.add_argument("--sheet", help=_("worksheet of an XLSX file (default: the first)"))
    imp.add_argument("--dry-run", action="store_true", help=_("check every row and write nothing"))
    imp.add_argument("--valid-only", action="store_true", help=_("import the valid rows and list the others"))

    export = sub.add_parser("export", help=_("write data to a file for other programs"))
    _add_db(export, default=argparse.SUPPRESS)
    export_sub = export.add_subparsers(dest="export_command", parser_class=_Parser, required=True)
    ledger = export_sub.add_parser("ledger", help=_("the money trail: CSV, XLSX or a double-entry journal"))
    _add_db(ledger, default=argparse.SUPPRESS)
    ledger.add_argument("--format", required=True, choices=EXPORT_FORMATS, help=_("file format"))
    ledger.add_argument("--year", help=_("fiscal year"))
    ledger.add_argument(
        "--project", metavar="FOLIO", help=_("only the entries of the project with this folio")
    )
    ledger.add_argument("-o", "--output", required=True, metavar="FILE", help=_("file to write"))
    ledger.add_argument(
        "--force",
        action="store_true",
        help=_("replace FILE if it exists (never the database or its -wal, -shm, -journal files)"),
    )

    transparency = export_sub.add_parser(
        "transparency",
        help=_("transparency and federal reporting: SIPOT XV-A, padrón de beneficiarios (XV-B), SRFT"),
    )
    _add_db(transparency, default=argparse.SUPPRESS)
    transparency.add_argument("--format", required=True, choices=TRANSPARENCY_FORMATS, help=_("which format"))
    transparency.add_argument("--year", required=True, help=_("fiscal year"))
    transparency.add_argument("--quarter", help=_("quarter, 1 to 4 (the whole year when left out)"))
    transparency.add_argument("-o", "--output", required=True, metavar="FILE", help=_("XLSX file to write"))
    transparency.add_argument(
        "--force",
        action="store_true",
        help=_("replace FILE if it exists (never the database or its -wal, -shm, -journal files)"),
    )

    audit = export_sub.add_parser(
        "audit",
        help=_(
            "the audit package: expediente, reports, ledger and audit trail extracts, sha256 manifest (ZIP)"
        ),
    )
    _add_db(audit, default=argparse.SUPPRESS)
    scope = audit.add_mutually_exclusive_group(required=True)
    scope.add_argument("--project", metavar="FOLIO", help=_("one project's package"))
    scope.add_argument("--year", help=_("every project of a fiscal year, with the year's reports"))
    audit.add_argument("-o", "--output", required=True, metavar="FILE", help=_("ZIP file to write"))
    audit.add_argument(
        "--force",
        action="store_true",
        help=_("replace FILE if it exists (never the database or its -wal, -shm, -journal files)"),
    )

    check = sub.add_parser("check", help=_("verify the audit trail and the ledger's invariants"))
    _add_db(check, default=argparse.SUPPRESS)
    check.add_argument(
        "--anchor",
        metavar="SHA256",
        help=_(
            "a head printed earlier by check (64 hex digits): fail unless the audit trail passes through it"
        ),
    )
    reintegros = sub.add_parser(
        "reintegros",
        help=_("federal money unspent on 31 December: the refunds to TESOFE a fiscal year requires"),
    )
    _add_db(reintegros, default=argparse.SUPPRESS)
    reintegros.add_argument("--year", required=True, help=_("fiscal year"))
    close_year = sub.add_parser(
        "close-year", help=_("close a fiscal year (refused while a federal reintegro is missing)")
    )
    _add_db(close_year, default=argparse.SUPPRESS)
    close_year.add_argument("--year", required=True, help=_("fiscal year"))
    seal = sub.add_parser(
        "seal", help=_("seal the audit trail with the office key (created in the config folder if missing)")
    )
    _add_db(seal, default=argparse.SUPPRESS)

    from tresxuno.services.reporting.kinds import REPORT_KINDS  # constants only: no SQLAlchemy

    report = sub.add_parser("report", help=_("print a report to a PDF file"))
    _add_db(report, default=argparse.SUPPRESS)
    report.add_argument(
        "kind", metavar="KIND", help=_("report: {kinds}").format(kinds=", ".join(REPORT_KINDS))
    )
    report.add_argument("--project", metavar="FOLIO", help=_("the project's folio"))
    report.add_argument("--entry", metavar="ID", help=_("the ledger entry's number (receipt)"))
    report.add_argument(
        "--session",
        metavar="NUMBER",
        help=_("the COVAM session's number as on its minutes, e.g. 1/2016 (session)"),
    )
    report.add_argument("--year", help=_("fiscal year"))
    report.add_argument("--quarter", help=_("quarter, 1 to 4"))
    report.add_argument("--municipality", metavar="KEY", help=_("municipality's five-digit INEGI key"))
    report.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help=_("PDF file to write"))
    report.add_argument(
        "--force",
        action="store_true",
        help=_("replace FILE if it exists (never the database or its -wal, -shm, -journal files)"),
    )
    amend = sub.add_parser(
        "amend", help=_("record a convenio modificatorio: a signed project's new cost and shares")
    )
    _add_db(amend, default=argparse.SUPPRESS)
    amend.add_argument("--project", required=True, metavar="FOLIO", help=_("the project's folio"))
    amend.add_argument("--cost", required=True, help=_("the new total cost in MXN, e.g. 1,250,000.00"))
    amend.add_argument(
        "--date", required=True, metavar="DD/MM/AAAA", help=_("the day the amendment was signed")
    )
    amend.add_argument("--reason", required=True, help=_("why the cost changes"))
    amend.add_argument(
        "--authorised-by", required=True, metavar="TEXT", help=_("who authorised it (name and post)")
    )
    amend.add_argument("--document", default="", metavar="REF", help=_("the amendment's document reference"))

    validate = sub.add_parser(
        "validate", help=_("score a project's technical file (cédula de validación técnica)")
    )
    _add_db(validate, default=argparse.SUPPRESS)
    validate.add_argument("--project", required=True, metavar="FOLIO", help=_("the project's folio"))
    validate.add_argument("--date", required=True, metavar="DD/MM/AAAA", help=_("the day it was scored"))
    validate.add_argument("--by", required=True, metavar="NAME", help=_("who validated (name)"))
    validate.add_argument("--post", default="", metavar="TEXT", help=_("the validator's post"))
    validate.add_argument(
        "--score",
        action="append",
        default=[],
        metavar="CRITERION=POINTS[:NOTE]",
        help=_("points of one criterion; repeat for every criterion (a missing one is named)"),
    )
    validate.add_argument("--observations", default="", metavar="TEXT", help=_("general observations"))

    officials = sub.add_parser("officials", help=_("list who held each post on a date (documents name them)"))
    _add_db(officials, default=argparse.SUPPRESS)
    officials.add_argument(
        "--on", metavar="DD/MM/AAAA", default=None, help=_("the date (today when not given)")
    )
    officials.add_argument("--all", action="store_true", help=_("every term of every post instead"))
    officials.add_argument(
        "--office",
        metavar="KEY",
        default=None,
        help=_("a registered office's officials (default: this database's own)"),
    )

    office = sub.add_parser(
        "office", help=_("offices sharing one database: register them, list them, place officers in them")
    )
    office_sub = office.add_subparsers(dest="office_command", required=True)
    office_list = office_sub.add_parser("list", help=_("every office, its jurisdiction and its officers"))
    _add_db(office_list, default=argparse.SUPPRESS)
    office_add = office_sub.add_parser("add", help=_("register an office and its jurisdiction"))
    _add_db(office_add, default=argparse.SUPPRESS)
    office_add.add_argument("code", metavar="KEY", help=_("short key officers type (jerez, zac-estatal)"))
    office_add.add_argument("--name", required=True, help=_("the name its letterhead prints"))
    office_add.add_argument(
        "--kind", required=True, choices=("municipal", "state"), help=_("municipal or state")
    )
    office_add.add_argument(
        "--state", required=True, metavar="KEY", help=_("two-digit INEGI key of its state")
    )
    office_add.add_argument(
        "--municipality",
        action="append",
        default=[],
        metavar="KEY",
        help=_(
            "five-digit INEGI key of a municipality it covers (once for a municipal office; repeat for a "
            "state office covering some; none: the whole state)"
        ),
    )
    office_add.add_argument("--rfc", default="", help=_("the RFC its documents print"))
    office_add.add_argument("--place", default="", help=_("where its documents are signed"))
    office_add.add_argument(
        "--logo", default="", metavar="FILE", help=_("PNG or JPEG logo its letterhead prints")
    )
    office_add.add_argument(
        "--public-key",
        default="",
        metavar="HEX",
        help=_("the key 'tresxuno consolidate key' printed at the office, to verify its packages"),
    )
    office_add.add_argument(
        "--db-role",
        default="",
        metavar="ROLE",
        help=_("PostgreSQL role its desks connect as; row-level security confines it to the jurisdiction"),
    )
    office_assign = office_sub.add_parser(
        "assign", help=_("place an officer in an office (--none: the whole database)")
    )
    _add_db(office_assign, default=argparse.SUPPRESS)
    office_assign.add_argument("username", metavar="USER", help=_("the officer's user name"))
    where = office_assign.add_mutually_exclusive_group(required=True)
    where.add_argument("--office", metavar="KEY", help=_("the office's key"))
    where.add_argument("--none", action="store_true", help=_("the whole database (no office)"))

    consolidate = sub.add_parser(
        "consolidate", help=_("send this office's changes to the state office, or import an office's package")
    )
    consolidate_sub = consolidate.add_subparsers(dest="consolidate_command", required=True)
    consolidate_sub.add_parser("key", help=_("print this office's public key (the state registers it)"))
    c_export = consolidate_sub.add_parser(
        "export", help=_("write the signed package of the changes not sent yet")
    )
    _add_db(c_export, default=argparse.SUPPRESS)
    c_export.add_argument("-o", "--output", required=True, metavar="FILE", help=_("package file to write"))
    c_export.add_argument(
        "--since", type=int, default=None, metavar="SEQ", help=_("start at audit record SEQ (to send again)")
    )
    c_export.add_argument("--force", action="store_true", help=_("replace FILE if it exists"))
    c_import = consolidate_sub.add_parser("import", help=_("import an office's package (state office)"))
    _add_db(c_import, default=argparse.SUPPRESS)
    c_import.add_argument("file", metavar="FILE", help=_("the package"))
    c_import.add_argument("--office", required=True, metavar="KEY", help=_("the office that sent it"))
    decide = c_import.add_mutually_exclusive_group()
    decide.add_argument(
        "--accept-theirs", action="store_true", help=_("settle every conflict with the office's version")
    )
    decide.add_argument(
        "--keep-ours", action="store_true", help=_("settle every conflict keeping this database's")
    )

    backup = sub.add_parser("backup", help=_("copy the database to a backup file"))
    _add_db(backup, default=argparse.SUPPRESS)
    backup.add_argument("-o", "--output", required=True, metavar="FILE", help=_("backup file to write"))
    backup.add_argument(
        "--force",
        action="store_true",
        help=_("replace FILE if it exists (never the database or its -wal, -shm, -journal files)"),
    )

    restore = sub.add_parser("restore", help=_("replace the database with a backup (a copy of it is kept)"))
    _add_db(restore, default=argparse.SUPPRESS)
    restore.add_argument("file", metavar="FILE", help=_("the backup file"))
    restore.add_argument("--yes", action="store_true", help=_("replace the database without asking"))
    return parser


def _int_arg(text: str, field: str, low: int, high: int) -> int:
    try:
        if not text.strip().isascii():  # int() reads "٢٠٢٦" and "２０２６"; amounts refuse them too
            raise ValueError(text)
        value = int(text.strip())
    except ValueError:
        raise InputError(Problem(field, "number.not_whole", {"text": text})) from None
    if not low <= value <= high:
        code = "year.out_of_range" if field == "year" else "number.out_of_range"
        raise InputError(Problem(field, code, {"value": value, "year": value, "min": low, "max": high}))
    return value


def cmd_shares(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno shares``: the split of one project's cost, as a table or the contract JSON."""
    from tresxuno.domain.money import Money
    from tresxuno.services.rules import quote_shares

    year = _int_arg(args.year, "year", 1990, 2200)
    problems: list[Problem] = []
    cost = partner = None
    try:
        cost = Money.parse(args.cost, field="cost")
    except InputError as exc:
        problems.extend(exc.problems)
    if args.partner_amount is not None:
        try:
            partner = Money.parse(args.partner_amount, field="partner_amount")
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    assert cost is not None
    quote = quote_shares(args.program, year, args.category, cost, partner_amount=partner)
    if args.json:
        json.dump(quote.as_contract_json(), out, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(quote.as_text())
    return EXIT_OK


def cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno rules list``: every rule set with its years, categories, mix and caps."""
    from tresxuno.services.rules import pending_rule_files, rulebook, rules_text
    from tresxuno.services.store import open_read_only

    # The user's rule files count only once accepted in the database (read, never created here).
    try:
        db = open_read_only(resolve_db(getattr(args, "db", None)))
    except StorageError:
        db = None
    try:
        book = rulebook(db)
        pending = pending_rule_files(db)
        listing = rules_text(db) if not args.json else ""
    finally:
        if db is not None:
            db.dispose()
    if args.json:
        data = {
            "programs": [
                {
                    "id": p.id,
                    "name_es": p.name_es,
                    "name_en": p.name_en,
                    "description": p.description,
                    "rule_sets": [rs.to_data() for rs in book.all_rule_sets if rs.program == p.id],
                }
                for p in book.programs.values()
            ],
            "pending_acceptance": [{"file": str(f.path), "sha256": f.sha256} for f in pending],
        }
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(listing)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno demo``: fill the database with realistic demo data."""
    from tresxuno.demo.projects import generate_demo
    from tresxuno.demo.users import DEMO_PASSWORD, DEMO_USERS
    from tresxuno.services.office import holds_records

    projects = _int_arg(args.projects, "projects", 1, 100_000)
    seed = _int_arg(args.seed, "seed", 0, 2**31 - 1)
    db = _open(args)
    try:
        # With --if-empty a database already holding data is left alone, so nobody needs to sign in.
        if args.if_empty and holds_records(db):
            out.write(_("{url} already holds data; left as it is.\n").format(url=db.url))
            return EXIT_OK
        _sign_in(args, db, required=not args.if_empty)
        summary = generate_demo(db, projects=projects, seed=seed, with_users=True)
    except InputError as exc:
        if args.if_empty and [p.code for p in exc.problems] == ["demo.not_empty"]:
            out.write(_("{url} already holds data; left as it is.\n").format(url=db.url))
            return EXIT_OK
        raise
    finally:
        db.dispose()
    out.write(
        _(
            "Demo data written to {url}: {federations} federations, {clubs} clubs, {projects} projects.\n"
        ).format(url=db.url, federations=summary.federations, clubs=summary.clubs, projects=summary.projects)
    )
    out.write(
        _("Demo users (password {password}): {users}.\n").format(
            password=DEMO_PASSWORD, users=", ".join(name for name, _full, _role in DEMO_USERS)
        )
    )
    return EXIT_OK


#: Formats of ``export ledger``; equal to ``tresxuno.services.exports.FORMATS`` (a test checks), kept
#: here so that building the parser does not import SQLAlchemy.
EXPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx", "beancount", "ledger")


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno export ledger``: the money trail as CSV, XLSX, beancount or ledger; one summary line."""
    if args.export_command == "transparency":
        return cmd_export_transparency(args, out)
    if args.export_command == "audit":
        return cmd_export_audit(args, out)
    from pathlib import Path

    from tresxuno.i18n import language
    from tresxuno.services.exports import export_ledger, write_summary
    from tresxuno.services.store import open_database

    year = None if args.year is None else _int_arg(args.year, "year", 1990, 2200)
    output = Path(args.output).expanduser()
    # create=False: a mistyped --db must not leave an empty database behind and export nothing.
    db = open_database(resolve_db(args.db), create=False)
    try:
        _sign_in(args, db, record_login=False)
        # The service refuses the database, its side files, non-files, and a file without --force.
        summary = export_ledger(db, args.format, output, year=year, folio=args.project, force=args.force)
    finally:
        db.dispose()
    write_summary(summary, out, language())
    return EXIT_OK


#: Formats of ``export transparency``; equal to ``tresxuno.domain.transparency.FORMAT_IDS`` (a test checks).
TRANSPARENCY_FORMATS: tuple[str, ...] = ("sipot-xv", "padron", "srft")


def cmd_export_transparency(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno export transparency``: one SIPOT or SRFT format as XLSX; one summary line."""
    from pathlib import Path

    from tresxuno.formatting import money_text
    from tresxuno.services.store import open_database
    from tresxuno.services.transparency import export_transparency, transparency_book

    year = _int_arg(args.year, "year", 2002, 2100)
    quarter = 0 if args.quarter is None else _int_arg(args.quarter, "quarter", 1, 4)
    db = open_database(resolve_db(args.db), create=False)
    try:
        _sign_in(args, db, record_login=False)
        written = export_transparency(
            db, args.format, Path(args.output).expanduser(), year=year, quarter=quarter, force=args.force
        )
    finally:
        db.dispose()
    headers = {c.field: c.header for c in transparency_book().layouts[written.format].columns}
    sums = "; ".join(f"{headers[k]}: {money_text(v)}" for k, v in written.totals.items())
    rows = ngettext("{n} row", "{n} rows", written.rows).format(n=written.rows)
    out.write(
        _("{format}: {rows} written to {path} ({sums}); audit head {head} · {records} records\n").format(
            format=written.format,
            rows=rows,
            path=written.path,
            sums=sums,
            head=written.head.hash,
            records=written.head.records,
        )
    )
    return EXIT_OK


def cmd_export_audit(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno export audit``: one project's or one fiscal year's audit package (ZIP, sha256 manifest)."""
    from pathlib import Path

    from tresxuno.services.audit_package import export_audit_package
    from tresxuno.services.store import open_database

    year = None if args.year is None else _int_arg(args.year, "year", 2002, 2100)
    db = open_database(resolve_db(args.db), create=False)
    try:
        actor = _sign_in(args, db, record_login=False)
        package = export_audit_package(
            db,
            Path(args.output).expanduser(),
            folio=args.project,
            year=year,
            printed_by=actor.username,
            force=args.force,
        )
    finally:
        db.dispose()
    out.write(
        _(
            "{files} files written to {path}; {missing} not included (see LEEME.txt); audit head {head}\n"
        ).format(
            files=len(package.files),
            path=package.path,
            missing=len(package.not_applicable),
            head=package.head.hash,
        )
    )
    return EXIT_OK


#: Kinds ``import`` accepts; equal to ``tresxuno.services.importer.KINDS`` (a test checks), kept here so
#: that building the parser does not import SQLAlchemy.
IMPORT_KINDS: tuple[str, ...] = ("clubs", "projects")


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno import clubs|projects FILE``: check every row, then import all of them or none.

    The summary goes to stdout; each problem to stderr as "row 7, column «Costo»: …". Exit 2 when
    there is a problem and nothing was imported (with ``--dry-run``: would be); ``--valid-only``
    imports the valid rows and lists the others (exit 0).
    """
    from tresxuno.services.importer import preview, run_import, summary_line
    from tresxuno.services.store import open_database

    err = sys.stderr  # looked up now, so a test's captured stderr receives the row problems
    # create=False: a mistyped --db must not leave an empty database behind with nothing imported.
    db = open_database(resolve_db(args.db), create=False)
    try:
        # The signed-in user, or the login name while the database has no users.
        user = _sign_in(args, db, record_login=not args.dry_run).username
        if args.dry_run:
            checked = preview(db, args.file, args.kind, sheet=args.sheet)
            can = checked.can_import_valid if args.valid_only else checked.can_import_all
            imported = (checked.valid_count if args.valid_only else len(checked.rows)) if can else 0
        else:
            result = run_import(
                db, args.file, args.kind, valid_only=args.valid_only, user=user, sheet=args.sheet
            )
            checked, imported = result.preview, result.imported
    finally:
        db.dispose()
    out.write(summary_line(checked) + "\n")
    if checked.extra_columns:
        out.write(
            _("Columns ignored: {columns}").format(columns=", ".join(f"«{c}»" for c in checked.extra_columns))
            + "\n"
        )
    for problem in checked.problems:
        err.write(_one_line(problem.describe()) + "\n")
    if args.dry_run:
        out.write(
            _("Dry run: nothing was written; {count} row(s) would be imported.").format(count=imported) + "\n"
        )
    elif imported:
        out.write(_("{count} row(s) imported.").format(count=imported) + "\n")
    if checked.problems and not imported:
        if args.valid_only or checked.file_problems or not checked.valid_count:
            hint = _("nothing imported: correct the problems listed")
        else:
            hint = _(
                "nothing imported: correct the rows listed, or use --valid-only to import only the valid rows"
            )
        err.write(f"tresxuno: {hint}\n")
        return EXIT_USAGE
    return EXIT_OK


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno report KIND``: print one report to a PDF file (in the ``--lang`` language)."""
    from pathlib import Path

    from tresxuno.services.reporting.kinds import check_request
    from tresxuno.services.reporting.run import write_report
    from tresxuno.services.store import open_database

    given = {
        "project": args.project,
        "entry": args.entry,
        "session": args.session,
        "year": args.year,
        "quarter": args.quarter,
        "municipality": args.municipality,
    }
    # Kind and options first: a wrong command must not need a database to be told so.
    check_request(args.kind, given)
    entry_id = None if args.entry is None else _int_arg(args.entry, "entry", 1, 2**63 - 1)
    year = None if args.year is None else _int_arg(args.year, "year", 2000, 2100)
    quarter = None if args.quarter is None else _int_arg(args.quarter, "quarter", 1, 4)
    output = Path(args.output).expanduser()
    # create=False: a mistyped --db must not leave an empty database behind.
    db = open_database(resolve_db(args.db), create=False)
    try:
        # The footer names the signed-in user, or the login name while the database has no users.
        user = _sign_in(args, db, record_login=False).username
        session_id = None
        if args.session is not None:
            from tresxuno.services.reporting.common import session_id_of

            session_id = session_id_of(db, args.session)
        result = write_report(
            db,
            args.kind,
            output,
            folio=args.project,
            entry_id=entry_id,
            session_id=session_id,
            year=year,
            quarter=quarter,
            municipality=args.municipality,
            printed_by=user,
            force=args.force,
        )
    finally:
        db.dispose()
    out.write(_("{path} written: {pages} page(s).").format(path=result.path, pages=result.pages) + "\n")
    return EXIT_OK


def _day_arg(text: str, field: str) -> date:
    """A ``dd/mm/yyyy`` date as Mexican offices write it (``yyyy-mm-dd`` also read)."""
    import re

    text = text.strip()
    try:
        if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(Problem(field, "import.bad_date", {"text": text})) from None


def cmd_amend(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno amend``: record a convenio modificatorio and print the project's new shares."""
    from tresxuno.domain.amendments import AmendmentInput
    from tresxuno.domain.money import Money
    from tresxuno.formatting import money_text, party_label
    from tresxuno.services.amendments import amend_project
    from tresxuno.services.reporting.common import project_id_of
    from tresxuno.services.store import open_database

    problems: list[Problem] = []
    cost = signed = None
    try:
        cost = Money.parse(args.cost, field="cost")
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        signed = _day_arg(args.date, "signed_on")
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    assert cost is not None and signed is not None
    db = open_database(resolve_db(args.db), create=False)
    try:
        actor = _sign_in(args, db)
        project_id = project_id_of(db, args.project)
        data = AmendmentInput(cost.centavos, signed, args.reason, args.authorised_by, args.document)
        detail = amend_project(db, project_id, data, user=actor.username)
    finally:
        db.dispose()
    out.write(
        _("Convenio modificatorio recorded for {folio}: new cost {cost}.").format(
            folio=detail.folio, cost=money_text(detail.cost)
        )
        + "\n"
    )
    for share in detail.shares:
        out.write(f"  {party_label(share.party)}: {money_text(share.amount)}\n")
    return EXIT_OK


def _score_args(texts: list[str]) -> list[tuple[str, str, str]]:
    """``CRITERION=POINTS[:NOTE]`` arguments split into (criterion, points text, note)."""
    found = []
    for text in texts:
        criterion, _sep, rest = text.partition("=")
        points, _sep, note = rest.partition(":")
        found.append((criterion.strip(), points.strip(), note.strip()))
    return found


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno validate``: store a scoring of a project's technical file and print its result."""
    from tresxuno.domain.technical_validation import Score
    from tresxuno.services.reporting.common import project_id_of
    from tresxuno.services.store import open_database
    from tresxuno.services.technical_validation import ValidationInput, record_validation

    problems: list[Problem] = []
    scores: list[Score] = []
    for criterion, points, note in _score_args(args.score):
        if not points.isdigit():
            problems.append(
                Problem(
                    f"scores.{criterion}", "validation.points_not_number", {"id": criterion, "value": points}
                )
            )
            continue
        scores.append(Score(criterion, int(points), note))
    try:
        day = _day_arg(args.date, "validated_on")
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    db = open_database(resolve_db(args.db), create=False)
    try:
        _sign_in(args, db)
        project_id = project_id_of(db, args.project)
        data = ValidationInput(day, args.by, args.post, args.observations, tuple(scores))
        info = record_validation(db, project_id, data)
    finally:
        db.dispose()
    v = info.verdict
    result = _("technically valid") if v.valid else _("not valid")
    out.write(
        _(
            "Technical validation of {folio} recorded: {points} of {total} points ({passing} needed): {result}."
        ).format(folio=args.project, points=v.points, total=v.total, passing=v.passing, result=result)
        + "\n"
    )
    return EXIT_OK


def cmd_officials(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno officials``: who held each post on a date (``--all``: every term), as documents name them."""
    from tresxuno.formatting import date_text
    from tresxuno.services.officials import POST_LABELS, list_officials, officials_on
    from tresxuno.services.store import open_database

    day = date.today() if args.on is None else _day_arg(args.on, "on")
    db = open_database(resolve_db(args.db), create=False)
    try:
        _sign_in(args, db, record_login=False)
        office_id = None
        if args.office:
            from tresxuno.services.offices import list_offices

            found = [o.id for o in list_offices(db) if o.code == args.office.strip().lower()]
            if not found:
                raise InputError(Problem("office", "office.unknown", {"office": args.office}))
            office_id = found[0]
        rows = (
            list_officials(db, office_id=office_id)
            if args.all
            else list(officials_on(db, day, office_id=office_id).values())
        )
    finally:
        db.dispose()
    order = list(POST_LABELS)
    rows.sort(key=lambda o: (order.index(o.post) if o.post in order else len(order), o.starts_on))
    if not rows:
        out.write(_("No officials are recorded for that date.") + "\n")
    for o in rows:
        until = date_text(o.ends_on) if o.ends_on else _("in office")
        title = ", ".join(x for x in (o.title, o.institution) if x)
        out.write(
            f"{_(POST_LABELS.get(o.post, o.post))}: {o.person_name}"
            + (f" ({title})" if title else "")
            + f" — {date_text(o.starts_on)} – {until}\n"
        )
    return EXIT_OK


def cmd_office(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno office list|add|assign``: the offices sharing a database and who works in each."""
    from tresxuno.services import offices
    from tresxuno.services.store import open_database

    db = open_database(resolve_db(args.db), create=False)
    try:
        _sign_in(args, db, record_login=args.office_command != "list")
        if args.office_command == "add":
            data = offices.OfficeInput(
                args.code,
                args.name,
                args.kind,
                args.state,
                tuple(args.municipality),
                rfc=args.rfc,
                place=args.place,
                db_role=args.db_role,
                public_key=args.public_key,
                logo_path=args.logo,
            )
            info = offices.create_office(db, data)
            out.write(_("Registered office {code}: {name}.").format(code=info.code, name=info.name) + "\n")
            return EXIT_OK
        if args.office_command == "assign":
            name = offices.assign_office(db, args.username, None if args.none else args.office)
            text = (
                _("{user} now works in {office}; it applies from their next sign-in.")
                if name
                else _("{user} now works on the whole database; it applies from their next sign-in.")
            )
            out.write(text.format(user=args.username, office=name) + "\n")
            return EXIT_OK
        rows = offices.list_offices(db)
    finally:
        db.dispose()
    if not rows:
        out.write(_("No offices are registered: every officer works on the whole database.") + "\n")
    for o in rows:
        if o.whole_state:
            reach = _("the whole state of {state}").format(state=o.state_name)
        else:
            reach = ", ".join(
                f"{n} ({k})" for k, n in zip(o.municipality_keys, o.municipality_names, strict=True)
            )
        kind = _("municipal") if o.kind == "municipal" else _("state")
        out.write(f"{o.code}: {o.name} [{kind}] — {reach}\n")
        if o.db_role:
            out.write("    " + _("database role: {role}").format(role=o.db_role) + "\n")
        out.write("    " + _("officers: {users}").format(users=", ".join(o.users) or "—") + "\n")
    return EXIT_OK


def cmd_consolidate(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno consolidate key|export|import``: packages from municipal offices to the state office."""
    from pathlib import Path

    from tresxuno.services import consolidation, consolidation_import

    if args.consolidate_command == "key":
        out.write(consolidation.public_key() + "\n")
        return EXIT_OK
    db = _open(args)
    try:
        _sign_in(args, db, record_login=False)
        if args.consolidate_command == "export":
            made = consolidation.export_package(
                db, Path(args.output).expanduser(), since=args.since, force=args.force
            )
            out.write(
                _("Package written to {path}: records {first} to {last}, {files} files.").format(
                    path=made.path, first=made.from_seq, last=made.to_seq, files=made.files
                )
                + "\n"
            )
            return EXIT_OK
        decision = "theirs" if args.accept_theirs else "ours" if args.keep_ours else None
        done = consolidation_import.import_package(
            db, Path(args.file).expanduser(), args.office, decision=decision
        )
    finally:
        db.dispose()
    if done.already_imported:
        out.write(
            _("Already imported: records up to {last} of {office} were here; nothing changed.").format(
                last=done.to_seq, office=done.office
            )
            + "\n"
        )
    else:
        out.write(
            _(
                "Imported records {first} to {last} of {office}: {rows} rows written, {conflicts} conflicts settled."
            ).format(
                first=done.from_seq,
                last=done.to_seq,
                office=done.office,
                rows=done.rows,
                conflicts=len(done.conflicts),
            )
            + "\n"
        )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno backup -o FILE``: a consistent copy of the database (SQLite's online backup API)."""
    from pathlib import Path

    from tresxuno.services.backups import backup_database

    db = _open(args)
    try:
        _sign_in(
            args, db, record_login=False
        )  # administrador only once the database has users (the service checks)
        target = backup_database(db, Path(args.output).expanduser(), force=args.force)
    finally:
        db.dispose()
    out.write(_("Backup written to {path}.\n").format(path=target))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno restore FILE --yes``: check the backup, keep a copy of the database, then replace it."""
    from pathlib import Path

    from tresxuno.services.auth import user_count
    from tresxuno.services.backups import check_backup_file, restore_database
    from tresxuno.services.store import database_url, open_database, sqlite_file_of, url_for_display

    url = database_url(resolve_db(args.db))
    database = sqlite_file_of(url)
    if database is None:
        raise StorageError("backup.server_database", url=url_for_display(url))
    source = Path(args.file).expanduser()
    check_backup_file(source)
    if not args.yes:
        raise UsageError(_("restoring replaces {path}; add --yes to confirm").format(path=database))
    if user_count(database) > 0:
        # Sign in against the database being replaced: its users decide (the service checks the role).
        # No last-login stamp, so a refused restore leaves the file byte for byte as it was.
        current = open_database(str(database), create=False, migrate=False)
        try:
            _sign_in(args, current, record_login=False)
        finally:
            current.dispose()
    result = restore_database(database, source)
    out.write(_("Restored {source} into {path}.\n").format(source=source, path=result.database))
    if result.safety_copy is not None:
        out.write(_("The replaced database was kept in {path}.\n").format(path=result.safety_copy))
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno check``: exit 0 when the audit chain and the ledger hold, else 1 naming the problem.

    Overdue federal reintegros (past 15 January, neither refunded nor excepted) are listed on stderr.
    """
    from tresxuno.messages import describe
    from tresxuno.services.audit import check_integrity
    from tresxuno.services.store import open_read_only

    err = sys.stderr
    shown = [-1]

    def progress(done: int, total: int, message: str) -> None:
        percent = done * 100 // total if total else 100
        if err.isatty() and percent // 10 != shown[0]:  # a line per tenth, only for a person watching
            shown[0] = percent // 10
            err.write(f"{message}: {percent_text(percent * 100, decimals=0)}\n")

    anchor = args.anchor.strip().lower() if args.anchor is not None else None
    if anchor is not None and (len(anchor) != 64 or any(c not in "0123456789abcdef" for c in anchor)):
        raise UsageError(
            _("--anchor: '{value}' is not a head; give the 64 hex digits check printed").format(
                value=args.anchor
            )
        )
    # Read-only: checking a mistyped path must fail, not create and bless an empty database, and an
    # old schema is not upgraded (that would write a baseline over what is being verified).
    db = open_read_only(resolve_db(args.db))
    try:
        result = check_integrity(db, progress, anchor=anchor)
    finally:
        db.dispose()
    if result.problem is not None:
        err.write("tresxuno: " + _one_line(describe(result.problem, with_field=False)) + "\n")
        return EXIT_FAILURE
    out.write(
        _(
            "Audit trail intact: {records} record(s); the {rows} row(s) of its {tables} tables match it; "
            "the ledger's invariants hold ({seconds:.1f} s)."
        ).format(records=result.records, rows=result.rows, tables=result.tables, seconds=result.seconds)
        + "\n"
    )
    # The head to write down (or print on a report): a later --anchor proves nothing before it changed.
    out.write(_("head {hash} · {records} records").format(hash=result.head, records=result.records) + "\n")
    # Compliance findings (a federal reintegro overdue and not excepted) are not a difference in the
    # trail, but they break a money invariant an auditor relies on: reported on stderr, exit 1.
    for finding in result.findings:
        text = _one_line(describe(finding, with_field=False))
        err.write("tresxuno: " + _("finding: {text}").format(text=text) + "\n")
    if result.unverified_key is not None:
        err.write(
            "tresxuno: "
            + _(
                "records {since} to {seq} are sealed with office key {key}, which is not on this "
                "computer: their links were followed but their seals not verified"
            ).format(since=result.sealed_since, seq=result.records, key=result.unverified_key)
            + "\n"
        )
    return EXIT_FAILURE if result.findings else EXIT_OK


def cmd_reintegros(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno reintegros --year A``: each required reintegro with amount, deadline and status."""
    from tresxuno.domain.year_end import reintegro_deadline, status_label
    from tresxuno.formatting import date_text, money_text
    from tresxuno.services.store import open_database
    from tresxuno.services.year_end import required_reintegros

    year = _int_arg(args.year, "year", 1990, 2200)
    db = open_database(resolve_db(args.db), create=False)
    try:
        _sign_in(args, db, record_login=False)
        owed = required_reintegros(db, year)
    finally:
        db.dispose()
    deadline = date_text(reintegro_deadline(year))
    if not owed:
        out.write(
            _(
                "Fiscal year {year}: no project held unspent federal money on 31 December; no reintegro is due."
            ).format(year=year)
            + "\n"
        )
        return EXIT_OK
    out.write(
        _("Fiscal year {year}: reintegros of unspent federal money to TESOFE, due by {deadline}").format(
            year=year, deadline=deadline
        )
        + "\n"
    )
    for r in owed:
        if r.refund_date is not None:
            detail = _("refund of {date}, reference {reference}").format(
                date=date_text(r.refund_date), reference=r.refund_reference
            )
        elif r.exception is not None:
            detail = _("authorised by {by}: {reason}").format(
                by=r.exception.authorised_by, reason=_one_line(r.exception.reason)
            )
        elif r.refunded:
            detail = _("{refunded} refunded so far").format(refunded=money_text(r.refunded))
        else:
            detail = ""
        parts = (r.folio, money_text(r.amount), date_text(r.deadline), status_label(r.status), detail)
        out.write("  ".join(part for part in parts if part) + "\n")
    return EXIT_OK


def cmd_close_year(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno close-year --year A``: close it; refused (exit 2) while a reintegro is missing."""
    from tresxuno.formatting import date_text
    from tresxuno.services.ledger import close_fiscal_year
    from tresxuno.services.store import open_database

    year = _int_arg(args.year, "year", 1990, 2200)
    db = open_database(resolve_db(args.db), create=False)
    try:
        actor = _sign_in(args, db)
        closing = close_fiscal_year(db, year, user=actor.username)
    finally:
        db.dispose()
    out.write(
        _("Fiscal year {year} was closed on {date} by {user}.").format(
            year=closing.year, date=date_text(closing.closed_at), user=closing.closed_by or "?"
        )
        + "\n"
    )
    return EXIT_OK


def cmd_seal(args: argparse.Namespace, out: TextIO) -> int:
    """``tresxuno seal``: seal the audit trail with the office key, creating the key when missing."""
    from tresxuno.services.audit import seal_trail

    db = _open(args)
    try:
        _sign_in(args, db)
        result = seal_trail(db)
    finally:
        db.dispose()
    if result.created:
        out.write(
            _("New office key {key} written to {path}.").format(key=result.key_id, path=result.path) + "\n"
        )
    out.write(
        _(
            "The audit trail is sealed with office key {key} from record {since} on. Keep a copy of {path} "
            "in a safe place: without it this computer cannot record changes, nor check verify them."
        ).format(key=result.key_id, since=result.since, path=result.path)
        + "\n"
    )
    return EXIT_OK


def cmd_gui(args: argparse.Namespace, out: TextIO) -> int:
    """Open the desktop application (imports Qt only here)."""
    from tresxuno.ui.app import run_gui

    return run_gui(db_url=resolve_db(args.db), lang=args.lang, user=getattr(args, "user", None))


def resolve_db(flag: str | None) -> str | None:
    """The database to use: ``--db``, then ``TRESXUNO_DB``, then settings, then the default file.

    Returns ``None`` for "the default", which :func:`tresxuno.db.engine.database_url` resolves.
    The GUI adds its stored setting in between (it owns QSettings).
    """
    return flag or os.environ.get("TRESXUNO_DB") or None


def _sign_in(args: argparse.Namespace, db, *, required: bool = True, record_login: bool = True):
    """Sign ``--user`` in (password from ``TRESXUNO_PASSWORD`` or asked); the acting person.

    While the database has no users nobody needs to sign in (bootstrap rule of
    :mod:`tresxuno.services.auth`). Once it has users, ``--user`` is needed when ``required``.
    """
    import getpass

    from tresxuno.domain.actor import current_actor, set_actor
    from tresxuno.services.auth import has_users
    from tresxuno.services.users import authenticate

    name = getattr(args, "user", None)
    if not has_users(db):
        return current_actor()
    if not name:
        if required:
            raise InputError(Problem("user", "auth.user_required", {}))
        return current_actor()
    password = os.environ.get("TRESXUNO_PASSWORD")
    if password is None:
        try:
            password = getpass.getpass(_("Password for {user}: ").format(user=name))
        except EOFError:  # no terminal and no TRESXUNO_PASSWORD (a script, a scheduled task)
            raise InputError(Problem("password", "password.not_given", {"user": name})) from None
    if any("\ud800" <= ch <= "\udfff" for ch in password):
        # A byte that is not UTF-8 (Python keeps it as a lone surrogate): refuse it here, before any
        # encoding error could carry the password into a message, a traceback or the log.
        raise InputError(Problem("password", "password.not_text", {}))
    actor = authenticate(db, name, password, record_login=record_login)
    set_actor(actor)
    return actor


def _open(args: argparse.Namespace):
    from tresxuno.services.store import open_database

    return open_database(resolve_db(args.db))


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "gui": cmd_gui,
    "shares": cmd_shares,
    "rules": cmd_rules,
    "demo": cmd_demo,
    "export": cmd_export,
    "import": cmd_import,
    "report": cmd_report,
    "amend": cmd_amend,
    "officials": cmd_officials,
    "office": cmd_office,
    "consolidate": cmd_consolidate,
    "validate": cmd_validate,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "check": cmd_check,
    "seal": cmd_seal,
    "reintegros": cmd_reintegros,
    "close-year": cmd_close_year,
}


def _bug_text(exc: BaseException) -> str:
    """The exception for the one-line report, never the text it failed on.

    A Unicode error carries the whole string it could not encode or decode (a password, a name):
    only its type, reason and position are shown.
    """
    if isinstance(exc, UnicodeError):
        start = getattr(exc, "start", "?")
        return f"{type(exc).__name__}: {getattr(exc, 'reason', '')} (position {start})"
    return repr(exc)


def _one_line(text: str) -> str:
    return " ".join(text.split())


#: What the command line writes besides ASCII: accents, ñ, ¿¡, arrows, the middle dot, dashes, ellipsis.
CONSOLE_PROBE = "áéíóúüñÑ¿¡→·—…“”"


def console_safe(stream: TextIO | None) -> TextIO | None:
    """Make ``stream`` able to write every message, whatever the console's code page.

    Windows gives a redirected or piped stdout the ANSI code page (cp1252, or cp850 in an old
    console), which cannot encode "→" or "…": the first such message would end the command with a
    UnicodeEncodeError. Such a stream is switched to UTF-8; any stream keeps going with a ``?`` for
    what it still cannot write (a file name with undecodable bytes) rather than failing.
    """
    reconfigure = getattr(stream, "reconfigure", None)
    encoding = getattr(stream, "encoding", None)
    if stream is None or reconfigure is None or not encoding:
        return stream
    try:
        CONSOLE_PROBE.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        with contextlib.suppress(Exception):
            reconfigure(encoding="utf-8", errors="replace")
        return stream
    if getattr(stream, "errors", "strict") == "strict":
        with contextlib.suppress(Exception):
            reconfigure(errors="replace")
    return stream


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (also used by ``python -m tresxuno``)."""
    if out is None:  # the real console (argparse's --help writes to it directly too)
        sys.stdout = console_safe(sys.stdout) or sys.stdout
    if err is None:
        sys.stderr = console_safe(sys.stderr) or sys.stderr
    out = out or sys.stdout
    err = err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    # Every file this run creates (database, backups, attachments, logos, log) is the user's alone.
    old_umask = paths.use_private_umask()
    if paths.user_data_dir().is_dir():
        paths.make_private(paths.user_data_dir())  # an older version left it 0755
    try:
        return _main(argv, out, err)
    finally:
        if old_umask is not None:  # main() also runs inside tests and scripts: leave them as found
            os.umask(old_umask)


def _main(argv: list[str], out: TextIO, err: TextIO) -> int:
    from tresxuno.messages import describe_storage

    set_language(_lang_from(argv))
    try:
        _translate_argparse()
        args = build_parser().parse_args(argv)
        set_language(args.lang or os.environ.get("TRESXUNO_LANG"))
        return COMMANDS[args.command or "gui"](args, out)
    except UsageError as exc:
        err.write(f"tresxuno: {_one_line(str(exc))}\n")
        return EXIT_USAGE
    except InputError as exc:
        err.write("tresxuno: " + "; ".join(_one_line(_describe_arg(p)) for p in exc.problems) + "\n")
        return EXIT_USAGE
    except RuleSetError as exc:
        err.write(f"tresxuno: {_one_line(str(exc))}\n")
        return EXIT_FAILURE
    except StorageError as exc:
        err.write(f"tresxuno: {_one_line(describe_storage(exc))}\n")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        err.write("tresxuno: " + _("interrupted") + "\n")
        return EXIT_FAILURE
    except Exception as exc:  # a bug: say so in one line, keep the traceback in the log
        path = _log_bug()
        err.write(
            "tresxuno: "
            + _("internal error: {error} (details in {path})").format(
                error=_one_line(_bug_text(exc)), path=path
            )
            + "\n"
        )
        return EXIT_FAILURE


def _describe_arg(problem: Problem) -> str:
    """A problem as the command line names it: the file written is ``-o``, not the GUI's label."""
    from tresxuno.messages import describe

    if problem.field == "output":
        return "-o: " + describe(problem, with_field=False)
    return describe(problem)


def _lang_from(argv: Sequence[str]) -> str | None:
    """Read ``--lang`` before parsing, so argparse's own errors come out in that language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get("TRESXUNO_LANG")


def _log_bug() -> str:
    """Write the current exception's traceback to the user's log file; return its path."""
    import traceback

    from tresxuno import paths

    path = paths.user_data_dir() / "tresxuno.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
    except OSError:
        return "stderr"
    return str(path)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
