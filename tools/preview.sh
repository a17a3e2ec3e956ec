#!/usr/bin/env bash
# Render the party pack templates with a sample context, convert them to PDF and PNG for a look.
#
#   tools/preview.sh [OUT_DIR]        (default OUT_DIR: /tmp/docflow_preview)
#
# Steps:
#   1. (re)build the templates with tools/build_party_templates.py (skip: PREVIEW_NO_BUILD=1)
#   2. render every .docx document of pack.toml ([documents.*], each with its own doc.title and
#      doc.text) with docxtpl + jinja2.StrictUndefined + autoescape, using tools/sample_context.json;
#      the vote documents once per possible outcome, the archive index also as 转出材料清单, and a
#      "sparse" variant of each (no second contact/sponsor, no post, no due date, no written opinions,
#      nobody excluded, no feedback channel ...) to exercise the {% if %} branches.  Checks: the
#      undeclared variables are only org/branch/doc/case/dossier; no Jinja tag is left; public notices
#      show nothing private; the fillable .docx forms keep empty, bookmarked input cells; every .xlsx
#      form has a defined name per field plus the info_* names, and only info_* names the engine can
#      fill; an issued form is still identified (form + case) with its custom properties gone.
#      Each .xlsx form is written as issued (engine prefill) and sample-filled.
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
import copy, datetime as dt, io, json, re, sys, zipfile
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate
from docx import Document
from docx.oxml.ns import qn
import openpyxl

root, out = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(root))
from engine.identify import identify, open_body          # noqa: E402
from engine.pack import load_pack                         # noqa: E402
from engine.readers.safety import open_package            # noqa: E402
from engine.xlsxforms import fill_form, prefill_values   # noqa: E402

pack_dir = root / "templates" / "party"
pack = load_pack(pack_dir)
ctx = json.loads((root / "tools" / "sample_context.json").read_text(encoding="utf-8"))
full = json.loads((root / "tools" / "sample_context_full.json").read_text(encoding="utf-8"))


def keyset(d, prefix=""):
    keys = set()
    for k, v in d.items():
        keys.add(prefix + k)
        if isinstance(v, dict) and k != "text":
            keys |= keyset(v, prefix + k + ".")
    return keys


problems = []
missing = keyset(full) - keyset(ctx)
if missing:
    problems.append(f"sample_context.json lacks keys the engine provides: {sorted(missing)}")


def sparse_of(c):
    s = copy.deepcopy(c)
    case = s["case"]
    case["post"] = ""
    case["activist"]["contact_2"] = ""
    case["sponsors"]["sponsor_2"] = ""
    case["training"]["hours"] = ""
    case["training"]["certificate_no"] = ""
    case["prereview"]["volunteer_book_no"] = ""
    case["prereview"]["committee_review_date"] = ""
    case["review"]["methods"] = "查阅档案。"
    case["target"]["opinions_summary"] = "同意。"
    for vote in ("admission_vote", "conversion_vote", "conversion_vote_ext"):
        v = case[vote]
        for k in ("written_yes", "written_no", "written_abstain"):
            v[k] = ""
        for i in range(1, 6):
            v[f"excluded_{i}_name"] = v[f"excluded_{i}_reason"] = ""
        v["tally"] = dict(v["tally"], excluded=0, excluded_list=[])
    for item in s["dossier"][9:]:
        item["date"] = ""
    s["org"]["feedback"] = ""
    s["doc"]["due_date"] = ""
    s["doc"]["period"] = None
    s["doc"]["period_label"] = ""
    return s


def variants(doc_id, d):
    """(suffix, context) pairs to render a document with."""
    base = copy.deepcopy(ctx)
    base["doc"]["title"], base["doc"]["text"] = d.title, dict(d.text)
    out = [("", base)]
    vote = d.text.get("vote")
    if vote:
        choices = next(f.choices for f in pack.forms[vote if vote != "conversion_vote_ext" else "conversion_vote"].fields
                       if f.key == "outcome")
        if vote == "conversion_vote_ext":
            choices = ["按期转正", "取消预备党员资格"]
        out = []
        for outcome in choices:
            c = copy.deepcopy(base)
            v = c["case"][vote]
            v["outcome"] = outcome
            if outcome == "延长预备期":
                v["extend_months"] = 6
                c["case"]["extended_months"] = 6
                c["case"]["probation_end"] = "2027年3月16日"
            if outcome in ("不通过",):
                v.update(yes=6, no=5, abstain=2)
                v["tally"] = dict(v["tally"], ayes=7, passed=False)
            out.append((f"-{outcome}", c))
    if d.text.get("purpose") == "随组织关系转出":
        c = copy.deepcopy(base)
        c["case"]["transfer_out"] = {"transfer_date": "2025年11月3日", "to_org": "中共城南街道工委第三党支部"}
        c["case"]["state"] = "已转出"
        c["case"]["full_date"] = c["case"]["archive"]["archive_date"] = ""
        c["case"]["archive"] = {"archive_date": "", "archive_type": "", "location": ""}
        for item in c["dossier"][9:]:
            item["date"] = ""
        out = [("", c)]
    return out + [("_sparse", sparse_of(out[0][1]))]


ALLOWED = {"org", "branch", "doc", "case", "dossier"}
PRIVATE = [ctx["case"]["id_number"], ctx["case"]["id_number_masked"], ctx["case"]["phone"],
           ctx["case"]["review"]["methods"], ctx["case"]["target"]["opinions_summary"], "政治审查", "考察"]


def render(path, context, dest):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    t = DocxTemplate(str(path))
    t.render(copy.deepcopy(context), jinja_env=env, autoescape=True)
    t.save(str(dest))
    body = zipfile.ZipFile(dest).read("word/document.xml").decode("utf-8")
    if "{{" in body or "{%" in body:
        problems.append(f"{dest.name}: unrendered Jinja tag left")
    doc = Document(str(dest))
    parts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


seen_templates = set()
for doc_id, d in pack.documents.items():
    if not d.template.endswith(".docx"):
        continue
    path = pack_dir / d.template
    if d.template not in seen_templates:
        seen_templates.add(d.template)
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
        undeclared = DocxTemplate(str(path)).get_undeclared_template_variables(env)
        if not undeclared <= ALLOWED:
            problems.append(f"{path.name}: unexpected variables {sorted(undeclared - ALLOWED)}")
    for suffix, context in variants(doc_id, d):
        text = render(path, context, out / f"{doc_id}{suffix}.docx")
        if d.template == "docs/public_notice.docx":
            leaked = [p for p in PRIVATE if p and p in text]
            if leaked:
                problems.append(f"{doc_id}{suffix}: public notice shows private data {leaked}")
        if ctx["case"]["id_number"] in text:
            problems.append(f"{doc_id}{suffix}: prints the full ID number")
    print(f"rendered {doc_id} ({d.template})")

# fillable .docx forms: each input field = a bookmark named after the key, in an empty value cell
# right of the label cell holding the exact pack label; 案卷编号 row shows the case id
for doc_id, d in pack.documents.items():
    if not (d.collects and d.template.endswith(".docx")):
        continue
    fields = pack.forms[d.collects].fields
    for name in (f"{doc_id}.docx", f"{doc_id}_sparse.docx"):
        doc = Document(str(out / name))
        found, labels_seen = {}, {}
        for table in doc.tables:
            for tr in table._tbl.tr_lst:
                tcs = tr.tc_lst
                texts = ["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tcs]
                for i, tc in enumerate(tcs):
                    for bm in tc.iter(qn("w:bookmarkStart")):
                        found[bm.get(qn("w:name"))] = (texts[i - 1] if i else "", texts[i])
                if len(texts) > 1:
                    labels_seen[texts[0].replace("　", "")] = texts[1]
        if labels_seen.get("案卷编号") != ctx["case"]["id"]:
            problems.append(f"{name}: 案卷编号 cell is {labels_seen.get('案卷编号')!r}")
        if labels_seen.get("姓名") != ctx["case"]["name"]:
            problems.append(f"{name}: 姓名 cell is {labels_seen.get('姓名')!r}")
        for f in fields:
            if f.key not in found:
                problems.append(f"{name}: no bookmark {f.key}")
            elif found[f.key] != (f.label, ""):
                problems.append(f"{name}: bookmark {f.key} -> {found[f.key]}")
        print(f"{name}: bookmarks {sorted(found)}")
    # a sample-filled copy, typed into the bookmarked cells as staff would
    from docx.table import _Cell
    doc = Document(str(out / f"{doc_id}.docx"))
    values = {k: str(v) for k, v in ctx["case"][d.collects].items()}
    for tc in doc.element.body.iter(qn("w:tc")):
        for bm in tc.iter(qn("w:bookmarkStart")):
            if bm.get(qn("w:name")) in values:
                _Cell(tc, None).paragraphs[0].add_run(values[bm.get(qn("w:name"))])
    doc.save(str(out / f"{doc_id}_filled.docx"))

# xlsx forms
ZH_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
info_ok = {f"info_{k}" for k, v in full["case"].items() if not isinstance(v, dict)}
info_ok |= {"info_title", "info_due_date", "info_period_label", "info_org", "info_branch", "info_case_id"}
info_forbidden = {"info_id_number", "info_phone"}
BASE = {"info_org", "info_case_id", "info_branch", "info_name", "info_gender", "info_birth_date"}
step_of_form = {s.form: s.id for s in pack.steps}
done_templates = set()
xlsx_jobs = [(doc_id, d) for doc_id, d in pack.documents.items() if d.template.endswith(".xlsx")]
for doc_id, d in xlsx_jobs:
    path = pack_dir / d.template
    form = pack.forms[d.collects]
    wb = openpyxl.load_workbook(str(path))
    names = set(wb.defined_names.keys())
    want = {f.key for f in form.fields} | BASE
    if not want <= names:
        problems.append(f"{path.name}: missing defined names {sorted(want - names)}")
    extra = {n for n in names - want if not n.startswith("info_") or n not in info_ok or n in info_forbidden}
    if extra:
        problems.append(f"{path.name}: defined names the engine cannot fill or must not: {sorted(extra)}")
    if d.template not in done_templates:
        done_templates.add(d.template)
        wb.save(str(out / path.name))           # the template as is
        print(f"{path.name}: defined names {sorted(names)}")
    # as issued by the engine for this document (prefilled info_* cells), without identity properties
    context = copy.deepcopy(ctx)
    context["doc"].update(title=d.title, text=dict(d.text), period=1 if d.period else None,
                          period_label="第1次" if d.period else "",
                          due_date="2026年12月18日" if d.due else "")
    issued = fill_form(path.read_bytes(), d, context, None)
    found = identify(pack, open_body(open_package(issued, path.name)))
    got = (getattr(found, "form_id", None), getattr(found, "case_id", None))
    if got != (d.collects, ctx["case"]["id"]):
        problems.append(f"{doc_id}: without its properties the form is identified as {got} "
                        f"({getattr(found, 'message', '')})")
    # sample-filled copy (values of the sample case as staff would type them)
    wb = openpyxl.load_workbook(io.BytesIO(issued))
    sample = dict(ctx["case"].get(step_of_form.get(d.collects, ""), {}) or {})
    if d.collects in ("assessment", "probation_assessment"):
        sample = {"period": 1, "assess_date": "2026年12月15日", "assessor": "王建国", "result": "合格",
                  "opinion": "该同志能认真学习党的理论，工作积极主动，团结同事，较好地完成了教育教学任务。"}
    for name, dn in wb.defined_names.items():
        (sheet, coord), = dn.destinations
        cell = wb[sheet][coord.replace("$", "")]
        if name in sample and sample[name] not in ("", None) and not isinstance(sample[name], dict):
            v = sample[name]
            m = ZH_DATE.match(v) if isinstance(v, str) else None
            cell.value = dt.date(*map(int, m.groups())) if m else v
    wb.save(str(out / f"{doc_id}_filled.xlsx"))
for form_id, form in pack.forms.items():     # forms no document collects yet
    path = pack_dir / "forms" / f"{form_id}.xlsx"
    if form.kind == "form" and not any(d.collects == form_id for d in pack.documents.values()):
        if not path.exists():
            problems.append(f"{path.name}: missing")
            continue
        names = set(openpyxl.load_workbook(str(path)).defined_names.keys())
        want = {f.key for f in form.fields} | BASE
        if not want <= names:
            problems.append(f"{path.name}: missing defined names {sorted(want - names)}")
        openpyxl.load_workbook(str(path)).save(str(out / path.name))
        print(f"{path.name}: defined names {sorted(names)}")

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
    pdftoppm -png -r "${PREVIEW_DPI:-60}" "$pdf" "${pdf%.pdf}"
    pages=$(ls "${pdf%.pdf}"-*.png | wc -l)
    printf '%-48s %s page(s)\n' "$(basename "$pdf")" "$pages"
done
