#!/usr/bin/env bash
# Render the party pack templates with a sample context, convert them to PDF and PNG for a look.
#
#   tools/preview.sh [OUT_DIR]        (default OUT_DIR: /tmp/docflow_preview)
#
# Steps:
#   1. (re)build the templates with tools/build_party_templates.py (skip: PREVIEW_NO_BUILD=1)
#   2. render every .docx template with docxtpl + jinja2.StrictUndefined + autoescape, using
#      tools/sample_context.json, and a "sparse" variant (no second contact, no post, no due date)
#      to exercise the {% if %} branches; check the undeclared variables are only org/branch/doc/case;
#      check the talk form keeps its empty, bookmarked input cells; check the xlsx defined names
#      against pack.toml; also write a sample-filled copy of each xlsx form
#   3. soffice --headless --convert-to pdf, then pdftoppm -png -r 60
#
# The machine may lack 宋体/仿宋/黑体; unless PREVIEW_FONT_ALIASES=0, a private fontconfig file maps
# them to Noto Serif/Sans CJK SC (if installed) so the preview metrics are close to the real fonts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-/tmp/docflow_preview}"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"

mkdir -p "$OUT"
rm -f "$OUT"/*.docx "$OUT"/*.xlsx "$OUT"/*.pdf "$OUT"/*.png

# --- 0. wait for LibreOffice and poppler (they may still be installing in the background)
waited=0
until command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; do
    if [ "$waited" -ge "${PREVIEW_WAIT_SECONDS:-600}" ]; then
        echo "preview: soffice and/or pdftoppm not found after ${waited}s" >&2
        exit 2
    fi
    [ "$waited" -eq 0 ] && echo "preview: waiting for soffice and pdftoppm ..." >&2
    sleep 10
    waited=$((waited + 10))
done

# --- 1. build
if [ "${PREVIEW_NO_BUILD:-0}" != "1" ]; then
    "$PY" "$ROOT/tools/build_party_templates.py"
fi

# --- 2. render + checks
"$PY" - "$ROOT" "$OUT" <<'PYEOF'
import copy, json, sys, zipfile
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from docx import Document
from docx.oxml.ns import qn
import openpyxl

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

root, out = Path(sys.argv[1]), Path(sys.argv[2])
pack_dir = root / "templates" / "party"
pack = tomllib.loads((pack_dir / "pack.toml").read_text(encoding="utf-8"))
ctx = json.loads((root / "tools" / "sample_context.json").read_text(encoding="utf-8"))

sparse = copy.deepcopy(ctx)
sparse["case"]["post"] = ""
sparse["case"]["activist"]["contact_2"] = ""
sparse["doc"]["due_date"] = ""
sparse["doc"]["period"] = None
sparse["doc"]["period_label"] = ""

ALLOWED = {"org", "branch", "doc", "case"}
problems = []

docx_templates = [pack_dir / d["template"] for d in pack["documents"].values()
                  if d["template"].endswith(".docx")]
for path in docx_templates:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    t = DocxTemplate(str(path))
    undeclared = t.get_undeclared_template_variables(env)
    if not undeclared <= ALLOWED:
        problems.append(f"{path.name}: unexpected variables {sorted(undeclared - ALLOWED)}")
    for tag, context in (("", ctx), ("_sparse", sparse)):
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
        t = DocxTemplate(str(path))
        t.render(copy.deepcopy(context), jinja_env=env, autoescape=True)
        dest = out / f"{path.stem}{tag}.docx"
        t.save(str(dest))
        text = "\n".join(p.text for p in Document(str(dest)).paragraphs)
        body = zipfile.ZipFile(dest).read("word/document.xml").decode("utf-8")
        if "{{" in body or "{%" in body:
            problems.append(f"{dest.name}: unrendered Jinja tag left")
    print(f"rendered {path.name}: variables {sorted(undeclared)}")

# the talk form: each input field = a bookmark named after the key, in an empty value cell
# right of the label cell holding the exact pack label
talk_fields = pack["forms"]["talk"]["fields"]
for name in ("talk.docx", "talk_sparse.docx"):
    doc = Document(str(out / name))
    found = {}
    for table in doc.tables:
        for tr in table._tbl.tr_lst:
            tcs = tr.tc_lst
            for i, tc in enumerate(tcs):
                for bm in tc.iter(qn("w:bookmarkStart")):
                    key = bm.get(qn("w:name"))
                    label = "".join(t.text or "" for t in tcs[i - 1].iter(qn("w:t"))) if i else ""
                    value = "".join(t.text or "" for t in tc.iter(qn("w:t")))
                    found[key] = (label, value)
            labels = ["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tcs]
            if labels and labels[0] == "案卷编号" and labels[1] != ctx["case"]["id"]:
                problems.append(f"{name}: 案卷编号 cell is {labels[1]!r}")
    for f in talk_fields:
        if f["key"] not in found:
            problems.append(f"{name}: no bookmark {f['key']}")
        elif found[f["key"]] != (f["label"], ""):
            problems.append(f"{name}: bookmark {f['key']} -> {found[f['key']]}")
    print(f"{name}: bookmarks {sorted(found)}")

# xlsx forms: one defined name per field + the info names; write a sample-filled copy too
INFO = {
    "info_org": ctx["org"]["name"], "info_branch": ctx["case"]["branch"],
    "info_case_id": ctx["case"]["id"], "info_name": ctx["case"]["name"],
    "info_gender": ctx["case"]["gender"], "info_birth_date": ctx["case"]["birth_date"],
    "info_apply_date": ctx["case"]["apply_date"], "info_due_date": "2026年4月20日",
    "info_talk_date": ctx["case"]["talk_date"], "info_activist_date": ctx["case"]["activist_date"],
    "info_period_label": "第1次",
}
SAMPLE_INPUT = {
    "decision_date": "2026-06-18", "method": "党员推荐", "filing_date": "2026-06-25",
    "contact_1": "王建国", "contact_2": "张丽华", "period": 1, "assess_date": "2026-12-15",
    "assessor": "王建国", "result": "合格",
    "opinion": "该同志入党动机端正，能认真学习党的理论，工作积极主动，团结同事，"
               "较好地完成了教育教学任务。建议继续培养考察。",
}
EXTRA = {"activist": ["info_talk_date"], "assessment": ["info_activist_date", "info_period_label"]}
BASE = ["info_org", "info_branch", "info_case_id", "info_name", "info_gender",
        "info_birth_date", "info_apply_date", "info_due_date"]
import datetime as dt
for doc_id, d in pack["documents"].items():
    if not d["template"].endswith(".xlsx"):
        continue
    path = pack_dir / d["template"]
    form = d["collects"]
    wb = openpyxl.load_workbook(str(path))
    names = set(wb.defined_names.keys())
    want = {f["key"] for f in pack["forms"][form]["fields"]} | set(BASE) | set(EXTRA.get(form, []))
    if names != want:
        problems.append(f"{path.name}: defined names differ: missing {sorted(want - names)}, "
                        f"extra {sorted(names - want)}")
    print(f"{path.name}: defined names {sorted(names)}")
    # template as is
    wb.save(str(out / path.name))
    # sample-filled copy (as the engine and staff would fill it)
    for name, dn in wb.defined_names.items():
        (sheet, coord), = dn.destinations
        cell = wb[sheet][coord.replace("$", "")]
        if name in INFO:
            cell.value = INFO[name]
        elif name in SAMPLE_INPUT:
            v = SAMPLE_INPUT[name]
            if isinstance(v, str) and len(v) == 10 and v[4] == "-":
                v = dt.date.fromisoformat(v)
            cell.value = v
    wb.save(str(out / f"{path.stem}_filled.xlsx"))

if problems:
    print("PROBLEMS:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print("checks ok")
PYEOF

# --- 3. PDF + PNG
export SAL_USE_VCLPLUGIN=svp
if [ "${PREVIEW_FONT_ALIASES:-1}" = "1" ]; then
    cat > "$OUT/fonts.conf" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>宋体</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimSun</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>仿宋</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>FangSong</family><prefer><family>Noto Serif CJK SC</family></prefer></alias>
  <alias binding="same"><family>黑体</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
  <alias binding="same"><family>SimHei</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>
</fontconfig>
EOF
    export FONTCONFIG_FILE="$OUT/fonts.conf"
fi
profile="$OUT/.lo_profile"
(cd "$OUT" && soffice -env:UserInstallation="file://$profile" --headless \
    --convert-to pdf --outdir "$OUT" ./*.docx ./*.xlsx >/dev/null 2>"$OUT/soffice.log") || {
    cat "$OUT/soffice.log" >&2; exit 3; }
for pdf in "$OUT"/*.pdf; do
    pdftoppm -png -r 60 "$pdf" "${pdf%.pdf}"
    pages=$(ls "${pdf%.pdf}"-*.png | wc -l)
    printf '%-40s %s page(s)\n' "$(basename "$pdf")" "$pages"
done
ls "$OUT"/*.png
