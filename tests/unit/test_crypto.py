"""Secrets at rest: Fernet under several keys, rotation, and clear errors for wrong keys."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet

from disty.crypto import SecretBox, generate_key, parse_keys
from disty.errors import ConfigurationError, SecretKeyError


def test_round_trip_and_ciphertext_never_holds_the_plaintext() -> None:
    box = SecretBox(parse_keys(generate_key()))
    token = box.encrypt("client-secret-1234")
    assert "client-secret-1234" not in token
    assert box.decrypt(token) == "client-secret-1234"
    # Fernet tokens are randomised: the same secret never encrypts the same way twice.
    assert box.encrypt("client-secret-1234") != token


def test_old_key_still_decrypts_and_rotation_moves_to_the_current_key() -> None:
    old, new = generate_key(), generate_key()
    token = SecretBox(parse_keys(old)).encrypt("s3cret-value")
    both = SecretBox(parse_keys(f"{new},{old}"))
    assert both.decrypt(token) == "s3cret-value"
    rotated = both.rotate(token)
    assert SecretBox(parse_keys(new)).decrypt(rotated) == "s3cret-value"
    with pytest.raises(SecretKeyError):
        SecretBox(parse_keys(old)).decrypt(rotated)


def test_wrong_key_fails_clearly_instead_of_returning_garbage() -> None:
    token = SecretBox(parse_keys(generate_key())).encrypt("s3cret-value")
    other = SecretBox(parse_keys(generate_key()))
    with pytest.raises(SecretKeyError, match="cannot be decrypted with DISTY_SECRET_KEYS"):
        other.decrypt(token)
    with pytest.raises(SecretKeyError, match="cannot be rotated"):
        other.rotate(token)


def test_bad_keys_are_named_by_position_without_echoing_them() -> None:
    good = Fernet.generate_key().decode()
    with pytest.raises(ConfigurationError, match="key 2 of DISTY_SECRET_KEYS") as error:
        parse_keys(f"{good},not-a-real-key-value")
    assert "not-a-real-key-value" not in str(error.value)
    # Base64 that Fernet refuses for its length (16 bytes, not 32): refused when read too.
    short = base64.urlsafe_b64encode(bytes(16)).decode()
    with pytest.raises(ConfigurationError, match="key 1 of DISTY_SECRET_KEYS"):
        parse_keys(short)
    with pytest.raises(ValueError, match="32 url-safe base64-encoded bytes"):
        Fernet(short)  # as Fernet itself would
    with pytest.raises(ConfigurationError, match="is empty"):
        parse_keys(" , ")
    assert len(parse_keys(f" {good} , {generate_key()} ")) == 2
