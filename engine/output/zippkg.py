"""An OOXML package as zip members kept compressed: a template's members are read once as their raw compressed
bytes, and a document is written by copying those bytes as they are and compressing only the parts that change.
The output is deterministic: members in the template's order, every timestamp 1980-01-01 00:00, no extra fields.
(The standard library's zipfile cannot write raw compressed bytes, hence this small writer; it never writes
zip64, so a package is limited to 4 GiB — an office template is a few hundred KB.)"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import TemplateError

_LOCAL = struct.Struct("<IHHHHHIIIHH")             # local file header (30 bytes)
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")     # central directory entry (46 bytes)
_END = struct.Struct("<IHHHHIIH")                   # end of central directory (22 bytes)
_VERSION = 20                                       # 2.0: deflate
_UTF8 = 0x800                                       # general purpose flag: the name is UTF-8
_DOS_TIME, _DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1   # 1980-01-01 00:00:00
_LIMIT = 0xFFFFFFFF
# zlib level 1: a rendered part compresses ~14% larger than at zlib's default 6 (what zipfile and python-docx use)
# but in about half the time; the copied members (styles, fonts, media) are most of a document, so it grows ~1%.
LEVEL = 1


@dataclass(frozen=True)
class Member:
    """One zip member as stored: its name, method (0 stored, 8 deflated), compressed bytes, CRC and size."""

    name: str
    method: int
    raw: bytes
    crc: int
    size: int

    def data(self) -> bytes:
        out = zlib.decompress(self.raw, -15) if self.method == zipfile.ZIP_DEFLATED else self.raw
        if zlib.crc32(out) != self.crc:
            raise TemplateError("模板文件已损坏（压缩包校验和不符）", place=self.name)
        return out


def deflate(name: str, data: bytes, level: int = LEVEL) -> Member:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Member(name, zipfile.ZIP_DEFLATED, c.compress(data) + c.flush(), zlib.crc32(data), len(data))


def deflate_parts(name: str, parts: Iterable[bytes], level: int = LEVEL) -> Member:
    """A member made of ``parts`` in order, compressed as they come (no copy of the whole). zlib lets other
    threads run while it compresses, so several members can be made at once (see sheets.workbook)."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    out, crc, size = [], 0, 0
    for part in parts:
        out.append(c.compress(part))
        crc, size = zlib.crc32(part, crc), size + len(part)
    out.append(c.flush())
    return Member(name, zipfile.ZIP_DEFLATED, b"".join(out), crc, size)


def read_members(data: bytes) -> list[Member]:
    """The members of a package as stored, in the order of its central directory."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TemplateError(f"模板不是有效的 Office 文件：{exc}") from None
    view = memoryview(data)
    out = []
    for info in infos:
        if info.flag_bits & 0x1:
            raise TemplateError("模板文件加密，无法使用", place=info.filename)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise TemplateError(f"模板使用了不支持的压缩方式（{info.compress_type}）", place=info.filename)
        head = _LOCAL.unpack_from(view, info.header_offset)
        if head[0] != 0x04034B50:
            raise TemplateError("模板文件已损坏（压缩包结构不完整）", place=info.filename)
        start = info.header_offset + _LOCAL.size + head[9] + head[10]
        raw = bytes(view[start:start + info.compress_size])
        if len(raw) != info.compress_size:
            raise TemplateError("模板文件已损坏（压缩包被截断）", place=info.filename)
        out.append(Member(info.filename, info.compress_type, raw, info.CRC, info.file_size))
    return out


def write_zip(members: Iterable[Member]) -> bytes:
    """A zip of ``members`` in the given order, their stored bytes copied as they are."""
    out = bytearray()
    central = bytearray()
    count = 0
    for m in members:
        name = m.name.encode("utf-8")
        flags = 0 if m.name.isascii() else _UTF8
        offset = len(out)
        if offset > _LIMIT or len(m.raw) > _LIMIT or m.size > _LIMIT:
            raise TemplateError("生成的文件超过 4 GB，无法写出", place=m.name)
        out += _LOCAL.pack(0x04034B50, _VERSION, flags, m.method, _DOS_TIME, _DOS_DATE, m.crc, len(m.raw), m.size,
                           len(name), 0)
        out += name
        out += m.raw
        central += _CENTRAL.pack(0x02014B50, _VERSION, _VERSION, flags, m.method, _DOS_TIME, _DOS_DATE, m.crc,
                                 len(m.raw), m.size, len(name), 0, 0, 0, 0, 0, offset)
        central += name
        count += 1
    start = len(out)
    out += central
    out += _END.pack(0x06054B50, 0, 0, count, count, len(central), start, 0)
    return bytes(out)
