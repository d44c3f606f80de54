"""The control API's IM-XML logins, under ``/_control/ingram/xml-logins`` (not Ingram's wire).

- ``GET``: every login (passwords masked).
- ``PUT /{login_id}`` ``{password, client_id?, countries?, transactions?}``: add or replace a
  login; ``transactions`` are the root elements it is entitled to (the rest answer 20002).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from disty.simulator.control import StateDep
from disty.simulator.ingram.xml.accounts import COUNTRY_OF, TRANSACTIONS, XmlLogin

router = APIRouter(prefix="/_control/ingram/xml-logins", tags=["control: Ingram XML"])


class LoginBody(BaseModel):
    password: str = Field(min_length=1, max_length=100)
    client_id: str | None = None
    countries: list[str] = Field(default_factory=lambda: list(COUNTRY_OF))
    transactions: list[str] = Field(default_factory=lambda: list(TRANSACTIONS))


@router.get("")
async def list_logins(state: StateDep) -> list[dict[str, object]]:
    return [login.public() for login in state.xml_logins.values()]


@router.put("/{login_id}")
async def put_login(login_id: str, body: LoginBody, state: StateDep) -> dict[str, object]:
    client_id = body.client_id or state.config.client_id
    if client_id not in state.apps:
        raise HTTPException(404, f"no app {client_id!r}")
    unknown = set(body.transactions) - set(TRANSACTIONS) or set(body.countries) - set(COUNTRY_OF)
    if unknown:
        raise HTTPException(422, f"unknown: {', '.join(sorted(unknown))}")
    login = XmlLogin(
        login_id, body.password, client_id, tuple(body.countries), tuple(body.transactions)
    )
    state.xml_logins[login_id.upper()] = login
    return login.public()
