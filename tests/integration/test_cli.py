"""The ``disty`` command line, on SQLite and PostgreSQL: each command and its error paths."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from disty.config import Settings
from disty.db import migrate
from disty.runtime import open_runtime
from disty.services import users
from tests.conftest import Cli

CLIENT_SECRET = "cs-Delta-5e6f7a8b9c0d"
XML_PASSWORD = "xml-Echo-77665544"
WEBHOOK_KEY = "wk-Foxtrot-99887766"
NEW_WEBHOOK_KEY = "wk-Golf-12121212"
SECRETS = (CLIENT_SECRET, XML_PASSWORD, WEBHOOK_KEY, NEW_WEBHOOK_KEY)


def ok(result: object) -> None:
    assert getattr(result, "exit_code", None) == 0, getattr(result, "output", result)


def assert_one_sentence_error(result: object, *fragments: str) -> None:
    """Exit status 1, one line on stderr starting with 'error:', and no traceback."""
    assert getattr(result, "exit_code", None) == 1
    stderr: str = getattr(result, "stderr", "")
    lines = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_tenant_commands(cli: Cli) -> None:
    ok(cli("tenant", "add", "smbi", "--country", "1", "--name", "SMB Inc"))
    ok(cli("tenant", "add", "acme-ca", "--country", "29"))
    ok(cli("tenant", "set", "smbi", "--add-country", "29", "--name", "SMB Incorporated"))
    listed = cli("tenant", "list", "--json")
    ok(listed)
    data = json.loads(listed.stdout)
    assert [(t["shortcut"], t["name"], [c["id"] for c in t["countries"]]) for t in data] == [
        ("acme-ca", "acme-ca", [29]),
        ("smbi", "SMB Incorporated", [1, 29]),
    ]
    assert data[1]["countries"][1] == {"id": 29, "iso": "CA", "name": "Canada", "currency": "CAD"}
    table = cli("tenant", "list")
    ok(table)
    assert "SMB Incorporated" in table.stdout


def test_tenant_errors(cli: Cli) -> None:
    assert_one_sentence_error(
        cli("tenant", "add", "S", "--country", "1"), "invalid tenant shortcut"
    )
    assert_one_sentence_error(
        cli("tenant", "add", "smbi", "--country", "7"), "unknown country id 7"
    )
    ok(cli("tenant", "add", "smbi", "--country", "1"))
    assert_one_sentence_error(cli("tenant", "add", "smbi", "--country", "1"), "exists already")
    assert_one_sentence_error(cli("tenant", "set", "nope", "--name", "x"), "no tenant 'nope'")
    assert_one_sentence_error(cli("tenant", "set", "smbi", "--add-country", "2"), "unknown country")
    # A missing required option is a usage error (exit 2), also without a traceback.
    usage = cli("tenant", "add", "other")
    assert usage.exit_code == 2
    assert "Traceback" not in usage.output


def test_supplier_set_and_show(cli: Cli) -> None:
    ok(cli("tenant", "add", "smbi", "--country", "1", "--country", "29"))
    saved = cli(
        "supplier",
        "set",
        "ingram",
        "--tenant",
        "smbi",
        "--country",
        "1",
        "--client-id",
        "client-abc",
        "--client-secret",
        CLIENT_SECRET,
        "--customer-number",
        "20-222222",
        "--sender-id",
        "disty",
        "--application-id",
        "app-1",
        "--contact-email",
        "buyer@example.com",
        "--xml-login",
        "login-1",
        "--xml-password",
        XML_PASSWORD,
        "--webhook-key",
        WEBHOOK_KEY,
        "--webhook-label",
        "orders",
    )
    ok(saved)
    # A partial update keeps the rest; a new key for the same label enters the old one's grace.
    ok(
        cli(
            "supplier",
            "set",
            "ingram",
            "--tenant",
            "smbi",
            "--country",
            "1",
            "--base-url",
            "http://127.0.0.1:9000/ingram",
            "--webhook-key",
            NEW_WEBHOOK_KEY,
            "--webhook-label",
            "orders",
        )
    )
    ok(cli("supplier", "set", "ingram", "--tenant", "smbi", "--country", "29", "--api-type", "xml"))
    shown = cli("supplier", "show", "ingram", "--tenant", "smbi", "--json")
    ok(shown)
    us, ca = json.loads(shown.stdout)
    assert us["client_id"] == "client-abc"
    assert us["client_secret"] == "••••" + CLIENT_SECRET[-4:]
    assert us["xml_password"] == "••••" + XML_PASSWORD[-4:]
    assert us["customer_number"] == "20-222222"
    assert us["base_url"] == "http://127.0.0.1:9000/ingram"
    assert us["webhook_url"] == "https://disty.example.com/supplierapi/distributorWebhook/smbi/1"
    assert [(k["label"], k["key"], k["status"]) for k in us["webhook_keys"]] == [
        ("orders", "••••" + WEBHOOK_KEY[-4:], "grace"),
        ("orders", "••••" + NEW_WEBHOOK_KEY[-4:], "current"),
    ]
    assert us["webhook_keys"][0]["valid_until"] is not None
    assert ca["api_type"] == "xml"
    assert ca["api_type_label"] == "XML"
    assert ca["client_secret"] is None
    only_ca = cli("supplier", "show", "--tenant", "smbi", "--country", "29", "--json")
    ok(only_ca)
    assert [c["country"] for c in json.loads(only_ca.stdout)] == ["CA"]
    human = cli("supplier", "show", "--tenant", "smbi")
    ok(human)
    assert "APIS (Recommended)" in human.stdout
    url = "https://disty.example.com/supplierapi/distributorWebhook/smbi/1"
    assert f"webhook URL: {url}\n" in human.stdout


def test_xml_api_type_is_saved_and_its_login_checked(cli: Cli) -> None:
    ok(cli("tenant", "add", "smbi", "--country", "1"))
    result = cli(
        "supplier", "set", "ingram", "--tenant", "smbi", "--country", "1", "--api-type", "xml"
    )
    ok(result)
    assert "not available" not in result.stderr
    base = ("supplier", "set", "ingram", "--tenant", "smbi", "--country", "1")
    assert_one_sentence_error(cli(*base, "--xml-login", "abc"), "XML login id")


def test_supplier_errors(cli: Cli) -> None:
    ok(cli("tenant", "add", "smbi", "--country", "1"))
    base = ("supplier", "set", "ingram", "--tenant", "smbi", "--country")
    assert_one_sentence_error(
        cli(*base, "1", "--customer-number", "20-2222222222"), "customer number"
    )
    assert_one_sentence_error(cli(*base, "29", "--client-id", "x"), "not served in Canada")
    assert_one_sentence_error(cli(*base, "5", "--client-id", "x"), "unknown country id 5")
    assert_one_sentence_error(cli(*base, "1", "--api-type", "soap"), "unknown API type")
    assert_one_sentence_error(
        cli("supplier", "set", "synnex", "--tenant", "smbi", "--country", "1"), "unknown supplier"
    )
    assert_one_sentence_error(
        cli("supplier", "set", "ingram", "--tenant", "nope", "--country", "1"), "no tenant 'nope'"
    )
    assert_one_sentence_error(cli("supplier", "show", "--tenant", "nope"), "no tenant 'nope'")
    assert_one_sentence_error(
        cli(*base, "1", "--client-secret", "-", "--webhook-key", "-", input="a\nb\n"),
        "only one option can read standard input",
    )
    assert_one_sentence_error(cli(*base, "1", "--client-secret", "-", input=""), "got nothing")


def test_secrets_from_stdin(cli: Cli) -> None:
    ok(cli("tenant", "add", "smbi", "--country", "1"))
    for option in ("--client-secret", "--xml-password", "--webhook-key"):
        result = cli(
            "supplier",
            "set",
            "ingram",
            "--tenant",
            "smbi",
            "--country",
            "1",
            option,
            "-",
            input=CLIENT_SECRET + "\n",
        )
        ok(result)
    data = json.loads(cli("supplier", "show", "--tenant", "smbi", "--json").stdout)[0]
    masked = "••••" + CLIENT_SECRET[-4:]
    assert (data["client_secret"], data["xml_password"], data["webhook_keys"][0]["key"]) == (
        masked,
        masked,
        masked,
    )


def test_secrets_never_appear_in_output_logs_or_home_files(cli: Cli, home: Path) -> None:
    """Every command, run with everyone's debug logging (-vv logs SQL and its parameters).

    DISTY_DATABASE_URL is left unset, so the SQLite database and the generated development key
    live in DISTY_HOME as they do on a fresh machine.
    """
    del cli.env["DISTY_DATABASE_URL"]
    del cli.env["DISTY_SECRET_KEYS"]
    outputs = [
        cli("-vv", "tenant", "add", "smbi", "--country", "1"),
        cli(
            "-vv",
            "supplier",
            "set",
            "ingram",
            "--tenant",
            "smbi",
            "--country",
            "1",
            "--client-secret",
            CLIENT_SECRET,
            "--xml-password",
            XML_PASSWORD,
            "--webhook-key",
            WEBHOOK_KEY,
        ),
        cli(
            "-vv",
            "supplier",
            "set",
            "ingram",
            "--tenant",
            "smbi",
            "--country",
            "1",
            "--webhook-key",
            "-",
            input=NEW_WEBHOOK_KEY + "\n",
        ),
        cli("-vv", "supplier", "show", "--tenant", "smbi"),
        cli("-vv", "supplier", "show", "--tenant", "smbi", "--json"),
        cli("-vv", "keys", "rotate"),
        cli("-vv", "webhook", "url", "--tenant", "smbi", "--country", "1"),
    ]
    for result in outputs:
        ok(result)
        for secret in SECRETS:
            assert secret not in result.stdout
            assert secret not in result.stderr
    assert "supplier_connections" in outputs[1].stderr  # debug logging really was on
    files = [path for path in home.rglob("*") if path.is_file()]
    assert {"disty.db", "secret.key"} <= {path.name for path in files}
    for path in files:
        content = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in content, path


def test_webhook_url_prints_only_the_url(cli: Cli) -> None:
    ok(cli("tenant", "add", "smbi", "--country", "1", "--country", "29"))
    result = cli("webhook", "url", "--tenant", "smbi", "--country", "29")
    ok(result)
    assert result.stdout == "https://disty.example.com/supplierapi/distributorWebhook/smbi/29\n"
    assert_one_sentence_error(
        cli("webhook", "url", "--tenant", "nope", "--country", "1"), "no tenant"
    )
    assert_one_sentence_error(
        cli("webhook", "url", "--tenant", "smbi", "--country", "3"), "unknown country"
    )


def test_webhook_url_warns_when_public_url_is_unset(cli: Cli) -> None:
    ok(cli("tenant", "add", "smbi", "--country", "1"))
    del cli.env["DISTY_PUBLIC_URL"]
    result = cli("webhook", "url", "--tenant", "smbi", "--country", "1")
    ok(result)
    assert result.stdout == "http://127.0.0.1:8000/supplierapi/distributorWebhook/smbi/1\n"
    assert "DISTY_PUBLIC_URL is not set" in result.stderr


def test_db_upgrade_and_status(empty_cli: Cli) -> None:
    status = empty_cli("db", "status")
    ok(status)
    assert "revision none" in status.stdout
    upgraded = empty_cli("db", "upgrade")
    ok(upgraded)
    assert f"revision {migrate.head_revision()}" in upgraded.stdout
    status = empty_cli("db", "status")
    assert "(current)" in status.stdout


def test_keys_rotate_and_generate(cli: Cli) -> None:
    ok(cli("tenant", "add", "smbi", "--country", "1"))
    ok(
        cli(
            "supplier",
            "set",
            "ingram",
            "--tenant",
            "smbi",
            "--country",
            "1",
            "--client-secret",
            CLIENT_SECRET,
            "--webhook-key",
            WEBHOOK_KEY,
        )
    )
    generated = cli("keys", "generate")
    ok(generated)
    new_key = generated.stdout.strip()
    Fernet(new_key)  # a usable key
    old_key = cli.env["DISTY_SECRET_KEYS"]
    cli.env["DISTY_SECRET_KEYS"] = f"{new_key},{old_key}"
    rotated = cli("keys", "rotate")
    ok(rotated)
    assert "re-encrypted 2 secret(s)" in rotated.stdout
    cli.env["DISTY_SECRET_KEYS"] = new_key
    shown = cli("supplier", "show", "--tenant", "smbi", "--json")
    ok(shown)
    assert json.loads(shown.stdout)[0]["client_secret"] == "••••" + CLIENT_SECRET[-4:]
    # The old key alone can no longer read what was rotated: a clear error, not garbage.
    cli.env["DISTY_SECRET_KEYS"] = old_key
    assert_one_sentence_error(cli("supplier", "show", "--tenant", "smbi"), "cannot be decrypted")


def test_settings_errors_are_one_sentence(cli: Cli) -> None:
    cli.env["DISTY_ENV"] = "production"
    cli.env.pop("DISTY_SECRET_KEYS")
    assert_one_sentence_error(cli("tenant", "list"), "production needs DISTY_SECRET_KEYS")
    cli.env["DISTY_SECRET_KEYS"] = "not-a-key"
    assert_one_sentence_error(cli("tenant", "list"), "key 1 of DISTY_SECRET_KEYS")


def test_unreachable_database_is_one_sentence(cli: Cli) -> None:
    cli.env["DISTY_DATABASE_URL"] = "postgresql://disty:pw-Hotel-31337@127.0.0.1:1/nowhere"
    result = cli("tenant", "list")
    assert_one_sentence_error(result, "cannot open the database", "DISTY_DATABASE_URL")
    assert "pw-Hotel-31337" not in result.stderr


def test_version(cli: Cli) -> None:
    result = cli("--version")
    ok(result)
    assert result.stdout.startswith("disty ")


def _sign_in(settings: Settings, email: str, password: str) -> bool:
    async def attempt() -> bool:
        async with open_runtime(settings) as rt, rt.sessions() as session:
            try:
                await users.sign_in(session, email=email, password=password, client="test",
                                    guard=users.SignInGuard())  # fmt: skip
            except users.SignInRefused:
                return False
            return True

    return asyncio.run(attempt())


def _link_works(settings: Settings, url: str) -> str:
    async def use() -> str:
        async with open_runtime(settings) as rt, rt.sessions() as session:
            user = await users.use_sign_in_link(session, httpx.URL(url).params["token"])
            return user.email

    return asyncio.run(use())


def test_user_list_reset_password_and_remove(cli: Cli, settings: Settings) -> None:
    ok(cli("tenant", "add", "smbi", "--country", "1"))
    assert "no users yet" in cli("user", "list").stdout
    added = cli("user", "add", "Pat@smbi.example", "--tenant", "smbi", "--role", "admin")
    ok(added)
    password = added.stdout.splitlines()[1]
    ok(cli("user", "add", "ops@platform.example", "--role", "operator"))
    listed = cli("user", "list", "--json")
    ok(listed)
    assert [(u["email"], u["role"], u["tenant"]) for u in json.loads(listed.stdout)] == [
        ("ops@platform.example", "operator", None),
        ("pat@smbi.example", "admin", "smbi"),
    ]
    table = cli("user", "list", "--tenant", "smbi")
    ok(table)
    assert "pat@smbi.example" in table.stdout
    assert "ops@platform.example" not in table.stdout

    # A reset: the old password stops working at once; the link printed signs them in.
    assert _sign_in(settings, "pat@smbi.example", password)
    reset = cli("user", "reset-password", "pat@smbi.example")
    ok(reset)
    link = reset.stdout.strip().splitlines()[-1]
    assert link.startswith("https://disty.example.com/login/link?token=")
    assert not _sign_in(settings, "pat@smbi.example", password)
    assert _link_works(settings, link) == "pat@smbi.example"

    # The tenant's only admin stays; others go, after a confirmation.
    assert_one_sentence_error(
        cli("user", "remove", "pat@smbi.example", "--yes"), "only admin", "add another admin"
    )
    declined = cli("user", "remove", "ops@platform.example", input="n\n")
    assert declined.exit_code == 1
    ok(cli("user", "remove", "ops@platform.example", input="y\n"))
    assert_one_sentence_error(
        cli("user", "remove", "ops@platform.example", "--yes"), "no user", "disty user list"
    )
    assert [u["email"] for u in json.loads(cli("user", "list", "--json").stdout)] == [
        "pat@smbi.example"
    ]


def test_verbose_shows_no_database_driver_lines(cli: Cli) -> None:
    shown = cli("-v", "tenant", "list")
    ok(shown)
    for driver in ("aiosqlite", "sqlalchemy", "psycopg", "asyncio", "alembic"):
        assert driver not in shown.output
