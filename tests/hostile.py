"""A hostile / broken input corpus: builders that write one bad file each into a folder.

Every builder takes the folder to write into (and sometimes a name) and returns the path it wrote.
The files are built from scratch or from a valid roster/form, then broken the way real life (or an
attacker) breaks them: renamed, truncated, bit-rotted, inflated, stuffed with DTDs and formulas.
Big files (zip bombs) are written streaming, so building them costs little memory.
"""
from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from engine.testing import APPLICANT_HEADERS, applicant, id_number, write_roster

PASSWD = Path("/etc/passwd")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# ---------------------------------------------------------------- helpers
def _write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def good_rows(n: int = 2, seq0: int = 100, prefix: str = "张") -> list[dict]:
    """``n`` valid applicants (distinct ID numbers from ``seq0``) who applied before the test clock."""
    names = "一二三四五六七八九十"
    return [applicant(f"{prefix}{names[i % 10]}{i // 10 or ''}", date(1990, 1, 1 + i), date(2026, 10, 8),
                      seq=seq0 + i) for i in range(n)]


def good_roster(folder: Path, name: str = "好名册.xlsx", seq0: int = 500, n: int = 1) -> Path:
    """A valid applicant roster (use a different ``seq0`` for each one in a workspace)."""
    return write_roster(folder / name, good_rows(n, seq0, prefix="李"), APPLICANT_HEADERS, title="入党申请人名册")


def roster_bytes(rows: Iterable[dict] | None = None) -> bytes:
    """A valid applicant roster as bytes (sharedStrings.xml holds the names)."""
    buf = io.BytesIO()
    rows = list(rows) if rows is not None else good_rows(3)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(APPLICANT_HEADERS)
    for row in rows:
        ws.append([row.get(h) for h in APPLICANT_HEADERS])
    for col in ws.iter_cols():
        for cell in col:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    wb.save(buf)
    return shared_strings(buf.getvalue())


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_REL_SST = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def shared_strings(data: bytes) -> bytes:
    """openpyxl writes inline strings; Excel and WPS write a shared string table. Convert the former
    into the latter (sheet cells point into xl/sharedStrings.xml), as a real staff file would be."""
    from lxml import etree

    table: list[str] = []

    def sheet(blob: bytes) -> bytes:
        root = etree.fromstring(blob)
        for c in root.iter(f"{{{_NS_MAIN}}}c"):
            if c.get("t") == "inlineStr":
                text = "".join(c.itertext())
                for child in list(c):
                    c.remove(child)
                c.set("t", "s")
                etree.SubElement(c, f"{{{_NS_MAIN}}}v").text = str(len(table))
                table.append(text)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def change(name: str, blob: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            return sheet(blob)
        if name == "[Content_Types].xml":
            return blob.replace(b"</Types>", (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT_SST}"/>'
                                              '</Types>').encode())
        if name == "xl/_rels/workbook.xml.rels":
            return blob.replace(b"</Relationships>",
                                (f'<Relationship Id="rIdSst" Type="{_REL_SST}" Target="sharedStrings.xml"/>'
                                 '</Relationships>').encode())
        return blob

    out = rewrite_zip(data, change)
    sst = "".join(f"<si><t xml:space=\"preserve\">{_esc(t)}</t></si>" for t in table)
    sst_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_NS_MAIN}" '
               f'count="{len(table)}" uniqueCount="{len(table)}">{sst}</sst>').encode()
    buf = io.BytesIO(out)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", sst_xml)
    return buf.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rewrite_zip(data: bytes, change: Callable[[str, bytes], bytes | None],
                compression: int = zipfile.ZIP_DEFLATED, stored: Iterable[str] = ()) -> bytes:
    """A copy of the zip ``data`` with each member passed through ``change(name, blob)`` (None = drop it)."""
    stored = set(stored)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            blob = change(info.filename, src.read(info))
            if blob is not None:
                dst.writestr(info.filename, blob,
                             compress_type=zipfile.ZIP_STORED if info.filename in stored else compression)
    return out.getvalue()


def replace_member(data: bytes, member: str, fn: Callable[[bytes], bytes]) -> bytes:
    return rewrite_zip(data, lambda n, b: fn(b) if n == member else b)


def with_doctype(xml: bytes, doctype: str) -> bytes:
    """Put ``doctype`` between the XML declaration and the root element."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + b"\n" + doctype.encode() + b"\n" + xml[end:].lstrip()
    return doctype.encode() + b"\n" + xml


def _wrap_passwd_entity(blob: bytes, needle: bytes) -> bytes:
    """Replace the text ``needle`` by a reference to an external entity that reads /etc/passwd."""
    assert needle in blob, needle
    blob = blob.replace(needle, b"&xxe;", 1)
    return with_doctype(blob, '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')


BILLION_LAUGHS = """<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


# ---------------------------------------------------------------- 1-5: not a zip at all
def empty_xlsx(folder: Path, name: str = "空文件.xlsx") -> Path:
    return _write(folder, name, b"")


def random_docx(folder: Path, name: str = "随机内容.docx", size: int = 8192, seed: int = 7) -> Path:
    rnd = random.Random(seed)
    data = bytes(rnd.getrandbits(8) for _ in range(size))
    data = b"\x00\x01" + data  # never PK, never OLE, never %PDF, never text
    return _write(folder, name, data)


CSV_ROWS = [",".join(APPLICANT_HEADERS),
            "王五,男,汉族,1990-01-01,110101199001011234,大学本科,XX学区中心小学,教师,是,13800000000,第一党支部,2026-10-08",
            "赵六,女,汉族,1991-02-02,110101199102021242,大学专科,XX学区中心小学,教师,否,13900000000,第一党支部,2026-10-09"]


def csv_as_xlsx(folder: Path, encoding: str = "utf-8", name: str | None = None) -> Path:
    """A CSV export (Chinese headers) renamed to .xlsx; ``encoding`` "utf-8", "utf-8-sig" or "gbk"."""
    text = "\r\n".join(CSV_ROWS) + "\r\n"
    return _write(folder, name or f"名册-{encoding}.xlsx", text.encode(encoding))


def pdf_as_docx(folder: Path, name: str = "谈话记录.docx") -> Path:
    data = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return _write(folder, name, data)


def ole_as_xlsx(folder: Path, variant: str = "xls", name: str | None = None) -> Path:
    """A Compound File Binary header: an Excel 97-2003 .xls, or a password-protected .xlsx (which Office
    stores as a CFB holding EncryptionInfo / EncryptedPackage streams)."""
    header = bytearray(512)
    header[:8] = OLE_MAGIC
    header[0x18:0x1A] = (0x3E).to_bytes(2, "little")   # minor version
    header[0x1A:0x1C] = (3).to_bytes(2, "little")      # major version 3 (512-byte sectors)
    header[0x1C:0x1E] = (0xFFFE).to_bytes(2, "little")  # little-endian byte order mark
    header[0x1E:0x20] = (9).to_bytes(2, "little")      # sector shift
    header[0x20:0x22] = (6).to_bytes(2, "little")      # mini sector shift
    header[0x2C:0x30] = (1).to_bytes(4, "little")      # number of FAT sectors
    header[0x30:0x34] = (1).to_bytes(4, "little")      # first directory sector
    header[0x38:0x3C] = (4096).to_bytes(4, "little")   # mini stream cutoff
    header[0x3C:0x40] = (0xFFFFFFFE).to_bytes(4, "little")
    header[0x44:0x48] = (0xFFFFFFFE).to_bytes(4, "little")
    for i in range(109):
        header[0x4C + 4 * i:0x50 + 4 * i] = (0xFFFFFFFF if i else 0).to_bytes(4, "little")
    streams = ("Workbook", "SummaryInformation") if variant == "xls" else ("EncryptionInfo", "EncryptedPackage")
    body = b"".join(s.encode("utf-16-le").ljust(64, b"\x00") for s in streams).ljust(1024, b"\x00")
    default = "旧版名册.xlsx" if variant == "xls" else "加密名册.xlsx"
    return _write(folder, name or default, bytes(header) + body)


# ---------------------------------------------------------------- 6-8: broken or inflated zips
def truncated_xlsx(folder: Path, name: str = "复制一半.xlsx") -> Path:
    data = roster_bytes()
    return _write(folder, name, data[: len(data) // 2])


def bad_crc_xlsx(folder: Path, name: str = "坏CRC.xlsx", member: str = "xl/sharedStrings.xml") -> Path:
    """A valid roster whose ``member`` is stored uncompressed and has one byte flipped (bit rot):
    the data no longer matches the CRC-32 in the headers."""
    data = rewrite_zip(roster_bytes(), lambda n, b: b, stored=[member])
    z = zipfile.ZipFile(io.BytesIO(data))
    info = z.getinfo(member)
    z.close()
    # the member's data starts after its local header (30 bytes + name + extra)
    local = data[info.header_offset:]
    start = info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
    raw = bytearray(data)
    target = raw.index(b"<si>", start)          # inside the member's text, not its tags' syntax
    raw[target + 4] ^= 0x01
    return _write(folder, name, bytes(raw))


def zip_bomb_xlsx(folder: Path, name: str = "炸弹.xlsx", size_mb: int = 110,
                  member: str = "xl/media/image1.png") -> Path:
    """A valid roster plus one member of ``size_mb`` MB of zeros (deflated ~1000:1), written in chunks."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    base = zipfile.ZipFile(io.BytesIO(roster_bytes()))
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in base.infolist():
            z.writestr(info.filename, base.read(info))
        info = zipfile.ZipInfo(member, date_time=(2026, 11, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as fh:
            for _ in range(size_mb):
                fh.write(chunk)
    return path


def many_members_xlsx(folder: Path, name: str = "成员炸弹.xlsx", members: int = 6000) -> Path:
    """A valid roster plus thousands of tiny members (a "many members" bomb)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    base = zipfile.ZipFile(io.BytesIO(roster_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in base.infolist():
            z.writestr(info.filename, base.read(info))
        for i in range(members):
            z.writestr(f"customXml/item{i}.xml", b"<a/>")
    return path


def wide_bomb_xlsx(folder: Path, name: str = "总量炸弹.xlsx", members: int = 220) -> Path:
    """Many members each just under the per-member ratio check (999,999 bytes of zeros), whose sum is
    over 200 MB: only the total of the declared sizes catches it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    base = zipfile.ZipFile(io.BytesIO(roster_bytes()))
    blob = bytes(999_999)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in base.infolist():
            z.writestr(info.filename, base.read(info))
        for i in range(members):
            z.writestr(f"xl/media/pad{i}.bin", blob)
    return path


def lying_size_xlsx(folder: Path, name: str = "谎报大小.xlsx", member: str = "xl/workbook.xml") -> Path:
    """A roster whose ``member`` declares (in both headers) fewer bytes than its data inflates to."""
    data = bytearray(roster_bytes())
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info, pos = z.getinfo(member), z.start_dir
    z.close()
    fake = (10).to_bytes(4, "little")
    data[info.header_offset + 22:info.header_offset + 26] = fake      # local header: uncompressed size
    while data[pos:pos + 4] == b"PK\x01\x02":                          # central directory entries
        n, m, k = (int.from_bytes(data[pos + o:pos + o + 2], "little") for o in (28, 30, 32))
        if bytes(data[pos + 46:pos + 46 + n]) == member.encode():
            data[pos + 24:pos + 28] = fake
        pos += 46 + n + m + k
    return _write(folder, name, bytes(data))


def password_zip_xlsx(folder: Path, name: str = "压缩包加密码.xlsx") -> Path:
    """A roster zipped "with a password" (the encryption flag set on every member), renamed .xlsx."""
    data = bytearray(roster_bytes())
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    infos, pos = z.infolist(), z.start_dir
    z.close()
    for info in infos:                                                 # local headers
        data[info.header_offset + 6] |= 0x01
    while data[pos:pos + 4] == b"PK\x01\x02":                          # central directory entries
        data[pos + 8] |= 0x01
        n, m, k = (int.from_bytes(data[pos + o:pos + o + 2], "little") for o in (28, 30, 32))
        pos += 46 + n + m + k
    return _write(folder, name, bytes(data))


# ---------------------------------------------------------------- 9-11: DTDs and entities
def billion_laughs_xlsx(folder: Path, name: str = "实体膨胀.xlsx") -> Path:
    def change(blob: bytes) -> bytes:
        blob = with_doctype(blob, BILLION_LAUGHS)
        return blob.replace(b'name="', b'name="&lol9;', 1)
    return _write(folder, name, replace_member(roster_bytes(), "xl/workbook.xml", change))


def xxe_xlsx(folder: Path, name: str = "外部实体.xlsx") -> Path:
    """The first applicant's name in sharedStrings.xml replaced by an external entity on /etc/passwd."""
    rows = good_rows(2)
    return _write(folder, name, replace_member(roster_bytes(rows), "xl/sharedStrings.xml",
                                               lambda b: _wrap_passwd_entity(b, rows[0]["姓名"].encode())))


def xxe_docx(folder: Path, form: Path, needle: str, name: str = "谈话记录-外部实体.docx") -> Path:
    """A filled .docx form whose text ``needle`` in word/document.xml became an external entity."""
    data = replace_member(form.read_bytes(), "word/document.xml",
                          lambda b: _wrap_passwd_entity(b, needle.encode()))
    return _write(folder, name, data)


def utf16_doctype_xlsx(folder: Path, name: str = "UTF16.xlsx", member: str = "xl/workbook.xml",
                       bom: bool = True, endian: str = "le") -> Path:
    """``member`` re-encoded as UTF-16 (with or without a byte order mark) with an internal DTD."""
    def change(blob: bytes) -> bytes:
        if not blob.startswith(b"<?xml"):
            blob = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + blob
        text = with_doctype(blob, '<!DOCTYPE workbook [<!ENTITY e "x">]>').decode("utf-8")
        text = re.sub(r"""encoding=["']UTF-8["']""", 'encoding="UTF-16"', text, count=1, flags=re.I)
        enc = "utf-16-le" if endian == "le" else "utf-16-be"
        out = text.encode(enc)
        if bom:
            out = ("\ufeff").encode(enc) + out
        return out
    return _write(folder, name, replace_member(roster_bytes(), member, change))


def utf7_doctype_xlsx(folder: Path, name: str = "UTF7.xlsx", member: str = "xl/workbook.xml") -> Path:
    """``member`` declared as UTF-7, its DTD written with "<" as "+ADw-": no "<!DOCTYPE" in the bytes,
    yet libxml2 (behind lxml and openpyxl) decodes it and sees the DTD."""
    def change(blob: bytes) -> bytes:
        body = blob.split(b"?>", 1)[1] if blob.startswith(b"<?xml") else blob
        body = with_doctype(body, '<!DOCTYPE workbook [<!ENTITY e "x">]>').decode("utf-8")
        return (b'<?xml version="1.0" encoding="UTF-7"?>' + body.encode("utf-7").replace(b"<!", b"+ADw-!"))
    return _write(folder, name, replace_member(roster_bytes(), member, change))


def disguised_part_xlsx(folder: Path, name: str = "改名部件.xlsx", doctype: str = BILLION_LAUGHS) -> Path:
    """The real workbook part is "xl/main.dat" (a name with no .xml suffix; [Content_Types].xml says
    what it is, which is all openpyxl looks at) and carries a DTD; "xl/workbook.xml" stays as a decoy."""
    base = roster_bytes()
    z = zipfile.ZipFile(io.BytesIO(base))
    workbook, rels = z.read("xl/workbook.xml"), z.read("xl/_rels/workbook.xml.rels")
    z.close()

    def change(name: str, blob: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return blob.replace(b'PartName="/xl/workbook.xml"', b'PartName="/xl/main.dat"')
        return blob

    data = rewrite_zip(base, change)
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as out:
        out.writestr("xl/main.dat", with_doctype(workbook, doctype))
        out.writestr("xl/_rels/main.dat.rels", rels)
    return _write(folder, name, buf.getvalue())


def comment_hidden_doctype_xlsx(folder: Path, name: str = "注释藏DTD.xlsx") -> Path:
    """A DTD after a comment that holds something looking like a start tag ("<a"), so a scan that
    stops at the first start tag misses it. Carries the billion laughs."""
    def change(blob: bytes) -> bytes:
        blob = with_doctype(blob, "<!-- <a> -->\n" + BILLION_LAUGHS)
        return blob.replace(b'name="', b'name="&lol9;', 1)
    return _write(folder, name, replace_member(roster_bytes(), "xl/workbook.xml", change))


# ---------------------------------------------------------------- 12-14: zips that are not (our) office files
def plain_zip_as_xlsx(folder: Path, name: str = "压缩包.xlsx") -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("说明.txt", "这是一个普通的压缩包。\r\n".encode())
        z.writestr("data/名单.txt", "张三\r\n李四\r\n".encode())
    return _write(folder, name, out.getvalue())


def ods_as_xlsx(folder: Path, name: str = "WPS名册.xlsx") -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
            b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            b'<manifest:file-entry manifest:full-path="/" '
            b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            b"</manifest:manifest>"))
        cells = "".join(f"<table:table-cell office:value-type=\"string\"><text:p>{h}</text:p></table:table-cell>"
                        for h in APPLICANT_HEADERS)
        z.writestr("content.xml", (
            '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            f'<office:body><office:spreadsheet><table:table table:name="名册"><table:table-row>{cells}'
            "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>").encode())
        z.writestr("styles.xml", b'<?xml version="1.0" encoding="UTF-8"?><office:document-styles '
                                 b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return _write(folder, name, out.getvalue())


def random_table_xlsx(folder: Path, name: str = "采购清单.xlsx", seed: int = 3) -> Path:
    rnd = random.Random(seed)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["商品", "单价", "数量", "供应商", "备注"])
    for i in range(30):
        ws.append([f"物品{i}", round(rnd.uniform(1, 500), 2), rnd.randint(1, 99), rnd.choice("甲乙丙丁"), ""])
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


# ---------------------------------------------------------------- 15-19: hostile or broken staff data
def _roster_sheet(rows: list[dict], headers: list[str] = APPLICANT_HEADERS, epoch=None, keep_formulas: bool = True):
    wb = openpyxl.Workbook()
    if epoch is not None:
        wb.epoch = epoch
    ws = wb.active
    ws.title = "名册"
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    for col in ws.iter_cols():
        for cell in col:
            if isinstance(cell.value, str) and not (keep_formulas and cell.value.startswith("=")):
                cell.data_type = "s"
    return wb


def formula_roster(folder: Path, name: str = "公式名册.xlsx") -> Path:
    """Row 2: 出生日期 typed as =DATE(1990,1,1); row 3: a DDE injection as the name; row 4: fine."""
    rows = good_rows(3, seq0=300, prefix="公")
    rows[0]["出生日期"] = "=DATE(1990,1,1)"
    rows[1]["姓名"] = "=cmd|' /C calc'!A0"
    wb = _roster_sheet(rows)
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


FULLWIDTH_FORMULA_NAME = "＝HYPERLINK(\"x\")"   # NFKC turns "＝" into "=": a name that starts with "="


def fullwidth_formula_name_roster(folder: Path, name: str = "全角等号.xlsx") -> Path:
    rows = good_rows(1, seq0=400)
    rows[0]["姓名"] = FULLWIDTH_FORMULA_NAME
    wb = _roster_sheet(rows, keep_formulas=False)
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


PATH_NAMES = ["../../etc/x", "CON", "a/b\\c:d*?", "名" * 200, "..", "NUL.txt", "<x>|y\"z"]
PATH_BRANCHES = ["../../../tmp/pwn", "CON", "aux.txt", "..", "支部. .", "a<b>c|d", "第一党支部 /..", "lpt9.docx"]
# Reserved device names that Windows still recognises with a space before the extension.
RESERVED_SPACE_BRANCHES = ["COM1 .txt", "CON .doc"]
# Odd names of dropped files (the file's own name, not its content).
ODD_FILE_NAMES = ['名册 a:b*?"<>|.xlsx', "CON.xlsx", "名册. .xlsx", "名\n册\t.xlsx", " 前后空格 .xlsx", "名册..xlsx"]
LONG_FILE_NAME = "入党申请人名册" * 10 + ".xlsx"     # 70 characters before the extension


def path_names_roster(folder: Path, name: str = "路径名册.xlsx", names: list[str] | None = None,
                      branches: list[str] | None = None) -> Path:
    """Staff data full of path characters and Windows reserved names (姓名 and 所在党支部)."""
    names = names if names is not None else PATH_NAMES
    branches = branches if branches is not None else PATH_BRANCHES
    n = max(len(names), len(branches))
    rows = good_rows(n, seq0=600, prefix="路")
    for i, row in enumerate(rows):
        if i < len(names):
            row["姓名"] = names[i]
        row["所在党支部"] = branches[i % len(branches)]
    wb = _roster_sheet(rows, keep_formulas=False)
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


def mac1904_roster(folder: Path, name: str = "苹果1904.xlsx", as_dates: bool = False) -> Path:
    """A workbook in the 1904 date system whose 出生日期/申请入党日期 are plain numbers (serials counted
    from 1904-01-01), or real date cells when ``as_dates``."""
    rows = good_rows(2, seq0=700, prefix="苹")
    if not as_dates:
        for row in rows:
            for h in ("出生日期", "申请入党日期"):
                row[h] = (row[h] - date(1904, 1, 1)).days
    wb = _roster_sheet(rows, epoch=CALENDAR_MAC_1904)
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


def numeric_id_roster(folder: Path, name: str = "数字身份证.xlsx") -> Path:
    """Row 2: the ID number typed into a General cell (a float, last digits lost); row 3: the same as
    text in scientific notation (what a CSV round trip leaves); row 4: fine."""
    rows = good_rows(3, seq0=800, prefix="数")
    rows[0]["公民身份号码"] = float(id_number(date(1990, 1, 1), 800)[:17] + "0")
    rows[1]["公民身份号码"] = "1.10101E+17"
    wb = _roster_sheet(rows)
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


def all_formula_roster(folder: Path, name: str = "全是公式.xlsx") -> Path:
    """Every row's 出生日期 is a formula: no row can be taken, so the whole file is refused."""
    rows = good_rows(2, seq0=320, prefix="式")
    for row in rows:
        row["出生日期"] = "=DATE(1990,1,1)"
    wb = _roster_sheet(rows)
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


def only_numeric_id_roster(folder: Path, name: str = "只有数字身份证.xlsx") -> Path:
    rows = good_rows(1, seq0=820, prefix="码")
    rows[0]["公民身份号码"] = float(rows[0]["公民身份号码"][:15] + "000")
    wb = _roster_sheet(rows)
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


def mac1904_text_serial_roster(folder: Path, name: str = "1904文本序号.xlsx") -> Path:
    """A 1904 workbook whose 申请入党日期 is a serial typed as text ("45205" = 2026-10-08 counted from
    1904-01-01); 出生日期 is a plain serial number."""
    rows = good_rows(1, seq0=720, prefix="序")
    rows[0]["出生日期"] = (rows[0]["出生日期"] - date(1904, 1, 1)).days
    rows[0]["申请入党日期"] = str((rows[0]["申请入党日期"] - date(1904, 1, 1)).days)
    wb = _roster_sheet(rows, epoch=CALENDAR_MAC_1904)
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


def huge_dimension_roster(folder: Path, name: str = "百万行.xlsx") -> Path:
    """One real row, and a stray cell at row 1,048,576 (the sheet claims a million rows)."""
    wb = _roster_sheet(good_rows(1, seq0=900, prefix="百"))
    wb.active.cell(1048576, 1).value = "x"
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


def oversized_file(folder: Path, name: str = "超大.xlsx", size: int = 31 * 1024 * 1024) -> Path:
    """A zip signature followed by ``size`` bytes (a sparse file: cheap on disk)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with open(path, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(size)
    return path


# ---------------------------------------------------------------- the whole corpus
# (id, builder(folder) -> path, the reason code the engine must give): files refused as a whole.
REFUSED: list[tuple[str, Callable[[Path], Path], str]] = [
    ("empty", empty_xlsx, "empty_file"),
    ("random_docx", random_docx, "not_office"),
    ("csv_utf8", lambda f: csv_as_xlsx(f, "utf-8"), "not_office"),
    ("csv_utf8_bom", lambda f: csv_as_xlsx(f, "utf-8-sig"), "not_office"),
    ("csv_gbk", lambda f: csv_as_xlsx(f, "gbk"), "not_office"),
    ("pdf_as_docx", pdf_as_docx, "not_office"),
    ("ole_xls", lambda f: ole_as_xlsx(f, "xls"), "old_or_encrypted"),
    ("ole_encrypted_xlsx", lambda f: ole_as_xlsx(f, "encrypted"), "old_or_encrypted"),
    ("truncated", truncated_xlsx, "corrupt_zip"),
    ("bad_crc", bad_crc_xlsx, "corrupt_zip"),
    ("lying_size", lying_size_xlsx, "corrupt_zip"),
    ("password_zip", password_zip_xlsx, "old_or_encrypted"),
    ("billion_laughs", billion_laughs_xlsx, "xml_entities"),
    ("xxe_shared_strings", xxe_xlsx, "xml_entities"),
    ("utf16_bom_le_doctype", lambda f: utf16_doctype_xlsx(f, "UTF16LE.xlsx", bom=True, endian="le"), "xml_entities"),
    ("utf16_bom_be_doctype", lambda f: utf16_doctype_xlsx(f, "UTF16BE.xlsx", bom=True, endian="be"), "xml_entities"),
    ("utf16_nobom_doctype", lambda f: utf16_doctype_xlsx(f, "UTF16无BOM.xlsx", bom=False), "xml_entities"),
    ("utf16_sheet_doctype", lambda f: utf16_doctype_xlsx(f, "UTF16表.xlsx", member="xl/worksheets/sheet1.xml"),
     "xml_entities"),
    ("utf7_doctype", utf7_doctype_xlsx, "xml_entities"),
    ("comment_hidden_doctype", comment_hidden_doctype_xlsx, "xml_entities"),
    ("disguised_part", disguised_part_xlsx, "xml_entities"),
    ("plain_zip", plain_zip_as_xlsx, "not_office"),
    ("ods", ods_as_xlsx, "empty_roster"),     # read (engine.read.foreign): its header has no rows under it
    ("random_table", random_table_xlsx, "unknown_form"),
    ("many_members", many_members_xlsx, "zip_bomb"),
    ("all_rows_formulas", all_formula_roster, "formula_in_input"),
    ("only_numeric_id", only_numeric_id_roster, "invalid_value"),
    ("million_rows", huge_dimension_roster, "too_many_rows"),
    ("oversized", oversized_file, "too_large"),
]


def write_corpus(folder: Path, big: bool = False) -> dict[str, Path]:
    """Write every file of ``REFUSED`` into ``folder`` (plus the zip bombs when ``big``): id -> path."""
    out = {key: build(folder) for key, build, _ in REFUSED}
    if big:
        out["zip_bomb"] = zip_bomb_xlsx(folder)
        out["wide_bomb"] = wide_bomb_xlsx(folder)
    return out
