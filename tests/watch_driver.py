"""Run ``docflow watch`` on a workspace with test timings (a short quiet and grace period, fast retries),
as its own process, so tests can kill it with SIGKILL at any instant:

    python tests/watch_driver.py WORKSPACE [--poll S] [--quiet S] [--grace S] [--rescan S]

It opens the engine exactly as the CLI does (``engine_for``: the workspace lock, then recovery)."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from engine.cli import describe, engine_for
from engine.errors import DocflowError
from engine.inbox.watch import Watcher


def log_renders(outbox: Path, log: Path) -> None:
    """Append "pid sha256 path" (the absolute path) for every document written under outbox/<branch>/<case>/ — after it
    is written, so a line is a render that happened (an independent record beside the store's render_log)."""
    import hashlib
    import os

    from engine.output import render

    real = render.write_atomic

    def write_atomic(path, data, *a, **k):
        real(path, data, *a, **k)
        rel = Path(os.path.abspath(path)).relative_to(outbox) if str(path).startswith(str(outbox)) else None
        if rel is not None and len(rel.parts) >= 3:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()} {hashlib.sha256(data).hexdigest()} {(outbox / rel).as_posix()}\n")
    render.write_atomic = write_atomic


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("workspace")
    p.add_argument("--poll", type=float, default=0.0)
    p.add_argument("--quiet", type=float, default=0.2)
    p.add_argument("--grace", type=float, default=1.0)
    p.add_argument("--rescan", type=float, default=2.0)
    p.add_argument("--spread", action="store_true", help="files in random order (several watchers on one inbox)")
    p.add_argument("--render-log", default="", help="append one line per document this process rendered")
    args = p.parse_args()
    if args.render_log:
        log_renders(Path(args.workspace).resolve() / "outbox", Path(args.render_log))
    try:
        with engine_for(Path(args.workspace)) as eng:
            w = Watcher(eng, poll=args.poll, quiet=args.quiet, rescan=args.rescan, grace=args.grace, retry_base=0.2,
                        spread=args.spread,
                        on_outcome=lambda o: print(describe(o), flush=True),
                        on_notice=lambda text: print(f"提示：{text}", flush=True))
            signal.signal(signal.SIGTERM, lambda *_: w.stop.set())
            print(f"正在监视（{w.mode}）", flush=True)
            w.run(tick=0.05)
    except DocflowError as exc:
        print(f"错误：{exc}", file=sys.stderr, flush=True)
        return 2
    print("已停止监视", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
