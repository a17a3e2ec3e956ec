"""Guards applied before any library parses a dropped file: type sniffing, zip-bomb limits,
and a refusal of XML DTDs/entities (billion laughs, external entities)."""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from ..errors import InputError
from ..outcomes import Code


@dataclass(frozen=True)
class Limits:
    """Every bound a dropped file is held to, in one value (the engine passes it down; tests pass smaller ones)."""

    read_bytes: int = 64 * 1024 * 1024          # claim reads at most this much of a file
    file_bytes: int = 30 * 1024 * 1024          # what a staff form can reasonably weigh
    unpacked_bytes: int = 200 * 1024 * 1024     # sum of the members' declared sizes
    members: int = 5000                         # zip members
    ratio: int = 200                            # uncompressed / compressed, per member over 1 MB
    roster_rows: int = 5000                     # data rows of a roster sheet
    refuse_dtd: bool = True                     # refuse XML with a DTD (tests switch it off to try the parsers behind)


LIMITS = Limits()
# what staff can do about each refusal of a file as a whole (the receipt's 修改方法; a message that says it
# already — "请另存为 .xlsx" — needs none)
ADVICE = {
    "empty_file": "请确认文件已完整复制或保存成功（大小不为0），再重新放入 inbox",
    "zip_bomb": "请用 Excel/Word 打开原文件，另存为新的 .xlsx/.docx 后重新放入 inbox；如文件来历不明，请不要打开，"
                "交信息管理员检查",
    "corrupt_zip": "请确认文件已完整复制；能用 Excel/Word 正常打开的，另存为新的 .xlsx/.docx 后重新放入 inbox",
    "corrupt_xlsx": "请用 Excel 或 WPS 打开它，确认能正常打开，另存为新的 .xlsx 后重新放入 inbox",
    "xml_entities": "请用 Excel/Word 打开原文件，另存为新的 .xlsx/.docx 后重新放入 inbox",
    "too_large": "请删去文件中的图片等无关内容，或拆分成几个文件后重新提交",
    "too_many_rows": "请把名册按支部或批次拆分成几个文件后重新提交",
}
_XML_SUFFIXES = (".xml", ".rels", ".vml")

_FIX_RESAVE = "请用 Word 或 Excel 打开原文件，另存为 .docx 或 .xlsx 后重新放入 inbox"


@dataclass(frozen=True)
class Package:
    """A size-checked office zip whose XML members were checked for DTDs."""

    kind: str                 # "xlsx" | "docx" | "xls" | "ods" (the last two read by engine.read.foreign)
    data: bytes
    parts: dict[str, bytes]   # the XML members, already read (bounded by the size checks)

    def open(self) -> io.BytesIO:
        """The package as a file object (for openpyxl)."""
        return io.BytesIO(self.data)


def sniff(data: bytes, name: str) -> str:
    """Say what a file really is; raise InputError for anything that is not a usable office zip."""
    if not data:
        raise InputError("文件是空的（0字节），可能尚未复制完成或保存失败", code=Code.EMPTY_FILE)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if _ole_workbook(data, name):
            return "xls"              # Excel 97–2003 (.xls; WPS's .et is the same format)
        raise InputError("这是旧版 Word 格式（.doc）或加了密码的文件，本系统无法读取。"
                         "请用 Word/Excel 另存为 .docx/.xlsx，并取消密码", code=Code.OLD_OR_ENCRYPTED)
    if data[:4] != b"PK\x03\x04":
        if data[:5] == b"%PDF-":
            raise InputError("这是 PDF 文件，无法读取填写内容。" + _FIX_RESAVE, code=Code.NOT_OFFICE)
        if _looks_like_text(data):
            raise InputError("这是纯文本/CSV 文件（可能是改了扩展名），不是 Excel 工作簿。"
                             "请用 Excel 打开后“另存为”Excel 工作簿(.xlsx)", code=Code.NOT_OFFICE)
        raise InputError("这不是 Word/Excel 文件。" + _FIX_RESAVE, code=Code.NOT_OFFICE)
    return "xlsx" if name.lower().endswith((".xlsx", ".xlsm")) else "docx"


def _ole_workbook(data: bytes, name: str) -> bool:
    """An OLE2 compound file holding a workbook stream ("Workbook" or "Book", named in UTF-16 in its directory),
    or one named .xls/.et whose directory says nothing else (a damaged one: the reader then says so); a .doc
    holds "WordDocument", an encrypted .xlsx "EncryptedPackage"."""
    if "EncryptedPackage".encode("utf-16-le") in data or "WordDocument".encode("utf-16-le") in data:
        return False
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return True
    return name.lower().endswith((".xls", ".et"))


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    for enc in ("utf-8-sig", "gb18030"):
        try:
            head.decode(enc)
            return b"\x00" not in head
        except UnicodeDecodeError:
            continue
    return False


def open_package(data: bytes, name: str, limits: Limits = LIMITS) -> Package:
    if len(data) > limits.file_bytes:
        size, limit = len(data) // 1024 // 1024, limits.file_bytes // 1024 // 1024
        raise InputError(f"文件过大（{size} MB），超过 {limit} MB 上限。"
                         "请删除文件中的图片等无关内容后重新提交", code=Code.TOO_LARGE)
    sniffed = sniff(data, name)
    if sniffed == "xls":
        return Package("xls", data, {})
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
        _check_sizes(infos, limits)
        parts = {i.filename: _read_member(z, i) for i in infos
                 if not i.is_dir() and i.filename.endswith(_XML_SUFFIXES)}
        # XML under another name: [Content_Types].xml, not the suffix, tells a reader what a part is
        disguised = {i.filename: _read_member(z, i) for i in infos
                     if not i.is_dir() and i.filename not in parts and _looks_like_xml(_head(z, i))}
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError, zlib.error) as exc:
        raise InputError(f"文件已损坏或不完整，无法打开（{type(exc).__name__}）。"
                         "请确认文件已完整复制；如是本系统发出的表格，请重新保存后再提交",
                         code=Code.CORRUPT_ZIP) from None
    kind = _kind(parts, sniffed)
    for part, blob in {**parts, **disguised}.items():
        if limits.refuse_dtd and _has_dtd(blob):
            raise InputError(f"文件内部含有不允许的 XML 声明（DOCTYPE/ENTITY，位于 {part}），出于安全原因拒收。"
                             + _FIX_RESAVE, code=Code.XML_ENTITIES)
    return Package(kind, data, parts)


def _check_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.members:
        raise InputError("文件内部结构异常（成员过多），疑似压缩炸弹，已拒收", code=Code.ZIP_BOMB)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError("文件设置了密码（加密的压缩包），本系统无法读取。请取消密码，"
                             "用 Word/Excel 另存为 .docx/.xlsx 后重新提交", code=Code.OLD_OR_ENCRYPTED)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > limits.unpacked_bytes or (info.file_size > 1_000_000 and ratio > limits.ratio):
            raise InputError("文件解压后体积异常巨大，疑似压缩炸弹，已拒收", code=Code.ZIP_BOMB)
        if info.filename.startswith(("/", "\\")) or ".." in info.filename.replace("\\", "/").split("/"):
            raise InputError("文件内部路径异常，已拒收", code=Code.CORRUPT_ZIP)


def _read_member(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read at most the declared size (+1 byte to detect a lying header)."""
    with z.open(info) as fh:
        blob = fh.read(info.file_size + 1)
    if len(blob) > info.file_size:
        raise ValueError("member larger than declared")
    return blob


def _head(z: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 64) -> bytes:
    with z.open(info) as fh:
        return fh.read(size)


def _looks_like_xml(head: bytes) -> bool:
    """Text that an XML parser would take: a byte order mark, the shape of "<?xml" in UTF-16/32 or
    EBCDIC, or "<" after white space. Images, OLE streams and nested zips start otherwise."""
    if any(head.startswith(mark) for mark, _ in _BOMS + _SHAPES):
        return True
    return head.lstrip(b" \t\r\n")[:1] == b"<"


_MAIN_TYPES = {"spreadsheetml.sheet.main": "xlsx", "spreadsheetml.template.main": "xlsx",
               "ms-excel.sheet.macroEnabled.main": "xlsx", "wordprocessingml.document.main": "docx",
               "wordprocessingml.template.main": "docx", "ms-word.document.macroEnabled.main": "docx"}


def _kind(parts: dict[str, bytes], sniffed: str) -> str:
    if "word/document.xml" in parts:
        return "docx"
    if "xl/workbook.xml" in parts:
        return "xlsx"
    types = parts.get("[Content_Types].xml", b"").decode("utf-8", "replace")   # a legal package, other part names
    for marker, kind in _MAIN_TYPES.items():
        if marker in types:
            return kind
    if "content.xml" in parts:
        if b"spreadsheet" in parts.get("META-INF/manifest.xml", b"") or b"<table:table " in parts["content.xml"]:
            return "ods"
        raise InputError("这是 WPS/LibreOffice 的 ODF 文字文档（.odt）。请另存为 .docx 后重新提交",
                         code=Code.NOT_OFFICE)
    raise InputError("这是一个压缩包，但不是 Word/Excel 文件。" + _FIX_RESAVE, code=Code.NOT_OFFICE)


_DTD_TEXT = re.compile(r"<!\s*(doctype|entity)", re.IGNORECASE)
_DTD_BYTES = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
# What an XML parser looks at first (XML 1.0 appendix F): byte order marks, then the shape of "<?xml".
_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\xef\xbb\xbf", "utf-8"),
         (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))
_SHAPES = ((b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"), (b"\x00<\x00?", "utf-16-be"),
           (b"<\x00?\x00", "utf-16-le"), (b"\x4c\x6f\xa7\x94", "cp037"))
_PROBE_CHUNK = 64 * 1024


def _has_dtd(blob: bytes) -> bool:
    """A DTD (and so any entity declaration) anywhere in the part, in whatever encoding it is written.

    Three looks: the raw bytes (UTF-8 and every ASCII-compatible encoding), searched everywhere — not
    only before the first "<tag", which a comment such as ``<!-- <a> -->`` in front of the DTD fools;
    the text decoded the way an XML parser decodes it (BOM, BOM-less UTF-16/32, EBCDIC, a declared
    encoding such as UTF-7); and libxml2 itself (the parser behind lxml and openpyxl), fed until the
    root element starts, for whatever encoding Python does not know."""
    if _DTD_BYTES.search(blob):
        return True
    text = _decoded(blob)
    if text is not None and _DTD_TEXT.search(text):
        return True
    return _parser_sees_dtd(blob)


def _decoded(blob: bytes) -> str | None:
    """``blob`` decoded as an XML parser would decode it; None for UTF-8 (the bytes say it all) or an
    encoding Python does not know."""
    encoding = next((enc for bom, enc in _BOMS if blob.startswith(bom)), None)
    encoding = encoding or next((enc for shape, enc in _SHAPES if blob.startswith(shape)), None)
    if encoding is None:
        m = _DECLARED.match(blob)
        encoding = m.group(1).decode("ascii").lower() if m else "utf-8"
    if encoding.replace("-", "").replace("_", "") in ("utf8", "ascii", "usascii"):
        return None
    try:
        return blob.decode(encoding, "replace")
    except (LookupError, ValueError):  # unknown or odd codecs (idna, punycode, "undefined") say nothing
        return None


class _RootStarted(Exception):
    pass


class _Probe:
    """An lxml parser target that notes a DOCTYPE and stops the parse at the root element."""

    def __init__(self) -> None:
        self.dtd = False

    def doctype(self, *_args) -> None:
        self.dtd = True

    def start(self, *_args) -> None:
        raise _RootStarted

    def close(self) -> None:
        return None


def _parser_sees_dtd(blob: bytes) -> bool:
    probe = _Probe()
    parser = etree.XMLParser(target=probe, resolve_entities=False, load_dtd=False, no_network=True,
                             huge_tree=False)
    try:
        for i in range(0, len(blob), _PROBE_CHUNK):
            parser.feed(blob[i:i + _PROBE_CHUNK])
            if probe.dtd:
                break
        parser.close()
    except Exception:  # _RootStarted, or a syntax error: the later parse reports a broken part
        pass
    return probe.dtd
