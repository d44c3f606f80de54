"""disty token create|list|revoke, as typed: the token is printed once, stored only hashed,
and never shown again; errors are one sentence."""

from __future__ import annotations

import json
import sqlite3

from tests.conftest import Cli


def test_a_token_is_printed_once_and_never_again(cli: Cli, database_url: str) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    made = cli("token", "create", "--tenant", "smbi", "--scope", "read", "--scope", "order",
               "--name", "psa", "--json")  # fmt: skip
    assert made.exit_code == 0, made.output
    created = json.loads(made.stdout)
    secret = created["token"]
    assert secret.startswith("disty_")
    assert len(secret) > 40
    assert created["scopes"] == ["read", "order"]

    listed = cli("token", "list", "--tenant", "smbi", "--json")
    assert listed.exit_code == 0
    [row] = json.loads(listed.stdout)
    assert row["name"] == "psa"
    assert row["revoked_at"] is None
    assert secret not in listed.stdout
    assert secret[len("disty_") + 6 :] not in cli("token", "list", "--tenant", "smbi").stdout
    if database_url.startswith("sqlite"):  # only the hash is kept
        path = database_url.split("///", 1)[1]
        dump = "\n".join(sqlite3.connect(path).iterdump())
        assert secret not in dump

    revoked = cli("token", "revoke", str(row["id"]), "--tenant", "smbi")
    assert revoked.exit_code == 0
    assert "revoked" in revoked.stdout
    [row] = json.loads(cli("token", "list", "--tenant", "smbi", "--json").stdout)
    assert row["revoked_at"] is not None


def test_token_errors_are_one_sentence(cli: Cli) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    wrong = cli("token", "create", "--tenant", "smbi", "--scope", "root")
    assert wrong.exit_code == 1
    assert "unknown scope" in wrong.output
    assert "Traceback" not in wrong.output
    missing = cli("token", "revoke", "99", "--tenant", "smbi")
    assert missing.exit_code == 1
    assert "no token 99" in missing.output
    nobody = cli("token", "list", "--tenant", "nobody")
    assert nobody.exit_code == 1
