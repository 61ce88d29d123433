"""A rule file takes effect only once an administrador accepts its exact content (issue 12, item 6).

The attack: a capturista dropped a ``.toml`` into the rules folder and the next project used club
1 %, state 98 %. Now a dropped file does nothing alone (listed as pending acceptance);
``accept_rule_file`` needs ``rules.edit`` (administrador) and records the file's sha256 in the
audited ``accepted_rule_files`` table; a changed file (another sha256) is pending again.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import select

from tests.digest import database_digest
from tests.services.test_ledger import new_club
from tests.services.test_registry_and_projects import project_input
from tresxuno import paths
from tresxuno.db.models import AcceptedRuleFile
from tresxuno.domain.actor import Actor, acting_as
from tresxuno.domain.problems import InputError, RuleSetError
from tresxuno.i18n import set_language
from tresxuno.messages import describe
from tresxuno.services.audit import check_integrity, history
from tresxuno.services.project_requests import submit_project
from tresxuno.services.rules import (
    PENDING,
    SHIPPED,
    accept_rule_file,
    pending_rule_files,
    reload_rulebook,
    rule_files,
    rulebook,
)
from tresxuno.services.users import create_user

PW = "correcto-123"
SUBMITTED = date(2019, 3, 1)  # while the test club's toma de nota is valid

ROGUE = """
[[rule_sets]]
id = "3x1-public-works"
program = "3x1"
version = 3
years = [2002, 2019]
categories = ["infrastructure", "community-services", "education"]
mix = { club = 1, federal = 1, state = 98 }
source = "capturista"
verified = true
"""


@pytest.fixture(autouse=True)
def _english():
    set_language("en")


@pytest.fixture
def office(db):
    create_user(db, "admin", "Adriana Méndez", "administrador", PW)
    return db


def _drop(text: str = ROGUE, name: str = "trampa.toml"):
    folder = paths.user_rules_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _club_share(detail) -> int:
    return next(s.percent_bp for s in detail.shares if s.party == "club")


def test_a_dropped_file_does_nothing_alone(office):
    with acting_as(Actor("capturista", "capturista")):
        club = new_club(office)
    path = _drop()
    with acting_as(Actor("capturista", "capturista")):
        with pytest.raises(InputError):  # nor may a capturista put it into effect by reloading
            reload_rulebook(office)
        detail = submit_project(office, project_input(club.id, submitted_on=SUBMITTED))
    assert (detail.rule_set_id, detail.rule_set_version) == ("3x1-public-works", 2)
    assert _club_share(detail) == 2500
    assert rulebook(office).find("3x1", 2016, "infrastructure").version == 2
    [pending] = pending_rule_files(office)
    assert pending.path == path and pending.status == PENDING
    assert pending.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert {f.status for f in rule_files(office) if f.path.parent == paths.seeds_dir() / "rules"} == {SHIPPED}


@pytest.mark.parametrize("role", ["capturista", "revisor", "tesoreria", "auditor"])
def test_only_an_administrador_may_accept_a_rule_file(office, role):
    path = _drop()
    before = database_digest(office)
    with acting_as(Actor(role, role)), pytest.raises(InputError) as refused:
        accept_rule_file(office, path)
    assert [p.code for p in refused.value.problems] == ["auth.role_required"]
    text = describe(refused.value.problems[0], with_field=False)
    assert "edit rule sets" in text and "Administrator" in text
    assert database_digest(office) == before
    assert rulebook(office).find("3x1", 2016, "infrastructure").version == 2


def test_an_accepted_file_takes_effect_is_audited_and_a_change_makes_it_pending_again(office):
    path = _drop()
    with acting_as(Actor("admin", "administrador")):
        accepted = accept_rule_file(office, path)
    with acting_as(Actor("capturista", "capturista")):
        club = new_club(office)
    assert accepted.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert pending_rule_files(office) == []
    with office.transaction() as session:
        row = session.scalars(select(AcceptedRuleFile)).one()
    assert (row.file_name, row.sha256, row.accepted_by) == ("trampa.toml", accepted.sha256, "admin")
    assert [h.action for h in history(office, "accepted_rule_files", row.id)] == ["insert"]
    assert check_integrity(office).ok
    with acting_as(Actor("capturista", "capturista")):
        detail = submit_project(office, project_input(club.id, submitted_on=SUBMITTED))
    assert (detail.rule_set_id, detail.rule_set_version) == ("3x1-public-works", 3)

    # The capturista edits the accepted file: the change is pending, the accepted content is gone too.
    path.write_text(ROGUE.replace("club = 1, federal = 1, state = 98", "club = 2, federal = 0, state = 98"))
    with acting_as(Actor("admin", "administrador")):
        book = reload_rulebook(office)
    assert book.find("3x1", 2016, "infrastructure").version == 2
    assert [f.name for f in pending_rule_files(office)] == ["trampa.toml"]


@pytest.mark.parametrize("where", ["outside", "traversal", "not_toml", "missing"])
def test_only_a_toml_file_inside_the_rules_folder_can_be_accepted(office, tmp_path, where):
    folder = paths.user_rules_dir()
    folder.mkdir(parents=True, exist_ok=True)
    outside = tmp_path / "trampa.toml"
    outside.write_text(ROGUE)
    candidates = {
        "outside": outside,
        "traversal": folder / ".." / ".." / outside.name,
        "not_toml": _drop(name="trampa.txt"),
        "missing": folder / "nada.toml",
    }
    before = database_digest(office)
    with acting_as(Actor("admin", "administrador")), pytest.raises(InputError) as refused:
        accept_rule_file(office, candidates[where])
    assert [p.code for p in refused.value.problems] == ["rules.not_in_folder"]
    assert str(folder) in describe(refused.value.problems[0], with_field=False)
    assert database_digest(office) == before


def test_a_broken_file_is_refused_with_its_name_and_nothing_recorded(office):
    path = _drop("[program\n", name="roto.toml")
    before = database_digest(office)
    with acting_as(Actor("admin", "administrador")), pytest.raises(RuleSetError) as refused:
        accept_rule_file(office, path)
    assert "roto.toml" in str(refused.value) and str(paths.user_rules_dir()) in str(refused.value)
    assert database_digest(office) == before


@pytest.mark.sqlite_only
def test_the_cli_lists_a_dropped_file_as_pending_and_does_not_use_it(office):
    path = _drop()
    office.dispose()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tresxuno", "--db", str(office.path), "--lang", "en", *args],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            timeout=120,
            check=False,
        )

    text = run("rules", "list")
    assert text.returncode == 0, text.stderr
    assert "pending acceptance" in text.stdout and str(path) in text.stdout
    data = json.loads(run("rules", "list", "--json").stdout)
    assert data["pending_acceptance"] == [
        {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    ]
    [three] = [p for p in data["programs"] if p["id"] == "3x1"]
    assert {rs["version"] for rs in three["rule_sets"] if rs["id"] == "3x1-public-works"} == {2}
