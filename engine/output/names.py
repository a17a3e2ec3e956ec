"""File and folder names built from staff data: safe on Windows and Linux."""
from __future__ import annotations

import re
import unicodedata

_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", *(f"COM{i}" for i in range(10)),
             *(f"LPT{i}" for i in range(10)), "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³"}
MAX_NAME_CHARS = 60   # a Chinese character is 3 bytes on Linux (255-byte limit), 1 UTF-16 unit on Windows


def safe_name(text: str, fallback: str = "未命名", limit: int = MAX_NAME_CHARS) -> str:
    text = unicodedata.normalize("NFKC", str(text))
    text = _BAD.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip().strip(".").strip()
    text = re.sub(r"_+", "_", text)
    if not text or set(text) <= {"_", "."}:
        text = fallback
    if text.split(".")[0].rstrip(" ").upper() in _RESERVED:
        text = "_" + text
    return text[:limit].rstrip(" .") or fallback


def safe_file_name(stem: str, suffix: str, limit: int = MAX_NAME_CHARS) -> str:
    return safe_name(stem, limit=limit - len(suffix)) + suffix
