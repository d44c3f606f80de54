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
class Check:
    name: str
    status: CheckStatus
    required: bool
    detail: str
    fix: str | None = None


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
            "checks": [{**asdict(c), "status": c.status.value} for c in self.checks],
        }
