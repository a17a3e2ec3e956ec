"""One warm LibreOffice converter: run by ``engine.output.pdf.ConverterPool`` under a Python that can ``import uno``
(LibreOffice's bundled one, or the system's with python3-uno). It imports nothing from the engine — that Python
may not have docflow installed at all.

    python uno_worker.py --soffice PATH --profile DIR --pipe NAME [--connect-timeout S]

It starts its own soffice (headless, a private profile, accepting UNO on a private named pipe), connects to it
(retrying until it answers, within --connect-timeout), says ``{"ready": true, "soffice": PID}`` on stdout, then
serves one JSON line per request on stdin:

    {"src": "/abs/in.docx", "dst": "/abs/out.pdf"}   →   {"ok": true}  |  {"ok": false, "error": "..."}

A reply with ``"dead": true`` means soffice is gone (crashed, killed): the worker exits after it and the pool
starts a new one. ``{"quit": true}`` or the end of stdin: soffice is terminated and the worker exits. Its stdout
carries nothing but these lines; soffice's own output goes to the profile folder's soffice.log."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

IMPORT_FILTERS = {".docx": "MS Word 2007 XML", ".doc": "MS Word 97", ".xlsx": "Calc MS Excel 2007 XML",
                  ".xls": "MS Excel 97", ".odt": "writer8", ".ods": "calc8"}
EXPORT_FILTERS = {".xlsx": "calc_pdf_Export", ".xls": "calc_pdf_Export", ".ods": "calc_pdf_Export"}
PDF_OPTIONS: dict[str, Any] = {
    "EmbedStandardFonts": True,        # even the 14 base fonts: every font of the PDF embedded
    "UseTaggedPDF": False,
    "ExportFormFields": False,
    "ExportBookmarks": False,
    "ExportNotes": False,
    "Quality": 90,
    "ReduceImageResolution": False,
    "SelectPdfVersion": 0,             # plain PDF 1.6, no PDF/A
}


def prop(name: str, value: Any) -> Any:
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def start_office(soffice: str, profile: Path, pipe: str) -> subprocess.Popen:
    profile.mkdir(parents=True, exist_ok=True)
    log = open(profile / "soffice.log", "ab")        # kept open for the life of soffice
    # in this process's group: the pool kills the group (this worker and its soffice) when one hangs
    return subprocess.Popen(
        [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
         "--nofirststartwizard", f"-env:UserInstallation={profile.resolve().as_uri()}",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, close_fds=True)


def connect(proc: subprocess.Popen, pipe: str, timeout: float) -> Any:
    """The Desktop of the soffice listening on ``pipe``, retried until it answers (or it died, or timeout)."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"soffice exited with code {proc.returncode} before accepting connections")
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception as e:                       # NoConnectException until soffice listens
            last = e
            time.sleep(0.1)
    raise RuntimeError(f"soffice did not accept a connection within {timeout:.0f} s ({last})")


def alive(proc: subprocess.Popen, desktop: Any) -> bool:
    if proc.poll() is not None:
        return False
    try:
        desktop.getFrames()                          # a disposed bridge raises at once
        return True
    except Exception:
        return False


def convert(desktop: Any, src: str, dst: str) -> None:
    suffix = os.path.splitext(src)[1].lower()
    load = [prop("Hidden", True), prop("ReadOnly", True), prop("MacroExecutionMode", 0),
            prop("UpdateDocMode", 0), prop("RepairPackage", False)]
    if suffix in IMPORT_FILTERS:                     # no guessing: a broken .docx is not opened as plain text
        load.append(prop("FilterName", IMPORT_FILTERS[suffix]))
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, tuple(load))
    if doc is None:
        raise RuntimeError("LibreOffice could not open the file")
    try:
        data = uno.Any("[]com.sun.star.beans.PropertyValue", tuple(prop(k, v) for k, v in PDF_OPTIONS.items()))
        store = (prop("FilterName", EXPORT_FILTERS.get(suffix, "writer_pdf_Export")), prop("FilterData", data),
                 prop("Overwrite", True))
        uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(os.path.abspath(dst)), store))
    finally:
        try:
            doc.close(True)
        except Exception:
            try:
                doc.dispose()
            except Exception:
                pass


def stop(proc: subprocess.Popen, desktop: Any) -> None:
    if desktop is not None:
        try:
            desktop.terminate()
        except Exception:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--soffice", required=True)
    ap.add_argument("--profile", required=True, type=Path)
    ap.add_argument("--pipe", required=True)
    ap.add_argument("--connect-timeout", type=float, default=60.0)
    args = ap.parse_args()
    out = sys.stdout
    sys.stdout = sys.stderr                          # nothing but the replies on the real stdout

    def say(**reply: Any) -> None:
        out.write(json.dumps(reply) + "\n")            # ASCII: whatever the encoding of the pipe
        out.flush()

    proc = start_office(args.soffice, args.profile, args.pipe)
    desktop = None
    try:
        try:
            desktop = connect(proc, args.pipe, args.connect_timeout)
        except Exception as e:
            say(ready=False, error=str(e))
            return 3
        say(ready=True, soffice=proc.pid)
        for line in sys.stdin:
            if not line.strip():
                continue
            req = json.loads(line)
            if req.get("quit"):
                break
            try:
                convert(desktop, req["src"], req["dst"])
                say(ok=True)
            except Exception as e:
                error = f"{type(e).__name__}: {getattr(e, 'Message', '') or e}".strip()
                if not alive(proc, desktop):
                    say(ok=False, error=error, dead=True)
                    return 4
                say(ok=False, error=error)
        return 0
    finally:
        stop(proc, desktop)


if __name__ == "__main__":
    sys.exit(main())
