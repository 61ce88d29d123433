"""Realistic, repeatable demo data: federations, clubs and projects of the 3x1 programme.

:func:`generate_demo` fills an empty database so an office can train, take screenshots and try the
reports before typing its own data, and so developers can load-test with tens of thousands of
projects. Three promises shape the code:

* **Repeatable.** Every choice comes from one ``random.Random(seed)`` and a fixed "today", so the
  same seed always writes the same rows (a bug report can name its seed). Nothing iterates a set.
* **All or nothing.** Everything is written in one transaction; cancelling (checked between
  batches) or any failure rolls it back and leaves the database as it was.
* **Real rules.** Municipalities are real INEGI rows, every club passes :func:`check_club`, and
  every project's shares come from the same :func:`plan_submission` the intake form uses, under the
  rule set stored with it, so demo projects behave like real ones in every screen and report.

Speed: rows are built as plain dicts and written with Core ``executemany`` in batches, with ids
assigned here (the tables are empty), never one ORM object per row.
"""

from __future__ import annotations

import csv
import json
import math
import random
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tresxuno.db.catalogue import inegi_csv_path
from tresxuno.db.engine import Database, catch_up_sequences
from tresxuno.db.models import Club, Federation, Municipality, Project, ProjectShare, Setting, StageChange
from tresxuno.db.repos.settings import OFFICE_MUNICIPALITY, OFFICE_NAME
from tresxuno.demo.beneficiaries import add_demo_beneficiaries
from tresxuno.demo.convenio import add_demo_convenio_terms
from tresxuno.demo.covam import add_demo_covam_and_progress
from tresxuno.demo.ledger import add_demo_ledger
from tresxuno.demo.ministraciones import add_demo_ministraciones
from tresxuno.demo.offices import add_demo_offices
from tresxuno.demo.officials import add_demo_officials, add_demo_toma_history
from tresxuno.demo.social_committees import add_demo_committees
from tresxuno.demo.users import add_demo_users
from tresxuno.demo.validations import add_demo_validations
from tresxuno.domain.parties import Category, Party, SchoolLevel
from tresxuno.domain.problems import InputError, Problem
from tresxuno.domain.rules import RuleBook, RuleSet, scholarship_cost
from tresxuno.domain.stages import Stage, path_to
from tresxuno.domain.validation import (
    TOMA_WARNING_DAYS,
    ClubInput,
    ProjectInput,
    TomaStatus,
    check_club,
    toma_latest_expiry,
)
from tresxuno.i18n import _
from tresxuno.services.auth import require
from tresxuno.services.progress import CancelToken, Progress, no_progress
from tresxuno.services.project_requests import plan_submission, store_rule_set
from tresxuno.services.rules import folio_code, rulebook

#: "Today" for toma de nota statuses and the current fiscal year, unless the caller gives one: a
#: fixed day, because a date taken from the clock would make the same seed write different data.
DEFAULT_TODAY = date(2026, 11, 23)
#: Projects (and clubs) per executemany batch; also how often progress is reported and cancel checked.
BATCH_SIZE = 2_000
#: The most projects one call writes (the CLI's limit too).
MAX_PROJECTS = 100_000
#: Who the stage history and projects name as their author.
DEMO_USER = "demo"
#: Regular projects span these fiscal years (the 4x1 years come on top).
FIRST_YEAR, LAST_YEAR = 2016, 2026
#: The federal 3x1 ended with fiscal 2019; from 2020 only Zacatecas' state 2x1 takes projects (a
#: year no shipped rule set covers is left out rather than given the wrong programme).
LAST_FEDERAL_YEAR = 2019
#: Western Union's 4x1 ran in Zacatecas and Michoacán in these fiscal years.
FOUR_X_ONE_YEARS = (2005, 2006, 2007)

_T = TypeVar("_T")

#: The demo office (settings keys of :mod:`tresxuno.db.repos.settings`).
OFFICE_SETTINGS = {
    OFFICE_NAME: "Presidencia Municipal de Jerez, Zacatecas — Oficina de Atención al Migrante",
    OFFICE_MUNICIPALITY: "32020",
}


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate_demo` wrote, and how long it took."""

    federations: int
    clubs: int
    projects: int
    seconds: float


# --- Vocabulary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _City:
    """A US city where clubs meet, and the consulate that issues their tomas de nota."""

    name: str
    us_state: str
    consulate: str
    code: str  # in the toma de nota folio: TN-LA-2025-0143


@dataclass(frozen=True)
class _FederationSpec:
    code: str
    name: str
    state_key: str
    region: str
    cities: tuple[_City, ...]


_LA = _City("Los Ángeles", "CA", "Consulado General de México en Los Ángeles", "LA")
_LYNWOOD = _City("Lynwood", "CA", "Consulado General de México en Los Ángeles", "LA")
_SANTA_ANA = _City("Santa Ana", "CA", "Consulado de México en Santa Ana", "SA")
_RIVERSIDE = _City("Riverside", "CA", "Consulado de México en San Bernardino", "SB")
_SAN_JOSE = _City("San José", "CA", "Consulado General de México en San José", "SJ")
_SALINAS = _City("Salinas", "CA", "Consulado General de México en San José", "SJ")
_CHICAGO = _City("Chicago", "IL", "Consulado General de México en Chicago", "CHI")
_AURORA = _City("Aurora", "IL", "Consulado General de México en Chicago", "CHI")
_WAUKEGAN = _City("Waukegan", "IL", "Consulado General de México en Chicago", "CHI")
_CICERO = _City("Cicero", "IL", "Consulado General de México en Chicago", "CHI")
_DENVER = _City("Denver", "CO", "Consulado General de México en Denver", "DEN")
_GREELEY = _City("Greeley", "CO", "Consulado General de México en Denver", "DEN")
_DALLAS = _City("Dallas", "TX", "Consulado General de México en Dallas", "DAL")
_FORT_WORTH = _City("Fort Worth", "TX", "Consulado General de México en Dallas", "DAL")
_HOUSTON = _City("Houston", "TX", "Consulado General de México en Houston", "HOU")
_LAS_VEGAS = _City("Las Vegas", "NV", "Consulado de México en Las Vegas", "LV")
_RENO = _City("Reno", "NV", "Consulado de México en Reno", "RNO")
_ATLANTA = _City("Atlanta", "GA", "Consulado General de México en Atlanta", "ATL")
_DALTON = _City("Dalton", "GA", "Consulado General de México en Atlanta", "ATL")

#: Cities of clubs that belong to no federation, spread over more US states.
_INDEPENDENT_CITIES = (
    _City("Phoenix", "AZ", "Consulado General de México en Phoenix", "PHX"),
    _City("Yakima", "WA", "Consulado de México en Yakima", "YAK"),
    _City("Raleigh", "NC", "Consulado de México en Raleigh", "RAL"),
    _City("Charlotte", "NC", "Consulado de México en Raleigh", "RAL"),
    _City("Nueva York", "NY", "Consulado General de México en Nueva York", "NY"),
    _City("Portland", "OR", "Consulado de México en Portland", "POR"),
    _City("Salt Lake City", "UT", "Consulado de México en Salt Lake City", "SLC"),
    _City("Milwaukee", "WI", "Consulado de México en Milwaukee", "MIL"),
)

_FEDERATIONS = (
    _FederationSpec(
        "FCZSC",
        "Federación de Clubes Zacatecanos del Sur de California",
        "32",
        "Los Ángeles, CA",
        (_LA, _LYNWOOD, _SANTA_ANA, _RIVERSIDE),
    ),
    _FederationSpec(
        "FCZNI",
        "Federación de Clubes Zacatecanos del Norte de Illinois",
        "32",
        "Chicago, IL",
        (_CHICAGO, _AURORA, _WAUKEGAN),
    ),
    _FederationSpec("FZC", "Federación Zacatecana de Colorado", "32", "Denver, CO", (_DENVER, _GREELEY)),
    _FederationSpec(
        "FCZUT",
        "Federación de Clubes Zacatecanos Unidos en Texas",
        "32",
        "Dallas, TX",
        (_DALLAS, _FORT_WORTH, _HOUSTON),
    ),
    _FederationSpec("FZN", "Federación de Zacatecanos en Nevada", "32", "Las Vegas, NV", (_LAS_VEGAS, _RENO)),
    _FederationSpec(
        "FCJMO",
        "Federación de Clubes Jaliscienses del Medio Oeste",
        "14",
        "Chicago, IL",
        (_CHICAGO, _CICERO, _WAUKEGAN),
    ),
    _FederationSpec(
        "FCJSC",
        "Federación de Clubes Jaliscienses del Sur de California",
        "14",
        "Los Ángeles, CA",
        (_LA, _SANTA_ANA, _RIVERSIDE),
    ),
    _FederationSpec(
        "FCMI",
        "Federación de Clubes Michoacanos en Illinois",
        "16",
        "Chicago, IL",
        (_CHICAGO, _AURORA, _CICERO),
    ),
    _FederationSpec(
        "FCMNC",
        "Federación de Clubes Michoacanos del Norte de California",
        "16",
        "San José, CA",
        (_SAN_JOSE, _SALINAS),
    ),
    _FederationSpec(
        "FCGT",
        "Federación de Clubes Guanajuatenses en Texas",
        "11",
        "Dallas, TX",
        (_DALLAS, _FORT_WORTH, _HOUSTON),
    ),
    _FederationSpec(
        "FCGG", "Federación de Clubes Guanajuatenses de Georgia", "11", "Atlanta, GA", (_ATLANTA, _DALTON)
    ),
)


@dataclass(frozen=True)
class _HomeState:
    """A state with a migration tradition, its share of clubs and projects, and its municipalities.

    ``municipalities`` are those its clubs mostly come from: INEGI name, short name, demonym.
    """

    key: str
    club_weight: int
    project_weight: int  # in the federal years; from 2020 only Zacatecas takes projects
    municipalities: tuple[tuple[str, str, tuple[str, str] | None], ...]


#: (INEGI name, short name, (demonym masculine, feminine) or None). Keys are looked up by name in
#: the INEGI catalogue, never written here, so a wrong key cannot creep in.
_HOME_STATES = (
    _HomeState(
        "32",
        55,
        45,
        (
            ("Jerez", "Jerez", ("Jerezano", "Jerezana")),
            ("Tlaltenango de Sánchez Román", "Tlaltenango", ("Tlaltenanguense", "Tlaltenanguense")),
            ("Nochistlán de Mejía", "Nochistlán", ("Nochistlense", "Nochistlense")),
            ("Fresnillo", "Fresnillo", ("Fresnillense", "Fresnillense")),
            ("Jalpa", "Jalpa", ("Jalpense", "Jalpense")),
            ("Juchipila", "Juchipila", ("Juchipilense", "Juchipilense")),
            ("Valparaíso", "Valparaíso", ("Valparaisense", "Valparaisense")),
            ("Sombrerete", "Sombrerete", ("Sombreretense", "Sombreretense")),
            ("Villanueva", "Villanueva", ("Villanovense", "Villanovense")),
            ("Tepechitlán", "Tepechitlán", None),
            ("Apozol", "Apozol", None),
            ("Moyahua de Estrada", "Moyahua", None),
            ("Monte Escobedo", "Monte Escobedo", None),
            ("Teúl de González Ortega", "El Teúl", None),
            ("Atolinga", "Atolinga", None),
            ("Momax", "Momax", None),
            ("Río Grande", "Río Grande", None),
            ("Juan Aldama", "Juan Aldama", None),
            ("Pinos", "Pinos", None),
        ),
    ),
    _HomeState(
        "14",
        17,
        20,
        (
            ("Tepatitlán de Morelos", "Tepatitlán", ("Tepatitlense", "Tepatitlense")),
            ("Ameca", "Ameca", ("Amequense", "Amequense")),
            ("Arandas", "Arandas", ("Arandense", "Arandense")),
            ("Atotonilco el Alto", "Atotonilco", None),
            ("Jalostotitlán", "Jalostotitlán", None),
            ("San Miguel el Alto", "San Miguel el Alto", None),
            ("Teocaltiche", "Teocaltiche", None),
            ("Yahualica de González Gallo", "Yahualica", None),
            ("Mexticacán", "Mexticacán", None),
            ("Encarnación de Díaz", "Encarnación", None),
        ),
    ),
    _HomeState(
        "16",
        14,
        18,
        (
            ("Tzitzio", "Tzitzio", None),
            ("Cherán", "Cherán", None),
            ("Tarímbaro", "Tarímbaro", None),
            ("Zamora", "Zamora", ("Zamorano", "Zamorana")),
            ("Sahuayo", "Sahuayo", ("Sahuayense", "Sahuayense")),
            ("Jiquilpan", "Jiquilpan", None),
            ("Cotija", "Cotija", ("Cotijense", "Cotijense")),
            ("Tangancícuaro", "Tangancícuaro", None),
            ("Huandacareo", "Huandacareo", None),
            ("Aguililla", "Aguililla", None),
        ),
    ),
    _HomeState(
        "11",
        14,
        17,
        (
            ("Pénjamo", "Pénjamo", ("Penjamense", "Penjamense")),
            ("Yuriria", "Yuriria", ("Yuririense", "Yuririense")),
            ("Apaseo el Alto", "Apaseo el Alto", None),
            ("Acámbaro", "Acámbaro", ("Acambarense", "Acambarense")),
            ("Salvatierra", "Salvatierra", None),
            ("Jerécuaro", "Jerécuaro", None),
            ("Moroleón", "Moroleón", None),
            ("Tarandacuao", "Tarandacuao", None),
        ),
    ),
)
_ZACATECAS = "32"
#: States where Western Union's 4x1 ran, with their weights.
_FOUR_X_ONE_STATES = (("32", 7), ("16", 3))
#: Tomas de nota on "today": most valid, some about to expire (renewal reminders), some lapsed.
_TOMA_STATUS_WEIGHTS = ((TomaStatus.VALID, 70), (TomaStatus.EXPIRING, 10), (TomaStatus.LAPSED, 20))
#: Share of clubs whose home is a municipality outside the traditional lists (any of the state).
_OTHER_MUNICIPALITY_SHARE = 0.15
#: Share of a state's clubs from its first listed municipality (for Zacatecas, the office's Jerez).
_MAIN_MUNICIPALITY_SHARE = 0.2

_LOCALITIES = (
    "El Tepetate",
    "Ojo de Agua",
    "La Cañada",
    "San José de la Era",
    "El Cargadero",
    "Santa Rita",
    "El Durazno",
    "La Labor",
    "El Remolino",
    "Los Sauces",
    "Agua Zarca",
    "El Maguey",
    "Potrerillos",
    "Santa Fe",
    "La Estancia",
    "El Salitre",
    "Las Ánimas",
    "San Antonio",
    "La Presa",
    "El Saucito",
    "Buenavista",
    "El Refugio",
    "La Ciénega",
    "Tierra Blanca",
    "Las Pilas",
    "San Isidro",
    "El Tecomate",
    "Los Haro",
    "La Concepción",
    "El Jagüey",
)
_STREETS = (
    "Morelos",
    "Hidalgo",
    "Benito Juárez",
    "Zaragoza",
    "Allende",
    "Vicente Guerrero",
    "5 de Mayo",
    "Independencia",
    "Aldama",
    "Emiliano Zapata",
    "Francisco I. Madero",
    "Niños Héroes",
    "Galeana",
    "Ramón López Velarde",
    "González Ortega",
)
_SCHOOLS = (
    "Benito Juárez",
    "Miguel Hidalgo",
    "Emiliano Zapata",
    "Ramón López Velarde",
    "Sor Juana Inés de la Cruz",
    "Niños Héroes",
    "Lázaro Cárdenas",
    "José Vasconcelos",
    "Gabriela Mistral",
    "Josefa Ortiz de Domínguez",
)
_FEMALE_NAMES = (
    "María Guadalupe",
    "Rocío",
    "Araceli",
    "Verónica",
    "Leticia",
    "Josefina",
    "Sofía",
    "Martha Elena",
    "Ana Lucía",
    "Yolanda",
    "Teresa",
    "Inés",
    "María de Jesús",
    "Ángeles",
    "Mónica",
    "Beatriz",
)
_MALE_NAMES = (
    "José Ángel",
    "Juan Manuel",
    "Jesús",
    "Rubén",
    "Ramón",
    "Efraín",
    "Martín",
    "Héctor",
    "Andrés",
    "Raúl",
    "Óscar",
    "Joaquín",
    "Nicolás",
    "Efrén",
    "J. Guadalupe",
    "Sebastián",
)
_SURNAMES = (
    "Ruiz",
    "Ortiz",
    "Muñoz",
    "Hernández",
    "García",
    "Martínez",
    "López",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Flores",
    "Gómez",
    "Díaz",
    "Vázquez",
    "Chávez",
    "Jiménez",
    "Márquez",
    "Domínguez",
    "Núñez",
    "Ibáñez",
    "Saldívar",
    "Robles",
    "Carrillo",
    "Ávila",
    "Galván",
    "Durán",
    "Acuña",
    "Ríos",
    "Báez",
)
_BOARD_ROLES = (("Presidente", "Presidenta"), ("Secretario", "Secretaria"), ("Tesorero", "Tesorera"))
_PARTNERS = (
    "Fundación Raíces Zacatecanas",
    "Fondo Binacional Migrante",
    "Fundación Comunitaria del Cañón",
)
_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)

# Club names; {dem}/{dem_f} need a demonym, {loc} is the club's home locality.
_CLUB_NAMES_DEMONYM = (
    "Club Social {dem} de {city}",
    "Club Fraternidad {dem_f}",
    "Club {dem} Unido de {city}",
    "Club Deportivo y Social {dem}",
)
_CLUB_NAMES_PLAIN = (
    "Club Unidos por {short}",
    "Club Hijos de {short}",
    "Club Amigos de {short} en {city}",
    "Club Paisanos de {loc}",
    "Club Familias Unidas de {loc}",
    "Club Hijos Ausentes de {loc}",
    "Club Social {loc} de {city}",
)

_S = Stage
_C = Category
_PUBLIC_WORKS = frozenset({_C.INFRASTRUCTURE, _C.COMMUNITY_SERVICES, _C.EDUCATION})
_PRODUCTIVE = frozenset({_C.PRODUCTIVE_COMMUNITY, _C.PRODUCTIVE_FAMILY, _C.PRODUCTIVE_INDIVIDUAL})

_PROJECT_NAMES: dict[Category, tuple[str, ...]] = {
    _C.INFRASTRUCTURE: (
        "Pavimentación con concreto hidráulico de la calle {street}",
        "Ampliación de red de agua potable en la comunidad {loc}",
        "Construcción de red de drenaje sanitario en {loc}",
        "Rehabilitación del camino de acceso a {loc}",
        "Perforación y equipamiento de pozo profundo en {loc}",
        "Ampliación de red eléctrica en la calle {street} de {loc}",
        "Construcción de puente vehicular sobre el arroyo de {loc}",
        "Alumbrado público con luminarias solares en {loc}",
    ),
    _C.COMMUNITY_SERVICES: (
        "Rehabilitación del centro de salud de {loc}",
        "Construcción de salón de usos múltiples en {loc}",
        "Remodelación de la plaza principal de {loc}",
        "Construcción de unidad deportiva en {loc}",
        "Construcción de velatorio comunitario en {loc}",
        "Rehabilitación de la casa de la cultura de {short}",
    ),
    _C.EDUCATION: (
        "Construcción de domo en la Escuela Primaria {school}",
        "Construcción de aula en la Escuela Secundaria Técnica núm. {number}",
        "Rehabilitación de sanitarios del Jardín de Niños {school}",
        "Equipamiento del centro de cómputo del Telebachillerato de {loc}",
        "Construcción de barda perimetral en la Escuela Primaria {school}",
    ),
    _C.SCHOLARSHIPS: (
        "Becas {program} para estudiantes de primaria y secundaria de {short}",
        "Becas {program} para estudiantes de secundaria",
        "Becas {program} para la niñez de {loc}",
    ),
    _C.PRODUCTIVE_COMMUNITY: (
        "Invernadero comunitario de jitomate en {loc}",
        "Planta purificadora de agua comunitaria en {loc}",
        "Granja avícola comunitaria en {loc}",
        "Molino de nixtamal comunitario en {loc}",
    ),
    _C.PRODUCTIVE_FAMILY: (
        "Taller de costura familiar",
        "Panadería familiar en {loc}",
        "Establo familiar de ganado lechero",
        "Tortillería familiar en {loc}",
    ),
    _C.PRODUCTIVE_INDIVIDUAL: (
        "Taller de herrería en {loc}",
        "Estética unisex en {short}",
        "Carpintería en {loc}",
        "Tienda de abarrotes en {loc}",
    ),
}
_WORKS_DETAILS = (
    "La ejecuta la presidencia municipal conforme a la normativa de obra pública.",
    "Incluye proyecto ejecutivo, estudios y supervisión de obra.",
    "La comunidad formó su comité de obra para vigilar los trabajos.",
)
_PRODUCTIVE_DETAILS = (
    "El apoyo se destina a equipo, insumos y capacitación.",
    "Las familias beneficiarias aportan su parte en efectivo y en mano de obra.",
)

_CATEGORY_WEIGHTS = (
    (_C.INFRASTRUCTURE, 34),
    (_C.COMMUNITY_SERVICES, 18),
    (_C.EDUCATION, 15),
    (_C.SCHOLARSHIPS, 8),
    (_C.PRODUCTIVE_COMMUNITY, 11),
    (_C.PRODUCTIVE_FAMILY, 8),
    (_C.PRODUCTIVE_INDIVIDUAL, 6),
)
_FOUR_X_ONE_CATEGORIES = (
    (_C.INFRASTRUCTURE, 50),
    (_C.COMMUNITY_SERVICES, 20),
    (_C.EDUCATION, 20),
    (_C.PRODUCTIVE_COMMUNITY, 10),
)

#: Stage weights by the fiscal year's age (0 = the current year, 3 = three or more years ago): old
#: years are closed or finished, the current one is still being requested, ruled on and built.
_STAGE_WEIGHTS_BY_AGE: tuple[tuple[tuple[Stage, int], ...], ...] = (
    (
        (_S.BORRADOR, 5),
        (_S.SOLICITADO, 14),
        (_S.PREVALIDADO, 10),
        (_S.EN_COVAM, 12),
        (_S.APROBADO, 14),
        (_S.DEVUELTO, 6),
        (_S.RECHAZADO, 6),
        (_S.CONVENIO_FIRMADO, 12),
        (_S.EN_EJECUCION, 17),
        (_S.CANCELADO, 4),
    ),
    (
        (_S.APROBADO, 3),
        (_S.CONVENIO_FIRMADO, 8),
        (_S.EN_EJECUCION, 30),
        (_S.TERMINADO, 30),
        (_S.CERRADO, 12),
        (_S.RECHAZADO, 7),
        (_S.DEVUELTO, 3),
        (_S.CANCELADO, 7),
    ),
    (
        (_S.EN_EJECUCION, 10),
        (_S.TERMINADO, 25),
        (_S.CERRADO, 45),
        (_S.RECHAZADO, 8),
        (_S.DEVUELTO, 3),
        (_S.CANCELADO, 9),
    ),
    ((_S.TERMINADO, 6), (_S.CERRADO, 74), (_S.RECHAZADO, 9), (_S.DEVUELTO, 2), (_S.CANCELADO, 9)),
)

#: When each stage is usually entered, as (month, day) from-to: requests early in the year, COVAM
#: sessions April to June (2017 rules), works in the second half, closing in December.
_STAGE_WINDOWS: dict[Stage, tuple[tuple[int, int], tuple[int, int]]] = {
    _S.BORRADOR: ((1, 10), (2, 28)),
    _S.SOLICITADO: ((2, 1), (3, 31)),
    _S.PREVALIDADO: ((3, 15), (4, 20)),
    _S.EN_COVAM: ((4, 10), (5, 20)),
    _S.APROBADO: ((5, 1), (6, 30)),
    _S.RECHAZADO: ((5, 1), (6, 30)),
    _S.DEVUELTO: ((5, 1), (6, 30)),
    _S.CONVENIO_FIRMADO: ((6, 15), (7, 31)),
    _S.EN_EJECUCION: ((7, 15), (8, 31)),
    _S.TERMINADO: ((10, 15), (12, 5)),
    _S.CERRADO: ((12, 10), (12, 31)),
    _S.CANCELADO: ((7, 1), (11, 30)),
}

_COMMENTS: dict[Stage, tuple[str, ...]] = {
    _S.BORRADOR: ("Captura inicial de la solicitud del club",),
    _S.SOLICITADO: (
        "Solicitud recibida en ventanilla con expediente completo",
        "Solicitud recibida; el club entregó su toma de nota vigente",
    ),
    _S.PREVALIDADO: ("Prevalidación técnica favorable del subcomité",),
    _S.EN_COVAM: ("Turnado a la sesión del COVAM",),
    _S.APROBADO: ("Aprobado en la sesión ordinaria del COVAM del {day}",),
    _S.RECHAZADO: (
        "Rechazado por el COVAM: no cumple los criterios de elegibilidad",
        "Rechazado por el COVAM: insuficiencia presupuestal en el ejercicio",
    ),
    _S.DEVUELTO: (
        "Devuelto al club: falta el expediente técnico",
        "Devuelto al club: falta la carta compromiso del municipio",
    ),
    _S.CONVENIO_FIRMADO: ("Convenio de concertación firmado por las partes",),
    _S.EN_EJECUCION: ("Inicio de los trabajos", "Primera ministración recibida; inicia la ejecución"),
    _S.TERMINADO: ("Acta de entrega-recepción firmada con el comité de obra",),
    _S.CERRADO: ("Cierre del ejercicio fiscal {year}",),
    _S.CANCELADO: ("Cancelado: el municipio no aportó su parte", "Cancelado a petición del club"),
}
#: The comments that differ by kind of project: scholarships and productive projects have no works
#: (as many choices per stage as in :data:`_COMMENTS`, so the demo draws the same numbers).
_KIND_COMMENTS: dict[str, dict[Stage, tuple[str, ...]]] = {
    "scholarships": {
        _S.EN_EJECUCION: (
            "Inicia la entrega de becas a los estudiantes del padrón",
            "Primera ministración recibida; inicia el pago de becas",
        ),
        _S.TERMINADO: ("Acta de entrega de becas firmada; recibos de todos los estudiantes",),
    },
    "productive": {
        _S.EN_EJECUCION: (
            "Inicia la adquisición de los bienes del proyecto",
            "Primera ministración recibida; inicia la compra de los bienes",
        ),
        _S.TERMINADO: ("Acta de entrega de bienes firmada por las familias beneficiarias",),
    },
}

#: Per-project mixes (with their reasons) for when a party does not take part, by programme and kind
#: of project (``works``, ``productive``, ``scholarships``); public so checks can recompute shares.
#: The state's basis points of the cost when the state and municipality split their joint 50 % of a
#: public work other than 25/25, as their convenio may agree (the municipality takes the rest).
JOINT_SPLITS: dict[tuple[str, str], tuple[int, ...]] = {("3x1", "works"): (3000, 4000, 5000)}

MIX_OVERRIDES: dict[tuple[str, str], tuple[dict[Party, int], str]] = {
    ("3x1", "scholarships"): (
        {Party.CLUB: 2500, Party.FEDERAL: 5000, Party.MUNICIPAL: 2500},
        "El gobierno estatal no participa; la federación aporta 50 %",
    ),
    ("3x1", "productive"): (
        {Party.CLUB: 3000, Party.FEDERAL: 5000, Party.MUNICIPAL: 2000},
        "El municipio aporta 20 % al proyecto productivo por acuerdo de cabildo",
    ),
    ("2x1-zacatecas", "works"): (
        {Party.CLUB: 2500, Party.STATE: 5000, Party.MUNICIPAL: 2500},
        "Acuerdo de cabildo: el municipio aporta 25 % y el estado cubre la diferencia",
    ),
}
#: Share of projects (without a fixed partner) that carry such an override.
_OVERRIDE_SHARE = 0.03
#: Share of 2x1 projects where a foundation adds an amount agreed in advance.
_FIXED_PARTNER_SHARE = 0.05
#: Per-student amounts (centavos) for rule sets without their own (Zacatecas 2x1 takes the batch
#: cost as typed); the 2013 federal amounts, so demo batches look like the 3x1 ones.
_FALLBACK_PER_STUDENT = {
    SchoolLevel.PRIMARY: 200_000,
    SchoolLevel.SECONDARY: 400_000,
    SchoolLevel.UPPER_SECONDARY: 800_000,
    SchoolLevel.HIGHER: 1_200_000,
}


# --- Entry point ---------------------------------------------------------------------------------


def generate_demo(
    db: Database,
    *,
    projects: int = 180,
    seed: int = 2026,
    today: date | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    with_users: bool = False,
) -> DemoSummary:
    """Fill an empty database with realistic demo federations, clubs and projects.

    Eleven federations of Zacatecas, Jalisco, Michoacán and Guanajuato clubs; about one club per
    ten projects (at least 20) in US cities of a dozen states; projects from fiscal 2016 to 2026
    (federal 3x1 to 2019, Zacatecas 2x1 after) plus about 2 % Western Union 4x1 projects of
    2005-2007, in every category and stage, with their shares, folios and stage history. Also sets
    the office name and municipality (Jerez, Zacatecas) where they are unset.

    Args:
        db: an open, migrated database holding no federations, clubs or projects.
        projects: how many projects to write, 1 to :data:`MAX_PROJECTS`.
        seed: the random seed; the same seed (and ``today``) always writes the same data.
        today: the day toma de nota statuses and the current fiscal year are relative to;
            :data:`DEFAULT_TODAY` when None.
        progress: told ``(done, total, message)`` after every batch.
        cancel: checked before every batch; cancelling rolls everything back.
        with_users: also create the demo office's users, one per role (``tresxuno demo`` does;
            see :mod:`tresxuno.demo.users`), in the same transaction. From then on roles apply.

    Returns:
        How many federations, clubs and projects were written, and the seconds taken.

    Raises:
        InputError: ``demo.not_empty`` when the database already holds projects, clubs or
            federations; ``projects.out_of_range`` for a count outside 1 to 100,000.
        Cancelled: the token was cancelled; nothing was written.
        StorageError: the database is locked, read-only or full; nothing was written.
    """
    if not 1 <= projects <= MAX_PROJECTS:
        raise InputError(
            Problem("projects", "projects.out_of_range", {"value": projects, "min": 1, "max": MAX_PROJECTS})
        )
    started = time.perf_counter()
    token = cancel or CancelToken()
    book = rulebook()
    club_count = _club_count(projects)
    with db.transaction() as session:
        require(session, "demo.generate")  # first: a refused role learns nothing of the contents
        _refuse_unless_empty(session)
        builder = _Builder(
            session,
            book,
            random.Random(seed),
            today or DEFAULT_TODAY,
            _Reporter(progress, club_count + projects),
            token,
        )
        federations = builder.write_federations()
        clubs = builder.write_clubs(club_count)
        builder.write_projects(projects)
        add_demo_toma_history(session)
        add_demo_officials(session)
        add_demo_ledger(session, random.Random(f"ledger-{seed}"), builder.today, cancel=token)
        add_demo_covam_and_progress(session, random.Random(f"covam-{seed}"), builder.today, cancel=token)
        add_demo_ministraciones(session)
        add_demo_committees(session, random.Random(f"committees-{seed}"), builder.today)
        add_demo_beneficiaries(session, random.Random(f"padron-{seed}"))
        add_demo_convenio_terms(session, random.Random(f"convenio-{seed}"))
        add_demo_validations(session, random.Random(f"validation-{seed}"))
        _write_office_settings(session)
        add_demo_offices(session, OFFICE_SETTINGS[OFFICE_MUNICIPALITY][:2])
        if with_users:
            add_demo_users(session)
        catch_up_sequences(session.connection())  # the demo gave its rows their ids
        token.raise_if_cancelled()
    return DemoSummary(federations, clubs, projects, time.perf_counter() - started)


def _club_count(projects: int) -> int:
    """About one club per ten projects, never fewer than 20 (so every federation gets some)."""
    return max(20, round(projects / 10))


def _refuse_unless_empty(session: Session) -> None:
    """Demo rows mixed with real ones would corrupt an office's records, so only an empty registry."""
    for model in (Project, Club, Federation):
        if session.scalar(select(func.count()).select_from(model)):
            raise InputError(Problem("db", "demo.not_empty", {}))


def _write_office_settings(session: Session) -> None:
    """The demo office is Jerez's migrant office; an office's own settings are never overwritten."""
    have = set(session.scalars(select(Setting.key).where(Setting.key.in_(list(OFFICE_SETTINGS)))))
    rows = [{"key": k, "value": v} for k, v in OFFICE_SETTINGS.items() if k not in have]
    if rows:
        session.execute(insert(Setting.__table__), rows)


class _Reporter:
    """Counts finished steps towards a known total and tells the progress sink."""

    def __init__(self, sink: Progress, total: int):
        self.sink, self.total, self.done = sink, total, 0

    def advance(self, steps: int, message: str) -> None:
        self.done = min(self.total, self.done + steps)
        self.sink(self.done, self.total, message)


# --- In-memory models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """A real municipality clubs come from."""

    key: str
    state_key: str
    short: str
    seat: str
    demonym: tuple[str, str] | None


@dataclass(frozen=True)
class _DemoClub:
    """What projects need to know of a club already written."""

    id: int
    name: str
    place: _Place
    locality: str
    issued_on: date
    expires_on: date


@dataclass(frozen=True)
class _Head:
    """A project's first draw (fiscal year, programme, state), sorted so ids run by year."""

    year: int
    program: str
    state_key: str


def _chunks(count: int, size: int) -> list[range]:
    """``range(count)`` cut into consecutive batches of at most ``size``."""
    return [range(start, min(count, start + size)) for start in range(0, count, size)]


def _split(total: int, weights: Sequence[int], minimum: int) -> list[int]:
    """``total`` split by ``weights`` in whole parts, each at least ``minimum`` (largest remainder)."""
    rest = total - minimum * len(weights)
    exact = [rest * w / sum(weights) for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [minimum + p for p in parts]


def _at_noonish(day: date, rng: random.Random) -> datetime:
    """Office hours on ``day``, so history times look typed by a person."""
    return datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))


def _spanish_date(day: date) -> str:
    return f"{day.day} de {_MONTHS[day.month - 1]} de {day.year}"


# --- The builder ---------------------------------------------------------------------------------


class _Builder:
    """Draws and writes the demo rows in a fixed order from one random generator."""

    def __init__(
        self,
        session: Session,
        book: RuleBook,
        rng: random.Random,
        today: date,
        reporter: _Reporter,
        cancel: CancelToken,
    ):
        self.session, self.book, self.rng, self.today = session, book, rng, today
        self.reporter, self.cancel = reporter, cancel
        self.places, self.other_places = _load_places(session)
        self.federations: list[tuple[int, _FederationSpec]] = []
        self.clubs_by_state: dict[str, list[_DemoClub]] = {s.key: [] for s in _HOME_STATES}
        self.rule_pks: dict[tuple[str, int], int] = {}
        self.folio_numbers: dict[str, int] = {}
        self.first_tomas: dict[str, date] = {}
        self.big_now = False  # the project being drawn is the demo's large, capped federal work
        self.club_names: set[str] = set()
        self.last_year = max(FIRST_YEAR, min(LAST_YEAR, today.year))

    # --- federations and clubs

    def write_federations(self) -> int:
        rows = []
        for number, spec in enumerate(_FEDERATIONS, start=1):
            female = self.rng.random() < 0.5
            role = "presidenta" if female else "presidente"
            rows.append(
                {
                    "id": number,
                    "name": spec.name,
                    "mx_state_key": spec.state_key,
                    "us_region": spec.region,
                    "contact": f"{self._person(female)}, {role}",
                    "created_at": datetime(2003, 1, 6, 10, 0) + timedelta(days=11 * number),
                }
            )
            self.federations.append((number, spec))
        self.session.execute(insert(Federation.__table__), rows)
        return len(rows)

    def write_clubs(self, count: int) -> int:
        per_state = _split(count, [s.club_weight for s in _HOME_STATES], minimum=2)
        # Exact shares of toma statuses (shuffled), so even 20 clubs show all three.
        statuses = [
            status
            for status, n in zip(
                (s for s, _w in _TOMA_STATUS_WEIGHTS),
                _split(count, [w for _s, w in _TOMA_STATUS_WEIGHTS], minimum=1),
                strict=True,
            )
            for _i in range(n)
        ]
        self.rng.shuffle(statuses)
        plan = [(state, i) for state, n in zip(_HOME_STATES, per_state, strict=True) for i in range(n)]
        counters: dict[tuple[str, int], int] = {}
        for chunk in _chunks(len(plan), BATCH_SIZE):
            self.cancel.raise_if_cancelled()
            rows = [self._club_row(number + 1, *plan[number], statuses[number], counters) for number in chunk]
            self.session.execute(insert(Club.__table__), rows)
            self.reporter.advance(len(rows), _("Writing federations and clubs"))
        return len(plan)

    def _club_row(
        self,
        club_id: int,
        state: _HomeState,
        index: int,
        status: TomaStatus,
        counters: dict[tuple[str, int], int],
    ) -> dict[str, Any]:
        rng = self.rng
        place = self._pick_place(state.key)
        federations = [(fid, spec) for fid, spec in self.federations if spec.state_key == state.key]
        # Round robin over the state's federations, so even 20 clubs reach every federation's city.
        federation = None if rng.random() < 0.1 or not federations else federations[index % len(federations)]
        city = rng.choice(federation[1].cities if federation else _INDEPENDENT_CITIES)
        locality = rng.choice(_LOCALITIES)
        issued, expires = self._toma_dates(status)
        if federation is not None and rng.random() < 0.15:
            issuer, code = federation[1].name, federation[1].code
        else:
            issuer, code = city.consulate, city.code
        # Consulates number their tomas per year; steps of a few leave room for other states' clubs.
        counters[(code, issued.year)] = counters.get((code, issued.year), 0) + rng.randint(1, 6)
        board = self._board()
        data = ClubInput(
            name=self._club_name(place, city, locality),
            toma_folio=f"TN-{code}-{issued.year}-{counters[(code, issued.year)]:04d}",
            toma_issuer=issuer,
            toma_issued_on=issued,
            toma_expires_on=expires,
            members=rng.randint(10, 80),
            us_city=city.name,
            us_state=city.us_state,
            home_state_key=state.key,
            home_municipality_key=place.key,
            home_contact=f"{self._person(rng.random() < 0.5)} ({locality})",
            federation_id=federation[0] if federation else None,
            board=board,
        )
        problems = check_club(data)
        if problems:  # a bug in this module, not the user's input
            raise RuntimeError(f"demo club {data.name!r} fails check_club: {problems}")
        self.clubs_by_state[state.key].append(_DemoClub(club_id, data.name, place, locality, issued, expires))
        return {
            "id": club_id,
            "federation_id": data.federation_id,
            "name": data.name,
            "toma_folio": data.toma_folio,
            "toma_issuer": data.toma_issuer,
            "toma_issued_on": issued,
            "toma_expires_on": expires,
            "members": data.members,
            "board": json.dumps(list(board), ensure_ascii=False),
            "us_city": data.us_city,
            "us_state": data.us_state,
            "home_state_key": state.key,
            "home_municipality_key": place.key,
            "home_contact": data.home_contact,
            "created_at": datetime(2003, 3, 1, 10, 0) + timedelta(days=rng.randint(0, 600)),
            "updated_at": datetime(issued.year, issued.month, issued.day, 10, 0),
            "version": 1,
        }

    def _board(self) -> tuple[str, ...]:
        """The mesa directiva: "Presidenta: María Guadalupe Ruiz", a secretary and a treasurer."""
        board = []
        for masculine, feminine in _BOARD_ROLES:
            female = self.rng.random() < 0.5
            board.append(f"{feminine if female else masculine}: {self._person(female)}")
        return tuple(board)

    def _toma_dates(self, status: TomaStatus) -> tuple[date, date]:
        """Issue and expiry of a two-year toma de nota that has ``status`` on ``today``."""
        if status is TomaStatus.VALID:
            expiry = self.today + timedelta(days=self.rng.randint(TOMA_WARNING_DAYS + 1, 700))
        elif status is TomaStatus.EXPIRING:
            expiry = self.today + timedelta(days=self.rng.randint(0, TOMA_WARNING_DAYS))
        else:
            expiry = self.today - timedelta(days=self.rng.randint(1, 700))
        day_after = expiry + timedelta(days=1)
        try:
            issued = day_after.replace(year=day_after.year - 2)
        except ValueError:  # the day after is 29 February: issued on 1 March two years before
            issued = date(day_after.year - 2, 3, 1)
        return issued, min(expiry, toma_latest_expiry(issued))

    def _club_name(self, place: _Place, city: _City, locality: str) -> str:
        """A club name in the style clubs choose; repeated names get the city or a number."""
        rng = self.rng
        templates = _CLUB_NAMES_PLAIN + (_CLUB_NAMES_DEMONYM if place.demonym else ())
        dem, dem_f = place.demonym or ("", "")
        fields = {"dem": dem, "dem_f": dem_f, "city": city.name, "short": place.short, "loc": locality}
        name = ""
        for _attempt in range(4):
            name = rng.choice(templates).format(**fields)
            if name not in self.club_names:
                break
        else:
            name = f"{name} ({city.name})"
            suffix = 2
            base = name
            while name in self.club_names:
                name, suffix = f"{base} {suffix}", suffix + 1
        self.club_names.add(name)
        return name

    def _pick_place(self, state_key: str) -> _Place:
        """A home municipality: mostly one with a migration tradition.

        The state's first listed one (for Zacatecas, Jerez: the demo office's own) comes up most
        often, so the office's own lists are full.
        """
        draw = self.rng.random()
        others, places = self.other_places[state_key], self.places[state_key]
        if others and draw < _OTHER_MUNICIPALITY_SHARE:
            return self.rng.choice(others)
        if draw > 1 - _MAIN_MUNICIPALITY_SHARE:
            return places[0]
        return self.rng.choice(places)

    def _person(self, female: bool) -> str:
        rng = self.rng
        first = rng.choice(_FEMALE_NAMES if female else _MALE_NAMES)
        surnames = rng.sample(_SURNAMES, 2)
        return f"{first} {surnames[0]}" if rng.random() < 0.5 else f"{first} {surnames[0]} {surnames[1]}"

    # --- projects

    def write_projects(self, count: int) -> None:
        heads = self._heads(count)
        forced_categories, forced_stages = self._coverage(heads)
        # One large federal work whose federal share reaches the cap, so even a small demo shows one.
        federal = [
            i
            for i, h in enumerate(heads)
            if h.program == "3x1" and forced_categories.get(i, _C.INFRASTRUCTURE) is _C.INFRASTRUCTURE
        ]
        big = self.rng.choice(federal) if federal else None
        if big is not None:
            forced_categories[big] = _C.INFRASTRUCTURE
        for chunk in _chunks(count, BATCH_SIZE):
            self.cancel.raise_if_cancelled()
            projects: list[dict[str, Any]] = []
            shares: list[dict[str, Any]] = []
            changes: list[dict[str, Any]] = []
            for index in chunk:
                self.big_now = index == big
                project, project_shares, project_changes = self._project(
                    index + 1, heads[index], forced_categories.get(index), forced_stages.get(index)
                )
                projects.append(project)
                shares.extend(project_shares)
                changes.extend(project_changes)
            self.session.execute(insert(Project.__table__), projects)
            self.session.execute(insert(ProjectShare.__table__), shares)
            self.session.execute(insert(StageChange.__table__), changes)
            self.reporter.advance(len(projects), _("Writing projects"))

    def _heads(self, count: int) -> list[_Head]:
        """Year, programme and state of every project, oldest first (ids then read chronologically)."""
        rng = self.rng
        four = min(count, max(3, round(count * 0.02)) if count >= 150 else round(count * 0.02))
        heads = [
            _Head(rng.choice(FOUR_X_ONE_YEARS), "4x1", _weighted(rng, _FOUR_X_ONE_STATES))
            for _draw in range(four)
        ]
        years = [y for y in range(FIRST_YEAR, self.last_year + 1) if self._has_rules(_program_of(y), y)]
        # The national 3x1 years carry more projects than the Zacatecas-only 2x1 years.
        year_weights = [3 if y <= LAST_FEDERAL_YEAR else 2 for y in years]
        state_weights = [(s.key, s.project_weight) for s in _HOME_STATES]
        for _draw in range(count - four):
            year = rng.choices(years, year_weights)[0]
            if _program_of(year) == "3x1":
                heads.append(_Head(year, "3x1", _weighted(rng, state_weights)))
            else:
                heads.append(_Head(year, "2x1-zacatecas", _ZACATECAS))
        heads.sort(key=lambda h: h.year)
        return heads

    def _has_rules(self, program: str, year: int) -> bool:
        """Whether the rule book has a rule set of ``program`` for ``year`` (public works)."""
        try:
            self.book.find(program, year, _C.INFRASTRUCTURE.value)
        except InputError:
            return False
        return True

    def _coverage(self, heads: Sequence[_Head]) -> tuple[dict[int, Category], dict[int, Stage]]:
        """Pin one project to each category and each stage, so even a small demo shows them all.

        A stage goes to a project whose year plausibly has it (a draft in the current year); a
        category to a 3x1 or 2x1 project, whose rule sets cover every category.
        """
        rng = self.rng
        regular = [i for i, h in enumerate(heads) if h.program != "4x1"]
        categories: dict[int, Category] = {}
        if len(regular) >= len(Category):
            categories = dict(zip(rng.sample(regular, len(Category)), Category, strict=True))
        stages: dict[int, Stage] = {}
        if len(heads) >= len(Stage):
            usual = {year: {s for s, _w in self._stage_weights(year)} for year in {h.year for h in heads}}
            for stage in Stage:
                fits = [i for i, h in enumerate(heads) if i not in stages and stage in usual[h.year]]
                stages[rng.choice(fits or [i for i in range(len(heads)) if i not in stages])] = stage
        return categories, stages

    def _stage_weights(self, year: int) -> tuple[tuple[Stage, int], ...]:
        age = min(max(self.today.year - year, 0), len(_STAGE_WEIGHTS_BY_AGE) - 1)
        return _STAGE_WEIGHTS_BY_AGE[age]

    def _project(
        self, project_id: int, head: _Head, category: Category | None, stage: Stage | None
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        category = category or _weighted(
            rng, _FOUR_X_ONE_CATEGORIES if head.program == "4x1" else _CATEGORY_WEIGHTS
        )
        stage = stage or _weighted(rng, self._stage_weights(head.year))
        path = path_to(stage)
        days = self._history_dates(head.year, path)
        submitted = days[path.index(_S.SOLICITADO)] if _S.SOLICITADO in path else days[0]
        club = self._pick_club(head.state_key, submitted)
        data = self._project_input(head, category, club, submitted)
        plan = plan_submission(data, book=self.book)
        changes = self._history_rows(project_id, head.year, path, days, _kind(category))
        project = {
            "id": project_id,
            "folio": self._folio(head.program, head.year, club.place.key),
            "fiscal_year": head.year,
            "program": head.program,
            "category": category.value,
            "club_id": club.id,
            "state_key": head.state_key,
            "municipality_key": club.place.key,
            "locality": data.locality,
            "locality_key": data.locality_key,
            "name": data.name,
            "description": data.description,
            "beneficiaries": data.beneficiaries,
            "cost": data.cost,
            "rule_set_pk": self._rule_pk(plan.rule_set),
            "partner_mode": plan.partner_mode,
            "partner_amount": data.partner_amount if plan.partner_mode == "fixed" else None,
            "mix_override_reason": data.mix_override_reason if data.mix_override else "",
            "joint_split_bp": data.joint_split_bp if not data.mix_override and plan.rule_set.joint else None,
            "stage": stage.value,
            "created_at": changes[0]["changed_at"],
            "updated_at": changes[-1]["changed_at"],
            "created_by": DEMO_USER,
            "version": 1,
        }
        shares = [
            {
                "project_id": project_id,
                "party": s.party.value,
                "percent_bp": s.percent_bp,
                "amount": s.amount,
                "capped": s.capped,
            }
            for s in plan.allocation.shares
        ]
        return project, shares, changes

    def _pick_club(self, state_key: str, submitted: date) -> _DemoClub:
        """A club of the state that could submit on ``submitted``.

        A club keeps one toma de nota (its latest renewal), so a club whose toma had already
        lapsed before the request had no valid one then. A club whose stored toma covers the
        request day (issued before, expiring after) is preferred; otherwise an issue date after
        the request stands for an earlier toma since renewed, which the schema does not keep.
        """
        pool = self.clubs_by_state[state_key]
        # Before every stored toma was issued (they are all recent) none can cover the request.
        covering = submitted >= self._first_toma(state_key)
        fallback = None
        for _attempt in range(8):
            club = self.rng.choice(pool)
            if not covering and club.expires_on >= submitted:
                return club
            if club.issued_on <= submitted <= club.expires_on:
                return club
            if fallback is None and club.expires_on >= submitted:
                fallback = club
        if fallback is not None:
            return fallback
        eligible = [c for c in pool if c.expires_on >= submitted]
        return self.rng.choice(eligible or pool)

    def _first_toma(self, state_key: str) -> date:
        """The earliest toma de nota issue day among the state's clubs (clubs are all written first)."""
        if state_key not in self.first_tomas:
            self.first_tomas[state_key] = min(c.issued_on for c in self.clubs_by_state[state_key])
        return self.first_tomas[state_key]

    def _project_input(
        self, head: _Head, category: Category, club: _DemoClub, submitted: date
    ) -> ProjectInput:
        """The request as an officer would type it: name, place, cost, partner, mix."""
        rng = self.rng
        place = club.place
        locality = club.locality if rng.random() < 0.6 else (place.seat or place.short)
        students = self._students() if category is _C.SCHOLARSHIPS else {}
        cost = self._cost(head, category, students)
        partner_mode, partner_amount = self._partner(head, category, cost)
        override = None
        joint_split_bp: int | None = None
        if partner_mode is None and rng.random() < _OVERRIDE_SHARE:
            override = MIX_OVERRIDES.get((head.program, _kind(category)))
            if (head.program, _kind(category)) in JOINT_SPLITS:
                # State and municipality agree another split of their joint 50 % (no override).
                joint_split_bp = rng.choice(JOINT_SPLITS[(head.program, _kind(category))])
        fields = {
            "street": rng.choice(_STREETS),
            "loc": locality,
            "short": place.short,
            "school": rng.choice(_SCHOOLS),
            "number": rng.randint(3, 75),
            "program": head.program.split("-")[0],
        }
        name = rng.choice(_PROJECT_NAMES[category]).format(**fields)
        beneficiaries = sum(students.values()) if students else self._beneficiaries(category)
        return ProjectInput(
            club_id=club.id,
            program=head.program,
            fiscal_year=head.year,
            category=category.value,
            state_key=head.state_key,
            municipality_key=place.key,
            name=name,
            cost=cost,
            submitted_on=submitted,
            locality=locality,
            # A made-up INEGI locality key of the municipality (0001 is the municipal seat's).
            locality_key=f"{place.key}{zlib.crc32(locality.encode()) % 250 + 2:04d}",
            description=self._description(
                head, category, club, locality, beneficiaries, students, partner_amount
            ),
            beneficiaries=beneficiaries,
            partner_mode=partner_mode,
            partner_amount=partner_amount,
            mix_override=override[0] if override else None,
            mix_override_reason=override[1] if override else "",
            joint_split_bp=joint_split_bp,
        )

    def _students(self) -> dict[str, int]:
        """A scholarship batch, e.g. 40 primary and 20 secondary students."""
        rng = self.rng
        students = {
            SchoolLevel.PRIMARY.value: rng.randint(20, 60),
            SchoolLevel.SECONDARY.value: rng.randint(10, 40),
        }
        if rng.random() < 0.3:
            students[SchoolLevel.UPPER_SECONDARY.value] = rng.randint(5, 20)
        return students

    def _cost(self, head: _Head, category: Category, students: Mapping[str, int]) -> int:
        """Centavos: per-student amounts for scholarships, else a skewed draw around the usual sizes."""
        if students:
            rule_set = self.book.find(head.program, head.year, category.value)
            if rule_set.scholarship_amounts:
                return scholarship_cost(rule_set, students)
            return sum(_FALLBACK_PER_STUDENT[SchoolLevel(k)] * n for k, n in students.items())
        rng = self.rng
        if category in _PRODUCTIVE:
            pesos = _clipped_lognormal(rng, 200_000, 0.6, 50_000, 600_000)
        else:
            # Typical works cost MXN 0.3-7 M, around 1.25 M (DOMAIN.md, "Scale").
            pesos = _clipped_lognormal(rng, 1_250_000, 0.6, 300_000, 7_000_000)
            if self.big_now:
                pesos = rng.randint(4_500_000, 7_000_000)  # a quarter of it is above the federal cap
        centavos = rng.randint(0, 99) if rng.random() < 0.4 else 0
        return pesos * 100 + centavos

    def _partner(self, head: _Head, category: Category, cost: int) -> tuple[str | None, int | None]:
        """4x1 takes its partner by rule; a few 2x1 works get a foundation's fixed amount."""
        if head.program == "4x1":
            return "rule", None
        if (
            head.program == "2x1-zacatecas"
            and category is not _C.SCHOLARSHIPS
            and self.rng.random() < _FIXED_PARTNER_SHARE
        ):
            thousands = max(10, round(cost * self.rng.uniform(0.1, 0.3) / 100_000))
            return "fixed", thousands * 100_000
        return None, None

    def _beneficiaries(self, category: Category) -> int:
        if category in _PUBLIC_WORKS:
            return _clipped_lognormal(self.rng, 350, 1.0, 20, 3_000)
        if category is _C.PRODUCTIVE_COMMUNITY:
            return self.rng.randint(20, 120)
        return self.rng.randint(20, 40)

    def _description(
        self,
        head: _Head,
        category: Category,
        club: _DemoClub,
        locality: str,
        beneficiaries: int,
        students: Mapping[str, int],
        partner_amount: int | None,
    ) -> str:
        rng = self.rng
        place = club.place
        where = locality if locality in (place.seat, place.short) else f"{locality}, {place.short}"
        if students:
            levels = {"primary": "primaria", "secondary": "secundaria", "upper-secondary": "bachillerato"}
            parts = [f"{n} de {levels[k]}" for k, n in students.items()]
            parts[0] = parts[0].replace(" de ", " alumnos de ", 1)
            text = (
                f"Becas para {', '.join(parts[:-1])} y {parts[-1]} de {where}, ciclo escolar "
                f"{head.year}-{head.year + 1}. El {club.name} entrega su aportación al inicio del ciclo."
            )
        elif category in _PRODUCTIVE:
            text = (
                f"Proyecto productivo propuesto por el {club.name} para {beneficiaries} personas de "
                f"{where}. {rng.choice(_PRODUCTIVE_DETAILS)}"
            )
        else:
            text = (
                f"Obra propuesta por el {club.name} en beneficio de {beneficiaries} habitantes de "
                f"{where}. {rng.choice(_WORKS_DETAILS)}"
            )
        if head.program == "4x1":
            text += " Iniciativa Ciudadana 4x1 con aportación de Western Union."
        if partner_amount is not None:
            text += f" La {rng.choice(_PARTNERS)} aporta una cantidad fija convenida con el club."
        return text

    # --- history, folios and rule sets

    def _history_dates(self, year: int, path: Sequence[Stage]) -> list[date]:
        """Strictly increasing days inside the fiscal year (and not after today), one per stage."""
        rng = self.rng
        last_day = min(date(year, 12, 31), self.today)
        days: list[date] = []
        for position, stage in enumerate(path):
            (m1, d1), (m2, d2) = _STAGE_WINDOWS[stage]
            start = date(year, m1, d1)
            day = start + timedelta(days=rng.randint(0, (date(year, m2, d2) - start).days))
            if days and day <= days[-1]:
                day = days[-1] + timedelta(days=rng.randint(1, 12))
            # Leave one day for each later move, so the history never runs past the year's end.
            days.append(min(day, last_day - timedelta(days=len(path) - 1 - position)))
        return days

    def _history_rows(
        self, project_id: int, year: int, path: Sequence[Stage], days: Sequence[date], kind: str = "works"
    ) -> list[dict[str, Any]]:
        rows = []
        previous: Stage | None = None
        comments = {**_COMMENTS, **_KIND_COMMENTS.get(kind, {})}
        for stage, day in zip(path, days, strict=True):
            comment = self.rng.choice(comments[stage]).format(day=_spanish_date(day), year=year)
            rows.append(
                {
                    "project_id": project_id,
                    "from_stage": previous.value if previous else None,
                    "to_stage": stage.value,
                    "changed_at": _at_noonish(day, self.rng),
                    "changed_by": DEMO_USER,
                    "comment": comment,
                }
            )
            previous = stage
        return rows

    def _folio(self, program: str, year: int, municipality_key: str) -> str:
        """The folio :func:`~tresxuno.services.projects.next_folio` would give, counted in memory."""
        prefix = f"{folio_code(program)}-{year}-{municipality_key}-"
        number = self.folio_numbers.get(prefix, 0) + 1
        self.folio_numbers[prefix] = number
        return f"{prefix}{number:04d}"

    def _rule_pk(self, rule_set: RuleSet) -> int:
        key = (rule_set.id, rule_set.version)
        if key not in self.rule_pks:
            self.rule_pks[key] = store_rule_set(self.session, rule_set).id
        return self.rule_pks[key]


# --- Small helpers -------------------------------------------------------------------------------


def _load_places(session: Session) -> tuple[dict[str, list[_Place]], dict[str, list[_Place]]]:
    """Municipalities of the home states, from the INEGI seed rows, by state.

    The first dictionary holds the municipalities with a migration tradition (looked up by name),
    the second the state's others. Only rows the database's catalogue holds are used, so every
    club's home satisfies its foreign key.
    """
    state_keys = [s.key for s in _HOME_STATES]
    known = set(session.scalars(select(Municipality.key).where(Municipality.state_key.in_(state_keys))))
    rows: dict[tuple[str, str], dict[str, str]] = {}
    with inegi_csv_path().open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["cve_entidad"] in state_keys and row["cve_completa"] in known:
                rows[(row["cve_entidad"], row["nom_municipio"])] = row
    traditional: dict[str, list[_Place]] = {}
    others: dict[str, list[_Place]] = {}
    for state in _HOME_STATES:
        names = {name for name, _short, _dem in state.municipalities}
        traditional[state.key] = [
            _Place(
                rows[(state.key, name)]["cve_completa"],
                state.key,
                short,
                rows[(state.key, name)]["nom_cabecera"],
                demonym,
            )
            for name, short, demonym in state.municipalities
            if (state.key, name) in rows
        ]
        others[state.key] = [
            _Place(row["cve_completa"], state.key, name, row["nom_cabecera"], None)
            for (key, name), row in rows.items()
            if key == state.key and name not in names
        ]
        if not traditional[state.key]:
            if not others[state.key]:
                raise RuntimeError(f"the INEGI catalogue has no municipalities of state {state.key}")
            traditional[state.key] = others[state.key]
    return traditional, others


def _weighted(rng: random.Random, choices: Sequence[tuple[_T, int]]) -> _T:
    """One of ``choices`` drawn by its weight."""
    return rng.choices([c for c, _w in choices], [w for _c, w in choices])[0]


def _clipped_lognormal(rng: random.Random, median: int, sigma: float, low: int, high: int) -> int:
    """A right-skewed whole number around ``median``, kept within ``[low, high]``."""
    return min(high, max(low, round(rng.lognormvariate(math.log(median), sigma))))


def _program_of(year: int) -> str:
    """The programme of a regular demo project of ``year``: the federal 3x1, then Zacatecas' 2x1."""
    return "3x1" if year <= LAST_FEDERAL_YEAR else "2x1-zacatecas"


def _kind(category: Category) -> str:
    if category is _C.SCHOLARSHIPS:
        return "scholarships"
    return "productive" if category in _PRODUCTIVE else "works"
