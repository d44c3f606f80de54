"""The simulator's import graph: no cycle among its modules, nothing of disty outside it.

Routes modules check requests and render answers and import the logic; the logic never
imports a routes module (nor ``calls``, the routes' shared first steps). A cycle would mean
that wall fell. Imports inside functions and under ``TYPE_CHECKING`` count too.
"""

from __future__ import annotations

import grimp
import pytest

SIMULATOR = "disty.simulator"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("disty", cache_dir=None)


def _modules(graph: grimp.ImportGraph) -> set[str]:
    return {SIMULATOR} | graph.find_descendants(SIMULATOR)


def test_the_simulator_imports_nothing_of_disty_outside_it(graph: grimp.ImportGraph) -> None:
    inside = _modules(graph)
    outside = sorted(
        f"{m} -> {imported}"
        for m in inside
        for imported in graph.find_modules_directly_imported_by(m)
        if imported not in inside
    )
    assert not outside, "\n".join(outside)


def test_no_import_cycle_among_simulator_modules(graph: grimp.ImportGraph) -> None:
    cycles = set()
    for m in _modules(graph):
        for imported in graph.find_modules_directly_imported_by(m):
            back = graph.find_shortest_chain(importer=imported, imported=m)
            if back is not None:
                cycle = (m, *back)
                # The same cycle, found from each of its modules: keep one rotation.
                start = cycle.index(min(cycle[:-1]))
                cycles.add(" -> ".join(cycle[start:-1] + cycle[:start] + (cycle[start],)))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))
