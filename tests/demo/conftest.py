"""Fixtures for the demo generators' tests: the service tests' private migrated database per test."""

from __future__ import annotations

from tests.services.conftest import db, migrated_template, postgres_template_name

__all__ = ["db", "migrated_template", "postgres_template_name"]
