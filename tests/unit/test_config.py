"""Settings: defaults, the development key file, and what production refuses."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from disty.config import DEFAULT_PUBLIC_URL, KEY_FILE_NAME, Settings, load_settings
from disty.crypto import generate_key
from disty.errors import ConfigurationError


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.resolved_home == tmp_path / ".disty"
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path}/.disty/disty.db"
    assert not settings.is_production
    assert settings.webhook_key_grace.total_seconds() == 24 * 3600


def test_settings_come_from_disty_variables_in_any_case_and_the_constructor_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # As pydantic-settings read them (config.py reads them itself now).
    monkeypatch.setenv("disty_Poll_Interval_S", "0")
    monkeypatch.setenv("DISTY_ALLOW_CUSTOM_SUPPLIER_URLS", "yes")
    monkeypatch.setenv("DISTY_HOME", str(tmp_path / "from-env"))
    monkeypatch.setenv("DISTY_NOT_A_SETTING", "ignored")
    settings = Settings(home=tmp_path / "given")
    assert settings.poll_interval_s == 0
    assert settings.allow_custom_supplier_urls is True
    assert settings.home == tmp_path / "given"


def test_unset_public_url_falls_back_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DISTY_HOME", str(tmp_path))
    with caplog.at_level(logging.WARNING):
        assert load_settings().effective_public_url == DEFAULT_PUBLIC_URL
    assert "DISTY_PUBLIC_URL is not set" in caplog.text
    monkeypatch.setenv("DISTY_PUBLIC_URL", "https://disty.example.com/")
    assert load_settings().effective_public_url == "https://disty.example.com"


def test_development_key_is_generated_once_with_owner_only_permissions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DISTY_HOME", str(tmp_path / "home"))
    settings = load_settings()
    token = settings.secret_box().encrypt("value")
    key_file = tmp_path / "home" / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_text()
    # A second start reads the same key back: what was encrypted stays readable.
    assert load_settings().secret_box().decrypt(token) == "value"
    assert key_file.read_text() == first


def test_explicit_keys_win_over_the_key_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DISTY_HOME", str(tmp_path))
    monkeypatch.setenv("DISTY_SECRET_KEYS", generate_key())
    load_settings().secret_box()
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_production_refuses_to_start_without_keys_or_public_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DISTY_HOME", str(tmp_path))
    monkeypatch.setenv("DISTY_ENV", "production")
    monkeypatch.setenv("DISTY_PUBLIC_URL", "https://disty.example.com")
    with pytest.raises(ConfigurationError, match="production needs DISTY_SECRET_KEYS"):
        load_settings()
    assert not (tmp_path / KEY_FILE_NAME).exists()  # no key is generated in production

    monkeypatch.setenv("DISTY_SECRET_KEYS", generate_key())
    monkeypatch.delenv("DISTY_PUBLIC_URL")
    with pytest.raises(ConfigurationError, match="production needs DISTY_PUBLIC_URL"):
        load_settings()

    monkeypatch.setenv("DISTY_PUBLIC_URL", "http://disty.example.com")
    with pytest.raises(ConfigurationError, match="must start with https://"):
        load_settings()

    monkeypatch.setenv("DISTY_PUBLIC_URL", "https://disty.example.com")
    assert load_settings().is_production


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DISTY_ENV", "staging", "DISTY_ENV is invalid"),
        ("DISTY_PUBLIC_URL", "disty.example.com", "DISTY_PUBLIC_URL is invalid"),
        ("DISTY_WEBHOOK_KEY_GRACE_HOURS", "-1", "DISTY_WEBHOOK_KEY_GRACE_HOURS is invalid"),
    ],
)
def test_invalid_settings_are_one_clear_sentence(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        load_settings()


def test_a_bad_secret_key_is_not_echoed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DISTY_HOME", str(tmp_path))
    monkeypatch.setenv("DISTY_SECRET_KEYS", "hunter2-is-not-a-key")
    with pytest.raises(ConfigurationError) as error:
        load_settings().secret_box()
    assert "hunter2" not in str(error.value)
    assert "hunter2" not in repr(load_settings())


def test_the_unset_public_url_is_warned_of_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DISTY_HOME", str(tmp_path))
    settings = load_settings()
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            assert settings.effective_public_url == DEFAULT_PUBLIC_URL
    assert caplog.text.count("DISTY_PUBLIC_URL is not set") == 1
