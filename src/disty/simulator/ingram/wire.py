"""Products as Ingram's JSON: field names and nesting copied from the spec's examples.

Every value comes from the one ``Product``, so a product reads the same through search,
details and price and availability (the contract tests check this).

Where the spec's example and its schema (and so the official SDK) spell a field differently,
both spellings are sent with the same value: ``specialBidNumber``/``specialBidNumer``,
``hasReturnLimits``/``HasReturnLimits``, ``isBackOrderAllowed``/``IsBackOrderAllowed``,
``isRefurbished``/``isRefurbishedProduct``. A client that reads either works; which one
production sends is not documented.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from disty.simulator.ingram.catalog import Product
from disty.simulator.ingram.vocab import CURRENCY

JSON = dict[str, Any]


def _flag(value: bool) -> str:
    # Search answers carry booleans as strings (the spec's schema and the SDK say so).
    return "true" if value else "false"


def search_row(p: Product) -> JSON:
    return {
        "description": p.description,
        "category": p.category,
        "subCategory": p.subcategory,
        "productType": p.product_type,
        "ingramPartNumber": p.ingram_part_number,
        "vendorPartNumber": p.vendor_part_number,
        "upcCode": p.upc,
        "vendorName": p.vendor_name,
        "endUserRequired": _flag(p.end_user_required),
        "hasDiscounts": _flag(p.special_bid),
        "type": "IM::Digital" if p.digital else "IM::Physical",
        "discontinued": _flag(p.discontinued),
        "newProduct": _flag(p.new),
        "directShip": _flag(p.direct_ship),
        "hasWarranty": _flag(not p.digital),
        "extraDescription": p.extra_description,
        "replacementSku": "",
        "authorizedToPurchase": "true",
        "links": [
            {
                "topic": "catalog",
                "href": f"/resellers/v6/catalog/details/{p.ingram_part_number}",
                "type": "GET",
            }
        ],
    }


def details(p: Product) -> JSON:
    cisco = p.vendor_name == "Cisco"
    return {
        "ingramPartNumber": p.ingram_part_number,
        "vendorPartNumber": p.vendor_part_number,
        "productAuthorized": "True",
        "description": p.description,
        "productDetailDescription": f"{p.vendor_name} {p.extra_description} {p.vendor_part_number}",
        "upc": p.upc,
        "productCategory": p.category,
        "productSubcategory": p.subcategory,
        "vendorName": p.vendor_name,
        "vendorNumber": p.vendor_number,
        "productStatusCode": None,
        "productClass": p.product_class,
        "customerPartNumber": p.customer_part_number,
        "indicators": _indicators(p),
        "ciscoFields": {
            "productSubGroup": "SWITCHING" if cisco else None,
            "serviceProgramName": None,
            "itemCatalogCategory": p.subcategory.upper() if cisco else None,
            "configurationIndicator": "N" if cisco else None,
            "internalBusinessEntity": "ENTERPRISE" if cisco else None,
            "itemType": "HARDWARE" if cisco else None,
            "globalListPrice": f"{p.retail_cents / 100:.2f}" if cisco else None,
        },
        "technicalSpecifications": [
            _spec("Product Type", p.product_type.title()),
            _spec("Brand Name", p.vendor_name),
            _spec("Product Category", p.category),
        ],
        "warrantyInformation": [],
        "additionalInformation": {
            "productWeight": [{"plantId": "US01", "weight": p.weight_kg, "weightUnit": "KG"}],
            "isBulkFreight": p.weight_kg >= 20,
            "height": str(5 + p.noise % 40),
            "width": str(20 + (p.noise >> 8) % 40),
            "length": str(30 + (p.noise >> 16) % 40),
            "netWeight": f"{p.weight_kg:.2f}",
            "dimensionUnit": "CM",
        },
    }


def _spec(name: str, value: str) -> JSON:
    return {
        "headername": "Basic",
        "attributevalue": value,
        "attributedisplay": f"Basic|{name}|{value}",
        "attributename": name,
    }


def _indicators(p: Product) -> JSON:
    out: JSON = {
        "hasWarranty": not p.digital,
        "isNewProduct": p.new,
        "isShippedFromPartner": p.direct_ship,
        "isReplacementProduct": False,
        "replacementType": None,
        "isDirectship": p.direct_ship,
        "isDownloadable": p.digital,
        "isDigitalType": p.digital,
        "skuType": "D" if p.digital else "M",
        "hasStdSpecialPrice": p.special_bid,
        "hasAcopSpecialPrice": p.special_bid,
        "hasAcopQuantityBreak": p.showcase,
        "hasStdWebDiscount": False,
        "hasAcopWebDiscount": False,
        "hasSpecialBid": p.special_bid,
        "isExportableToCountry": False,
        "isDiscontinuedProduct": p.discontinued,
        "isReturnableProduct": not p.digital,
        "isIngramShip": not p.direct_ship,
        "isEnduserRequired": p.end_user_required,
        "isHeavyWeight": p.weight_kg >= 20,
        "hasLtl": p.weight_kg >= 20,
        "isClearanceProduct": False,
        "hasBundle": False,
        "isOversizeProduct": False,
        "isPreorderProduct": False,
        "isLicenseProduct": p.digital,
        "isDirectshipOrderable": True,
        "isServiceSku": False,
        "isConfigurable": False,
    }
    for example_name, schema_name, value in (
        ("hasReturnLimits", "HasReturnLimits", False),
        ("isBackOrderAllowed", "IsBackOrderAllowed", not p.discontinued),
        ("isRefurbished", "isRefurbishedProduct", False),
    ):
        out[example_name] = value
        out[schema_name] = value
    return out


def not_found_row(kind: str, value: str) -> JSON:
    # Two spaces after the colon, exactly as the spec's 207 example shows.
    label = {
        "ingramPartNumber": "IngramPartNumber",
        "vendorPartNumber": "VendorPartNumber",
        "upc": "UPC",
        "customerPartNumber": "CustomerPartNumber",
    }[kind]
    return {
        "productStatusCode": "E",
        "productStatusMessage": f"Product not found for {label}:  {value}",
        kind: value,
    }


def pna_row(
    p: Product,
    country: str,
    *,
    today: dt.date,
    include_availability: bool,
    include_pricing: bool,
    warehouse_ids: set[str] | None,
    customer_part_number: str | None,
    taken: int = 0,
) -> JSON:
    row: JSON = {}
    if p.special_bid:
        row["productStatusMessage"] = "ACOPS ARE AVAILABLE FOR THIS CUSTOMER AND SKU"
    row.update(
        {
            "ingramPartNumber": p.ingram_part_number,
            "vendorPartNumber": p.vendor_part_number,
            "extendedVendorPartNumber": p.vendor_part_number,
            "customerPartNumber": customer_part_number or p.customer_part_number,
            "upc": p.upc,
            # The spec's example shows "T" and documents no other code.
            "partNumberType": "T",
            "vendorNumber": p.vendor_number,
            "vendorName": p.vendor_name,
            "description": p.description,
            "productClass": p.product_class,
            "uom": "EA",
            "acceptBackOrder": not p.discontinued and not p.digital,
            "productAuthorized": True,
            "returnableProduct": not p.digital,
            "endUserInfoRequired": p.end_user_required,
            "govtSpecialPriceAvailable": p.showcase,
        }
    )
    if include_availability:
        row["availability"] = _availability(p, country, today, warehouse_ids, taken)
    if include_pricing:
        currency = CURRENCY.get(country, "USD")
        row["pricing"] = {
            "mapPrice": p.price(country, p.map_cents),
            "currencyCode": currency,
            "retailPrice": p.price(country, p.retail_cents),
            "customerPrice": p.price(country, p.customer_cents),
            "specialBidPricingAvailable": p.special_bid,
            "webDiscountsAvailable": False,
        }
        if p.special_bid:
            row["discounts"] = [_discounts(p, country, currency, today)]
        if p.showcase:
            row["serviceFees"] = [
                {
                    "conditionType": "ZEF1",
                    "description": "Environmental fee",
                    "amount": p.price(country, 150),
                    "endDate": (today + dt.timedelta(days=365)).isoformat(),
                    "currencyCode": currency,
                }
            ]
    row["bundlePartIndicator"] = False
    return row


def _availability(
    p: Product, country: str, today: dt.date, warehouse_ids: set[str] | None, taken: int = 0
) -> JSON:
    # Stock taken by orders comes out of the best-stocked warehouses first, as orders ship
    # from the warehouse with most stock.
    left = dict.fromkeys((s.warehouse.id for s in p.stock(country)), 0)
    for s in sorted(p.stock(country), key=lambda s: -s.available):
        cut = min(max(taken, 0), s.available)
        left[s.warehouse.id] = s.available - cut
        taken -= cut
    rows = []
    total = 0
    for s in p.stock(country):
        if warehouse_ids is not None and s.warehouse.id not in warehouse_ids:
            continue
        available = left[s.warehouse.id] if s.available else 0
        total += available
        wh: JSON = {
            "warehouseId": s.warehouse.id,
            "location": s.warehouse.location,
            "quantityAvailable": available,
            "quantityBackordered": s.backordered,
            "quantityOnOrder": s.on_order,
        }
        if s.etas:
            wh["quantityBackorderedEta"] = (today + dt.timedelta(days=s.etas[0][1])).isoformat()
            wh["backOrderInfo"] = [
                {"quantity": qty, "etaDate": (today + dt.timedelta(days=days)).isoformat()}
                for qty, days in s.etas
            ]
        rows.append(wh)
    return {"available": total > 0, "totalAvailability": total, "availabilityByWarehouse": rows}


def _discounts(p: Product, country: str, currency: str, today: dt.date) -> JSON:
    discount_cents = p.customer_cents // 10
    special: list[JSON] = [
        {
            "discountType": "Special Bid",
            "specialBidNumber": f"SB{p.ingram_part_number}",
            "specialBidNumer": f"SB{p.ingram_part_number}",
            "specialPricingDiscount": p.price(country, discount_cents),
            "specialPricingEffectiveDate": (today - dt.timedelta(days=30)).isoformat(),
            "specialPricingExpirationDate": (today + dt.timedelta(days=90)).isoformat(),
            "specialPricingAvailableQuantity": 9_999_999,
            "specialPricingMinQuantity": 0,
        }
    ]
    if p.showcase and country == "US":
        special[0]["governmentDiscountType"] = "Federal"
        special[0]["governmentDiscountedCustomerPrice"] = p.price(
            country, p.customer_cents - discount_cents
        )
    out: JSON = {"specialPricing": special}
    if p.showcase:
        out["quantityDiscounts"] = [
            {
                "currencyType": "Price",
                "amount": p.price(country, p.customer_cents // 20),
                "quantity": 10,
                "conditionType": "ZQTY",
                "currencyCode": currency,
            }
        ]
    return out
