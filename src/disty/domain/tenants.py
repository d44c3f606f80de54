"""Tenant rules: a tenant is one reseller account, named by its shortcut."""

from __future__ import annotations

import re

from disty.errors import InvalidInput

# Lowercase letters, digits and inner hyphens, 2 to 32 characters. The shortcut is a path
# segment of the webhook destination URL pasted into distributors' portals, so a leading or
# trailing hyphen (easy to lose when copying) is refused too.
_SHORTCUT = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?")
NAME_MAX = 200


def validate_shortcut(value: str) -> str:
    """Return the shortcut if valid, else raise InvalidInput saying what a shortcut may hold."""
    if len(value) >= 2 and _SHORTCUT.fullmatch(value):
        return value
    hint = ""
    lowered = value.lower()
    if lowered != value and len(lowered) >= 2 and _SHORTCUT.fullmatch(lowered):
        hint = f" (did you mean {lowered!r}?)"
    raise InvalidInput(
        f"invalid tenant shortcut {value!r}{hint}: use 2 to 32 lowercase letters, digits and "
        "hyphens, starting and ending with a letter or digit",
        field="shortcut",
    )


def validate_name(value: str) -> str:
    name = value.strip()
    if not name or len(name) > NAME_MAX or any(ch in name for ch in "\r\n\t\0"):
        raise InvalidInput(
            f"invalid tenant name: use 1 to {NAME_MAX} characters on one line", field="name"
        )
    return name
