#!/usr/bin/env python3
"""Drive one case through every step of a pack with the forms docflow issues (filled the way staff fill them,
from the pack's walkthrough.toml), then turn every document it produced into PDF and PNG pages to look at.

Usage:  .venv/bin/python tools/drive_case.py OUT_DIR [--pack party|league|...] [--path happy|extension]

OUT_DIR/ws is the workspace; OUT_DIR/pdf and OUT_DIR/png hold the pages (needs LibreOffice and poppler).
``--path extension`` (party only): the conversion vote extends probation by 6 months, then converts."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from engine import Engine, Processed
from engine.clock import FixedClock
from engine.outcomes import Outcome
from engine.output.pdf import ConverterPool
from engine.testing import Walkthrough, load_walkthrough, walk, walkthrough_workspace


def extension(wt: Walkthrough) -> Walkthrough:
    """The party walkthrough with probation extended by 6 months at the conversion vote."""
    subs = [s for s in wt.submissions if s[0] not in ("conversion_vote", "conversion_approval", "archive")]
    [vote] = [v for f, v in wt.submissions if f == "conversion_vote"]
    return replace(wt, submissions=subs + [
        ("conversion_vote", {**vote, "outcome": "延长预备期", "extend_months": 6}),
        ("conversion_approval", {"approval_date": date(2026, 5, 20), "result": "批准"}),
        ("conversion_vote", {**vote, "meeting_date": date(2026, 10, 26)}),
        ("conversion_approval", {"approval_date": date(2026, 11, 20), "result": "批准"}),
        ("archive", {"archive_date": date(2026, 11, 25), "archive_type": "人事档案", "location": "学区人事档案室"})])


def said(label: str, outcome: Outcome) -> None:
    if isinstance(outcome, Processed):
        print(f"已处理  {label}：{len(outcome.documents)} 份文书"
              + (f"，提醒 {len(outcome.warnings)}" if outcome.warnings else ""))
    else:
        print(f"未通过  {label}：{outcome}")


def drive(out: Path, pack: str, path: str) -> Path:
    wt = load_walkthrough(pack)
    if path == "extension":
        wt = extension(wt)
    ws = walkthrough_workspace(out / "ws", wt)
    eng = Engine.open(ws, clock=FixedClock(wt.today))
    try:
        case_id = walk(eng, wt, out / "src", on_outcome=said)
        return next(ws.outbox.rglob(f"{case_id}-*"))
    finally:
        eng.store.close()


def pages(folder: Path, out: Path) -> None:
    pdf, png = out / "pdf", out / "png"
    pdf.mkdir(parents=True, exist_ok=True)
    png.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in folder.iterdir() if p.suffix in (".docx", ".xlsx"))
    with ConverterPool(size=2, work_dir=out / "office") as pool:     # the fonts mapped as docflow pdf maps them
        for c in pool.convert_many([(f, pdf / (f.stem + ".pdf")) for f in files]):
            if not c.ok:
                print(f"未转换  {c.src.name}：{c.error}")
    for p in sorted(pdf.glob("*.pdf")):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(p), str(png / p.stem)], check=True)
        n = sum(1 for q in png.glob("*.png") if q.stem.rsplit("-", 1)[0] == p.stem)
        print(f"{n} 页  {p.name}")


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--pack", default="party")
    ap.add_argument("--path", choices=["happy", "extension"], default="happy")
    args = ap.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    folder = drive(args.out, args.pack, args.path)
    print(f"案卷文件夹：{folder}")
    if shutil.which("soffice") and shutil.which("pdftoppm"):
        pages(folder, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
