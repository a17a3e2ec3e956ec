"""render — documents due → bytes (docxtpl for .docx, openpyxl for .xlsx forms) → outbox, each written
to a temporary name and renamed. Missing template variables are errors, never silent blanks."""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from lxml import etree

from ..errors import TemplateError
from ..pack.model import DocumentDef, Pack
from ..read.office import CUSTOM_PART, PROP_CASE, PROP_FORM, PROP_PACK, PROP_PERIOD, SAFE_PARSER, custom_properties_xml
from .xlsxforms import fill_form

CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
REL_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


# Blanks left for handwriting are asked for by name, ``{{ by_hand("date") }}``, so that ``docflow lint`` can
# tell them from a blank the engine should have filled (any other run of underscores is reported).
BY_HAND = {"date": "____年__月__日", "name": "__________", "line": "________________", "phone": "______________"}


def by_hand(kind: str = "line") -> str:
    return BY_HAND.get(kind, BY_HAND["line"])


def jinja_env() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.globals["by_hand"] = by_hand
    return env


@dataclass(frozen=True)
class Identity:
    form: str
    case: str
    pack: str
    period: int | None = None

    def properties(self) -> dict[str, str]:
        return {PROP_FORM: self.form, PROP_CASE: self.case, PROP_PACK: self.pack,
                PROP_PERIOD: "" if self.period is None else str(self.period)}


class Renderer:
    """Renders one document of a pack. Templates are read once and kept."""

    def __init__(self, pack: Pack, env: jinja2.Environment | None = None) -> None:
        self.pack = pack
        self._bytes: dict[str, bytes] = {}
        self._env = env or jinja_env()

    def template_bytes(self, doc: DocumentDef) -> bytes:
        if doc.template not in self._bytes:
            self._bytes[doc.template] = (self.pack.root / doc.template).read_bytes()
        return self._bytes[doc.template]

    def render(self, doc: DocumentDef, context: dict[str, Any], identity: Identity | None) -> bytes:
        if doc.template.endswith(".docx"):
            return self._docx(doc, context, identity)
        return self._xlsx(doc, context, identity)

    def _docx(self, doc: DocumentDef, context: dict[str, Any], identity: Identity | None) -> bytes:
        tpl = DocxTemplate(io.BytesIO(self.template_bytes(doc)))
        try:
            tpl.render(context, jinja_env=self._env, autoescape=True)
        except jinja2.exceptions.UndefinedError as exc:
            raise TemplateError(f"模板使用了未定义的变量：{exc.message}", place=doc.template) from None
        except jinja2.exceptions.TemplateError as exc:
            raise TemplateError(f"模板语法错误：{exc}", place=doc.template) from None
        out = io.BytesIO()
        tpl.save(out)
        data = out.getvalue()
        return with_custom_properties(data, identity.properties()) if identity else data

    def _xlsx(self, doc: DocumentDef, context: dict[str, Any], identity: Identity | None) -> bytes:
        form = self.pack.forms.get(doc.collects)
        prefill = {f.key: context["case"].get(f.prefill.key, "") for f in (form.fields if form else ()) if f.prefill}
        steps = self.pack.steps_for_form(doc.collects) if doc.collects else []
        if doc.period and steps and steps[0].period_field:   # a repeat step's form says which period it is for
            prefill[steps[0].period_field] = context["doc"]["period"]
        return fill_form(self.template_bytes(doc), doc, context, identity, prefill)


def with_custom_properties(data: bytes, props: dict[str, str]) -> bytes:
    """Add (or replace) docProps/custom.xml in an OOXML package, with its content type and relationship."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename == CUSTOM_PART:
                continue
            if info.filename == "[Content_Types].xml":
                blob = _ensure_override(blob)
            elif info.filename == "_rels/.rels":
                blob = _ensure_relationship(blob)
            dst.writestr(info, blob)
        dst.writestr(CUSTOM_PART, custom_properties_xml(props))
    return out.getvalue()


def _ensure_override(blob: bytes) -> bytes:
    root = etree.fromstring(blob, SAFE_PARSER)
    if not any(el.get("PartName") == "/" + CUSTOM_PART for el in root):
        etree.SubElement(root, f"{{{NS_CT}}}Override", PartName="/" + CUSTOM_PART, ContentType=CT_CUSTOM)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _ensure_relationship(blob: bytes) -> bytes:
    root = etree.fromstring(blob, SAFE_PARSER)
    if not any(el.get("Type") == REL_CUSTOM for el in root):
        ids = {el.get("Id") for el in root}
        rid = next(f"rId{i}" for i in range(100, 10000) if f"rId{i}" not in ids)
        etree.SubElement(root, f"{{{NS_REL}}}Relationship", Id=rid, Type=REL_CUSTOM, Target=CUSTOM_PART)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, flush to disk, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~docflow-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def output_name(doc: DocumentDef, period: int | None, occurrence: int = 1) -> str:
    """NN-<title>[-第N次][（第N次办理）]: the period of a repeat step; the occurrence of a step taken again."""
    from .names import safe_file_name

    suffix = Path(doc.template).suffix
    stem = f"{doc.number:02d}-{doc.title}" + (f"-第{period}次" if period else "")
    stem += f"（第{occurrence}次办理）" if occurrence > 1 else ""
    return safe_file_name(stem, suffix)
