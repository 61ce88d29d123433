"""One small repository per aggregate: thin queries taking a Session and returning ORM rows.

The services ring owns the transaction and turns rows into plain domain records.
"""

from tresxuno.db.repos.catalogue import CatalogueRepository
from tresxuno.db.repos.federations import FederationRepository
from tresxuno.db.repos.projects import SORT_COLUMNS, ProjectFilters, ProjectRepository
from tresxuno.db.repos.rule_sets import RuleSetRepository, canonical_json, digest_of
from tresxuno.db.repos.settings import SettingsRepository

__all__ = [
    "SORT_COLUMNS",
    "CatalogueRepository",
    "FederationRepository",
    "ProjectFilters",
    "ProjectRepository",
    "RuleSetRepository",
    "SettingsRepository",
    "canonical_json",
    "digest_of",
]
