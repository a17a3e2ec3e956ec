"""docflow lint — render every template of a pack with a complete sample case and strict variables;
check that issued forms carry a mark (bookmark / defined name) for every field they collect."""
from __future__ import annotations

import io
import zipfile
from datetime import date

from .context import document_context, sample_case
from .errors import DocflowError
from .pack import Pack
from .readers import docx as docx_reader
from .readers import xlsx as xlsx_reader
from .readers.safety import open_package
from .render import Identity, Renderer

_TAG_SPLIT = ("{{", "{%")


def lint_pack(pack: Pack) -> list[str]:
    problems: list[str] = []
    renderer = Renderer(pack)
    cs = sample_case(pack)
    for doc_id, doc in pack.documents.items():
        where = f"documents.{doc_id}（{doc.template}）"
        period = 1 if doc.period else None
        ctx = document_context(pack, "示例党委", cs, doc, period, date(2026, 1, 1))
        try:
            ident = Identity(doc.collects, cs.case_id, pack.version, period) if doc.collects else None
            data = renderer.render(doc, ctx, ident)
        except DocflowError as exc:
            problems.append(f"{where}：{exc.message}")
            continue
        problems += [f"{where}：{p}" for p in _leftover_tags(data)]
        if doc.collects:
            problems += [f"{where}：{p}" for p in _missing_marks(pack, doc.collects, data, doc.template)]
    return problems


def _leftover_tags(data: bytes) -> list[str]:
    """Tags split across Word runs survive rendering as literal text: find them."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = [n for n in z.namelist() if n.startswith(("word/document", "xl/sharedStrings", "xl/worksheets"))]
        text = "".join(z.read(n).decode("utf-8", "replace") for n in names)
    return [f"渲染后仍残留模板标记“{t}”（标记可能被 Word 拆到了多个文字块中，请整段重新输入）"
            for t in _TAG_SPLIT if t in text]


def _missing_marks(pack: Pack, form_id: str, data: bytes, template: str) -> list[str]:
    form = pack.forms[form_id]
    pkg = open_package(data, template)
    if pkg.kind == "xlsx":
        names = set(xlsx_reader.named_cells(xlsx_reader.load(pkg)))
    else:
        root = docx_reader.body(pkg)
        names = {bm.get(f"{{{docx_reader.W}}}name") for bm in root.iter(f"{{{docx_reader.W}}}bookmarkStart")}
    return [f"表单字段 {f.key}（{f.label}）没有对应的{'定义名称' if pkg.kind == 'xlsx' else '书签'}"
            for f in form.fields if f.key not in names]
