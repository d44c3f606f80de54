"""disty simulator: serve the distributor simulator (Ingram Micro under /ingram)."""

from __future__ import annotations

from typing import Annotated

import typer

from disty.cli._common import console, fail

# The simulator is optional at runtime; imported lazily so other commands never pay for it.


def simulator(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    client_id: Annotated[str | None, typer.Option(help="The demo app's client id.")] = None,
    client_secret: Annotated[str | None, typer.Option(help="The demo app's client secret.")] = None,
    customer_number: Annotated[
        str | None, typer.Option(help="The demo app's Ingram customer number.")
    ] = None,
    app_state: Annotated[
        str, typer.Option(help="approved, in_review, v7_only or revoked.")
    ] = "approved",
    token_ttl_s: Annotated[int, typer.Option(help="Access token lifetime in seconds.")] = 86_400,
    latency_ms: Annotated[int, typer.Option(help="Latency added to every distributor call.")] = 0,
    pna_per_minute: Annotated[
        int, typer.Option(help="Price and availability calls allowed per minute per app.")
    ] = 100,
    products: Annotated[int, typer.Option(help="Products in the generated catalog.")] = 5_000,
    seed: Annotated[int, typer.Option(help="Seed of the generated catalog.")] = 1,
    webhook_url: Annotated[
        str | None,
        typer.Option(help="Register one webhook, subscribed to every event, for the demo app."),
    ] = None,
    webhook_secret: Annotated[
        str | None,
        typer.Option(help="The webhook's secret (Signature Token); generated when left out."),
    ] = None,
    ship_after_s: Annotated[
        float, typer.Option(help="Simulated seconds between the steps of an order's life.")
    ] = 60.0,
    tdsynnex_allowed_ip: Annotated[
        list[str] | None,
        typer.Option(
            help="An address TD SYNNEX accepts XML POs from (repeat it; '*' for any). "
            "Default: loopback only."
        ),
    ] = None,
) -> None:
    """Serve the Ingram Micro simulator and print its demo app's credentials."""
    import uvicorn

    from disty.simulator import INGRAM_PREFIX, TDSYNNEX_PREFIX, SimulatorConfig, create_app
    from disty.simulator.config import (
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_CUSTOMER_NUMBER,
        DEMO_TDSYNNEX_ALLOWED_IPS,
    )
    from disty.simulator.ingram.webhooks import new_secret

    if webhook_secret is not None and webhook_url is None:
        fail("--webhook-secret needs --webhook-url")
    generated_secret = webhook_url is not None and not webhook_secret
    if webhook_url is not None and not webhook_secret:
        webhook_secret = new_secret()

    try:
        config = SimulatorConfig(
            client_id=client_id or DEMO_CLIENT_ID,
            client_secret=client_secret or DEMO_CLIENT_SECRET,
            customer_number=customer_number or DEMO_CUSTOMER_NUMBER,
            app_state=app_state,
            token_ttl_s=token_ttl_s,
            latency_ms=latency_ms,
            pna_per_minute=pna_per_minute,
            products=products,
            seed=seed,
            ship_after_s=ship_after_s,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            tdsynnex_allowed_ips=tuple(tdsynnex_allowed_ip or DEMO_TDSYNNEX_ALLOWED_IPS),
        )
    except ValueError as exc:
        fail(str(exc))
    base = f"http://{host}:{port}"
    # These are the simulator's own demo credentials, which open nothing else: fine to print.
    console.print(f"Ingram Micro simulator: {base}{INGRAM_PREFIX}", markup=False)
    console.print(f"  client id:       {config.client_id}", markup=False)
    console.print(f"  client secret:   {config.client_secret}", markup=False)
    console.print(f"  customer number: {config.customer_number}", markup=False)
    console.print(f"  app state:       {config.app_state}", markup=False)
    console.print(
        f"  control API:     {base}/_control (docs at {base}/_control/docs)", markup=False
    )
    console.print(f"  order steps:     every {ship_after_s:g} s", markup=False)
    if webhook_url and webhook_secret:
        console.print(f"  webhook:         {webhook_url} (every event)", markup=False)
        # A secret the user chose is never echoed; a generated one is shown this once, as
        # Ingram's portal shows a new Signature Token, since nothing else can reveal it.
        shown = webhook_secret if generated_secret else "****" + webhook_secret[-4:]
        console.print(f"  webhook secret:  {shown}", markup=False)
    console.print(f"TD SYNNEX simulator (EC Express XML): {base}{TDSYNNEX_PREFIX}/us "
                  f"(Canada: {base}{TDSYNNEX_PREFIX}/ca)", markup=False)  # fmt: skip
    console.print(f"  customer number: {config.tdsynnex_customer}", markup=False)
    console.print(f"  user name:       {config.tdsynnex_user}", markup=False)
    console.print(f"  password:        {config.tdsynnex_password}", markup=False)
    console.print(f"TD SYNNEX Partner REST API (OAuth2): same base URLs, token at "
                  f"{base}{TDSYNNEX_PREFIX}/us/oauth2/v1/token", markup=False)  # fmt: skip
    console.print(f"  client id:       {config.tdsynnex_rest_client_id}", markup=False)
    console.print(f"  client secret:   {config.tdsynnex_rest_client_secret}", markup=False)
    allowed = ", ".join(config.tdsynnex_allowed_ips)
    console.print(f"  POs accepted from: {allowed} (--tdsynnex-allowed-ip)", markup=False)
    # No access log: the SDK sends client secrets in the token URL's query string.
    uvicorn.run(create_app(config), host=host, port=port, access_log=False, log_level="warning")
