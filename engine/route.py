"""route — the original goes to the processed place or the rejected place, with its receipt (and, for a
refused workbook, a marked copy). The original is moved, never changed; the receipt is written first."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from .names import safe_file_name
from .render import write_atomic


def free_name(folder: Path, name: str) -> Path:
    """A path in ``folder`` that does not exist yet: 'x.xlsx', 'x (2).xlsx', ..."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = folder / name, 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem} ({n}){suffix}"
    return candidate


def receipt_path(dest: Path, outcome: str) -> Path:
    label = "退回说明" if outcome == "rejected" else "回执"
    return dest.with_name(f"{dest.name}.{label}.txt")


def route(work: Path, folder: Path, name: str, outcome: str, receipt: str, marked: bytes | None = None,
          fix_folder: Path | None = None) -> Path:
    """Move the original to ``folder`` beside its receipt. A marked copy (cells to fix) goes to
    ``fix_folder`` — the rejected place, where staff look for things to fix — with the receipt beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = free_name(folder, safe_file_name(Path(name).stem, Path(name).suffix[:10]))
    write_atomic(receipt_path(dest, outcome), ("\ufeff" + receipt).encode("utf-8"))
    if marked is not None:
        fix_folder = fix_folder or folder
        stem = Path(dest.name).stem
        write_atomic(fix_folder / f"{stem}.已标注问题.xlsx", marked)
        if fix_folder != folder:
            write_atomic(fix_folder / f"{stem}.已标注问题.说明.txt", ("\ufeff" + receipt).encode("utf-8"))
    if work.exists():
        try:
            os.replace(work, dest)
        except OSError:  # another filesystem
            shutil.move(str(work), str(dest))
    return dest
