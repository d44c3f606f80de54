"""One-use sign-in links (``disty user link``) over real HTTP, on both databases: shown without
being spent, spent once, refused when used or expired; a person who signs in by link chooses a
password without knowing the one-time one, and afterwards the old way works."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from disty.config import Settings
from disty.runtime import open_runtime
from disty.services import tenants, users
from tests.conftest import Cli
from tests.fixtures.disty import ServedDisty, serve_disty


@pytest.fixture
def served(settings: Settings) -> Iterator[ServedDisty]:
    with serve_disty(settings, run_worker=False) as running:
        yield running


def _field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, page
    return found.group(1)


def test_a_link_signs_in_once_and_lets_a_password_be_chosen(
    settings: Settings, served: ServedDisty, cli: Cli
) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    assert (
        cli("user", "add", "pat@smbi.example", "--tenant", "smbi", "--role", "buyer").exit_code == 0
    )
    made = cli("user", "link", "pat@smbi.example")
    assert made.exit_code == 0, made.output
    link = httpx.URL(made.stdout.strip().splitlines()[-1])
    token = link.params["token"]
    with httpx.Client(base_url=served.url, follow_redirects=False) as browser:
        shown = browser.get(f"/login/link?token={token}")
        assert shown.status_code == 200
        assert "pat@smbi.example" in shown.text
        assert browser.get(f"/login/link?token={token}").status_code == 200  # not spent by a look
        form = {"csrf_token": _field(shown.text, "csrf_token"), "token": token}
        signed_in = browser.post("/login/link", data=form)
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == "/password"  # still a one-time password
        page = browser.get("/password").text
        assert 'name="current"' not in page  # the link proved who this is
        chosen = browser.post("/password", data={
            "csrf_token": _field(page, "csrf_token"), "password": "a long new secret",
            "confirm": "a long new secret"})  # fmt: skip
        assert chosen.status_code == 303
        assert 'name="current"' in browser.get("/password").text  # an ordinary session now
        # Spent: neither shown nor usable again.
        assert browser.get(f"/login/link?token={token}").status_code == 410
        assert browser.post("/login/link", data=form).status_code == 410
    with httpx.Client(base_url=served.url, follow_redirects=False) as other:
        page = other.get("/login").text
        again = other.post("/login", data={"csrf_token": _field(page, "csrf_token"),
                                           "email": "pat@smbi.example",
                                           "password": "a long new secret"})  # fmt: skip
        assert again.status_code == 303
        assert again.headers["location"] == "/"


def test_expired_unknown_and_forged_links_sign_nobody_in(
    settings: Settings, served: ServedDisty
) -> None:
    expired = asyncio.run(_expired_link(settings))
    with httpx.Client(base_url=served.url, follow_redirects=False) as browser:
        for token in (expired, "not-a-token", ""):
            page = browser.get("/login/link", params={"token": token})
            assert page.status_code == 410
            assert "used already or has expired" in page.text
        csrf = _field(browser.get("/login").text, "csrf_token")
        refused = browser.post("/login/link", data={"csrf_token": csrf, "token": expired})
        assert refused.status_code == 410
        assert "disty_session" not in refused.cookies
        # Without the sign-in form's cookie the post is refused before the link is looked at.
        with httpx.Client(base_url=served.url) as stranger:
            forged = stranger.post("/login/link", data={"csrf_token": "x", "token": expired})
            assert forged.status_code == 403


async def _expired_link(settings: Settings) -> str:
    async with open_runtime(settings) as rt:
        async with rt.sessions() as session:
            await tenants.add_tenant(session, "smbi", [1])
        async with rt.sessions() as session:
            await users.add_user(
                session, email="pat@smbi.example", shortcut="smbi", role="buyer", actor="test"
            )
        async with rt.sessions() as session:
            return await users.create_sign_in_link(
                session, "pat@smbi.example", timedelta(seconds=-1)
            )


def test_a_link_for_nobody_is_a_clear_error(cli: Cli) -> None:
    result = cli("user", "link", "nobody@smbi.example")
    assert result.exit_code == 1
    assert "no user nobody@smbi.example" in result.stderr
