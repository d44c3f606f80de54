"""disty order ... as a person types it, on both databases, against the simulator."""

from __future__ import annotations

import json
from pathlib import Path

from disty.simulator.ingram.quotes import all_quotes
from tests.conftest import Cli
from tests.fixtures.ingram import control
from tests.fixtures.simulator import RunningSimulator


def connect(cli: Cli, simulator: RunningSimulator) -> None:
    assert cli("tenant", "add", "smbi", "--country", "1").exit_code == 0
    result = cli(
        "supplier", "set", "ingram", "--tenant", "smbi", "--country", "1",
        "--base-url", simulator.base_url, "--client-id", simulator.client_id,
        "--client-secret", "-", "--customer-number", simulator.customer_number,
        input=simulator.client_secret + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_submit_show_list_and_actions(cli: Cli, simulator: RunningSimulator) -> None:
    connect(cli, simulator)
    sku = simulator.state.catalog.product(12).ingram_part_number
    submit = (
        "order", "submit", "--tenant", "smbi", "--country", "1", "--supplier", "ingram",
        "--po", "PO-CLI-1", "--line", f"{sku}=2", "--line", "ZZZZZZ=1",
        "--ship-to", r"Acme \| Sons|1 Main St|Springfield|IL|62701|US", "--hold", "--json",
    )  # fmt: skip
    first = cli(*submit)
    # ZZZZZZ has no price at the distributor: nothing is sent before an admin approves.
    assert first.exit_code == 3, first.output
    assert json.loads(first.stdout)["status"] == "awaiting_approval"
    assert "is not sent: price not confirmed: ZZZZZZ is unknown" in first.stderr
    assert "disty order approve PO-CLI-1 --tenant smbi" in first.stderr
    approved = cli("order", "approve", "PO-CLI-1", "--tenant", "smbi", "--json")
    assert approved.exit_code == 0, approved.output
    po = json.loads(approved.stdout)
    assert po["status"] == "on_hold"
    assert po["ship_to"]["company"] == "Acme | Sons"
    assert len(po["supplier_order_numbers"]) == 1
    assert po["lines"][1]["rejected_reason"]
    # The same PO number again places nothing new: it prints that PO.
    again = json.loads(cli(*submit).stdout)
    assert again["supplier_order_numbers"] == po["supplier_order_numbers"]

    shown = cli("order", "show", "PO-CLI-1", "--tenant", "smbi", "--json")
    assert json.loads(shown.stdout)["timeline"][-1]["status"] == "on_hold"
    human = cli("order", "show", "PO-CLI-1", "--tenant", "smbi")
    assert "PO PO-CLI-1 · ingram · On hold" in human.stdout
    # The timeline newest first: the hold is the first event under its heading.
    timeline = human.stdout.split("timeline, newest first:", 1)[1].strip().splitlines()
    assert "On hold" in timeline[0], timeline

    listed = json.loads(
        cli("order", "list", "--tenant", "smbi", "--status", "on_hold", "--json").stdout
    )
    assert [p["po_number"] for p in listed] == ["PO-CLI-1"]
    assert (
        json.loads(cli("order", "list", "--tenant", "smbi", "--status", "shipped", "--json").stdout)
        == []
    )

    released = cli("order", "release", "PO-CLI-1", "--tenant", "smbi", "--json")
    assert released.exit_code == 0, released.output
    assert json.loads(released.stdout)["status"] in ("submitted", "backordered")
    refused = cli("order", "cancel", "PO-CLI-1", "--tenant", "smbi")
    assert refused.exit_code == 1
    assert "only orders still on customer hold" in refused.stderr
    refreshed = cli("order", "refresh", "PO-CLI-1", "--tenant", "smbi", "--country", "1")
    assert refreshed.exit_code == 0


def test_ship_to_file_and_errors(cli: Cli, simulator: RunningSimulator, tmp_path: Path) -> None:
    connect(cli, simulator)
    sku = simulator.state.catalog.product(13).ingram_part_number
    address = tmp_path / "ship.json"
    fields = {"company": "Acme", "street": "1 Main", "city": "Springfield", "state": "IL",
              "postcode": "62701", "country": "US"}  # fmt: skip
    address.write_text(json.dumps(fields))
    base = ("order", "submit", "--tenant", "smbi", "--country", "1")
    ok = cli(
        *base, "--po", "PO-FILE", "--line", f"{sku}=1", "--ship-to-file", str(address), "--json"
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["status"] == "submitted"

    # More fields through the file; an end user; a stored address by its id.
    address.write_text(json.dumps({**fields, "contact": "Pat Lee", "phone": "555 0100"}))
    end_user = ("--end-user", "City Hospital|9 Elm Rd|Springfield|IL|62702|US")
    more = cli(*base, "--po", "PO-FILE2", "--line", f"{sku}=1", "--ship-to-file", str(address),
               *end_user, "--json")  # fmt: skip
    assert more.exit_code == 0, more.output
    shown = json.loads(more.stdout)
    assert shown["ship_to"]["contact"] == "Pat Lee"
    assert shown["end_user"]["company"] == "City Hospital"
    stored = cli(*base, "--po", "PO-ID", "--line", f"{sku}=1", "--ship-to-id", "200", "--json")
    assert stored.exit_code == 0, stored.output
    assert json.loads(stored.stdout)["ship_to"]["address_id"] == "200"

    file = ("--ship-to-file", str(address))
    bad = [
        (("--po", "P" * 19, "--line", f"{sku}=1", *file), "invalid PO number"),
        (("--po", "PO-X", "--line", f"{sku}", *file), "invalid line"),
        (("--po", "PO-X", "--line", f"{sku}=0", *file), "invalid quantity"),
        (("--po", "PO-X", "--line", f"{sku}=1", "--ship-to", "Acme|Main"), "invalid ship-to"),
        (("--po", "PO-X", "--line", f"{sku}=1"), "needs --ship-to"),
        (("--po", "PO-X", "--line", f"{sku}=1", *file, "--ship-to-id", "200"), "give one of"),
        (("--po", "PO-X", "--line", f"{sku}=1", *file, "--end-user", "Acme"), "invalid end-user"),
        (("--po", "PO-X", "--line", f"{sku}=1", "--ship-to-file", str(tmp_path)), "cannot read"),
    ]  # fmt: skip
    for args, message in bad:
        result = cli(*base, *args)
        assert result.exit_code == 1, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    missing = cli("order", "show", "NOPE", "--tenant", "smbi")
    assert missing.exit_code == 1
    assert "no PO 'NOPE'" in missing.stderr


SHIP = ("--ship-to", "Acme|1 Main St|Springfield|IL|62701|US")


def test_v7_and_quote_options(cli: Cli, simulator: RunningSimulator) -> None:
    connect(cli, simulator)
    sku = simulator.state.catalog.product(14).ingram_part_number
    base = ("order", "submit", "--tenant", "smbi", "--country", "1", *SHIP)
    result = cli(*base, "--po", "PO-CLI-V7", "--line", f"{sku}=1", "--api", "v7", "--json")
    assert result.exit_code == 0, result.output
    po = json.loads(result.stdout)
    assert (po["status"], po["api_version"]) == ("submitted", "v7")
    assert po["supplier_order_numbers"] == []
    assert po["confirmation_number"].startswith("US-I-T-")
    assert po["quote_number"] is None
    control(simulator, "POST", "/run")
    refresh = cli("order", "refresh", "PO-CLI-V7", "--tenant", "smbi", "--json")
    refreshed = json.loads(refresh.stdout)
    assert len(refreshed["supplier_order_numbers"]) == 1
    human = cli("order", "show", "PO-CLI-V7", "--tenant", "smbi").stdout
    assert f"API v7 · confirmation number {po['confirmation_number']}" in human

    # A standing quote of the simulator's test app (read from its state: test set-up).
    quote = all_quotes(simulator.state, simulator.client_id)[0]
    ordered = cli(*base, "--po", "PO-CLI-Q", "--quote", quote["quoteNumber"], "--json")
    assert ordered.exit_code == 0, ordered.output
    po = json.loads(ordered.stdout)
    assert (po["api_version"], po["quote_number"], po["lines"]) == ("v7", quote["quoteNumber"], [])
    control(simulator, "POST", "/run")
    shown = json.loads(cli("order", "refresh", "PO-CLI-Q", "--tenant", "smbi", "--json").stdout)
    assert [x["sku"] for x in shown["lines"]] == [p["ingramPartNumber"] for p in quote["products"]]

    bad = [
        (
            ("--po", "PO-X", "--quote", quote["quoteNumber"], "--api", "v6"),
            "through Ingram Micro's v7",
        ),
        (("--po", "PO-X", "--line", f"{sku}=1", "--api", "v8"), "unknown API version 'v8'"),
        (("--po", "PO-X", "--api", "v7"), "needs at least one line"),
    ]
    for args, message in bad:
        refused = cli(*base, *args)
        assert refused.exit_code == 1, args
        assert message in refused.stderr, (args, refused.stderr)


def test_modify(cli: Cli, simulator: RunningSimulator) -> None:
    connect(cli, simulator)
    a, b, c = (simulator.state.catalog.product(i).ingram_part_number for i in (15, 16, 17))
    submitted = cli(
        "order", "submit", "--tenant", "smbi", "--country", "1", *SHIP, "--po", "PO-CLI-MOD",
        "--line", f"{a}=1", "--line", f"{b}=2", "--hold",
    )  # fmt: skip
    assert submitted.exit_code == 0, submitted.output
    modify = ("order", "modify", "PO-CLI-MOD", "--tenant", "smbi")
    result = cli(*modify, "--add", f"{c}=3", "--set", "1=4", "--remove", "2", "--json")
    assert result.exit_code == 0, result.output
    po = json.loads(result.stdout)
    assert po["refused_changes"] == []
    assert [(x["line_number"], x["sku"], x["quantity"], x["removed"]) for x in po["lines"]] == [
        (1, a, 4, False), (2, b, 0, True), (3, c, 3, False),
    ]  # fmt: skip

    partly = cli(*modify, "--add", "ZZZZZZ=1", "--set", "3=5")
    assert partly.exit_code == 0, partly.output
    assert "refused: add 1 × ZZZZZZ as line 4: SKU-NOTFOUND" in partly.stdout

    for args, message in [
        (("--set", "x=1"), "invalid --set 'x=1'"),
        (("--add", "ABC"), "invalid --add 'ABC'"),
        (("--remove", "9"), "has no line 9"),
        ((), "nothing to change"),
    ]:
        refused = cli(*modify, *args)
        assert refused.exit_code == 1, args
        assert message in refused.stderr, (args, refused.stderr)
        assert "Traceback" not in refused.stderr

    assert cli("order", "release", "PO-CLI-MOD", "--tenant", "smbi").exit_code == 0
    late = cli(*modify, "--set", "1=1")
    assert late.exit_code == 1
    assert "only a PO on hold can be modified" in late.stderr


def test_a_failed_po_is_corrected_and_sent_again_and_exit_codes_say_so(
    cli: Cli, simulator: RunningSimulator
) -> None:
    connect(cli, simulator)
    sku = simulator.state.catalog.product(18).ingram_part_number
    base = ("order", "submit", "--tenant", "smbi", "--country", "1", *SHIP, "--po", "PO-CLI-FIX")
    # Only a product Ingram does not know: it waits for approval (3), then is refused (5).
    waiting = cli(*base, "--line", "ZZZZZZ=1")
    assert waiting.exit_code == 3, waiting.output
    refused = cli("order", "approve", "PO-CLI-FIX", "--tenant", "smbi", "--json")
    assert refused.exit_code == 5, refused.output
    assert json.loads(refused.stdout)["status"] == "failed"
    assert "PO PO-CLI-FIX failed: " in refused.stderr
    assert "No valid lines in the order" in refused.stderr
    assert "submit the same PO number again" in refused.stderr

    # Corrected and submitted again under its number: sent (0), once.
    fixed = cli(*base, "--line", f"{sku}=1", "--json")
    assert fixed.exit_code == 0, fixed.output
    po = json.loads(fixed.stdout)
    assert po["status"] == "submitted"
    assert [x["sku"] for x in po["lines"]] == [sku]
    orders = control(simulator, "GET", "/orders")
    assert isinstance(orders, list)
    assert [o["customer_order_number"] for o in orders].count("PO-CLI-FIX") == 1

    # The same again prints it (0); other lines under its number are an error (1).
    assert cli(*base, "--line", f"{sku}=1").exit_code == 0
    taken = cli(*base, "--line", f"{sku}=2")
    assert taken.exit_code == 1
    assert "PO number PO-CLI-FIX is taken by another PO" in taken.stderr

    # A PO whose price check cannot be done now is saved, not placed: 4.
    control(
        simulator,
        "POST",
        "/faults",
        json={"kind": "error", "endpoint": "post-priceandavailability"},
    )
    pending = cli(*base[:-1], "PO-CLI-WAIT", "--line", f"{sku}=1")
    assert pending.exit_code == 4, pending.output
    assert "price is not confirmed yet" in pending.stderr
