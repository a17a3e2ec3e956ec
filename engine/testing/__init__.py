"""How staff fill docflow's forms, as code — for the tests, the tools, the benchmarks, and anyone trying a pack.

- ``fill_xlsx`` / ``fill_docx`` / ``fill_form``: type values into an issued form (an Excel form's yellow named
  cells, the Word table cell holding each field's bookmark) and save it under a new name;
- ``write_roster``: a roster the way an office keeps one (a title row, a header row, one person per row);
- ``id_number``: a valid 18-character citizen ID number for a birth date;
- a pack's **walkthrough** (``templates/<pack>/walkthrough.toml``: one case through every step) and ``walk``,
  which drives it through the road with the forms the engine issues, filled as above (``.walkthrough``);
- batches of files as staff drop them — valid, invalid, duplicates, junk, folders, slow copies (``.batch``);
- examples for the bundled party pack (``applicant``, ``member_roster``, ``workspace``).

Nothing here is used by the engine itself.
"""
from __future__ import annotations

from .forms import (
           APPLICANT_HEADERS,
           BRANCHES,
           FEEDBACK,
           MEMBER_HEADERS,
           applicant,
           fill_docx,
           fill_form,
           fill_xlsx,
           id_number,
           member_roster,
           roster_row,
           workspace,
           write_roster,
           xlsx_bytes,
)
from .walkthrough import Walkthrough, drop, issued_form, load_walkthrough, walk, walkthrough_workspace

__all__ = ["APPLICANT_HEADERS", "BRANCHES", "FEEDBACK", "MEMBER_HEADERS", "Walkthrough", "applicant", "drop",
           "fill_docx", "fill_form", "fill_xlsx", "id_number", "issued_form", "load_walkthrough", "member_roster",
           "roster_row", "walk", "walkthrough_workspace", "workspace", "write_roster", "xlsx_bytes"]
