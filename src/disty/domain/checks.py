"""Run Test results: named checks, each with its status and, when it fails, the fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class CheckStatus(StrEnum):
    PASS = "pass"  # noqa: S105  (a check status, not a password)
    FAIL = "fail"
    SKIP = "skip"  # could not run because an earlier check failed
    WARN = "warn"  # an optional capability is missing


@dataclass(frozen=True, slots=True)
class Fix:
    """What to do next, said twice where it names the means: ``cli`` with commands and
    options, ``console`` with the console's pages, buttons and fields."""

    cli: str
    console: str


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: CheckStatus
    required: bool
    detail: str
    fix: str | None = None
    # The console's wording where detail or fix name a CLI command or option (errors.py).
    console_detail: str | None = None
    console_fix: str | None = None


@dataclass(frozen=True, slots=True)
class RunTestReport:
    tested_at: datetime
    checks: list[Check]

    @property
    def ok(self) -> bool:
        """True when every required check passed."""
        return all(c.status is CheckStatus.PASS for c in self.checks if c.required)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tested_at": self.tested_at.isoformat(),
            "checks": [_check_json(c) for c in self.checks],
        }


def _check_json(check: Check) -> dict[str, Any]:
    """A check as JSON; its console wording only where it has one (the shape stays as it was
    for every other check)."""
    found = {**asdict(check), "status": check.status.value}
    return {k: v for k, v in found.items() if v is not None or not k.startswith("console_")}
