"""PDF output through LibreOffice, and the checks of what it printed.

- ``ConverterPool``: a few warm converters, each a ``uno_worker.py`` process (under a Python that can ``import
  uno``) driving its own headless soffice with a private profile over a private UNO pipe. The pool hands out the
  documents, kills and restarts a converter whose soffice died or took longer than ``timeout`` on a document, and
  writes every PDF atomically. Without such a Python it converts one soffice process per document instead.
- ``convert_one_process``: one ``soffice --convert-to pdf`` per document (the fallback, and the bench's baseline).
- Fonts: the documents name the Windows fonts of Chinese offices (仿宋_GB2312, 黑体, 方正小标宋简体 …), which a
  Linux machine does not have; a private fontconfig file (``FONTCONFIG_FILE`` of the soffice processes) maps each
  to an installed font by a strong rule, so the PDF is set in a known face instead of whatever fontconfig finds.
- ``check_pdf``: the page count, every font embedded, and no font but the expected ones (a silent substitution).
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Literal
from xml.sax.saxutils import escape

from ..errors import DocflowError

WORKER_SCRIPT = Path(__file__).with_name("uno_worker.py")
SOFFICE_MISSING = "未找到 LibreOffice（soffice），无法生成 PDF；请安装 LibreOffice 后再试"
START_TIMEOUT = 90.0          # seconds for a converter's soffice to start and accept its connection

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
_SERIF_NAMES = ("仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "华文仿宋", "STFangsong",
                "楷体_GB2312", "楷体", "KaiTi", "KaiTi_GB2312", "华文楷体", "STKaiti",
                "宋体", "SimSun", "新宋体", "NSimSun", "SimSun-ExtB", "华文宋体", "STSong", "华文中宋", "STZhongsong",
                "方正小标宋简体", "方正小标宋_GBK", "方正小标宋", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05",
                "方正仿宋_GBK", "方正楷体_GBK", "方正书宋_GBK")
_SANS_NAMES = ("黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "Microsoft YaHei UI", "等线", "DengXian",
               "华文黑体", "STHeiti", "方正黑体_GBK", "方正黑体简体")
# the Windows font a document names → the installed font it is set in
DEFAULT_FONT_MAP: Mapping[str, str] = MappingProxyType({**dict.fromkeys(_SERIF_NAMES, SERIF),
                                                        **dict.fromkeys(_SANS_NAMES, SANS)})


class PdfError(DocflowError):
    """PDF output cannot run at all (no LibreOffice, its converters do not start)."""


@dataclass(frozen=True)
class Converted:
    src: Path
    dst: Path
    ok: bool
    error: str = ""           # Chinese, for staff, when not ok
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------------------------------
# finding LibreOffice


def find_soffice() -> str | None:
    """LibreOffice's soffice: $DOCFLOW_SOFFICE, on PATH, or where the installers put it."""
    env = os.environ.get("DOCFLOW_SOFFICE")
    if env and Path(env).is_file():
        return env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates: list[Path] = []
    if os.name == "nt":
        for var, default in (("PROGRAMFILES", r"C:\Program Files"), ("PROGRAMFILES(X86)", r"C:\Program Files (x86)")):
            candidates.append(Path(os.environ.get(var, default)) / "LibreOffice" / "program" / "soffice.exe")
    elif sys.platform == "darwin":
        candidates += [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
                       Path.home() / "Applications/LibreOffice.app/Contents/MacOS/soffice"]
    else:
        candidates += [Path("/usr/lib/libreoffice/program/soffice"), Path("/usr/lib64/libreoffice/program/soffice"),
                       *sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True),
                       Path("/snap/bin/libreoffice")]
    return next((str(c) for c in candidates if c.is_file()), None)


def require_soffice() -> str:
    found = find_soffice()
    if found is None:
        raise PdfError(SOFFICE_MISSING, code="no_office")
    return found


@functools.lru_cache(maxsize=8)
def find_uno_python(soffice: str) -> str | None:
    """An interpreter that can ``import uno``: LibreOffice's own (beside soffice), else the system's python3 (with
    python3-uno). Each candidate is tried once; the answer is kept for the process."""
    program = Path(soffice).resolve().parent
    candidates = [program / "python", program / "python.exe", program.parent / "Resources" / "python",
                  Path("/usr/bin/python3"), shutil.which("python3")]
    seen: set[str] = set()
    for cand in candidates:
        if cand is None or str(cand) in seen or not Path(cand).is_file():
            continue
        seen.add(str(cand))
        try:
            run = subprocess.run([str(cand), "-c", "import uno"], capture_output=True, timeout=20,
                                 env=_clean_env(), stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if run.returncode == 0:
            return str(cand)
    return None


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of the LibreOffice processes: not this interpreter's Python paths."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env.update(extra)
    return env


# ---------------------------------------------------------------------------------------------------------------
# fonts


def font_map(fonts: Mapping[str, str] | None = None) -> dict[str, str]:
    """The default mapping with ``fonts`` over it (document font name → installed family)."""
    return {**DEFAULT_FONT_MAP, **(fonts or {})}


def targets(fonts: Mapping[str, str] | None = None) -> set[str]:
    """The families the PDFs may contain: the fonts the mapping maps to (``fonts`` over the defaults)."""
    return set(font_map(fonts).values())


def write_fontconfig(path: Path, fonts: Mapping[str, str] | None = None) -> Path:
    """A fontconfig file: a strong rule per mapped name, then the system's own configuration. The rules come
    first so that no alias of the system's (e.g. SimSun → AR PL UMing) sees the Windows name before they do."""
    system = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    rules = [f'  <match target="pattern">\n'
             f'    <test qual="any" name="family" ignore-blanks="true"><string>{escape(name)}</string></test>\n'
             f'    <edit name="family" mode="assign" binding="strong"><string>{escape(family)}</string></edit>\n'
             f'  </match>' for name, family in font_map(fonts).items() if name != family]
    text = ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
            + "\n".join(rules) + f'\n  <include ignore_missing="yes">{escape(system)}</include>\n</fontconfig>\n')
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_name(path.name + f".{uuid.uuid4().hex[:8]}.part")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return path


# ---------------------------------------------------------------------------------------------------------------
# processes


def _group_kwargs() -> dict[str, Any]:
    """Start a process as the leader of a new process group (all its children die with it)."""
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}      # type: ignore[attr-defined]
    return {"start_new_session": True}


def kill_group(proc: subprocess.Popen) -> None:
    """Kill ``proc`` and every process of its group (its soffice, oosplash, soffice.bin)."""
    if os.name == "nt":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _temp_for(dst: Path) -> Path:
    """A temporary name on ``dst``'s filesystem (the engine's temporaries folder when it is on it)."""
    from .render import TEMP_HOMES

    dst.parent.mkdir(parents=True, exist_ok=True)
    home = TEMP_HOMES.get(os.stat(dst.parent).st_dev)
    fd, tmp = tempfile.mkstemp(prefix=".~docflow-", suffix=".tmp", dir=home if home is not None else dst.parent)
    os.close(fd)
    return Path(tmp)


def _finish(tmp: Path, dst: Path) -> str:
    """Rename a converted PDF into place; an error message when there is none."""
    try:
        if tmp.stat().st_size == 0:
            return "LibreOffice 没有写出 PDF"
        os.replace(tmp, dst)
        return ""
    except OSError as e:
        return f"无法写入 {dst.name}：{e}"
    finally:
        tmp.unlink(missing_ok=True)


_PDF_OPTIONS = '{"EmbedStandardFonts":{"type":"boolean","value":"true"}}'
_CALC = (".xlsx", ".xls", ".ods")


def convert_one_process(src: Path, dst: Path, profile_dir: Path, fonts: Mapping[str, str] | None = None, *,
                        soffice: str | None = None, timeout: float = 120.0) -> Converted:
    """One ``soffice --convert-to pdf`` process for ``src`` (profile ``profile_dir``, which no other soffice may
    use at the same time), killed after ``timeout`` seconds; the PDF written to ``dst`` atomically."""
    start = time.perf_counter()
    soffice = soffice or require_soffice()
    src, dst = Path(src), Path(dst)
    profile_dir.mkdir(parents=True, exist_ok=True)
    conf = write_fontconfig(profile_dir.parent / f"{profile_dir.name}.fonts.conf", fonts)
    calc = src.suffix.lower() in _CALC
    infilter = {".docx": "MS Word 2007 XML", ".xlsx": "Calc MS Excel 2007 XML"}.get(src.suffix.lower())
    tmp = _temp_for(dst)
    outdir = Path(tempfile.mkdtemp(prefix=".~docflow-pdf-", dir=tmp.parent))
    cmd = [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
           f"-env:UserInstallation={profile_dir.resolve().as_uri()}",
           *([f"--infilter={infilter}"] if infilter else []),
           "--convert-to", f"pdf:{'calc' if calc else 'writer'}_pdf_Export:{_PDF_OPTIONS}",
           "--outdir", str(outdir), str(src.resolve())]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=_clean_env(FONTCONFIG_FILE=str(conf)), **_group_kwargs())
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            return Converted(src, dst, False, f"转换超过 {timeout:.0f} 秒未完成，已终止",
                             time.perf_counter() - start)
        made = outdir / f"{src.stem}.pdf"
        if not made.is_file():
            said = output.decode("utf-8", "replace").strip().splitlines()
            return Converted(src, dst, False, "LibreOffice 无法打开或转换此文件"
                             + (f"（{said[-1][:200]}）" if said else ""), time.perf_counter() - start)
        os.replace(made, tmp)
        error = _finish(tmp, dst)
        return Converted(src, dst, not error, error, time.perf_counter() - start)
    finally:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(outdir, ignore_errors=True)


class _Worker:
    """One converter: a uno_worker.py process and, in its process group, its soffice."""

    def __init__(self, n: int, python: str, soffice: str, work_dir: Path, conf: Path) -> None:
        self.n = n
        self.python, self.soffice, self.conf = python, soffice, conf
        self.profile = work_dir / f"profile-{n}"
        self.log_path = work_dir / f"worker-{n}.log"
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.soffice_pid: int | None = None
        self.starts = 0

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the converter and wait until its soffice answers; a profile that will not start is made anew
        once (a kill can leave one broken)."""
        try:
            self._start(timeout)
        except PdfError:
            shutil.rmtree(self.profile, ignore_errors=True)
            self._start(timeout)

    def _start(self, timeout: float) -> None:
        self.starts += 1
        pipe = f"docflow-{os.getpid()}-{self.n}-{uuid.uuid4().hex[:12]}"
        log = open(self.log_path, "ab")              # the worker's stderr; closed when the worker is stopped
        self.proc = subprocess.Popen(
            [self.python, str(WORKER_SCRIPT), "--soffice", self.soffice, "--profile", str(self.profile),
             "--pipe", pipe, "--connect-timeout", str(timeout)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=_clean_env(FONTCONFIG_FILE=str(self.conf)),
            **_group_kwargs())
        log.close()
        lines: queue.Queue[str | None] = queue.Queue()
        self.lines = lines
        threading.Thread(target=_read_lines, args=(self.proc.stdout, lines), daemon=True).start()
        try:
            reply = self._reply(timeout + 15)
        except queue.Empty:
            reply = None
        if reply is None or not reply.get("ready"):
            self.kill()
            why = (reply or {}).get("error") or "没有响应"
            raise PdfError(f"LibreOffice 转换器无法启动（{why}）；日志：{self.log_path}", code="office_start")
        self.soffice_pid = reply.get("soffice")

    def _reply(self, timeout: float) -> dict[str, Any] | None:
        """The next reply; None when the worker ended; raises queue.Empty on timeout."""
        line = self.lines.get(timeout=timeout)
        if line is None:
            return None
        try:
            reply = json.loads(line)
        except ValueError:
            return {"ok": False, "error": f"转换器的回复无法识别：{line[:200]}"}
        return reply if isinstance(reply, dict) else {"ok": False, "error": "转换器的回复无法识别"}

    def convert(self, src: Path, dst: Path, timeout: float) -> tuple[bool, str, str]:
        """(ok, error, what happened to the worker: "" alive, "dead", "timeout")."""
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps({"src": str(src), "dst": str(dst)}) + "\n")
                                  .encode("utf-8"))
            self.proc.stdin.flush()
        except OSError:
            return False, "转换器已退出", "dead"
        try:
            reply = self._reply(timeout)
        except queue.Empty:
            return False, f"转换超过 {timeout:.0f} 秒未完成，已终止并重启转换器", "timeout"
        if reply is None:
            return False, "转换器意外退出（LibreOffice 崩溃或被终止）", "dead"
        if reply.get("ok"):
            return True, "", ""
        error = f"LibreOffice 无法打开或转换此文件（{reply.get('error', '')}）"
        return False, error, "dead" if reply.get("dead") else ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.proc is not None:
            kill_group(self.proc)
            self._close_pipes()

    def stop(self) -> None:
        """Ask the worker to terminate its soffice and exit; kill what is left of the group either way."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None and proc.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                proc.stdin.write(b'{"quit": true}\n')
                proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
        kill_group(proc)                              # leftovers of the group (none when it stopped cleanly)
        self._close_pipes()
        self.proc = None

    def _close_pipes(self) -> None:
        if self.proc is not None:
            for f in (self.proc.stdin, self.proc.stdout):
                with contextlib.suppress(OSError, ValueError):
                    if f is not None:
                        f.close()


def _read_lines(stream: IO[bytes] | None, lines: queue.Queue[str | None]) -> None:
    try:
        if stream is not None:
            for raw in stream:
                lines.put(raw.decode("utf-8", "replace"))
    except (OSError, ValueError):
        pass
    finally:
        lines.put(None)


class ConverterPool:
    """``size`` warm converters (see the module). A context manager; ``convert_many`` may be called many times,
    from one thread at a time.

    ``mode``: "auto" (warm converters when a Python with uno is found, else one soffice per document), "warm" or
    "process" (one soffice per document, ``size`` at a time). ``work_dir`` holds the private profiles and the
    fontconfig file (a temporary folder, removed on close, when not given)."""

    def __init__(self, size: int = 2, timeout: float = 120.0, fonts: Mapping[str, str] | None = None,
                 work_dir: Path | None = None, *, soffice: str | None = None,
                 mode: Literal["auto", "warm", "process"] = "auto", start_timeout: float = START_TIMEOUT) -> None:
        self.size = max(1, size)
        self.timeout = timeout
        self.fonts = font_map(fonts)
        self.targets = targets(fonts)
        self.soffice = soffice or require_soffice()
        self.python = find_uno_python(self.soffice) if mode != "process" else None
        if mode == "warm" and self.python is None:
            raise PdfError("找不到能导入 uno 的 Python（LibreOffice 自带的 Python，或安装 python3-uno），"
                           "无法启动常驻转换器", code="no_uno")
        self.mode: Literal["warm", "process"] = "warm" if self.python else "process"
        self.start_timeout = start_timeout
        self._own_dir = work_dir is None
        self.work_dir = Path(tempfile.mkdtemp(prefix="docflow-office-")) if work_dir is None else Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.fontconfig = write_fontconfig(self.work_dir / "fonts.conf", self.fonts)
        self.workers: list[_Worker] = []
        self.restarts = 0
        self.startup_seconds = 0.0
        self._lock = threading.Lock()
        self._started = False
        self._closed = False

    # -- life

    def start(self) -> ConverterPool:
        """Start the converters (in parallel); nothing to start in per-document mode."""
        if self._started:
            return self
        if self._closed:
            raise PdfError("转换器已关闭", code="closed")
        t = time.perf_counter()
        if self.mode == "warm":
            assert self.python is not None
            self.workers = [_Worker(n, self.python, self.soffice, self.work_dir, self.fontconfig)
                            for n in range(self.size)]
            errors: list[Exception] = []

            def up(w: _Worker) -> None:
                try:
                    w.start(self.start_timeout)
                except Exception as e:
                    errors.append(e)

            threads = [threading.Thread(target=up, args=(w,)) for w in self.workers]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            if errors:
                for w in self.workers:
                    w.kill()
                raise errors[0]
        self._started = True
        self.startup_seconds = time.perf_counter() - t
        return self

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        threads = [threading.Thread(target=w.stop) for w in self.workers]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> ConverterPool:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    def processes(self) -> list[int]:
        """The pids of the converters and of their soffice (the launcher: soffice.bin is its child)."""
        return [p for w in self.workers if w.alive() for p in (w.proc.pid if w.proc else None, w.soffice_pid)
                if p is not None]

    # -- work

    def convert(self, src: Path, dst: Path) -> Converted:
        return self.convert_many([(src, dst)])[0]

    def convert_many(self, pairs: Iterable[tuple[Path, Path]],
                     progress: Callable[[Converted], None] | None = None) -> list[Converted]:
        """Convert each (source, PDF) pair, spread over the converters; one ``Converted`` per pair, in order.
        ``progress(converted)`` is called (from the converters' threads, one at a time) as each is done."""
        pairs = [(Path(s), Path(d)) for s, d in pairs]
        if not pairs:
            return []
        self.start()
        jobs: queue.Queue[tuple[int, Path, Path]] = queue.Queue()
        for i, (src, dst) in enumerate(pairs):
            jobs.put((i, src, dst))
        results: list[Converted | None] = [None] * len(pairs)

        def done(i: int, c: Converted) -> None:
            with self._lock:
                results[i] = c
                if progress is not None:
                    progress(c)

        if self.mode == "warm":
            threads = [threading.Thread(target=self._serve, args=(w, jobs, done), daemon=True)
                       for w in self.workers]
        else:
            threads = [threading.Thread(target=self._serve_processes, args=(n, jobs, done), daemon=True)
                       for n in range(min(self.size, len(pairs)))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return [c if c is not None else Converted(pairs[i][0], pairs[i][1], False, "没有可用的转换器（LibreOffice "
                                                  "无法启动）") for i, c in enumerate(results)]

    def _serve(self, w: _Worker, jobs: queue.Queue[tuple[int, Path, Path]],
               done: Callable[[int, Converted], None]) -> None:
        while True:
            try:
                i, src, dst = jobs.get_nowait()
            except queue.Empty:
                return
            try:
                c = self._one(w, src, dst)
            except PdfError as e:                     # this converter cannot be started again: leave the rest
                done(i, Converted(src, dst, False, e.message))
                return
            except OSError as e:                      # e.g. the PDF's folder cannot be written
                c = Converted(src, dst, False, f"无法写入 PDF：{e}")
            done(i, c)

    def _one(self, w: _Worker, src: Path, dst: Path) -> Converted:
        start = time.perf_counter()
        if not src.is_file():
            return Converted(src, dst, False, f"文件不存在：{src}", 0.0)
        error = ""
        for attempt in (1, 2):                        # a crash is retried once on a fresh converter
            if not w.alive():
                self._restart(w)
            tmp = _temp_for(dst)
            try:
                ok, error, fate = w.convert(src.resolve(), tmp, self.timeout)
                if fate:
                    w.kill()
                    self._restart(w)
                if ok:
                    error = _finish(tmp, dst)
                    return Converted(src, dst, not error, error, time.perf_counter() - start)
            finally:
                tmp.unlink(missing_ok=True)
            if fate != "dead" or attempt == 2:
                break
        return Converted(src, dst, False, error, time.perf_counter() - start)

    def _restart(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self.restarts += 1
        w.start(self.start_timeout)

    def _serve_processes(self, n: int, jobs: queue.Queue[tuple[int, Path, Path]],
                         done: Callable[[int, Converted], None]) -> None:
        profile = self.work_dir / f"profile-{n}"
        while True:
            try:
                i, src, dst = jobs.get_nowait()
            except queue.Empty:
                return
            if not src.is_file():
                done(i, Converted(src, dst, False, f"文件不存在：{src}"))
                continue
            try:
                c = convert_one_process(src, dst, profile, self.fonts, soffice=self.soffice, timeout=self.timeout)
            except OSError as e:
                c = Converted(src, dst, False, f"无法转换：{e}")
            done(i, c)


# ---------------------------------------------------------------------------------------------------------------
# checking a PDF

_SUBSET = re.compile(r"^[A-Z]{6}\+")
_REGION = re.compile(r"cjk(sc|tc|jp|kr|hk)$")


def font_family(base_font: str) -> str:
    """A PDF font's name without the subset prefix: "/BAAAAA+NotoSerifCJKsc-Regular" → "NotoSerifCJKsc-Regular"."""
    return _SUBSET.sub("", base_font.lstrip("/"))


def family_key(name: str) -> str:
    """A font name compared loosely: no spaces, case or style suffix ("-Regular", "-Bold", ",Bold", "PSMT"), and no
    region of a pan-CJK font (Noto Serif CJK SC and JP share their outlines, and LibreOffice writes the shared
    name "NotoSerifCJKjp-Regular-…" whichever region the text was set in)."""
    key = re.split(r"[-,]", font_family(name), maxsplit=1)[0]
    key = key.replace(" ", "").replace("_", "").lower()
    key = re.sub(r"(psmt|ps|mt)$", "", key)
    return _REGION.sub("cjk", key)


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def _fonts(resources: Any, seen: set[int]) -> Iterable[Any]:
    """Every font dictionary of a resources dictionary, and of the form XObjects it uses (recursively)."""
    resources = resources.get_object() if resources is not None else None
    if not hasattr(resources, "get"):
        return
    fonts = resources.get("/Font")
    if fonts is not None:
        for ref in fonts.get_object().values():
            yield ref.get_object()
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            key = id(ref.get_object()) if not hasattr(ref, "idnum") else ref.idnum
            if key in seen:
                continue
            seen.add(key)
            x = ref.get_object()
            if x.get("/Subtype") == "/Form":
                yield from _fonts(x.get("/Resources"), seen)


def _embedded(font: Any) -> bool:
    if font.get("/Subtype") == "/Type3":            # glyphs drawn by the PDF's own procedures
        return True
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts")
        if descendants is None:
            return False
        font = descendants.get_object()[0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _pages_text(pages: list[int]) -> str:
    return "第 " + "、".join(map(str, pages[:10])) + (" 等" if len(pages) > 10 else "") + " 页"


def check_pdf(path: Path, expected_pages: int | None = None, allowed_fonts: set[str] | None = None) -> list[str]:
    """Problems of a PDF, in Chinese (none: an empty list): more pages than ``expected_pages``; a font not
    embedded; a font whose family is not one of ``allowed_fonts`` (a silent substitution)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = list(reader.pages)
    except (OSError, PdfReadError, ValueError) as e:
        return [f"无法读取 PDF：{e}"]
    problems = []
    if expected_pages and len(pages) > expected_pages:
        problems.append(f"共 {len(pages)} 页，超出 {expected_pages} 页的上限（多 {len(pages) - expected_pages} 页）")
    allowed = {family_key(f) for f in allowed_fonts} if allowed_fonts is not None else None
    missing: dict[str, list[int]] = {}
    foreign: dict[str, list[int]] = {}
    for n, page in enumerate(pages, 1):
        for font in _fonts(page.get("/Resources"), set()):
            if font.get("/Subtype") == "/Type3":
                continue
            name = font_family(str(font.get("/BaseFont", "(无名字体)")))
            if not _embedded(font):
                missing.setdefault(name, [])
                if n not in missing[name]:
                    missing[name].append(n)
            if allowed is not None and family_key(name) not in allowed:
                foreign.setdefault(name, [])
                if n not in foreign[name]:
                    foreign[name].append(n)
    for name, at in missing.items():
        problems.append(f"字体 {name} 没有嵌入 PDF（{_pages_text(at)}），在别的电脑上可能显示或打印成其他字体")
    for name, at in foreign.items():
        wanted = "、".join(sorted(allowed_fonts or ()))
        problems.append(f"使用了字体 {name}（{_pages_text(at)}），不是规定的字体（{wanted}）：文档指定的字体可能缺失，"
                        f"被替换成了它")
    return problems
