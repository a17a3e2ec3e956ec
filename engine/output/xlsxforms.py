"""Issued .xlsx forms: fill the template's named cells (``info_*`` and prefilled field keys), add the
identity as custom document properties. Values from staff are always written as text, never formulas."""
from __future__ import annotations

import io
import warnings
from typing import Any

import openpyxl
from openpyxl.packaging.custom import StringProperty

from ..pack.model import DocumentDef
from ..read.xlsx import named_cells


def prefill_values(context: dict[str, Any]) -> dict[str, Any]:
    case, doc = context["case"], context["doc"]
    values = {
        "info_org": context["org"]["name"], "info_branch": context["branch"], "info_case_id": case["id"],
        "info_title": doc["title"], "info_due_date": doc["due_date"], "info_period_label": doc["period_label"],
    }
    for key, value in case.items():
        if not isinstance(value, dict):
            values.setdefault(f"info_{key}", value)
    return values


def fill_form(template: bytes, doc: DocumentDef, context: dict[str, Any], identity,
              prefill: dict[str, Any] | None = None) -> bytes:
    """``prefill``: input cells that start with a value the case already has (the pack's ``prefill``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(template))
    cells = named_cells(wb)
    for name, value in {**prefill_values(context), **(prefill or {})}.items():
        if name in cells and value not in (None, ""):
            cell = cells[name][1]
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"   # "=..." from staff data stays text
    if identity is not None:
        for key, value in identity.properties().items():
            wb.custom_doc_props.append(StringProperty(name=key, value=value or "-"))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
