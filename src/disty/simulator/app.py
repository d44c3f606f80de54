"""The simulator's ASGI app: Ingram under ``/ingram``, TD SYNNEX under ``/tdsynnex``, the
control API under ``/_control``.

``create_app`` is all a caller needs, whether uvicorn serves it alone (``disty simulator``),
a test drives it through httpx's ASGITransport, or disty mounts it in-process for the demo.
"""

from __future__ import annotations

from fastapi import FastAPI

from disty.simulator.clock import SimClock
from disty.simulator.config import SimulatorConfig
from disty.simulator.control import router as control_router
from disty.simulator.control_ingram_xml import router as control_ingram_xml_router
from disty.simulator.control_tdsynnex import router as control_tdsynnex_router
from disty.simulator.control_webhooks import router as control_webhooks_router
from disty.simulator.ingram.api import create_ingram_app
from disty.simulator.ingram.state import SimState
from disty.simulator.tdsynnex.api import create_tdsynnex_app
from disty.simulator.tdsynnex.state import TdState

INGRAM_PREFIX = "/ingram"
TDSYNNEX_PREFIX = "/tdsynnex"


def create_app(config: SimulatorConfig | None = None, *, clock: SimClock | None = None) -> FastAPI:
    config = config or SimulatorConfig()
    state = SimState.create(config, clock)
    app = FastAPI(
        title="disty distributor simulator",
        docs_url="/_control/docs",
        openapi_url="/_control/openapi.json",
        redoc_url=None,
    )
    app.state.sim = state

    @app.get("/", include_in_schema=False)
    async def root() -> dict[str, object]:
        return {
            "simulator": "disty",
            "distributors": {
                "ingram": INGRAM_PREFIX,
                "tdsynnex": [TDSYNNEX_PREFIX + "/us", TDSYNNEX_PREFIX + "/ca"],
            },
            "control": "/_control",
        }

    app.include_router(control_router)
    app.include_router(control_ingram_xml_router)
    app.include_router(control_webhooks_router)
    app.include_router(control_tdsynnex_router)
    app.mount(INGRAM_PREFIX, create_ingram_app(state))
    app.state.tdsynnex = tdsynnex = TdState.create(config, state.clock)
    app.mount(TDSYNNEX_PREFIX, create_tdsynnex_app(tdsynnex, state))
    return app
