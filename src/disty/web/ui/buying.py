"""What the console's buying pages share (the price list in products.py, the comparison across
suppliers in compare.py): the tenant and country a page is about, money as shown, and the
ship-to block they both post (products_address.html's fields)."""

from __future__ import annotations

from disty.domain.orders import Address, validate_address
from disty.errors import InvalidInput, NotFound
from disty.runtime import Runtime
from disty.services import price_list, tenants
from disty.services.tenant_views import TenantView
from disty.web.ui.session import PageNotFound

NOTES_MAX = 500
# The ship-to's fields, as products_address.html names them (after a prefix such as "ship_").
ADDRESS_FIELDS = ("company", "street", "street2", "city", "state", "postcode", "country",
                  "contact", "phone", "email")  # fmt: skip


async def tenant(rt: Runtime, shortcut: str) -> TenantView:
    async with rt.sessions() as session:
        try:
            return await tenants.tenant_view(session, shortcut)
        except NotFound:
            raise PageNotFound from None


def country(view: TenantView, raw: str | None) -> int:
    """The country asked for if the tenant is served there; its first country otherwise."""
    ids = view.country_ids
    if raw and raw.isdigit() and int(raw) in ids:
        return int(raw)
    return ids[0]


def address(form: dict[str, str], prefix: str) -> Address:
    """The typed address block's fields after ``prefix``, as typed (not validated)."""
    values = {name: form.get(f"{prefix}{name}", "").strip() for name in ADDRESS_FIELDS}
    values["country"] = values["country"].upper()
    return Address(**values)


async def recent_or_typed(
    rt: Runtime, shortcut: str, form: dict[str, str], prefix: str = ""
) -> Address | None:
    """The ship-to the form chose among a recent PO's and a typed one (``prefix`` names a
    second block on the page); None when it chose neither, for the page to say what else."""
    choice = form.get(f"{prefix}ship_to_choice", "")
    if choice == "recent":
        async with rt.sessions() as session:
            return await price_list.recent_ship_to(
                session, shortcut=shortcut, po_number=form.get(f"{prefix}recent_po", "")
            )
    if choice == "typed":
        return validate_address(address(form, f"{prefix}ship_"), "ship_to")
    return None


def notes(form: dict[str, str]) -> str:
    """The PO's notes for the supplier, at most NOTES_MAX characters."""
    text = form.get("notes", "").strip()
    if len(text) > NOTES_MAX:
        raise InvalidInput(f"the notes are longer than {NOTES_MAX} characters", field="notes")
    return text
