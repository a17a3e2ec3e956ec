"""Rewrite the user guide's generated sections (the steps table, the rules each step checks) from the packs:
README.md from the party pack, templates/<pack>/README.md from each other pack.

    python tools/pack_docs.py          # rewrite
    python tools/pack_docs.py --check  # exit 1 if any is out of date (tests/test_guide.py does the same)
"""
from __future__ import annotations

import sys
from pathlib import Path

from engine.pack import load_pack
from engine.pack.guide import rewrite
from engine.workspace import BUNDLED_PACKS

ROOT = Path(__file__).resolve().parent.parent


def documents() -> list[tuple[Path, Path]]:
    """(markdown file, pack folder) pairs whose sections are generated."""
    out = [(ROOT / "README.md", BUNDLED_PACKS / "party")]
    out += [(d / "README.md", d) for d in sorted(BUNDLED_PACKS.iterdir())
            if d.name != "party" and (d / "README.md").is_file() and (d / "pack.toml").is_file()]
    return out


def main(argv: list[str]) -> int:
    stale = []
    for doc, pack_dir in documents():
        text = doc.read_text(encoding="utf-8")
        new = rewrite(text, load_pack(pack_dir))
        if new != text:
            stale.append(doc)
            if "--check" not in argv:
                doc.write_text(new, encoding="utf-8")
    for doc in stale:
        print(("out of date: " if "--check" in argv else "rewrote: ") + str(doc.relative_to(ROOT)))
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
