"""Issued .xlsx forms: the values the engine writes into a template's named cells (``info_*`` and prefilled field
keys), and openpyxl's load–fill–save of them — the baseline the fast writer (engine.output.xlsxfast) matches, and
its fallback. Values from staff are always written as text, never formulas."""
from __future__ import annotations

import io
import warnings
from typing import Any

import openpyxl
from openpyxl.packaging.custom import StringProperty

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


def load_template(template: bytes) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(template))


def fill_form(template: bytes, values: dict[str, Any], properties: dict[str, str] | None) -> bytes:
    """Write ``values`` (named cell → value; empty values leave the cell as it is) and add ``properties`` as
    custom document properties (an empty value is written as "-")."""
    wb = load_template(template)
    cells = named_cells(wb)
    for name, value in values.items():
        if name in cells and value not in (None, ""):
            cell = cells[name][1]
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"   # "=..." from staff data stays text
    for key, value in (properties or {}).items():
        wb.custom_doc_props.append(StringProperty(name=key, value=value or "-"))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
