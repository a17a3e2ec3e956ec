"""render — documents due → bytes → outbox, each written to a temporary name and renamed. Templates are compiled
once per process and recompiled when their file changes (TemplateCache); a Word document is rendered by
engine.output.docxfast, an Excel form by engine.output.xlsxfast — both give what docxtpl / openpyxl give, and send
what they do not cover through them. Missing template variables are errors, never silent blanks."""
from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from lxml import etree

from ..errors import TemplateError
from ..pack.model import DocumentDef, Pack
from ..read.office import (
    CUSTOM_PART,
    PROP_CASE,
    PROP_FORM,
    PROP_PACK,
    PROP_PERIOD,
    PROP_SERIAL,
    PROP_SIGNATURE,
    SAFE_PARSER,
    custom_properties_xml,
)
from .docxfast import CompiledDocx, compile_docx
from .glyphs import DEFAULT_PLAN, FontPlan, cover_docx
from .xlsxfast import CompiledXlsx, compile_xlsx
from .xlsxforms import prefill_values

CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
REL_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


# Blanks left for handwriting are asked for by name, ``{{ by_hand("date") }}``, so that ``docflow lint`` can
# tell them from a blank the engine should have filled (any other run of underscores is reported).
BY_HAND = {"date": "____年__月__日", "name": "__________", "line": "________________", "phone": "______________"}


def by_hand(kind: str = "line") -> str:
    return BY_HAND.get(kind, BY_HAND["line"])


# Characters XML 1.0 does not allow (a vertical tab pasted from Word, a stray escape). \a and \f are kept: docxtpl
# turns them into new paragraphs and page breaks (Listing).
_NOT_XML = re.compile("[\x00-\x06\x08\x0b\x0e-\x1f\ufffe\uffff]")


def xml_text(value: Any) -> Any:
    """``value`` without the characters XML cannot hold (a string that has none is returned as it is)."""
    if type(value) is str and not value.isprintable():    # isprintable is a fast C check; most strings pass
        return _NOT_XML.sub("", value)
    return value


def jinja_env() -> jinja2.Environment:
    """Undefined variables are errors; every value is escaped and cleared of characters XML cannot hold."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True, finalize=xml_text)
    env.globals["by_hand"] = by_hand
    return env


@dataclass(frozen=True)
class Identity:
    form: str
    case: str
    pack: str
    period: int | None = None
    serial: int = 1
    signature: str = ""          # engine.signing's, over all of the above ("" in lint's and the tests' renders)

    def properties(self) -> dict[str, str]:
        props = {PROP_FORM: self.form, PROP_CASE: self.case, PROP_PACK: self.pack,
                 PROP_PERIOD: "" if self.period is None else str(self.period)}
        if self.signature:
            props |= {PROP_SERIAL: str(self.serial), PROP_SIGNATURE: self.signature}
        return props


class TemplateCache:
    """Compiled templates by path. A file that changed since it was compiled (size, modification or change time,
    or inode: Word and Excel save by writing a new file) is compiled again, so a template corrected while
    ``watch`` runs is used from the next document on."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self._items: dict[Path, tuple[tuple[int, ...], CompiledDocx | CompiledXlsx]] = {}
        self.compiles = 0

    def get(self, path: Path) -> CompiledDocx | CompiledXlsx:
        try:
            st = path.stat()
        except OSError:
            raise TemplateError("找不到模板文件", place=str(path)) from None
        key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        hit = self._items.get(path)
        if hit is not None and hit[0] == key:
            return hit[1]
        data = path.read_bytes()
        compiled = compile_docx(data, self.env) if path.suffix == ".docx" else compile_xlsx(data)
        self._items[path] = (key, compiled)
        self.compiles += 1
        return compiled


class Renderer:
    """Renders the documents of a pack, through one template cache."""

    def __init__(self, pack: Pack, env: jinja2.Environment | None = None, fonts: FontPlan = DEFAULT_PLAN) -> None:
        self.pack = pack
        self.cache = TemplateCache(env or jinja_env())
        self.fonts = fonts              # a character its run's font lacks is set in one that has it

    def compiled(self, doc: DocumentDef) -> CompiledDocx | CompiledXlsx:
        return self.cache.get(self.pack.root / doc.template)

    def plan(self, doc: DocumentDef) -> str:
        """How the document is rendered: "" (the fast path) or why it goes through docxtpl / openpyxl."""
        return self.compiled(doc).fallback

    def render(self, doc: DocumentDef, context: dict[str, Any], identity: Identity | None) -> bytes:
        compiled = self.compiled(doc)
        props = identity.properties() if identity else None
        try:
            if isinstance(compiled, CompiledDocx):    # engine contexts are plain data
                return cover_docx(compiled.render(context, props, objects=False), self.fonts)
            names = compiled.names if not compiled.fallback else None
            return compiled.render(self.form_values(doc, context, names), props)
        except TemplateError as exc:
            inner = f"：{exc.place}" if exc.place and exc.place != doc.template else ""
            raise TemplateError(exc.message, place=doc.template + inner) from None

    def form_values(self, doc: DocumentDef, context: dict[str, Any], names: Any = None) -> dict[str, Any]:
        """What an issued form's named cells start with: the case's information (``info_*``), the fields the
        pack prefills from the case, and the period of a repeat step's form (``names``: only these cells)."""
        form = self.pack.forms.get(doc.collects)
        prefill = {f.key: context["case"].get(f.prefill.key, "") for f in (form.fields if form else ()) if f.prefill}
        steps = self.pack.steps_for_form(doc.collects) if doc.collects else []
        if doc.period and steps and steps[0].period_field:   # a repeat step's form says which period it is for
            prefill[steps[0].period_field] = context["doc"]["period"]
        return {name: xml_text(value) for name, value in {**prefill_values(context), **prefill}.items()
                if names is None or name in names}


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


# Where temporaries go, by filesystem (st_dev): the engine's own folder (.docflow/tmp) for the filesystem it is on,
# so that after a crash only that folder is swept, not every folder of the outbox. A target on another
# filesystem gets its temporary beside it (a rename must stay within one filesystem).
TEMP_HOMES: dict[int, Path] = {}


def temp_home(state: Path) -> Path:
    """Register ``state``/tmp as the temporaries' folder of its filesystem; returns it."""
    home = state / "tmp"
    home.mkdir(parents=True, exist_ok=True)
    TEMP_HOMES[os.stat(home).st_dev] = home
    return home


def temp_prefix() -> str:
    """``.~docflow-<pid>.<machine>-``: whose a temporary file is, so one left by a process that died can be told
    from one being written now by another (``recovery``)."""
    import hashlib
    import socket

    host = os.environ.get("DOCFLOW_HOST") or socket.gethostname()
    return f".~docflow-{os.getpid()}.{hashlib.sha1(host.encode()).hexdigest()[:8]}-"


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Write to a temporary name, flush to disk, then rename over the target. A batch that writes many files
    passes ``durable=False`` and syncs once when it is done (``os.sync``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    home = TEMP_HOMES.get(os.stat(path.parent).st_dev) if TEMP_HOMES else None
    if home is not None and not home.is_dir():       # that workspace is gone (another one in this process before)
        TEMP_HOMES.pop(os.stat(path.parent).st_dev, None)
        home = None
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".tmp", dir=home if home is not None else path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
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
