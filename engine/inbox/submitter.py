"""Who handed a file in, as far as the system can tell (责任追究制): the file's owner on the share (POSIX uid →
account name; on Windows the owner's account), the document's own author and last editor (docProps/core.xml
``dc:creator`` / ``cp:lastModifiedBy``), the branch folder it was dropped into, and whether the form's identity
was verified by its signature. Recorded with every event the file made and with the file's record."""
from __future__ import annotations

import os
import sys
from typing import Any

from lxml import etree

from ..outcomes import Submitter

CORE_PART = "docProps/core.xml"
NS_CORE = {"dc": "http://purl.org/dc/elements/1.1/",
           "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}

def of(owner: str, reading: Any, folder: str) -> Submitter:
    """Who handed in a claimed file: its owner, and — when it was read as an office document — its authors and
    what its signature check found (``reading``: the read stage's result, a Reading or a refusal)."""
    author = modified_by = signature = ""
    package = getattr(reading, "package", None)
    if package is not None:
        author, modified_by = core_people(package.parts)
        signature = getattr(reading.identity, "signature", "")
    return Submitter(owner, author, modified_by, folder, signature)


def core_people(parts: dict[str, bytes]) -> tuple[str, str]:
    """(creator, lastModifiedBy) of an office package's core properties; blanks where absent or unreadable."""
    blob = parts.get(CORE_PART)
    if not blob:
        return "", ""
    from ..read.office import parse_xml

    try:
        root = parse_xml(blob)
    except etree.XMLSyntaxError:
        return "", ""

    def text(path: str) -> str:
        found = root.find(path, NS_CORE)
        return ("".join(found.itertext()).strip()[:100]) if found is not None else ""

    return text("dc:creator"), text("cp:lastModifiedBy")


def file_owner(path: str | os.PathLike[str], st: os.stat_result | None = None) -> str:
    """The account that owns the file, by name where the system can tell (else its number); "" when unknown."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _windows_owner(os.fspath(path))
    try:
        uid = (st or os.stat(path)).st_uid
    except OSError:
        return ""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (KeyError, ImportError):
        return f"uid {uid}"


def _windows_owner(path: str) -> str:  # pragma: no cover - Windows only
    """The owner's account (DOMAIN\\user) through GetNamedSecurityInfoW and LookupAccountSidW."""
    if sys.platform != "win32":
        return ""
    import ctypes
    from ctypes import wintypes

    advapi = ctypes.WinDLL("advapi32", use_last_error=True)
    sid, descriptor = ctypes.c_void_p(), ctypes.c_void_p()
    SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION = 1, 1
    if advapi.GetNamedSecurityInfoW(ctypes.c_wchar_p(path), SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION,
                                    ctypes.byref(sid), None, None, None, ctypes.byref(descriptor)) != 0:
        return ""
    try:
        name, domain = ctypes.create_unicode_buffer(256), ctypes.create_unicode_buffer(256)
        n_name, n_domain, use = wintypes.DWORD(256), wintypes.DWORD(256), wintypes.DWORD()
        if not advapi.LookupAccountSidW(None, sid, name, ctypes.byref(n_name), domain, ctypes.byref(n_domain),
                                        ctypes.byref(use)):
            return ""
        return f"{domain.value}\\{name.value}" if domain.value else name.value
    finally:
        ctypes.windll.kernel32.LocalFree(descriptor)
