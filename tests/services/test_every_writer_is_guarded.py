"""No service writes to the database without a permission check: every writer × every role.

The writers are found, not listed by hand: :func:`writing_services` reads every module of
``tresxuno/services`` and ``tresxuno/demo`` with :mod:`ast` and takes each public function that
(itself, or through the functions it calls, across modules) opens a write transaction
(``transaction(immediate=...)``) or adds, inserts, updates or deletes rows. Each one must have an
entry in :data:`WRITERS` (the action it needs and how to call it) or in :data:`NOT_GUARDED` (why it
needs no role), so a new writer without an entry fails :func:`test_every_writer_has_an_entry`.

Then, for each writer, every role that :data:`tresxuno.domain.roles.PERMISSIONS` does not allow the
action calls it as a hostile insider would (a script, a stale window): refused with
``auth.role_required`` naming the action, and the database exactly as before (a digest of every
table's rows). A role that is allowed gets past the guard (whatever it then finds wrong with the
arguments is not a refusal of the role).
"""

from __future__ import annotations

import ast
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import tresxuno
from tests.digest import database_digest
from tresxuno import paths
from tresxuno.db.engine import Database
from tresxuno.db.models import Club, CovamSession, Federation, LedgerEntry, Project
from tresxuno.demo.projects import generate_demo
from tresxuno.demo.users import create_demo_users
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.amendments import AmendmentInput
from tresxuno.domain.convenio import ConvenioTerms, PartyDeclaration
from tresxuno.domain.goals import Goal
from tresxuno.domain.ledger import ContributionInput, PaymentInput, RefundInput
from tresxuno.domain.problems import InputError
from tresxuno.domain.roles import ACTION_LABELS, PERMISSIONS, Role
from tresxuno.domain.social_committee import CommitteeInput, CommitteeMember, CommitteeRecordInput
from tresxuno.domain.technical_validation import Score
from tresxuno.domain.validation import ClubInput, FederationInput
from tresxuno.i18n import set_language
from tresxuno.messages import describe
from tresxuno.services import (
    amendments,
    attachments,
    audit,
    beneficiaries,
    clubs,
    consolidation,
    consolidation_import,
    convenio_terms,
    covam,
    goals,
    importer,
    ledger,
    ministraciones,
    office,
    offices,
    officials,
    project_requests,
    rates,
    rules,
    social_committees,
    stages,
    technical_validation,
    users,
    works,
    year_end,
)
from tresxuno.services.beneficiaries import Person

PACKAGE = Path(tresxuno.__file__).parent
SCANNED = ("services", "demo")

#: Calls that write rows: ``session.add(...)``, ``insert(...)``, ``connection.execute(update(...))``...
_WRITE_ATTRIBUTES = {"add", "add_all", "merge", "bulk_save_objects", "bulk_insert_mappings"}
_WRITE_NAMES = {"insert", "update", "delete"}


# --- Discovery -------------------------------------------------------------------------------------


@dataclass
class _Function:
    module: str
    node: ast.FunctionDef
    imports: dict[str, tuple[str, str]]  # local name -> (module, name)

    @property
    def name(self) -> str:
        return self.node.name


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _index() -> dict[tuple[str, str], _Function]:
    functions: dict[tuple[str, str], _Function] = {}
    for ring in SCANNED:
        for path in sorted((PACKAGE / ring).rglob("*.py")):
            module = _module_name(path)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            imports: dict[str, tuple[str, str]] = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tresxuno"):
                    for alias in node.names:
                        imports[alias.asname or alias.name] = (node.module, alias.name)
            for node in tree.body:
                if isinstance(node, ast.FunctionDef):
                    functions[(module, node.name)] = _Function(module, node, imports)
                elif isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef):
                            key = (module, f"{node.name}.{item.name}")
                            functions[key] = _Function(module, item, imports)
    return functions


def _writes_itself(node: ast.FunctionDef) -> bool:
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "transaction":
            for keyword in call.keywords:
                if keyword.arg == "immediate" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    return True
        if (
            isinstance(func, ast.Attribute)
            and func.attr in _WRITE_ATTRIBUTES
            and isinstance(func.value, ast.Name)
            and func.value.id in ("session", "connection", "conn")
        ):
            return True
        if isinstance(func, ast.Name) and func.id in _WRITE_NAMES:
            return True
    return False


def _callees(function: _Function, index: dict[tuple[str, str], _Function]) -> Iterator[_Function]:
    for call in ast.walk(function.node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        if isinstance(func, ast.Name):
            name = func.id
            if (function.module, name) in index:
                yield index[(function.module, name)]
            elif name in function.imports and function.imports[name] in index:
                yield index[function.imports[name]]
        elif isinstance(func, ast.Attribute):
            # self.method() / Class.method(): any method of that name in the same module
            for (module, qualified), other in index.items():
                if module == function.module and qualified.endswith(f".{func.attr}"):
                    yield other


def writing_services() -> set[str]:
    """``module.function`` of every public module-level function that writes rows, directly or not."""
    index = _index()
    memo: dict[tuple[str, str], bool] = {}

    def writes(function: _Function, seen: frozenset[tuple[str, str]]) -> bool:
        key = (function.module, function.name)
        if key in memo:
            return memo[key]
        if key in seen:
            return False
        result = _writes_itself(function.node) or any(
            writes(callee, seen | {key}) for callee in _callees(function, index)
        )
        memo[key] = result
        return result

    return {
        f"{module}.{name}"
        for (module, name), function in index.items()
        if "." not in name and not name.startswith("_") and writes(function, frozenset())
    }


# --- What each writer needs, and how to call it --------------------------------------------------------


@dataclass(frozen=True)
class Office:
    """Ids of a small demo office's rows, for arguments that must name something real."""

    db: Database
    project: int
    draft_project: int
    club: int
    federation: int
    session: int
    entry: int


Call = Callable[[Office], Any]


def _request(o: Office) -> Any:
    data, _version = project_requests.stored_request(o.db, o.project)
    return data


def _club_input(o: Office) -> Any:
    return ClubInput(
        "Club Nuevo",
        "TN-1",
        "Consulado",
        date(2026, 1, 5),
        date(2027, 1, 5),
        20,
        "Chicago",
        "IL",
        "32",
        "32020",
    )


def _ruling(o: Office) -> Any:
    return [covam.RulingInput(o.project, "aprobado")]


#: ``module.function`` -> (action, a call with plausible arguments).
WRITERS: dict[str, tuple[str, Call]] = {
    "tresxuno.services.attachments.attach_document": (
        "attachments.add",
        lambda o: attachments.attach_document(o.db, o.project, "otro", Path(__file__)),
    ),
    "tresxuno.services.attachments.replace_attachment": (
        "attachments.add",
        lambda o: attachments.replace_attachment(o.db, 1, Path(__file__), "escaneo equivocado"),
    ),
    "tresxuno.services.works.correct_progress": (
        "works.record_progress",
        lambda o: works.correct_progress(o.db, 1, date(2019, 5, 1), "45", "se tecleó 54 %"),
    ),
    "tresxuno.services.audit.seal_trail": ("users.manage", lambda o: audit.seal_trail(o.db)),
    "tresxuno.services.clubs.register_federation": (
        "clubs.edit",
        lambda o: clubs.register_federation(o.db, FederationInput("Federación Nueva", "32", "Illinois")),
    ),
    "tresxuno.services.clubs.register_club": (
        "clubs.edit",
        lambda o: clubs.register_club(o.db, _club_input(o)),
    ),
    "tresxuno.services.clubs.update_club": (
        "clubs.edit",
        lambda o: clubs.update_club(o.db, o.club, _club_input(o), expected_version=1),
    ),
    "tresxuno.services.clubs.update_federation": (
        "clubs.edit",
        lambda o: clubs.update_federation(o.db, o.federation, FederationInput("Otra", "32", "Texas")),
    ),
    "tresxuno.services.covam.create_session": (
        "covam.edit",
        lambda o: covam.create_session(o.db, covam.SessionInput("99/2026", date(2026, 3, 2), "Zacatecas")),
    ),
    "tresxuno.services.covam.add_to_agenda": (
        "covam.edit",
        lambda o: covam.add_to_agenda(o.db, o.session, [o.project]),
    ),
    "tresxuno.services.covam.record_rulings": (
        "covam.rule",
        lambda o: covam.record_rulings(o.db, o.session, _ruling(o)),
    ),
    "tresxuno.services.covam.update_session": (
        "covam.edit",
        lambda o: covam.update_session(
            o.db, o.session, covam.SessionInput("98/2026", date(2026, 3, 2), "Jerez")
        ),
    ),
    "tresxuno.services.covam.record_votes": (
        "covam.rule",
        lambda o: covam.record_votes(o.db, o.session, [covam.VoteInput(o.project, 1, 0, 0)]),
    ),
    "tresxuno.services.covam.finalize_session": (
        "covam.edit",
        lambda o: covam.finalize_session(o.db, o.session),
    ),
    "tresxuno.services.covam.open_new_version": (
        "covam.edit",
        lambda o: covam.open_new_version(o.db, o.session, "Corrección"),
    ),
    "tresxuno.services.officials.add_official": (
        "settings.edit",
        lambda o: officials.add_official(
            o.db, officials.OfficialInput("sindico", "Lic. Nadie", date(2026, 1, 1))
        ),
    ),
    "tresxuno.services.officials.update_official": (
        "settings.edit",
        lambda o: officials.update_official(
            o.db, 1, officials.OfficialInput("sindico", "Lic. Nadie", date(2026, 1, 1))
        ),
    ),
    "tresxuno.services.importer.run_import": (
        "data.import",
        lambda o: importer.run_import(o.db, Path(__file__), "clubs"),
    ),
    "tresxuno.services.ledger.record_contribution": (
        "ledger.record_contribution",
        lambda o: ledger.record_contribution(
            o.db, ContributionInput(o.project, "club", date(2026, 3, 2), amount=100_00)
        ),
    ),
    "tresxuno.services.ledger.record_payment": (
        "ledger.record_payment",
        lambda o: ledger.record_payment(o.db, PaymentInput(o.project, date(2026, 3, 2), 100_00)),
    ),
    "tresxuno.services.ledger.record_refund": (
        "ledger.record_refund",
        lambda o: ledger.record_refund(o.db, RefundInput(o.project, "club", date(2026, 3, 2), 100, "sobró")),
    ),
    "tresxuno.services.ledger.reverse_entry": (
        "ledger.reverse_entry",
        lambda o: ledger.reverse_entry(o.db, o.entry, reason="error de captura", on=date(2026, 3, 2)),
    ),
    "tresxuno.services.ledger.close_fiscal_year": (
        "ledger.close_year",
        lambda o: ledger.close_fiscal_year(o.db, 2024, user="alguien"),
    ),
    "tresxuno.services.year_end.record_reintegro_exception": (
        "ledger.reintegro_exception",
        lambda o: year_end.record_reintegro_exception(
            o.db, 2024, o.project, "En litigio", "Lic. Ruiz", user="x"
        ),
    ),
    "tresxuno.services.office.save_office_settings": (
        "settings.edit",
        lambda o: office.save_office_settings(o.db, office.OfficeSettings("Oficina pirata", "32020")),
    ),
    "tresxuno.services.office.set_office_rfc": (
        "settings.edit",
        lambda o: office.set_office_rfc(o.db, "MJZ850101AB1"),
    ),
    "tresxuno.services.project_requests.submit_project": (
        "projects.edit",
        lambda o: project_requests.submit_project(o.db, _request(o)),
    ),
    "tresxuno.services.project_requests.save_draft": (
        "projects.edit",
        lambda o: project_requests.save_draft(o.db, _request(o)),
    ),
    "tresxuno.services.project_requests.update_project": (
        "projects.edit",
        lambda o: project_requests.update_project(o.db, o.draft_project, _request(o), expected_version=1),
    ),
    "tresxuno.services.project_requests.submit_draft": (
        "projects.edit",
        lambda o: project_requests.submit_draft(o.db, o.draft_project, on=date(2026, 3, 2)),
    ),
    "tresxuno.services.rules.accept_rule_file": (
        "rules.edit",
        lambda o: rules.accept_rule_file(o.db, paths.user_rules_dir() / "nueva.toml"),
    ),
    "tresxuno.services.rates.set_rate": (
        "rates.edit",
        lambda o: rates.set_rate(o.db, date(2026, 3, 2), "17.25", "DOF"),
    ),
    "tresxuno.services.rates.import_rates_csv": (
        "rates.edit",
        lambda o: rates.import_rates_csv(o.db, "fecha,tipo\n02/03/2026,17.25\n"),
    ),
    "tresxuno.services.stages.move_project": (
        # a ruling move: the one stage move this office's first project can make
        "covam.rule",
        lambda o: stages.move_project(o.db, o.project, "rechazado"),
    ),
    "tresxuno.services.users.create_user": (
        "users.manage",
        lambda o: users.create_user(o.db, "intruso", "Intruso", "administrador", "correcto-123"),
    ),
    "tresxuno.services.users.change_role": (
        "users.manage",
        lambda o: users.change_role(o.db, "admin", "auditor"),
    ),
    "tresxuno.services.users.set_password": (
        "users.manage",
        lambda o: users.set_password(o.db, "admin", "nueva-clave-123"),
    ),
    "tresxuno.services.users.deactivate": ("users.manage", lambda o: users.deactivate(o.db, "admin")),
    "tresxuno.services.ministraciones.set_calendar": (
        "ministraciones.edit",
        lambda o: ministraciones.set_calendar(o.db, o.project, []),
    ),
    "tresxuno.services.ministraciones.record_gate_exception": (
        "gates.authorise",
        lambda o: ministraciones.record_gate_exception(o.db, o.project, "en_ejecucion", "Urgente", "admin"),
    ),
    "tresxuno.services.amendments.amend_project": (
        "projects.amend",
        lambda o: amendments.amend_project(
            o.db, o.project, AmendmentInput(1_000_000_00, date(2026, 3, 2), "Ampliación", "Ing. Ávila")
        ),
    ),
    "tresxuno.services.works.record_progress": (
        "works.record_progress",
        lambda o: works.record_progress(o.db, o.project, date(2026, 3, 2), "50"),
    ),
    "tresxuno.services.beneficiaries.add_beneficiaries": (
        "projects.edit",
        lambda o: beneficiaries.add_beneficiaries(
            o.db, o.project, [Person("Ana", "Ruiz", "", "HEGG560427MVZRRL04")]
        ),
    ),
    "tresxuno.services.office.set_office_timezone": (
        "settings.edit",
        lambda o: office.set_office_timezone(o.db, "America/Tijuana"),
    ),
    "tresxuno.services.office.set_separation_of_duties": (
        "settings.edit",
        lambda o: office.set_separation_of_duties(o.db, False),
    ),
    "tresxuno.services.social_committees.save_committee": (
        "committees.edit",
        lambda o: social_committees.save_committee(
            o.db,
            o.project,
            CommitteeInput(
                date(2026, 3, 2),
                (CommitteeMember("Ana Ruiz", "presidente"), CommitteeMember("Luis Mora", "vocal")),
            ),
        ),
    ),
    "tresxuno.services.social_committees.add_committee_record": (
        "committees.edit",
        lambda o: social_committees.add_committee_record(
            o.db, o.project, CommitteeRecordInput("informe", date(2026, 3, 2), "Visita a la obra")
        ),
    ),
    "tresxuno.services.technical_validation.record_validation": (
        "projects.prevalidate",
        lambda o: technical_validation.record_validation(
            o.db,
            o.project,
            technical_validation.ValidationInput(
                date(2019, 3, 1),
                "Ing. Ana Ruiz",
                "",
                "",
                tuple(
                    Score(c.id, c.points, "") for c in technical_validation.criteria_for_year(2019).criteria
                ),
            ),
            today=date(2019, 3, 2),
        ),
    ),
    "tresxuno.services.goals.set_project_goals": (
        "projects.edit",
        lambda o: goals.set_project_goals(o.db, o.project, [Goal("Pavimentación", 350_000, "m2", 40)]),
    ),
    "tresxuno.services.convenio_terms.set_convenio_terms": (
        "projects.edit",
        lambda o: convenio_terms.set_convenio_terms(
            o.db, o.project, ConvenioTerms(clabe="032180000118359719")
        ),
    ),
    "tresxuno.services.convenio_terms.save_declarations": (
        "settings.edit",
        lambda o: convenio_terms.save_declarations(o.db, [PartyDeclaration("state", "Lic. Ana Ruiz")]),
    ),
    "tresxuno.services.offices.create_office": (
        "offices.manage",
        lambda o: offices.create_office(
            o.db, offices.OfficeInput("pirata", "Oficina pirata", "municipal", "32", ("32020",))
        ),
    ),
    "tresxuno.services.offices.update_office": (
        "offices.manage",
        lambda o: offices.update_office(
            o.db,
            "pirata",
            offices.OfficeInput("pirata", "Oficina pirata", "state", "32"),
            expected_version=1,
        ),
    ),
    "tresxuno.services.offices.assign_office": (
        "users.manage",
        lambda o: offices.assign_office(o.db, "admin", None),
    ),
    "tresxuno.services.consolidation.export_package": (
        "consolidation.export",
        lambda o: consolidation.export_package(
            o.db, Path(tempfile.gettempdir()) / "tresxuno-paquete.zip", force=True
        ),
    ),
    "tresxuno.services.consolidation_import.import_package": (
        "consolidation.import",
        lambda o: consolidation_import.import_package(o.db, Path(__file__), "nadie"),
    ),
    "tresxuno.demo.projects.generate_demo": ("demo.generate", lambda o: generate_demo(o.db, projects=3)),
    "tresxuno.demo.users.create_demo_users": ("demo.generate", lambda o: create_demo_users(o.db)),
}

#: Writers that no role guards, and why (each is checked below to write nothing it should not).
NOT_GUARDED: dict[str, str] = {
    "tresxuno.services.users.authenticate": "signing in: records the last login of whoever signs in",
    "tresxuno.services.importer.preview": "a dry run: the rows go through the use cases and are rolled back",
    "tresxuno.demo.users.add_demo_users": "generate_demo's helper (a Session)",
    # helpers that take the caller's Session: they run inside a guarded use case's transaction
    "tresxuno.services.attachments.store_file": "attach_document's and the ledger's helper (a Session)",
    "tresxuno.demo.ledger.add_demo_ledger": "generate_demo's helper (a Session)",
    "tresxuno.demo.covam.add_demo_covam_and_progress": "generate_demo's helper (a Session)",
    "tresxuno.demo.ministraciones.add_demo_ministraciones": "generate_demo's helper (a Session)",
    "tresxuno.demo.social_committees.add_demo_committees": "generate_demo's helper (a Session)",
    "tresxuno.demo.beneficiaries.add_demo_beneficiaries": "generate_demo's helper (a Session)",
    "tresxuno.demo.convenio.add_demo_convenio_terms": "generate_demo's helper (a Session)",
    "tresxuno.demo.validations.add_demo_validations": "generate_demo's helper (a Session)",
    "tresxuno.services.attachments.absorb_files": "on opening: moves files an earlier release kept on disk into the database",
    "tresxuno.services.store.open_database": "opening a database: absorb_files, no user act",
    "tresxuno.services.ministraciones.ensure_default_calendar": "move_project's helper (a Session)",
    "tresxuno.services.tomas.record_toma": "register_club's and update_club's helper (a Session)",
    "tresxuno.demo.officials.add_demo_officials": "generate_demo's helper (a Session)",
    "tresxuno.demo.offices.add_demo_offices": "generate_demo's helper (a Session)",
    "tresxuno.demo.officials.add_demo_toma_history": "generate_demo's helper (a Session)",
}


def test_every_writer_has_an_entry():
    found = writing_services()
    listed = set(WRITERS) | set(NOT_GUARDED)
    assert found - listed == set(), "a service writes without an entry in WRITERS (action, call)"
    assert listed - found == set(), "stale entries: these no longer write (or were renamed)"
    assert not set(WRITERS) & set(NOT_GUARDED)
    for action, _call in WRITERS.values():
        assert action in PERMISSIONS


def test_the_discovery_finds_a_new_writer(tmp_path, monkeypatch):
    """A writer added without a guard (here, in a scratch copy of a services module) is found."""
    source = (PACKAGE / "services" / "rates.py").read_text(encoding="utf-8")
    scratch = tmp_path / "tresxuno" / "services"
    scratch.mkdir(parents=True)
    (scratch / "rates.py").write_text(
        source + "\n\ndef wipe_rates(db):\n    with db.transaction(immediate=True) as session:\n"
        "        session.execute(delete(ExchangeRate))\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path / "tresxuno")
    monkeypatch.setattr(f"{__name__}.SCANNED", ("services",))
    assert "tresxuno.services.rates.wipe_rates" in writing_services()


# --- The attack: every writer × every role it does not allow --------------------------------------------


@pytest.fixture(autouse=True)
def _english():
    set_language("en")


@pytest.fixture
def demo_office(db) -> Office:
    generate_demo(db, projects=12, seed=7)
    project_requests.save_draft(db, _plain_request(db))
    users.create_user(db, "admin", "Adriana Méndez", "administrador", "correcto-123")
    with db.transaction() as session:
        en_covam = session.scalar(select(Project.id).where(Project.stage == "en_covam").order_by(Project.id))
        draft = session.scalar(select(Project.id).where(Project.stage == "borrador").order_by(Project.id))
        assert en_covam is not None and draft is not None
        return Office(
            db=db,
            project=en_covam,
            draft_project=draft,
            club=session.scalar(select(Club.id).order_by(Club.id)),
            federation=session.scalar(select(Federation.id).order_by(Federation.id)),
            session=session.scalar(select(CovamSession.id).order_by(CovamSession.id)),
            entry=session.scalar(select(LedgerEntry.id).order_by(LedgerEntry.id)),
        )


def _plain_request(db: Database) -> Any:
    with db.transaction() as session:
        first = session.scalar(select(Project.id).order_by(Project.id))
    data, _version = project_requests.stored_request(db, first)
    return data


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_every_role_not_allowed_is_refused_and_nothing_changes(demo_office, writer):
    action, call = WRITERS[writer]
    refused_roles = [role for role in Role if role not in PERMISSIONS[action]]
    before = database_digest(demo_office.db)
    for role in refused_roles:
        with acting_as(Actor(f"ajeno-{role.value}", role.value)), pytest.raises(InputError) as refused:
            call(demo_office)
        codes = [p.code for p in refused.value.problems]
        assert codes == ["auth.role_required"], f"{writer} as {role.value}: {codes}"
        text = describe(refused.value.problems[0], with_field=False)
        assert ACTION_LABELS[action] in text, text
        assert database_digest(demo_office.db) == before, f"{writer} as {role.value} changed the database"


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_an_allowed_role_gets_past_the_guard(demo_office, writer):
    action, call = WRITERS[writer]
    role = sorted(PERMISSIONS[action])[0]
    with acting_as(Actor(f"titular-{role}", role)):
        try:
            call(demo_office)
        except InputError as exc:
            assert "auth.role_required" not in [p.code for p in exc.problems], writer


def test_an_auditor_preview_of_an_import_writes_nothing(demo_office, tmp_path):
    """``preview`` needs no role (NOT_GUARDED): its rows go through the use cases and are rolled back."""
    csv = tmp_path / "clubes.csv"
    csv.write_text("nombre\nClub Pirata\n", encoding="utf-8")
    before = database_digest(demo_office.db)
    with acting_as(Actor("ajeno", "auditor")):
        importer.preview(demo_office.db, csv, "clubs")
    assert database_digest(demo_office.db) == before
