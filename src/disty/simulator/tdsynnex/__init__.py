"""TD SYNNEX as its resellers meet it, for disty's tests and demo (``/tdsynnex``).

Built from ../shared/tdsynnex/NOTES.md; the choices made where the evidence is silent are
written in simulator/README.md ("TD SYNNEX: choices").
"""
