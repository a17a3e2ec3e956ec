#!/usr/bin/env python3
"""Drive one case through all 25 steps with the forms docflow issues (filled the way staff fill them), then
turn every document it produced into PDF and PNG pages to look at.

Usage:  .venv/bin/python tools/drive_case.py OUT_DIR [--path happy|extension]

OUT_DIR/ws is the workspace; OUT_DIR/pdf and OUT_DIR/png hold the pages (needs LibreOffice and poppler)."""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from factory import applicant, fill_docx, fill_xlsx, member_roster, workspace, write_roster  # noqa: E402
from procedure import HAPPY, ROSTER, D, vote  # noqa: E402

from engine import Engine, Processed  # noqa: E402
from engine.clock import FixedClock  # noqa: E402
from engine.render import output_name  # noqa: E402

PATHS = {
    "happy": HAPPY,
    "extension": [s for s in HAPPY if s[0] not in ("conversion_vote", "conversion_approval", "archive")] + [
        ("conversion_vote", vote(D(2026, 4, 27), "延长预备期", extend_months=6)),
        ("conversion_approval", dict(approval_date=D(2026, 5, 20), result="批准")),
        ("conversion_vote", vote(D(2026, 10, 26), "按期转正")),
        ("conversion_approval", dict(approval_date=D(2026, 11, 20), result="批准")),
        ("archive", dict(archive_date=D(2026, 11, 25), archive_type="人事档案", location="学区人事档案室"))],
}


def issued_form(eng, folder: Path, form_id: str, values: dict) -> Path:
    docs = [d for d in eng.pack.documents.values() if d.collects == form_id]
    period = values.get("period")
    candidates = sorted({p for d in docs for p in folder.glob(output_name(d, period if d.period else None)
                                                               .replace(".xlsx", "*.xlsx").replace(".docx", "*.docx"))},
                        key=lambda p: p.stat().st_mtime)
    if not candidates:
        raise SystemExit(f"no issued form for {form_id} in {folder}")
    return candidates[-1]


def drive(out: Path, path: str) -> Path:
    ws = workspace(out / "ws")
    eng = Engine.open(ws, clock=FixedClock(date(2026, 11, 28)))
    try:
        drop = lambda p: _drop(eng, p)  # noqa: E731
        drop(member_roster(out / "src" / "党员名册.xlsx", [(n, "第一党支部", s) for n, s, _ in ROSTER],
                           discipline={n: "是" for n, _, d in ROSTER if d}))
        p = HAPPY[0][1]
        row = applicant(p["name"], p["birth_date"], p["apply_date"], seq=123)
        drop(write_roster(out / "src" / "入党申请人名册.xlsx", [row], title="入党申请人名册"))
        [case] = eng.store.cases()
        folder = next(ws.outbox.rglob(f"{case.case_id}-*"))
        for n, (form_id, values) in enumerate(PATHS[path][1:], 1):
            src = issued_form(eng, folder, form_id, values)
            dst = out / "src" / f"{n:02d}-{form_id}{src.suffix}"
            if src.suffix == ".docx":
                fill_docx(src, dst, {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in values.items()})
            else:
                fill_xlsx(src, dst, {k: v for k, v in values.items() if k != "period"})
            drop(dst)
        return folder
    finally:
        eng.store.close()


def _drop(eng, src: Path) -> None:
    dst = eng.ws.inbox / src.name
    shutil.copy2(src, dst)
    from engine.road import process_file

    outcome = process_file(eng, dst)
    if not isinstance(outcome, Processed):
        raise SystemExit(f"{src.name}: {outcome}")
    print(f"已处理  {src.name}：{len(outcome.documents)} 份文书"
          + (f"，提醒 {len(outcome.warnings)}" if outcome.warnings else ""))


def pages(folder: Path, out: Path) -> None:
    pdf, png = out / "pdf", out / "png"
    pdf.mkdir(parents=True, exist_ok=True)
    png.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in folder.iterdir() if p.suffix in (".docx", ".xlsx"))
    profile = (out / "lo-profile").resolve().as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
                    str(pdf), *map(str, files)], check=True, capture_output=True, timeout=600)
    for p in sorted(pdf.glob("*.pdf")):
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(p), str(png / p.stem)], check=True)
        n = sum(1 for q in png.glob("*.png") if q.stem.rsplit("-", 1)[0] == p.stem)
        print(f"{n} 页  {p.name}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--path", choices=sorted(PATHS), default="happy")
    args = ap.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    folder = drive(args.out, args.path)
    print(f"案卷文件夹：{folder}")
    if shutil.which("soffice") and shutil.which("pdftoppm"):
        pages(folder, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
