"""The embedded SQLite database holds encrypted secrets, token and password hashes and every
PO: like secret.key it is created readable by its owner only (0600), with its -wal and -shm
files, whatever the umask; one that others can read is warned of."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from disty.config import Settings
from disty.runtime import open_runtime
from disty.services import tenants


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The usual umask (022), under which files are created readable by everyone."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _settings(home: Path) -> Settings:
    # No DISTY_DATABASE_URL: the default database, DISTY_HOME/disty.db.
    return Settings(home=home, secret_keys=SecretStr(Fernet.generate_key().decode()))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_database_and_its_wal_files_are_created_private(
    tmp_path: Path, permissive_umask: None
) -> None:
    settings = _settings(tmp_path / "home")
    db = settings.resolved_home / "disty.db"
    async with open_runtime(settings) as rt:
        async with rt.sessions() as session:
            await tenants.add_tenant(session, "smbi", [1])
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        assert all(path.exists() for path in files)
        assert {str(path): oct(_mode(path)) for path in files} == {
            str(path): oct(0o600) for path in files
        }


async def test_a_database_others_can_read_is_warned_of(
    tmp_path: Path, permissive_umask: None, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path / "home")
    async with open_runtime(settings):
        pass
    db = settings.resolved_home / "disty.db"
    db.chmod(0o644)  # as disty made it before, or a careless copy
    with caplog.at_level(logging.WARNING):
        async with open_runtime(settings):
            pass
    assert f"{db} is readable by other users: run chmod 600 on it" in caplog.text
    assert _mode(db) == 0o644  # warned of, not changed behind the owner's back
