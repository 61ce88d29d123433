"""Database ring: SQLAlchemy 2 engine, typed models, repositories and Alembic migrations."""
