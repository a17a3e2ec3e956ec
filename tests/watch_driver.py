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


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("workspace")
    p.add_argument("--poll", type=float, default=0.0)
    p.add_argument("--quiet", type=float, default=0.2)
    p.add_argument("--grace", type=float, default=1.0)
    p.add_argument("--rescan", type=float, default=2.0)
    args = p.parse_args()
    try:
        with engine_for(Path(args.workspace)) as eng:
            w = Watcher(eng, poll=args.poll, quiet=args.quiet, rescan=args.rescan, grace=args.grace, retry_base=0.2,
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
