"""Fixtures shared by every test: a database on SQLite and on PostgreSQL, settings, the CLI.

Every test that touches the database takes ``database_url`` and so runs twice: on a fresh
SQLite file and on a fresh schema of the PostgreSQL server at DISTY_TEST_POSTGRES_URL (default
postgresql://127.0.0.1:5432/test). Where that server is unreachable the PostgreSQL runs skip,
saying why; with DISTY_REQUIRE_POSTGRES=1 (as CI sets) they fail instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from disty.cli import app
from disty.config import Settings
from disty.runtime import Runtime, open_runtime
from tests.fixtures.templates import MigratedTemplates

if TYPE_CHECKING:
    from tests.fixtures.disty import ServedDisty

# The simulator's fixtures (simulator_server, simulator, simulator_client), for every test.
pytest_plugins = ["tests.fixtures.simulator"]

POSTGRES_URL = os.environ.get("DISTY_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("DISTY_REQUIRE_POSTGRES") == "1"

# Variables that steer the tests themselves, kept through the cleaning below.
_TEST_VARIABLES = ("DISTY_TEST_POSTGRES_URL", "DISTY_REQUIRE_POSTGRES", "DISTY_SHARED_DIR")

_postgres_problem: list[str | None] = []  # filled once: None when reachable, else why not


def _libpq_conninfo(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _postgres_unavailable() -> str | None:
    if not _postgres_problem:
        try:
            with psycopg.connect(_libpq_conninfo(POSTGRES_URL), connect_timeout=3):
                _postgres_problem.append(None)
        except psycopg.Error as exc:
            _postgres_problem.append(str(exc).strip().splitlines()[0])
    return _postgres_problem[0]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own DISTY_* variables must not leak into the tests."""
    for name in list(os.environ):
        if name.startswith("DISTY_") and name not in _TEST_VARIABLES:
            monkeypatch.delenv(name)


def _require_postgres() -> None:
    problem = _postgres_unavailable()
    if problem is not None:
        message = f"PostgreSQL at {POSTGRES_URL} is not reachable ({problem})"
        if REQUIRE_POSTGRES:
            pytest.fail(message + " and DISTY_REQUIRE_POSTGRES=1")
        pytest.skip(message + ": set DISTY_TEST_POSTGRES_URL to run these tests there")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a new SQLite file, or a new PostgreSQL schema. Only the
    migrations' own tests need one; every other test takes ``database_url``."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    _require_postgres()
    schema = f"t_{secrets.token_hex(6)}"
    conninfo = _libpq_conninfo(POSTGRES_URL)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    # Every connection of the test uses only its own schema, so tests never see each other.
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplates]:
    templates = MigratedTemplates(tmp_path_factory.mktemp("templates"), POSTGRES_URL)
    try:
        yield templates
    finally:
        templates.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_templates: MigratedTemplates
) -> Iterator[str]:
    """A URL to a new database already at the migrations' head: a copy of a SQLite file, or
    a PostgreSQL database made from a template, both migrated once per test session.

    Migrating took most of a small test's time (0.3 s on SQLite, 0.7 s on PostgreSQL); a copy
    takes a few milliseconds. ``open_runtime`` still runs the migrations, which find nothing to
    do, so a test sees exactly what a migrated database holds."""
    if request.param == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(migrated_templates.sqlite_file(), target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    _require_postgres()
    name, url = migrated_templates.new_postgres_url()
    try:
        yield url
    finally:
        migrated_templates.drop_postgres_database(name)


@pytest.fixture
def secret_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def settings(home: Path, database_url: str, secret_key: str) -> Settings:
    return Settings(
        home=home,
        database_url=database_url,
        secret_keys=SecretStr(secret_key),
        public_url="https://disty.example.com",
        # The tests' supplier is the simulator on 127.0.0.1 over http: the operator's choice.
        allow_custom_supplier_urls=True,
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with open_runtime(settings) as opened:
        yield opened


@pytest.fixture
def rt(runtime: Runtime) -> Runtime:
    """The runtime under the short name most tests use (a test module may define its own)."""
    return runtime


@pytest.fixture
def served(settings: Settings) -> Iterator[ServedDisty]:
    """``disty serve`` on a free port, over the test's database, its worker running."""
    # Imported here: at the top it would import the simulator plug-in before pytest can
    # register it (and rewrite its asserts).
    from tests.fixtures.disty import serve_disty

    with serve_disty(settings) as running:
        yield running


@dataclass
class Cli:
    """Runs ``disty`` in-process with a given environment, as a person would in a shell."""

    env: dict[str, str]

    def __call__(self, *args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(app, list(args), env=self.env, input=input, catch_exceptions=False)


def _cli(home: Path, database_url: str, secret_key: str) -> Cli:
    return Cli(
        {
            "DISTY_HOME": str(home),
            "DISTY_DATABASE_URL": database_url,
            "DISTY_SECRET_KEYS": secret_key,
            "DISTY_PUBLIC_URL": "https://disty.example.com",
            "DISTY_ALLOW_CUSTOM_SUPPLIER_URLS": "1",
        }
    )


@pytest.fixture
def cli(home: Path, database_url: str, secret_key: str) -> Cli:
    return _cli(home, database_url, secret_key)


@pytest.fixture
def empty_cli(home: Path, empty_database_url: str, secret_key: str) -> Cli:
    """The CLI over an empty database, for the tests of ``disty db`` itself."""
    return _cli(home, empty_database_url, secret_key)
