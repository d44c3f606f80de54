"""Storage: SQLAlchemy 2 models, the async engine and the Alembic migrations."""
