"""Rule sets as data: shipped files load, lookups resolve, malformed files are named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from tresxuno.domain.parties import Category, Party
from tresxuno.domain.problems import InputError, RuleSetError
from tresxuno.domain.rules import RuleSet, load_rulebook, scholarship_cost
from tresxuno.i18n import set_language
from tresxuno.paths import seeds_dir

SHIPPED = seeds_dir() / "rules"


@pytest.fixture(scope="module")
def book():
    return load_rulebook([SHIPPED])


def test_shipped_programmes_cover_their_years_and_categories(book):
    assert set(book.programs) == {"3x1", "4x1", "2x1-zacatecas"}
    for year in (2012, 2016, 2019):
        for category in Category:
            assert book.find("3x1", year, category.value).program == "3x1"
    for category in (
        "infrastructure",
        "community-services",
        "education",
        "scholarships",
        "productive-community",
    ):
        assert book.find("3x1", 2002, category).program == "3x1"
    assert book.find("4x1", 2006, "infrastructure").mix_map[Party.PARTNER] == 2000
    zac = book.find("2x1-zacatecas", 2025, "infrastructure").mix_map
    assert zac == {Party.CLUB: 2500, Party.STATE: 4000, Party.MUNICIPAL: 3500}
    assert book.find("2x1-zacatecas", 2040, "education").id == "2x1-zacatecas"


def test_every_shipped_rule_set_names_its_source_in_spanish_and_english(book):
    for rs in book.all_rule_sets:
        assert rs.source_es and rs.source_en and rs.source_es != rs.source_en
        assert isinstance(rs.verified, bool)
        for cap in rs.caps:
            assert cap.source_es and cap.source_en


def _shown_texts(book):
    """Every source, note and document citation the app shows or prints, in both languages."""
    for rs in book.all_rule_sets:
        for lang in ("es", "en"):
            yield rs.id, rs.source_text(lang)
            yield rs.id, rs.notes_text(lang)
            for cap in rs.caps:
                yield rs.id, cap.source_text(lang)
            for year in range(rs.first_year, (rs.last_year or rs.first_year) + 1):
                yield rs.id, rs.citation(year, lang)


def test_no_shipped_source_or_note_names_an_internal_file(book):
    for rule_id, text in _shown_texts(book):
        lowered = text.lower()
        for internal in (".md", ".toml", ".py", "domain", "seeds", "readme", "/rules"):
            assert internal not in lowered, (rule_id, text)


def test_each_3x1_year_cites_its_reglas_de_operacion_with_the_dof_date_or_says_it_is_unconfirmed(book):
    rs = book.find("3x1", 2013, "infrastructure")
    assert rs.citation(2013, "es") == (
        "Reglas de Operación del Programa 3x1 para Migrantes para el ejercicio fiscal 2013, DOF 28/02/2013"
    )
    assert "DOF 28/02/2013" in rs.citation(2013, "en") and "operating rules" in rs.citation(2013, "en")
    assert rs.citation(2017, "es").endswith("fecha de publicación por confirmar")
    assert rs.citation(2017, "en").endswith("publication date to be confirmed")
    for year in range(2002, 2020):
        for category in ("infrastructure", "scholarships", "productive-community"):
            document = book.find("3x1", year, category).document_for(year)
            assert document is not None and str(year) in document.title


def test_sources_and_notes_are_given_in_the_language_asked_for(book):
    rs = book.find("3x1", 2016, "infrastructure")
    assert "estado y el municipio" in rs.notes_text("es")
    assert "state and the municipality" in rs.notes_text("en")
    assert rs.source_text("es").startswith("Reglas de Operación")
    assert "operating rules" in rs.source_text("en")


def test_the_federal_3x1_has_no_rules_after_2019(book):
    assert book.programs["3x1"].last_year == 2019
    assert book.find("3x1", 2019, "infrastructure").id == "3x1-public-works"
    for year in (2020, 2021, 2030):
        with pytest.raises(InputError) as exc:
            book.find("3x1", year, "infrastructure")
        (problem,) = exc.value.problems
        assert (problem.code, problem.params["last_year"]) == ("rules.program_ended", 2019)
    # State programmes go on under their own rules.
    assert book.find("2x1-zacatecas", 2020, "infrastructure").program == "2x1-zacatecas"


def test_the_programme_end_is_enforced_on_rule_files(tmp_path):
    (tmp_path / "3x1-late.toml").write_text(
        '[[rule_sets]]\nprogram = "3x1"\nid = "3x1-late"\nyears = [2019, 2021]\n'
        'categories = ["infrastructure"]\nmix = { club = 50, federal = 50 }\n'
        'supersedes = ["3x1-public-works"]\nsource_es = "Oficio"\nsource_en = "Letter"\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleSetError, match="2019"):
        load_rulebook([SHIPPED, tmp_path])


@pytest.mark.parametrize("category", ["productive-family", "productive-individual"])
def test_family_and_individual_productive_projects_start_in_2012(book, category):
    assert book.find("3x1", 2012, category).id == "3x1-productive-family"
    with pytest.raises(InputError) as exc:
        book.find("3x1", 2011, category)
    (problem,) = exc.value.problems
    assert (problem.code, problem.field) == ("rules.category_not_yet", "category")
    assert problem.params["first_year"] == 2012
    assert book.find("3x1", 2011, "productive-community").id == "3x1-productive"
    assert category not in book.categories_for("3x1", 2011)
    assert category in book.categories_for("3x1", 2012)
    assert book.categories_for("3x1", 2020) == []


def test_public_works_and_scholarships_name_state_and_municipality_as_joint_parties(book):
    for category in ("infrastructure", "community-services", "education", "scholarships"):
        rs = book.find("3x1", 2015, category)
        assert rs.joint == (Party.STATE, Party.MUNICIPAL)
        assert rs.joint_total == 5000
        assert rs.mix_map[Party.FEDERAL] == rs.mix_map[Party.CLUB] == 2500
    assert book.find("3x1", 2015, "productive-community").joint == ()


def test_a_source_in_one_language_only_is_refused(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text(
        '[program]\nid = "x"\nname_es = "X"\nname_en = "X"\n[[rule_sets]]\nid = "x"\nyears = [2020]\n'
        'categories = ["infrastructure"]\nmix = { club = 100 }\nsource_es = "Acuerdo"\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleSetError, match="source_en"):
        load_rulebook([tmp_path])


def test_a_joint_party_must_have_a_percentage(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text(
        '[program]\nid = "x"\nname_es = "X"\nname_en = "X"\n[[rule_sets]]\nid = "x"\nyears = [2020]\n'
        'categories = ["infrastructure"]\nmix = { club = 50, state = 50 }\njoint = ["state", "municipal"]\n'
        'source = "Acuerdo"\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleSetError, match="joint"):
        load_rulebook([tmp_path])


def test_caps_apply_only_in_their_years(book):
    productive = book.find("3x1", 2014, "productive-community")
    assert productive.caps_for(2014) == {Party.FEDERAL: 250_000_00}
    assert productive.caps_for(2012) == {}


@pytest.mark.parametrize(
    ("program", "year", "category", "code", "field"),
    [
        ("5x1", 2016, "infrastructure", "rules.unknown_program", "program"),
        ("3x1", 2016, "roads", "rules.unknown_category", "category"),
        ("3x1", 2021, "infrastructure", "rules.program_ended", "year"),
        ("2x1-zacatecas", 2018, "infrastructure", "rules.no_rule_for_year", "year"),
        ("4x1", 2006, "scholarships", "rules.category_not_in_program", "category"),
    ],
)
def test_lookups_that_fail_say_what_is_allowed(book, program, year, category, code, field):
    with pytest.raises(InputError) as exc:
        book.find(program, year, category)
    problem = exc.value.problems[0]
    assert (problem.code, problem.field) == (code, field)
    if code == "rules.no_rule_for_year":
        assert problem.params["years"] == "2019–"
    if code == "rules.unknown_program":
        assert problem.params["allowed"] == "2x1-zacatecas, 3x1, 4x1"


def test_scholarship_cost_uses_amounts_per_student(book):
    rs = book.find("3x1", 2013, "scholarships")
    assert scholarship_cost(rs, {"primary": 10, "higher": 2}) == (10 * 2000 + 2 * 12000) * 100
    with pytest.raises(InputError) as exc:
        scholarship_cost(rs, {"kinder": 3})
    assert exc.value.problems[0].code == "scholarship.unknown_level"


def test_rule_set_round_trips_through_its_stored_form(book):
    for rs in book.all_rule_sets:
        again = RuleSet.from_data(rs.to_data())
        assert again == rs
        assert again.digest() == rs.digest()


GOOD = """
[program]
id = "3x1-jalisco"
name_es = "3x1 Jalisco"
name_en = "3x1 Jalisco"

[[rule_sets]]
id = "jal-a"
years = [2021, 2023]
categories = ["infrastructure"]
mix = { club = 25, state = 50, municipal = 25 }
source = "Convenio estatal"
"""


def write(tmp_path: Path, text: str, name: str = "extra.toml") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_administrator_adds_a_programme_and_supersedes_it_for_later_years(tmp_path):
    folder = write(tmp_path, GOOD)
    write(
        tmp_path,
        """
[[rule_sets]]
program = "3x1-jalisco"
id = "jal-b"
years = [2023]
categories = ["infrastructure"]
mix = { club = 20, state = 50, municipal = 30 }
supersedes = ["jal-a"]
source = "Reglas 2023"
verified = true
""",
        "later.toml",
    )
    book = load_rulebook([SHIPPED, folder])
    assert book.find("3x1-jalisco", 2022, "infrastructure").id == "jal-a"
    assert book.find("3x1-jalisco", 2023, "infrastructure").id == "jal-b"
    assert book.find("3x1", 2016, "education").id == "3x1-public-works"


def test_a_higher_version_replaces_the_lower_for_new_computations_but_both_stay_known(tmp_path):
    folder = write(tmp_path, GOOD)
    write(
        tmp_path,
        """
[[rule_sets]]
program = "3x1-jalisco"
id = "jal-a"
version = 2
years = [2021, 2023]
categories = ["infrastructure"]
mix = { club = 30, state = 45, municipal = 25 }
source = "Convenio estatal, corrected"
""",
        "v2.toml",
    )
    book = load_rulebook([folder])
    assert book.find("3x1-jalisco", 2021, "infrastructure").version == 2
    assert book.get("jal-a", 1).mix_map[Party.CLUB] == 2500


@pytest.mark.parametrize(
    ("change", "key", "allowed"),
    [
        (("club = 25, state = 50", "club = 30, state = 50"), "rule_sets[jal-a].mix", "add up to 100"),
        (("club = 25", "clubs = 25"), "rule_sets[jal-a].mix", "club, federal, state, municipal, partner"),
        (('["infrastructure"]', '["roads"]'), "rule_sets[jal-a].categories", "community-services"),
        (("[2021, 2023]", "[2023, 2021]"), "rule_sets[jal-a].years", "comes before"),
        (("club = 25", "club = 25.5"), "rule_sets[jal-a].mix.club", '"33.34"'),
        (('source = "Convenio estatal"', ""), "rule_sets[jal-a].source", "missing"),
        (
            ("years = [2021, 2023]", "years = [2021, 2023]\ncolour = 'red'"),
            "rule_sets[jal-a].colour",
            "allowed: caps",
        ),
        (
            ("mix = {", 'caps = [{ party = "federal", amount = "100.00" }]\nmix = {'),
            "rule_sets[jal-a].caps[0].party",
            "no percentage",
        ),
    ],
)
def test_malformed_files_name_the_file_the_key_and_what_is_allowed(tmp_path, change, key, allowed):
    set_language("en")  # the expectations below quote the English messages
    folder = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(RuleSetError) as exc:
        load_rulebook([folder])
    message = str(exc.value)
    assert "extra.toml" in message
    assert key in message
    assert allowed in message


def test_two_rule_sets_governing_the_same_year_are_refused(tmp_path):
    folder = write(tmp_path, GOOD)
    write(
        tmp_path,
        GOOD.replace(
            '[program]\nid = "3x1-jalisco"\nname_es = "3x1 Jalisco"\nname_en = "3x1 Jalisco"\n', ""
        ).replace('id = "jal-a"', 'program = "3x1-jalisco"\nid = "jal-c"'),
        "clash.toml",
    )
    with pytest.raises(RuleSetError) as exc:
        load_rulebook([folder])
    assert "jal-a" in str(exc.value) and "jal-c" in str(exc.value) and "supersedes" in str(exc.value)


def test_invalid_toml_is_named(tmp_path):
    folder = write(tmp_path, "[program\nid=")
    with pytest.raises(RuleSetError, match=r"extra\.toml.*TOML"):
        load_rulebook([folder])
