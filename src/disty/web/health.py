"""``GET /healthz``: the process answers. ``GET /readyz``: it can do its work (the database
answers and its schema is at the migrations' head), so a load balancer may send it traffic.

/readyz asks through the receiver's bounded engine (db/engine.py: libpq's connect timeout, a
statement timeout, a short pool wait), so it answers 503 within seconds when the database is
stopped or hangs, rather than never: a probe that hangs holds a connection and tells the load
balancer nothing."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from disty.db import migrate

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    engine: AsyncEngine = request.app.state.bounded_engine
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        current = await migrate.current_revision(engine)
    except (SQLAlchemyError, OSError) as exc:
        # The error's class says enough; its text might hold a connection string.
        return JSONResponse(
            {"status": "not ready", "reason": f"database unreachable ({type(exc).__name__})"},
            status_code=503,
        )
    head = migrate.head_revision()
    if current != head:
        return JSONResponse(
            {
                "status": "not ready",
                "reason": f"database schema at {current}, expected {head}: run 'disty db upgrade'",
            },
            status_code=503,
        )
    return JSONResponse({"status": "ready", "schema": current})
