"""disty demo"""

from __future__ import annotations

from disty.cli._common import console


def demo() -> None:
    """Run disty against its built-in distributor simulator, with sample data."""
    console.print(
        "disty demo is not available yet: it arrives with the Ingram Micro simulator. "
        "Meanwhile try 'disty tenant add demo --country 1' and "
        "'disty supplier show --tenant demo'.",
        markup=False,
    )
